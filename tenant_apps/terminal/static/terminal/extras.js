// Everything around the sale itself: editing a line, parking and resuming, the customer and a
// coupon, returns against a receipt, recent sales and reprints, switching cashier by PIN.
import { api, errorText, useToken } from "./api.js";
import * as db from "./db.js";
import * as outbox from "./outbox.js";
import { showReceipt } from "./pay.js";
import { serverReceipt } from "./receipt.js";
import { emit, may, state } from "./state.js";
import { closeDialog, h, openDialog, toast } from "./ui.js";

const needOnline = (what) => {
  if (!state.online) throw new Error(`${what} needs the connection.`);
};

// --- a line ------------------------------------------------------------------------------------

export function openLineEditor(index, { product = null, weigh = false } = {}) {
  const line = weigh ? null : state.cart.lines[index];
  const item = line ? line.product : product;
  const quantity = h("input", { id: "line-quantity", inputmode: "decimal", value: line ? line.quantity : "", autofocus: true });
  const price = h("input", { id: "line-price", inputmode: "decimal", value: line && line.unitPrice !== null ? line.unitPrice : "", placeholder: item.price });
  const discount = h("input", { id: "line-discount", inputmode: "decimal", value: line && Number(line.discount) ? line.discount : "", placeholder: "0" });
  const managerOnly = may("sales.override_price") ? null : h("p", { className: "muted" }, "Price changes and discounts need a manager's role: the till will refuse them at payment.");
  openDialog({
    title: item.name,
    name: "line",
    body: [
      h("label", { for: "line-quantity" }, weigh || item.byWeight ? "Weight (kg)" : "Quantity"), quantity,
      weigh ? null : [h("label", { for: "line-price" }, `Unit price (list ${item.price})`), price,
        h("label", { for: "line-discount" }, "Discount on this line"), discount, managerOnly],
    ],
    buttons: [
      weigh ? null : { label: "Remove", danger: true, id: "line-remove", action: () => { state.cart.setQuantity(index, "0"); emit("cart"); closeDialog(); } },
      { label: "OK", primary: true, id: "line-ok", action: () => {
        if (weigh) {
          if (!Number(quantity.value)) throw new Error("Weigh it and type the weight.");
          state.cart.add(item, quantity.value);
        } else {
          state.cart.setQuantity(index, quantity.value || "0");
          if (state.cart.lines[index] === line) {
            line.unitPrice = price.value.trim() ? price.value.trim() : null;
            line.discount = discount.value.trim() || "0";
            state.cart.priced(state.catalog); // refuses a discount above the line's price
          }
        }
        emit("cart");
        closeDialog();
      } },
    ].filter(Boolean),
  });
}

// --- park and resume -------------------------------------------------------------------------

export async function park() {
  try {
    needOnline("Parking");
    if (state.cart.empty) throw new Error("Nothing to park.");
    if (!state.till) throw new Error("Choose a till first.");
    await api("/sales/checkout/", { method: "POST", body: { ...state.cart.body(state.till.id), park: true } });
    state.cart.reset();
    emit("cart");
    toast("Cart parked. F9 brings it back.");
  } catch (error) {
    toast(errorText(error), true);
  }
}

export async function openParked() {
  let parked;
  try {
    needOnline("Parked carts");
    parked = (await api(`/sales/parked/?register=${state.till.id}`)).results;
  } catch (error) {
    toast(errorText(error), true);
    return;
  }
  openDialog({
    title: "Parked carts",
    name: "parked",
    body: parked.length ? h("ul", { className: "list", id: "parked-list" }, ...parked.map((sale) =>
      h("li", {}, h("span", {}, `${new Date(sale.created_at).toLocaleTimeString()} · ${sale.total.amount}`),
        h("button", { type: "button", className: "primary", onclick: () => resume(sale.uuid) }, "Resume")))) : h("p", {}, "No parked carts."),
    buttons: [{ label: "Close", action: () => closeDialog() }],
  });
}

async function resume(uuid) {
  if (!state.cart.empty) {
    toast("Park or finish the current cart first.", true);
    return;
  }
  const sale = await api(`/sales/${uuid}/`);
  state.cart.restore(sale, state.catalog);
  if (sale.customer) {
    state.cart.customer = state.catalog.customers.get(sale.customer) || { id: sale.customer, name: `Customer ${sale.customer}`, priceList: "" };
  }
  emit("cart");
  closeDialog();
  toast("Cart resumed.");
}

// --- customer and coupon ---------------------------------------------------------------------

export function openCustomer() {
  const input = h("input", { id: "customer-search", placeholder: "Name, phone or code", autofocus: true });
  const list = h("ul", { className: "list", id: "customer-list" });
  const choose = (customer) => {
    state.cart.customer = customer;
    state.cart.quote = null;
    emit("cart");
    closeDialog();
  };
  const render = async () => {
    let found = state.catalog.searchCustomers(input.value);
    if (!found.length && state.online && input.value.trim()) {
      try {
        found = (await api(`/customers/?q=${encodeURIComponent(input.value.trim())}`)).results.map((c) => ({ id: c.id, code: c.code, name: c.name, phone: c.phone, priceList: c.price_list || "" }));
      } catch {
        found = [];
      }
    }
    list.replaceChildren(...found.map((c) => h("li", {}, h("span", {}, `${c.name} · ${c.phone || c.code}`),
      h("button", { type: "button", onclick: () => choose(c) }, "Choose"))));
  };
  input.addEventListener("input", render);
  render();
  openDialog({
    title: "Customer",
    name: "customer",
    body: [input, list],
    buttons: [
      { label: "No customer", action: () => choose(null) },
      { label: "Close", action: () => closeDialog() },
    ],
  });
}

export function openCoupon() {
  const input = h("input", { id: "coupon-code", value: state.cart.coupon, autofocus: true, autocapitalize: "characters" });
  openDialog({
    title: "Coupon",
    name: "coupon",
    body: [h("label", { for: "coupon-code" }, "Code"), input],
    buttons: [
      { label: "Remove", action: () => { state.cart.coupon = ""; state.cart.quote = null; emit("cart"); closeDialog(); } },
      { label: "Apply", primary: true, id: "coupon-apply", action: async () => {
        needOnline("A coupon");
        const code = input.value.trim().toUpperCase();
        const { uuid, register, ...body } = { ...state.cart.body(state.till.id), coupon: code };
        try {
          state.cart.quote = await api("/sales/quote/", { method: "POST", body });
        } catch (error) {
          throw new Error(errorText(error));
        }
        state.cart.coupon = code;
        emit("cart");
        closeDialog();
      } },
    ],
  });
}

// --- recent sales, reprints and sales that could not be sent ---------------------------------

async function recent() {
  const rows = await db.all("history");
  return rows.sort((a, b) => (a.at < b.at ? 1 : -1)).slice(0, 40);
}

const label = (row) => row.receipt || `${row.device_number} (provisional)`;

export async function reprint(row) {
  let data = row.local || null;
  if (row.synced && state.online) {
    try {
      data = { ...(await serverReceipt(row.uuid)), device_number: row.device_number || "" };
    } catch (error) {
      if (!data) throw error;
    }
  }
  if (!data) throw new Error("This receipt can be printed again once the till is online.");
  showReceipt(data, row.uuid);
}

export async function openHistory() {
  const rows = await recent();
  const stuck = (await outbox.waiting()).filter((r) => r.error);
  openDialog({
    title: "Recent sales",
    name: "history",
    body: [
      stuck.length ? h("div", {}, h("p", { className: "error" }, "Offline sales the server refused (kept here for a manager):"),
        h("ul", { className: "list" }, ...stuck.map((r) => h("li", {}, h("span", {}, `${r.body.device_number}: ${r.error}`),
          h("button", { type: "button", onclick: async () => { await outbox.retry(r.uuid); emit("pending"); closeDialog(); } }, "Try again"))))) : null,
      h("ul", { className: "list", id: "history-list" }, ...rows.map((row) => h("li", { dataset: { uuid: row.uuid } },
        h("span", {}, `${label(row)} · ${row.total} · ${new Date(row.at).toLocaleTimeString()}${row.synced ? "" : " · waiting to sync"}`),
        h("span", {},
          h("button", { type: "button", onclick: () => reprint(row).catch((e) => toast(errorText(e), true)) }, "Reprint"), " ",
          h("button", { type: "button", disabled: !row.synced, onclick: () => openReturn(row.uuid) }, "Return"))))),
    ],
    buttons: [{ label: "Close", action: () => closeDialog() }],
  });
}

// --- returns ---------------------------------------------------------------------------------

function saleUuidFrom(text) {
  const match = String(text).match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
  return match ? match[0].toLowerCase() : null;
}

export async function openReturn(preset = null) {
  const input = h("input", { id: "return-receipt", placeholder: "Scan the receipt's QR code, or its number", value: preset || "", autofocus: true });
  openDialog({
    title: "Return against a receipt",
    name: "return",
    body: [h("label", { for: "return-receipt" }, "Receipt"), input],
    buttons: [
      { label: "Close", action: () => closeDialog() },
      { label: "Find", primary: true, id: "return-find", action: async () => {
        needOnline("A return");
        let uuid = saleUuidFrom(input.value);
        if (!uuid) {
          const wanted = input.value.trim().toUpperCase();
          const row = (await db.all("history")).find((r) => (r.receipt || "").toUpperCase() === wanted || r.device_number === wanted);
          uuid = row ? row.uuid : null;
        }
        if (!uuid) throw new Error("No sale of this till has that receipt; scan its QR code.");
        returnLines(await api(`/sales/${uuid}/`));
      } },
    ],
  });
  if (preset) document.getElementById("return-find").click();
}

function returnLines(sale) {
  const rows = sale.lines.map((line) => {
    const left = Number(line.quantity) - Number(line.returned_quantity || 0);
    const qty = h("input", { inputmode: "decimal", value: "0", className: "return-qty", dataset: { line: line.id }, "aria-label": `Return quantity of ${line.description}` });
    const restock = h("input", { type: "checkbox", checked: true, "aria-label": "Back to stock" });
    return { line, left, qty, restock, node: h("li", {}, h("span", {}, `${line.description} (sold ${line.quantity}, ${left} returnable)`), qty, h("label", {}, restock, " restock")) };
  });
  const method = h("select", { id: "refund-method" }, h("option", { value: "cash" }, "Cash"), h("option", { value: "original" }, "To the original payment"), h("option", { value: "store_credit" }, "Store credit"));
  const reason = h("input", { id: "return-reason", placeholder: "Reason" });
  openDialog({
    title: `Return — receipt ${sale.receipt}`,
    name: "return-lines",
    body: [h("ul", { className: "list" }, ...rows.map((r) => r.node)), h("label", { for: "refund-method" }, "Refund"), method, h("label", { for: "return-reason" }, "Reason"), reason],
    buttons: [
      { label: "Cancel", action: () => closeDialog() },
      { label: "Refund", primary: true, id: "return-submit", action: async () => {
        const lines = rows.filter((r) => Number(r.qty.value) > 0).map((r) => ({ line: r.line.id, quantity: r.qty.value, restock: r.restock.checked }));
        if (!lines.length) throw new Error("Type how many of which line come back.");
        let done;
        try {
          done = await api(`/sales/${sale.uuid}/returns/`, { method: "POST", body: { uuid: crypto.randomUUID(), lines, refund_method: method.value, reason: reason.value || "Returned at the till" } });
        } catch (error) {
          throw new Error(errorText(error));
        }
        openDialog({
          title: "Refunded",
          name: "refunded",
          body: h("p", { className: "state done", id: "refund-total" }, `Refund ${done.total.amount} (${method.selectedOptions[0].textContent})`),
          buttons: [{ label: "Done", primary: true, action: () => closeDialog() }],
        });
      } },
    ],
  });
}

// --- switching cashier by PIN ----------------------------------------------------------------

export function openPin() {
  const email = h("input", { id: "pin-email", type: "email", placeholder: "E-mail", autofocus: true, autocomplete: "off" });
  const pin = h("input", { id: "pin-code", type: "password", inputmode: "numeric", placeholder: "PIN", autocomplete: "off" });
  const buttons = [];
  if (state.pinUser) {
    buttons.push({ label: `Back to ${state.user.full_name || state.user.email}`, action: () => { state.pinUser = null; useToken(null); emit("people"); closeDialog(); } });
  }
  buttons.push({ label: "Switch", primary: true, id: "pin-switch", action: async () => {
    needOnline("Switching cashier");
    let answer;
    try {
      answer = await api("/auth/pin-login/", { method: "POST", body: { email: email.value.trim(), pin: pin.value } });
    } catch (error) {
      throw new Error(errorText(error));
    }
    useToken(answer.access);
    const user = await api("/auth/user/");
    state.pinUser = { user, access: answer.access, refresh: answer.refresh };
    emit("people");
    closeDialog();
    toast(`${user.full_name || user.email} is selling now.`);
  } });
  openDialog({
    title: "Switch cashier",
    name: "pin",
    body: [h("label", { for: "pin-email" }, "Cashier"), email, h("label", { for: "pin-code" }, "PIN"), pin],
    buttons,
  });
}
