// Receipts: one renderer for the server's receipt (GET /api/v1/sales/<uuid>/receipt/) and for
// a receipt made offline, printed through the browser's print dialog at 58 or 80 mm, or sent
// as ESC/POS bytes to a serial or USB printer where the browser has Web Serial.
import { request } from "./api.js";

const esc = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const amount = (value) => (value && typeof value === "object" ? value.amount : value ?? "");
// The business's local time as the server wrote it ("2026-12-07T06:58:04.21+03:00").
const when = (iso) => (iso ? String(iso).slice(0, 16).replace("T", " ") : "");
export const qty = (value) => String(value).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");

export function receiptHtml(r) {
  const rows = [];
  rows.push(`<h3>${esc(r.business_name)}</h3>`);
  for (const line of r.header_lines || []) rows.push(`<div class="c">${esc(line)}</div>`);
  if (r.phone) rows.push(`<div class="c">Tel ${esc(r.phone)}</div>`);
  if (r.vat_number) rows.push(`<div class="c">PIN ${esc(r.vat_number)}</div>`);
  rows.push("<hr>");
  if (r.receipt_number) rows.push(`<div class="row big"><span>Receipt</span><span data-receipt>${esc(r.receipt_number)}</span></div>`);
  if (r.device_number) {
    rows.push(`<div class="${r.receipt_number ? "row" : "provisional"}"><span>${r.receipt_number ? "Offline no." : "PROVISIONAL"}</span> <span data-device>${esc(r.device_number)}</span></div>`);
  }
  rows.push(`<div class="row"><span>${esc(r.register)}</span><span>${esc(r.issued_text || when(r.issued_at))}</span></div>`);
  if (r.cashier) rows.push(`<div class="row"><span>Cashier</span><span>${esc(r.cashier)}</span></div>`);
  if (r.customer_name) rows.push(`<div class="row"><span>Customer</span><span>${esc(r.customer_name)}</span></div>`);
  rows.push("<hr>");
  for (const line of r.lines) {
    rows.push(`<div>${esc(line.description)}</div>`);
    rows.push(`<div class="row"><span>${qty(line.quantity)} x ${esc(amount(line.unit_price))}</span><span>${esc(amount(line.total))}</span></div>`);
    if (Number(amount(line.discount))) rows.push(`<div class="row"><span>  discount</span><span>-${esc(amount(line.discount))}</span></div>`);
  }
  rows.push("<hr>");
  if (Number(amount(r.discount_total))) rows.push(`<div class="row"><span>Discount</span><span>-${esc(amount(r.discount_total))}</span></div>`);
  for (const band of r.tax_bands || []) {
    rows.push(`<div class="row"><span>VAT ${qty(band.rate)}% on ${esc(amount(band.net))}</span><span>${esc(amount(band.tax))}</span></div>`);
  }
  rows.push(`<div class="row big"><span>TOTAL ${esc(r.currency)}</span><span data-total>${esc(amount(r.total))}</span></div>`);
  for (const tender of r.tenders || []) {
    rows.push(`<div class="row"><span>${esc(tender.label || tender.method)}${tender.reference ? ` ${esc(tender.reference)}` : ""}</span><span>${esc(amount(tender.tendered) || amount(tender.amount))}</span></div>`);
  }
  if (Number(amount(r.change_due))) rows.push(`<div class="row big"><span>Change</span><span data-change>${esc(amount(r.change_due))}</span></div>`);
  if (r.loyalty_points_earned) rows.push(`<div class="row"><span>Points earned</span><span>${r.loyalty_points_earned}</span></div>`);
  if (r.voided) rows.push(`<div class="provisional">VOIDED</div>`);
  if (!r.receipt_number) rows.push(`<div class="c">Sold offline: the receipt number follows when the till is back online.</div>`);
  rows.push("<hr>");
  for (const line of r.footer_lines || []) rows.push(`<div class="c">${esc(line)}</div>`);
  return `<div class="receipt">${rows.join("")}</div>`;
}

/** Opens the print dialog with only the receipt on the page, at 58 or 80 mm. */
export function printReceipt(r, width = 80) {
  const paper = document.getElementById("paper");
  paper.innerHTML = receiptHtml(r);
  printPaper(width);
}

/** Prints what is on the paper (#paper, the one part of the page the printer sees). */
export function printPaper(width = 80) {
  document.body.classList.remove("paper-58", "paper-80");
  document.body.classList.add(`paper-${width}`);
  let page = document.getElementById("page-size");
  if (!page) {
    page = document.createElement("style");
    page.id = "page-size";
    document.head.append(page);
  }
  page.textContent = `@page { size: ${width}mm 297mm; margin: 0; }`;
  window.print();
}

// --- ESC/POS over Web Serial ----------------------------------------------------------------

const DRAWER_KICK = [0x1b, 0x70, 0x00, 0x19, 0xfa]; // ESC p 0: pulse the drawer's pin 2
let port = null;

export const serialAvailable = () => "serial" in navigator;

async function serialPort() {
  if (port) return port;
  port = await navigator.serial.requestPort();
  await port.open({ baudRate: 9600 });
  return port;
}

/** Text receipt for a sale with no server receipt yet (made offline): ASCII, 32/48 columns. */
function localEscpos(r, columns) {
  const line = (left, right = "") => {
    const room = Math.max(1, columns - right.length);
    return `${left.slice(0, room).padEnd(room)}${right}\n`;
  };
  let text = `${r.business_name}\n${"-".repeat(columns)}\n`;
  text += line("PROVISIONAL", r.device_number || "");
  for (const l of r.lines) text += `${l.description}\n` + line(`  ${qty(l.quantity)} x ${amount(l.unit_price)}`, amount(l.total));
  text += line(`TOTAL ${r.currency}`, amount(r.total));
  if (Number(amount(r.change_due))) text += line("Change", amount(r.change_due));
  const ascii = text.normalize("NFKD").replace(/[^\x0a\x20-\x7e]/g, "");
  return [0x1b, 0x40, ...new TextEncoder().encode(ascii), 0x0a, 0x0a, 0x0a, 0x1d, 0x56, 0x42, 0x00];
}

/** Sends the receipt (the server's ESC/POS when there is one) and kicks the cash drawer. */
export async function serialPrint(r, { width = 80, uuid = null, kick = true } = {}) {
  const target = await serialPort();
  let bytes;
  if (uuid && r.receipt_number) {
    const response = await fetch(`/api/v1/sales/${uuid}/receipt/?format=escpos${width}`, { credentials: "same-origin" });
    bytes = new Uint8Array(await response.arrayBuffer());
  } else {
    bytes = new Uint8Array(localEscpos(r, width === 58 ? 32 : 48));
  }
  const writer = target.writable.getWriter();
  try {
    await writer.write(bytes);
    if (kick) await writer.write(new Uint8Array(DRAWER_KICK));
  } finally {
    writer.releaseLock();
  }
}

export async function serverReceipt(uuid) {
  return (await request(`/api/v1/sales/${uuid}/receipt/`)).data;
}
