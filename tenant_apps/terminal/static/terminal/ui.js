// Small helpers for the screen: elements, the one dialog, the toast.

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node && key !== "list" && key !== "form") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const dialog = () => document.getElementById("dialog");
let current = null;

/**
 * Shows the dialog. buttons: [{label, action, primary, id}]; the primary one runs on Enter.
 * An action that throws shows its message in the dialog and keeps it open.
 */
export function openDialog({ title, body, buttons = [], name = "", onClose = null }) {
  const box = dialog();
  // One dialog replaces another in place (closing first would fire a late "close" event).
  current = { buttons, onClose, name };
  box.dataset.name = name;
  document.getElementById("dialog-title").textContent = title;
  const holder = document.getElementById("dialog-body");
  holder.replaceChildren(...[].concat(body).filter(Boolean));
  setError("");
  const row = document.getElementById("dialog-buttons");
  row.replaceChildren(
    ...buttons.map((button) =>
      h("button", {
        type: "button",
        className: [button.primary ? "primary" : "", button.danger ? "danger" : ""].join(" ").trim(),
        id: button.id || null,
        disabled: button.disabled || false,
        onclick: () => run(button),
      }, button.label),
    ),
  );
  if (!box.open) box.showModal();
  const focus = holder.querySelector("[autofocus], input, select") || row.querySelector("button.primary");
  if (focus) focus.focus();
}

let busy = false;

async function run(button) {
  // One action at a time (a double tap must not pay twice). Buttons are not disabled for it:
  // disabling the focused button of a modal dialog loses the keyboard focus in Chromium.
  if (busy) return;
  busy = true;
  try {
    setError("");
    await button.action();
  } catch (error) {
    setError(error.message || String(error));
  } finally {
    busy = false;
  }
}

export function setError(text) {
  document.getElementById("dialog-error").textContent = text;
}

export function closeDialog() {
  const box = dialog();
  if (!box.open) return;
  // Let go of the clicked button first: closing a modal dialog around its focused button
  // leaves Chromium's keyboard focus nowhere until a field is clicked.
  if (box.contains(document.activeElement)) document.activeElement.blur();
  box.close();
}

export function dialogOpen(name) {
  const box = dialog();
  return box.open && (!name || box.dataset.name === name);
}

export function initDialog() {
  const box = dialog();
  // No form submission: in Chromium a submitted (even if prevented) dialog form leaves the
  // page deaf to key events afterwards, which would cost a scanner its next code. Enter in a
  // field runs the primary button instead.
  const form = document.getElementById("dialog-form");
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.target instanceof HTMLButtonElement) return;
    event.preventDefault();
    const primary = current?.buttons.find((b) => b.primary);
    if (primary) run(primary);
  });
  box.addEventListener("close", () => {
    // The event comes a moment after the close: a dialog opened meanwhile is not its business.
    if (box.open) return;
    const after = current?.onClose;
    current = null;
    if (after) after();
  });
}

let toastTimer = null;
export function toast(text, bad = false) {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.classList.toggle("bad", bad);
  box.classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.classList.remove("show"), bad ? 5000 : 2500);
}
