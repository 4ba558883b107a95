// The till and its shift: choose a till, open a shift with a float, cash in and out, the X
// report, closing with the counted cash and the Z report.
import { ApiError, api, errorText } from "./api.js";
import * as db from "./db.js";
import * as outbox from "./outbox.js";
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

function reportTable(report) {
  if (!report) return h("p", { className: "muted" }, "No report.");
  const rows = [];
  const add = (label, value) => rows.push(h("tr", {}, h("td", {}, label), h("td", {}, value)));
  for (const [key, value] of Object.entries(report)) {
    if (value && typeof value === "object" && !("amount" in value)) {
      for (const [sub, subValue] of Object.entries(value)) add(`${key.replace(/_/g, " ")}: ${sub}`, money(subValue));
    } else {
      add(key.replace(/_/g, " "), money(value));
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
  openDialog({
    title: `Shift closed — Z report`,
    name: "z-report",
    body: [
      h("p", {}, `Expected ${money(closed.expected_cash)}, counted ${money(closed.counted_cash)}, difference ${money(closed.variance)}.`),
      reportTable(closed.z_report),
    ],
    buttons: [
      { label: "Print", action: () => window.print() },
      { label: "Open a new shift", primary: true, action: () => new Promise((resolve) => openShift(register, resolve)) },
    ],
  });
}
