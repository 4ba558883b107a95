// What the till knows right now, shared by the screen's modules, and a tiny event bus so each
// part redraws when what it shows changes.
import { Cart } from "./cart.js";
import { Catalog } from "./catalog.js";

export const state = {
  catalog: new Catalog(document.body.dataset.snapshot),
  cart: new Cart(),
  user: null, // the signed-in person (GET /api/v1/auth/user/)
  pinUser: null, // a cashier who switched in by PIN: {user, access, refresh}
  till: null, // {id, code, name, location, shiftId}
  deviceId: "",
  online: navigator.onLine,
  pending: 0,
  // Billing holds the business ("suspended", "cancelled"; "" when not): no sale can be made,
  // online or offline, until the owner pays. The page says so when it is served; a 402 from
  // the checkout or the sync says so later.
  hold: document.body.dataset.hold || "",
  holdMessage: document.body.dataset.holdMessage || "",
};

/** Billing holds the business from now on: selling stops and the screen says why. */
export function setHold(hold, message) {
  state.hold = hold;
  state.holdMessage = message || state.holdMessage;
  emit("hold");
}

/** Who is selling now: the PIN cashier, else the signed-in person. */
export function seller() {
  return state.pinUser ? state.pinUser.user : state.user;
}

export function may(action) {
  const person = seller();
  return Boolean(person && person.allowed_actions && person.allowed_actions.includes(action));
}

const listeners = new Map();

export function on(event, listener) {
  if (!listeners.has(event)) listeners.set(event, []);
  listeners.get(event).push(listener);
}

export function emit(event, detail) {
  for (const listener of listeners.get(event) || []) listener(detail);
}
