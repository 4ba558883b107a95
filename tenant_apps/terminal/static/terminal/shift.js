// The till and its shift: choose a till, open a shift with a float, cash in and out, the X
// report, closing with the counted cash and the Z report.
import { ApiError, api, errorText } from "./api.js";
import * as db from "./db.js";
import * as outbox from "./outbox.js";
import { printPaper } from "./receipt.js";
import { emit, state } from "./state.js";
import { closeDialog, h, openDialog, toast } from "./ui.js";

const money = (value) => (value && typeof value === "object" ? value.amount : value ?? "");

async function saveTill(register, shiftId) {
  state.till = { id: register.id, code: register.code, name: register.name, location: register.location, shiftId };
  await db.put("kv", state.till, "till");
  emit("people");
}

/** A till with an open shift, or the dialogs that get one. Resolves once selling can start. */
export async function ensureTill() {
  state.till = (await db.get("kv", "till")) || null;
  if (!navigator.onLine) {
    if (!state.till) toast("Connect once to choose a till.", true);
    return;
  }
  let registers;
  try {
    registers = (await api("/sales/registers/")).results;
  } catch (error) {
    toast(errorText(error), true);
    return;
  }
  const mine = state.till && registers.find((r) => r.id === state.till.id);
  if (mine) {
    if (mine.open_shift) {
      await saveTill(mine, mine.open_shift.id);
      return;
    }
    return new Promise((resolve) => openShift(mine, resolve));
  }
  return new Promise((resolve) => chooseTill(registers, resolve));
}

function chooseTill(registers, resolve) {
  const active = registers.filter((r) => r.is_active);
  openDialog({
    title: "Choose a till",
    name: "till",
    body: h("ul", { className: "list" }, ...active.map((register) =>
      h("li", {},
        h("span", {}, `${register.name} · ${register.location}`, h("br"),
          h("small", { className: "muted" }, register.open_shift ? `Shift open since ${new Date(register.open_shift.opened_at).toLocaleTimeString()}` : "No shift open")),
        h("button", {
          type: "button", className: "primary", dataset: { till: register.code },
          onclick: async () => {
            if (register.open_shift) {
              await saveTill(register, register.open_shift.id);
              closeDialog();
              resolve();
            } else {
              openShift(register, resolve);
            }
          },
        }, "Use this till")))),
    buttons: [],
  });
}

function openShift(register, resolve) {
  const float = h("input", { id: "opening-float", inputmode: "decimal", value: "0", autofocus: true });
  openDialog({
    title: `Open a shift on ${register.name}`,
    name: "open-shift",
    body: [h("label", { for: "opening-float" }, "Cash in the drawer (float)"), float],
    buttons: [{
      label: "Open shift", primary: true, id: "open-shift",
      action: async () => {
        let shiftId;
        try {
          shiftId = (await api(`/sales/registers/${register.id}/shifts/`, { method: "POST", body: { opening_float: float.value || "0" } })).id;
        } catch (error) {
          // Someone opened it meanwhile: go on with that shift (its id is in the refusal).
          if (error instanceof ApiError && error.code === "shift_open") shiftId = Number(error.fields.shift?.[0]?.message);
          else throw new Error(errorText(error));
        }
        await saveTill(register, shiftId);
        closeDialog();
        toast(`Shift open on ${register.name}.`);
        resolve();
      },
    }],
  });
}

// The report's figures in a fixed order with words a cashier reads (the server's JSON keeps
// no order); a figure the server adds later is shown after them under its own name.
const REPORT_ROWS = [
  ["opened_at", "Opened"], ["closed_at", "Closed"], ["opening_float", "Opening float"],
  ["sales_count", "Sales"], ["sales_total", "Sales total"], ["discount_total", "Discounts"],
  ["tax_total", "Tax"], ["tenders", "Taken by"], ["returns_count", "Returns"],
  ["returns_total", "Returns total"], ["cash_refunds", "Cash refunds"], ["cash_in", "Cash in"],
  ["cash_out", "Cash out"], ["voided_count", "Voided sales"], ["expected_cash", "Expected cash"],
  ["counted_cash", "Counted cash"], ["variance", "Difference"], ["cost_total", "Cost of goods"],
];
const NOT_SHOWN = new Set(["shift", "register", "currency"]);
const METHOD_NAMES = { cash: "cash", mpesa: "M-Pesa", airtel: "Airtel Money", card: "card", account: "on account", upi: "UPI" };

function reportValue(key, value) {
  if (key.endsWith("_at") && value) return new Date(value).toLocaleString();
  return money(value);
}

function reportTable(report) {
  if (!report) return h("p", { className: "muted" }, "No report.");
  const rows = [];
  const add = (label, value, key) => rows.push(h("tr", { dataset: { key } }, h("td", {}, label), h("td", {}, value)));
  const known = new Map(REPORT_ROWS);
  const keys = [...REPORT_ROWS.map(([key]) => key).filter((key) => key in report),
    ...Object.keys(report).filter((key) => !known.has(key) && !NOT_SHOWN.has(key))];
  for (const key of keys) {
    const value = report[key];
    const label = known.get(key) || key.replace(/_/g, " ");
    if (value && typeof value === "object" && !("amount" in value)) {
      for (const [sub, subValue] of Object.entries(value)) add(`${label} ${METHOD_NAMES[sub] || sub}`, money(subValue), `${key}.${sub}`);
    } else {
      add(label, reportValue(key, value), key);
    }
  }
  return h("table", { className: "report", id: "report" }, ...rows);
}

export async function openShiftDialog() {
  if (!state.till) {
    await ensureTill();
    return;
  }
  if (!navigator.onLine) {
    toast("Shift reports need the connection.", true);
    return;
  }
  let shift;
  try {
    shift = await api(`/sales/shifts/${state.till.shiftId}/`);
  } catch (error) {
    toast(errorText(error), true);
    return;
  }
  const kind = h("select", { id: "cash-kind" }, h("option", { value: "cash_in" }, "Cash in"), h("option", { value: "cash_out" }, "Cash out"));
  const amount = h("input", { id: "cash-amount", inputmode: "decimal", placeholder: "Amount" });
  const reason = h("input", { id: "cash-reason", placeholder: "Reason" });
  const counted = h("input", { id: "counted-cash", inputmode: "decimal", placeholder: "Counted cash" });
  const noSaleReason = h("input", { id: "no-sale-reason", placeholder: "Reason" });
  openDialog({
    title: `Shift on ${state.till.name} — X report`,
    name: "shift",
    body: [
      reportTable(shift.report),
      h("label", {}, "Cash in or out"),
      h("div", { className: "tender" }, kind, amount, reason,
        h("button", {
          type: "button", id: "cash-move",
          onclick: async () => {
            try {
              await api(`/sales/shifts/${state.till.shiftId}/cash/`, { method: "POST", body: { kind: kind.value, amount: amount.value, reason: reason.value || kind.value.replace("_", " "), account: kind.value === "cash_in" ? "owner_equity" : "bank" } });
              toast("Recorded.");
              openShiftDialog();
            } catch (error) {
              toast(errorText(error), true);
            }
          },
        }, "Record")),
      h("label", { for: "no-sale-reason" }, "Open the drawer with no sale (counted for the owner)"),
      h("div", { className: "tender" }, noSaleReason,
        h("button", {
          type: "button", id: "no-sale",
          onclick: async () => {
            try {
              await api(`/sales/shifts/${state.till.shiftId}/no-sale/`, { method: "POST", body: { reason: noSaleReason.value } });
              toast("Drawer opened: no sale recorded.");
              noSaleReason.value = "";
            } catch (error) {
              toast(errorText(error), true);
            }
          },
        }, "No sale")),
      h("label", { for: "counted-cash" }, "Close the shift: cash counted in the drawer"),
      counted,
    ],
    buttons: [
      { label: "Change till", action: async () => { await db.remove("kv", "till"); state.till = null; closeDialog(); await ensureTill(); } },
      { label: "Close shift (Z)", danger: true, id: "close-shift", action: () => closeShift(counted.value) },
      { label: "Done", primary: true, action: () => closeDialog() },
    ],
  });
}

async function closeShift(counted) {
  const waiting = await outbox.pending();
  if (waiting) throw new Error(`${waiting} sale(s) made offline still wait to sync: the shift closes once they are sent.`);
  if (!counted) throw new Error("Count the cash in the drawer and type it.");
  const closed = await api(`/sales/shifts/${state.till.shiftId}/close/`, { method: "POST", body: { counted_cash: counted } });
  const register = { id: state.till.id, code: state.till.code, name: state.till.name, location: state.till.location };
  state.till = { ...state.till, shiftId: null };
  await db.put("kv", register, "till");
  emit("people");
  const summary = h("p", { id: "z-summary" }, `Expected ${money(closed.expected_cash)}, counted ${money(closed.counted_cash)}, difference ${money(closed.variance)}.`);
  const table = reportTable(closed.z_report);
  openDialog({
    title: `Shift closed — Z report`,
    name: "z-report",
    body: [summary, table],
    buttons: [
      { label: "Print", id: "print-z", action: () => {
        // The dialog is never printed: the report goes on the paper, as a receipt does.
        document.getElementById("paper").replaceChildren(h("div", { className: "receipt" },
          h("h3", {}, `Z report · ${register.name}`), summary.cloneNode(true), table.cloneNode(true)));
        printPaper(80);
      } },
      { label: "Open a new shift", primary: true, action: () => new Promise((resolve) => openShift(register, resolve)) },
    ],
  });
}
