// Sales made offline, sent through the idempotent checkout when the connection returns.
//
// Oldest first (the device's sequence). One tab sends at a time (a Web Lock); a second tab or
// a reload that sends the same sale again gets the same sale back, because the checkout is
// idempotent on the sale's client UUID. A sale is removed from the outbox only once the
// server has answered with it, so nothing is lost if the page closes mid-send.
import { ApiError, NetworkError, api, holdOf } from "./api.js";
import * as db from "./db.js";
import { setHold } from "./state.js";

const LOCK = "duka-terminal-sync";
const channel = "BroadcastChannel" in self ? new BroadcastChannel("duka-terminal") : null;

export function onChange(listener) {
  if (channel) channel.addEventListener("message", (event) => event.data === "outbox" && listener());
}

function announce() {
  if (channel) channel.postMessage("outbox");
}

export async function pending() {
  return db.count("outbox");
}

export async function waiting() {
  return db.all("outbox", "seq");
}

export async function queue(record) {
  await db.queueSale(record);
  announce();
}

async function sendOne(record) {
  try {
    const sale = await api("/sales/checkout/", { method: "POST", body: record.body });
    const history = { ...record.history, receipt: sale.receipt, status: sale.status, synced: true, flagged: sale.short_stock_flagged };
    await db.put("history", history);
    await db.remove("outbox", record.uuid);
    return "sent";
  } catch (error) {
    if (error instanceof ApiError && error.code === "idempotency_mismatch") {
      // The first try of this sale reached the server before the connection dropped (so its
      // body had no offline flag): the server has the sale, which is what counts.
      const sale = await api(`/sales/${record.uuid}/`);
      await db.put("history", { ...record.history, receipt: sale.receipt, status: sale.status, synced: true });
      await db.remove("outbox", record.uuid);
      return "sent";
    }
    if (error instanceof NetworkError || (error instanceof ApiError && (error.status >= 500 || error.status === 401 || error.status === 429))) {
      return "stop"; // the connection (or the sign-in) is not back yet: try later
    }
    const hold = holdOf(error);
    if (hold) {
      // Sold (cash taken) before the till knew that billing held the business: the sale is
      // real, so it waits, unrefused, and goes once the owner has paid.
      setHold(hold, error.message);
      return "stop";
    }
    // Refused for good (the till closed, a product gone...): kept, never dropped, and shown
    // for a manager to settle.
    record.error = error.message;
    await db.put("outbox", record);
    return "kept";
  }
}

async function sendAll() {
  let sent = 0;
  for (const record of await waiting()) {
    if (record.error) continue;
    const outcome = await sendOne(record);
    if (outcome === "stop") break;
    if (outcome === "sent") sent += 1;
    announce();
  }
  return sent;
}

/** Sends every waiting sale unless another tab is already doing it; returns how many went. */
export async function sync() {
  if (!navigator.onLine) return 0;
  if (navigator.locks) {
    return navigator.locks.request(LOCK, { ifAvailable: true }, (lock) => (lock ? sendAll() : 0));
  }
  return sendAll();
}

/** Tries a sale that was refused again (after a manager fixed the cause). */
export async function retry(uuid) {
  const record = await db.get("outbox", uuid);
  if (record) {
    delete record.error;
    await db.put("outbox", record);
  }
  return sync();
}
