// The till's screen: boot, the product grid, the scan field, the cart, shortcuts, online state.
import { ApiError, NetworkError, api, errorText } from "./api.js";
import * as db from "./db.js";
import { formatMoney, toScaled } from "./money.js";
import { qty } from "./receipt.js";
import * as outbox from "./outbox.js";
import { openPay } from "./pay.js";
import { openShiftDialog, ensureTill } from "./shift.js";
import {
  openCoupon, openCustomer, openHistory, openLineEditor, openParked, openPin, openReturn, park,
} from "./extras.js";
import { emit, on, seller, state } from "./state.js";
import { closeDialog, dialogOpen, h, initDialog, openDialog, toast } from "./ui.js";

const $ = (id) => document.getElementById(id);
const FAVOURITES = "fav";
let category = null; // null: all; FAVOURITES; or a category id
let favourites = new Set();

// --- the grid ---------------------------------------------------------------------------------

function renderCategories() {
  const nav = $("categories");
  const button = (label, value) =>
    h("button", {
      type: "button",
      "aria-pressed": String(category === value),
      onclick: () => { category = value; renderCategories(); renderGrid(); },
    }, label);
  const used = new Set([...state.catalog.products.values()].map((p) => p.categoryId));
  nav.replaceChildren(
    button("★ Favourites", FAVOURITES),
    button("All", null),
    ...state.catalog.categories.filter((c) => used.has(c.id)).map((c) => button(c.path, c.id)),
  );
}

function renderGrid() {
  const text = $("scan").value.trim();
  const { places } = state.catalog.meta;
  let products;
  if (category === FAVOURITES && !text) {
    products = [...favourites].map((id) => state.catalog.products.get(id)).filter(Boolean);
  } else {
    products = state.catalog.search(text, { categoryId: typeof category === "number" ? category : null });
  }
  const grid = $("grid");
  if (!state.catalog.ready) {
    grid.replaceChildren(h("p", { className: "muted" }, "Loading the catalog…"));
    return;
  }
  if (!products.length) {
    const hint = category === FAVOURITES && !text
      ? "No favourites yet: tap ☆ on a product under All to pin it here."
      : "Nothing matches.";
    grid.replaceChildren(h("p", { className: "muted" }, hint));
    return;
  }
  grid.replaceChildren(...products.map((product) => {
    const star = h("span", {
      className: `star${favourites.has(product.id) ? " on" : ""}`,
      title: "Favourite",
      role: "button",
      onclick: (event) => { event.stopPropagation(); toggleFavourite(product.id); },
    }, favourites.has(product.id) ? "★" : "☆");
    return h("button", {
      type: "button", className: "tile", role: "listitem", dataset: { product: product.id, sku: product.sku },
      onclick: () => addToCart(product, "1"),
    }, star, h("span", { className: "name" }, product.name),
    h("span", { className: "price" }, formatMoney(toScaled(product.price, places), places)));
  }));
}

async function toggleFavourite(id) {
  if (favourites.has(id)) favourites.delete(id);
  else favourites.add(id);
  await db.put("kv", [...favourites], "favourites");
  renderGrid();
}

// --- the cart ---------------------------------------------------------------------------------

function addToCart(product, quantity) {
  if (product.byWeight && quantity === "1") {
    openLineEditor(state.cart.lines.length, { product, weigh: true });
    return;
  }
  state.cart.add(product, quantity);
  emit("cart");
}

function money(minor) {
  return formatMoney(minor, state.catalog.meta.places);
}

export function renderCart() {
  const cart = state.cart;
  const list = $("lines");
  const customer = cart.customer ? `Customer: ${cart.customer.name}` : "";
  const coupon = cart.coupon ? `Coupon: ${cart.coupon}` : "";
  $("customer-line").textContent = [customer, coupon].filter(Boolean).join(" · ");
  let priced;
  try {
    priced = cart.empty ? null : cart.priced(state.catalog);
  } catch (error) {
    toast(error.message, true);
    priced = null;
  }
  list.replaceChildren(...cart.lines.map((line, index) => {
    const amounts = priced ? priced.lines[index] : null;
    const notes = [];
    if (line.unitPrice !== null) notes.push(`price set to ${line.unitPrice}`);
    if (Number(line.discount || 0)) notes.push(`discount ${line.discount}`);
    return h("li", {
      className: index === cart.lastIndex ? "last" : "",
      dataset: { index, product: line.product.id },
      onclick: () => openLineEditor(index),
    },
    h("span", { className: "name" }, line.product.name),
    h("span", { className: "amount" }, amounts ? money(amounts.gross) : ""),
    h("span", { className: "qty" }, `${qty(line.quantity)} × ${formatMoney(toScaled(line.unitPrice ?? line.product.price, state.catalog.meta.places), state.catalog.meta.places)}`),
    notes.length ? h("span", { className: "note" }, notes.join(", ")) : null);
  }));
  const last = list.querySelector("li.last");
  if (last) last.scrollIntoView({ block: "nearest" });
  const totals = $("totals");
  const quote = cart.quote;
  const total = quote ? quote.total.amount : priced ? money(priced.total) : money(0n);
  const rows = [];
  if (quote) {
    rows.push(["Subtotal", quote.subtotal.amount], ["Discount", quote.discount_total.amount], ["Tax", quote.tax_total.amount]);
  } else if (priced) {
    rows.push(["Subtotal", money(priced.subtotal)]);
    if (priced.discountTotal) rows.push(["Discount", money(priced.discountTotal)]);
    rows.push([state.catalog.meta.prices_include_tax ? "Tax included" : "Tax", money(priced.taxTotal)]);
  }
  totals.replaceChildren(
    ...rows.flatMap(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]),
    h("dt", { className: "grand" }, `Total ${state.catalog.meta.currency}`),
    h("dd", { className: "grand", id: "total" }, total),
  );
  $("pay-total").textContent = cart.empty ? "" : total;
}

// --- scanning and searching ------------------------------------------------------------------

export function scanned(code) {
  const started = performance.now();
  const text = code.trim();
  if (!text) return false;
  if (text.startsWith("*") && state.cart.lastIndex >= 0) {
    try {
      state.cart.setQuantity(state.cart.lastIndex, text.slice(1));
      emit("cart");
    } catch (error) {
      toast(error.message, true);
    }
    return true;
  }
  const found = state.catalog.scan(text);
  if (found.product) {
    state.cart.add(found.product, found.quantity);
    emit("cart");
    window.__lastScanMs = performance.now() - started;
    return true;
  }
  const matches = state.catalog.search(text, { limit: 2 });
  if (matches.length === 1) {
    addToCart(matches[0], "1");
    return true;
  }
  if (/^\d{6,}$/.test(text) || !matches.length) toast(found.error, true);
  return false;
}

function bindScan() {
  const input = $("scan");
  input.addEventListener("input", () => renderGrid());
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      // A code is cleared whether it was found or not (a misread is scanned again); words
      // typed to search stay, to pick from the grid.
      if (scanned(input.value) || /^\d{6,}$/.test(input.value.trim())) {
        input.value = "";
        renderGrid();
      }
    } else if ((event.key === "+" || event.key === "-") && !input.value) {
      event.preventDefault();
      state.cart.bump(state.cart.lastIndex, event.key === "+" ? 1 : -1);
      emit("cart");
    }
  });
}

// --- online, offline and what waits to be sent -----------------------------------------------

export async function refreshPending() {
  state.pending = await outbox.pending();
  const badge = $("pending");
  badge.dataset.count = String(state.pending);
  badge.textContent = `${state.pending} to sync`;
}

function setOnline(online) {
  state.online = online;
  const badge = $("net");
  badge.textContent = online ? "Online" : "Offline";
  badge.className = `chip net ${online ? "online" : "offline"}`;
  emit("network");
}

export async function syncNow() {
  if (!navigator.onLine) return;
  try {
    const sent = await outbox.sync();
    if (sent) toast(`${sent} offline sale${sent === 1 ? "" : "s"} sent.`);
  } finally {
    await refreshPending();
  }
  try {
    await state.catalog.sync();
    renderCategories();
    renderGrid();
  } catch (error) {
    if (!(error instanceof NetworkError)) console.warn("catalog sync", error);
  }
}

// --- billing holds the business ----------------------------------------------------------------

/** The banner under the bar: the page's own when it was served held, or made now (a 402). */
function renderHold() {
  document.body.dataset.hold = state.hold;
  if (!state.hold) return;
  let banner = document.querySelector(".billing-banner");
  if (!banner) {
    banner = h("div", { className: "billing-banner held no-print", role: "alert" });
    document.querySelector("header.bar").after(banner);
  }
  banner.classList.add("held");
  banner.replaceChildren(
    `Selling is paused. ${state.holdMessage} `,
    h("a", { href: document.body.dataset.billing }, "Go to Billing"),
  );
}

// --- who is at the till ----------------------------------------------------------------------

async function whoAmI() {
  if (navigator.onLine) {
    try {
      state.user = await api("/auth/user/");
      await db.put("kv", state.user, "user");
      return;
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        location.assign(`/login/?next=${encodeURIComponent(location.pathname)}`);
        throw error;
      }
    }
  }
  state.user = await db.get("kv", "user");
}

export function renderPeople() {
  const person = seller();
  $("cashier").textContent = person ? `${person.full_name || person.email}${state.pinUser ? " (PIN)" : ""}` : "Not signed in";
  $("till-name").textContent = state.till ? state.till.name : "No till";
}

async function signOut() {
  await refreshPending();
  if (state.pending) {
    toast(`${state.pending} sale(s) still wait to sync: sign-out waits until they are sent.`, true);
    return;
  }
  if (!navigator.onLine) {
    toast("Sign-out needs the connection.", true);
    return;
  }
  await db.remove("kv", "user");
  const form = h("form", { method: "post", action: "/logout/" },
    h("input", { type: "hidden", name: "csrfmiddlewaretoken", value: (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "" }));
  document.body.append(form);
  form.submit();
}

function help() {
  openDialog({ title: "Keyboard shortcuts", name: "help", body: $("help").content.cloneNode(true), buttons: [{ label: "Close", primary: true, action: () => closeDialog() }] });
}

// --- keyboard --------------------------------------------------------------------------------

const ACTIONS = {
  help, pay: () => openPay(), park: () => park(), parked: () => openParked(), customer: () => openCustomer(),
  coupon: () => openCoupon(), return: () => openReturn(), history: () => openHistory(), shift: () => openShiftDialog(),
  switch: () => openPin(), signout: () => signOut(),
  clear: () => { state.cart.reset(); emit("cart"); },
};
const KEYS = { F1: "help", F2: "search", F3: "customer", F4: "pay", F6: "history", F7: "return", F8: "park", F9: "parked", F10: "shift", F11: "switch" };

function bindKeys() {
  document.addEventListener("keydown", (event) => {
    const name = KEYS[event.key];
    if (name) {
      event.preventDefault();
      if (name === "search") {
        if (dialogOpen()) return;
        $("scan").focus();
        $("scan").select();
      } else if (!dialogOpen() || name === "help") {
        ACTIONS[name]();
      }
      return;
    }
    if (event.key === "Delete" && event.ctrlKey && !dialogOpen()) {
      ACTIONS.clear();
      return;
    }
    // A scanner is a keyboard: its digits typed anywhere outside a field go to the scan field.
    const target = event.target;
    const typing = target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement;
    if (!typing && !dialogOpen() && event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      $("scan").focus();
    }
  });
  document.body.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    if (button && ACTIONS[button.dataset.action]) ACTIONS[button.dataset.action]();
  });
}

// --- boot ------------------------------------------------------------------------------------

async function deviceId() {
  let id = await db.get("kv", "device");
  if (!id) {
    id = `T${crypto.randomUUID().replace(/-/g, "").slice(0, 5).toUpperCase()}`;
    await db.put("kv", id, "device");
  }
  return id;
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register(document.body.dataset.sw, { scope: "/terminal/" });
  } catch (error) {
    console.warn("service worker", error);
  }
}

async function boot() {
  initDialog();
  bindScan();
  bindKeys();
  on("cart", renderCart);
  on("people", renderPeople);
  on("pending", refreshPending);
  on("hold", renderHold);
  outbox.onChange(refreshPending);
  window.addEventListener("online", () => { setOnline(true); syncNow(); });
  window.addEventListener("offline", () => setOnline(false));
  setOnline(navigator.onLine);
  state.deviceId = await deviceId();
  favourites = new Set((await db.get("kv", "favourites")) || []);
  await state.catalog.load();
  category = favourites.size ? FAVOURITES : null;
  renderCategories();
  renderGrid();
  renderCart();
  await refreshPending();
  if (state.catalog.ready) document.body.dataset.catalog = "ready";
  // On a till's first start the catalog comes over the network: who is signed in and the
  // snapshot are asked for together, and the service worker (which downloads the whole shell
  // to cache it) is installed only once the catalog is in, so it never competes with it.
  const firstStart = navigator.onLine && !state.catalog.ready;
  if (!firstStart) registerWorker();
  const catalogLoaded = firstStart && state.catalog.sync().catch((error) => {
    toast(`The catalog could not be loaded: ${errorText(error)}`, true);
  });
  await whoAmI();
  renderPeople();
  if (firstStart) {
    await catalogLoaded;
    if (state.catalog.ready) document.body.dataset.catalog = "ready";
    renderCategories();
    renderGrid();
    registerWorker();
  }
  await ensureTill();
  renderPeople();
  document.body.dataset.ready = "true";
  window.dukaTerminal = { state, scanned }; // for the browser tests and bench/terminal.py
  $("scan").focus();
  syncNow();
  setInterval(() => { if (navigator.onLine) syncNow(); }, 30000);
}

boot();
