// Paying: tenders with change due, split tenders, the checkout (online) or the outbox
// (offline), the mobile-money / card waiting state, and the receipt.
import { ApiError, NetworkError, api, errorText, holdOf } from "./api.js";
import * as db from "./db.js";
import { formatMoney, fromScaled, toScaled } from "./money.js";
import * as outbox from "./outbox.js";
import { printReceipt, receiptHtml, serialAvailable, serialPrint, serverReceipt } from "./receipt.js";
import { emit, seller, setHold, state } from "./state.js";
import { closeDialog, dialogOpen, h, openDialog, setError, toast } from "./ui.js";

const METHODS = { cash: "Cash", mpesa: "M-Pesa", airtel: "Airtel Money", card: "Card", account: "On account" };
const DEFERRED = new Set(["mpesa", "airtel", "card"]);
const places = () => state.catalog.meta.places;
const minor = (text) => toScaled(text || "0", places());
const show = (value) => formatMoney(value, places());
const plain = (value) => fromScaled(value, places());

function needsQuote(cart) {
  return Boolean(cart.coupon || (cart.customer && cart.customer.priceList));
}

async function amountDue() {
  const cart = state.cart;
  if (state.online && needsQuote(cart)) {
    const { uuid, register, ...body } = cart.body(state.till.id);
    cart.quote = await api("/sales/quote/", { method: "POST", body });
    emit("cart");
    return minor(cart.quote.total.amount);
  }
  if (needsQuote(cart)) throw new Error("Coupons and customers' own prices need the connection.");
  return cart.priced(state.catalog).total;
}

/** Says that billing holds the business and nothing can be sold; true when it does. */
function refusedWhileHeld() {
  if (!state.hold) return false;
  toast(`Selling is paused. ${state.holdMessage}`, true);
  return true;
}

export async function openPay() {
  const cart = state.cart;
  if (refusedWhileHeld()) return;
  if (cart.empty) {
    toast("The cart is empty: scan something first.", true);
    return;
  }
  if (!state.till || !state.till.shiftId) {
    toast("Open a shift first (F10).", true);
    return;
  }
  let due;
  try {
    due = await amountDue();
  } catch (error) {
    toast(errorText(error), true);
    return;
  }
  const online = state.online;
  const methods = Object.keys(METHODS).filter((m) => (online || m === "cash") && (m !== "account" || cart.customer));
  const rows = [];
  const tenders = h("div", { id: "tenders" });
  const changeBox = h("div", { className: "change", id: "change" });
  const remaining = h("div", { className: "muted", id: "remaining" });

  function addRow(method = "cash", amount = "") {
    const select = h("select", { className: "method", "aria-label": "Method" }, ...methods.map((m) => h("option", { value: m, selected: m === method }, METHODS[m])));
    const input = h("input", { className: "amount", inputmode: "decimal", placeholder: method === "cash" ? `Given (${plain(due)})` : "Amount", value: amount, "aria-label": "Amount" });
    const payer = h("input", { className: "payer", inputmode: "tel", placeholder: "Phone (07…)", "aria-label": "Payer phone" });
    const row = { select, input, payer, node: null };
    const remove = h("button", { type: "button", className: "remove", title: "Remove", onclick: () => { rows.splice(rows.indexOf(row), 1); row.node.remove(); update(); } }, "×");
    row.node = h("div", { className: "tender" }, select, input, payer, remove);
    const sync = () => {
      payer.hidden = !["mpesa", "airtel"].includes(select.value);
      input.placeholder = select.value === "cash" ? `Given (${plain(due)})` : "Amount (the rest)";
      update();
    };
    select.addEventListener("change", sync);
    input.addEventListener("input", update);
    rows.push(row);
    tenders.append(row.node);
    sync();
    return row;
  }

  function totals() {
    let cash = 0n;
    let other = 0n;
    let blankCash = null;
    for (const row of rows) {
      const value = row.input.value.trim();
      if (row.select.value === "cash") {
        if (!value) blankCash = row;
        cash += minor(value);
      } else {
        other += value ? minor(value) : 0n;
      }
    }
    return { cash, other, blankCash };
  }

  function update() {
    const { cash, other, blankCash } = totals();
    if (!blankCash && rows.some((r) => r.select.value !== "cash" && !r.input.value.trim())) {
      // A blank mobile-money, card or account amount takes the rest: nothing is left to pay.
      changeBox.textContent = "";
      remaining.textContent = "";
      return;
    }
    const cashDue = due - other;
    const given = blankCash && cash < cashDue ? cashDue : cash;
    const change = given - cashDue;
    changeBox.textContent = change > 0n ? `Change ${show(change)}` : "";
    remaining.textContent = change < 0n ? `Still to pay ${show(-change)}` : "";
  }

  const quick = h("div", { className: "quick" });
  const notes = [50n, 100n, 200n, 500n, 1000n, 2000n].map((n) => n * 10n ** BigInt(places()));
  const suggestions = [due, ...notes.map((n) => ((due + n - 1n) / n) * n)].filter((v, i, a) => a.indexOf(v) === i).slice(0, 5);
  for (const value of suggestions) {
    quick.append(h("button", { type: "button", onclick: () => {
      const cashRow = rows.find((r) => r.select.value === "cash") || addRow("cash");
      cashRow.input.value = plain(value);
      update();
    } }, show(value)));
  }
  addRow("cash");
  openDialog({
    title: "Payment",
    name: "pay",
    body: [
      h("div", { className: "due", id: "due" }, `${state.catalog.meta.currency} ${show(due)}`),
      online ? null : h("p", { className: "muted" }, "Offline: cash only. Mobile money and cards need the connection."),
      tenders,
      quick,
      h("button", { type: "button", id: "split", onclick: () => addRow(methods.includes("mpesa") ? "mpesa" : "cash").input.focus() }, "Split: add a tender"),
      remaining,
      changeBox,
    ],
    buttons: [
      { label: "Cancel", action: () => closeDialog() },
      { label: "Take payment", primary: true, id: "take-payment", action: () => take() },
    ],
  });
  rows[0].input.focus();

  async function take() {
    const { cash, other } = totals();
    const list = rows.map((row) => {
      const method = row.select.value;
      let amount = row.input.value.trim();
      if (!amount) {
        // A blank amount is the rest of what is due.
        const rest = due - other - cash;
        amount = plain(rest > 0n ? rest : 0n);
      }
      const tender = { method, amount };
      if (["mpesa", "airtel"].includes(method)) tender.payer = row.payer.value.trim();
      return tender;
    }).filter((t) => minor(t.amount) > 0n);
    if (!list.length) list.push({ method: "cash", amount: plain(due) });
    const body = { ...state.cart.body(state.till.id), tenders: list };
    const anyDeferred = list.some((t) => DEFERRED.has(t.method));
    if (!state.online) {
      await sellOffline(body, due);
      return;
    }
    let sale;
    try {
      sale = await api("/sales/checkout/", { method: "POST", body });
    } catch (error) {
      if (error instanceof NetworkError && !anyDeferred) {
        await sellOffline(body, due); // the connection dropped: the same sale, kept to send later
        return;
      }
      const hold = holdOf(error);
      if (hold) {
        // Billing holds the business: not a sale to keep for later (it would be refused
        // again), and the cart stays as it is for when the owner has paid.
        setHold(hold, error.message);
        throw new Error(`Not sold. ${error.message}`);
      }
      throw new Error(errorText(error));
    }
    if (sale.status === "awaiting_payment") waitFor(sale);
    else await finished(sale);
  }
}

// --- offline ----------------------------------------------------------------------------------

function localReceipt(body, due, deviceNumber) {
  const priced = state.cart.priced(state.catalog);
  const bands = new Map();
  const lines = state.cart.lines.map((line, i) => {
    const amounts = priced.lines[i];
    const rate = state.catalog.taxRateOf(line.product);
    const band = bands.get(rate) || { rate, net: 0n, tax: 0n };
    band.net += amounts.net;
    band.tax += amounts.tax;
    bands.set(rate, band);
    return {
      description: line.product.name, quantity: line.quantity, unit_price: plain(minor(line.unitPrice ?? line.product.price)),
      discount: plain(amounts.discount), total: plain(amounts.gross), tax_rate: rate,
    };
  });
  const given = body.tenders.reduce((sum, t) => sum + minor(t.amount), 0n);
  const person = seller();
  return {
    business_name: document.body.dataset.business,
    register: state.till.name,
    receipt_number: "",
    device_number: deviceNumber,
    issued_text: new Date().toLocaleString(),
    cashier: person ? person.full_name || person.email : "",
    customer_name: state.cart.customer ? state.cart.customer.name : "",
    currency: state.catalog.meta.currency,
    lines,
    subtotal: plain(priced.subtotal),
    discount_total: plain(priced.discountTotal),
    tax_bands: [...bands.values()].filter((b) => b.tax).map((b) => ({ rate: b.rate, net: plain(b.net), tax: plain(b.tax) })),
    total: plain(due),
    change_due: plain(given - due),
    tenders: body.tenders.map((t) => ({ method: t.method, label: METHODS[t.method], tendered: t.amount, amount: t.amount })),
  };
}

async function sellOffline(body, due) {
  // A held business sells nothing: offline too, or the sale would wait in the outbox as if
  // it had been made.
  if (state.hold) throw new Error(`Not sold. ${state.holdMessage}`);
  if (body.tenders.some((t) => t.method !== "cash")) throw new Error("Offline the till takes cash only.");
  const given = body.tenders.reduce((sum, t) => sum + minor(t.amount), 0n);
  if (given < due) throw new Error(`${show(due - given)} is still to be paid.`);
  const seq = await db.nextSeq();
  const deviceNumber = `${state.deviceId}-${String(seq).padStart(6, "0")}`;
  const offlineBody = { ...body, offline: true, device_number: deviceNumber };
  const receipt = localReceipt(offlineBody, due, deviceNumber);
  const at = new Date().toISOString();
  await outbox.queue({
    uuid: body.uuid, seq, body: offlineBody, at,
    history: { uuid: body.uuid, at, device_number: deviceNumber, receipt: "", total: receipt.total, local: receipt, synced: false },
  });
  emit("pending");
  state.cart.reset();
  emit("cart");
  showReceipt(receipt, body.uuid);
}

// --- waiting for mobile money or a card ------------------------------------------------------

// The server replaces only a payment that failed (a new push, or cash); one whose outcome is
// unknown is asked about again (the provider's status query), never paid twice. So each state
// offers only what the server accepts in it: waiting, "Check now"; unknown, "Ask again" (the
// query); failed, "Ask again" (a new push) or cash.
const WAIT_ACTIONS = { waiting: ["check-now"], unknown: ["ask-again"], failed: ["ask-again", "take-cash"] };

function waitFor(sale) {
  const box = h("div", { className: "state waiting", id: "payment-state" }, "Asking the customer to pay…");
  const detail = h("p", { className: "muted", id: "payment-detail" });
  const cashInput = h("input", { id: "cash-instead", inputmode: "decimal", placeholder: "Cash given" });
  const cashBox = h("div", { id: "cash-instead-box", hidden: true }, h("label", { for: "cash-instead" }, "Take cash instead"), cashInput);
  let stopped = false;
  let tender = null;
  let status = "waiting";
  let checked = ""; // what the last "Check now" / "Ask again" learned, until the state moves
  let delay = 1000;

  const settleOrShow = async (current) => {
    if (current.status === "completed") {
      stopped = true;
      await finished(current);
    } else {
      render(current);
      delay = 1000; // the polling goes on, at its first pace again
    }
  };
  const retry = async (body) => {
    setError("");
    await settleOrShow(await api(`/sales/${sale.uuid}/tenders/${tender.id}/retry/`, { method: "POST", body }));
  };
  const query = async () => {
    setError("");
    await api(`/payments/${tender.payment}/query/`, { method: "POST" });
    const before = status;
    checked = `Asked at ${new Date().toLocaleTimeString()}: no outcome yet.`;
    await settleOrShow(await api(`/sales/${sale.uuid}/`));
    if (status !== before) checked = "";
  };

  openDialog({
    title: "Waiting for the payment",
    name: "wait",
    body: [box, detail, cashBox],
    buttons: [
      { label: "Check now", id: "check-now", action: query },
      { label: "Ask again", id: "ask-again", action: () => (status === "unknown" ? query() : retry({ method: tender.method, payer: tender.payer, amount: tender.amount.amount })) },
      { label: "Take cash instead", id: "take-cash", action: () => retry({ method: "cash", amount: cashInput.value || tender.amount.amount }) },
      { label: "Close", action: () => { stopped = true; closeDialog(); } },
    ],
    onClose: () => { stopped = true; },
  });

  function render(current) {
    tender = current.tenders.find((t) => t.status !== "settled" && t.method !== "cash") || tender;
    if (!tender) return;
    status = tender.status === "failed" ? "failed" : tender.payment_status === "unknown" ? "unknown" : "waiting";
    box.className = `state ${status}`;
    box.dataset.status = status;
    const who = METHODS[tender.method] || tender.method;
    box.textContent = {
      waiting: `${who}: waiting for ${tender.payer || "the customer"} to approve ${tender.amount.amount}…`,
      failed: `${who}: cancelled or refused. Ask again, or take cash.`,
      unknown: `${who}: no answer from the provider, so the outcome is unknown. Ask again before taking another payment: the customer may have been charged.`,
    }[status];
    detail.textContent = [tender.payment_link ? `Card payment page: ${tender.payment_link}` : "", checked].filter(Boolean).join(" ");
    for (const id of ["check-now", "ask-again", "take-cash"]) {
      document.getElementById(id).hidden = !WAIT_ACTIONS[status].includes(id);
    }
    cashBox.hidden = status !== "failed";
  }

  async function poll() {
    if (stopped || !dialogOpen("wait")) return;
    try {
      const current = await api(`/sales/${sale.uuid}/`);
      if (current.status === "completed") {
        stopped = true;
        await finished(current);
        return;
      }
      render(current);
    } catch (error) {
      if (!(error instanceof NetworkError)) setError(errorText(error));
    }
    delay = Math.min(delay * 1.3, 4000);
    setTimeout(poll, delay);
  }
  render(sale);
  setTimeout(poll, delay);
}

// --- the receipt ------------------------------------------------------------------------------

async function finished(sale) {
  let receipt;
  try {
    receipt = await serverReceipt(sale.uuid);
  } catch {
    receipt = null;
  }
  const data = receipt || {
    business_name: document.body.dataset.business, register: state.till.name, receipt_number: sale.receipt,
    currency: state.catalog.meta.currency, lines: sale.lines.map((l) => ({ description: l.description, quantity: l.quantity, unit_price: l.unit_price, discount: l.discount, total: l.gross })),
    total: sale.total, change_due: sale.change_due, tenders: sale.tenders,
  };
  await db.put("history", { uuid: sale.uuid, at: new Date().toISOString(), receipt: sale.receipt, total: sale.total.amount, synced: true, device_number: sale.device_number || "" });
  state.cart.reset();
  emit("cart");
  showReceipt(data, sale.uuid);
}

export function showReceipt(data, uuid) {
  const holder = h("div", { id: "receipt-view" });
  holder.innerHTML = receiptHtml(data);
  const buttons = [
    { label: "Print 58 mm", id: "print-58", action: () => printReceipt(data, 58) },
    { label: "Print 80 mm", id: "print-80", action: () => printReceipt(data, 80) },
  ];
  if (serialAvailable()) {
    buttons.push({ label: "Printer + drawer (serial)", action: async () => { await serialPrint(data, { uuid }); toast("Sent to the printer."); } });
  }
  buttons.push({ label: "New sale", primary: true, id: "new-sale", action: () => { closeDialog(); document.getElementById("scan").focus(); } });
  const change = data.change_due && Number(typeof data.change_due === "object" ? data.change_due.amount : data.change_due);
  openDialog({
    title: data.receipt_number ? `Receipt ${data.receipt_number}` : `Provisional receipt ${data.device_number}`,
    name: "receipt",
    body: [change ? h("div", { className: "change", id: "change-due" }, `Change ${typeof data.change_due === "object" ? data.change_due.amount : data.change_due}`) : null, holder],
    buttons,
  });
}
