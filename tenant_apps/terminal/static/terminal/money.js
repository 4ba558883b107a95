// Amounts as integers (BigInt) of a fixed scale, never floats, and the cart's pricing: a port
// of tenant_apps/sales/pricing.py (the rounding policy of docs/sales.md), so a receipt printed
// offline shows what the server will book.

const PRICE_SCALE = 4; // unit prices and discounts: 4 decimals, as the API takes them
const QTY_SCALE = 3;
const RATE_SCALE = 3;

/** "12.5" at scale 2 -> 1250n. Extra digits are cut, signs kept. */
export function toScaled(text, scale) {
  let value = String(text ?? "0").trim();
  if (!value) value = "0";
  const negative = value.startsWith("-");
  if (negative || value.startsWith("+")) value = value.slice(1);
  const [whole, fraction = ""] = value.split(".");
  const digits = (whole || "0") + fraction.padEnd(scale, "0").slice(0, scale);
  if (!/^\d+$/.test(digits)) return null;
  const result = BigInt(digits);
  return negative ? -result : result;
}

/** 1250n at scale 2 -> "12.50". */
export function fromScaled(value, scale) {
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString().padStart(scale + 1, "0");
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

/** Half-up division of non-negative integers (a / b). */
function divRound(a, b) {
  return (2n * a + b) / (2n * b);
}

const TEN = (n) => 10n ** BigInt(n);

export function formatMoney(minor, places) {
  const text = fromScaled(minor, places);
  const [whole, fraction] = text.replace("-", "").split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return (minor < 0n ? "-" : "") + grouped + (fraction !== undefined ? `.${fraction}` : "");
}

/** What "12.5" kg of a unit price of "150" costs, to the minor unit. */
export function lineAmount(unitPrice, quantity, places) {
  const p = toScaled(unitPrice, PRICE_SCALE);
  const q = toScaled(quantity, QTY_SCALE);
  return divRound(p * q, TEN(PRICE_SCALE + QTY_SCALE - places));
}

function roundPrice(amount, places) {
  return divRound(toScaled(amount, PRICE_SCALE), TEN(PRICE_SCALE - places));
}

/** Splits total over weights; the parts add up to it exactly (largest remainder). */
function share(total, weights) {
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (total === 0n || sum === 0n) return weights.map(() => 0n);
  const parts = weights.map((w) => (total * w) / sum);
  const remainders = weights.map((w, i) => total * w - parts[i] * sum);
  let left = total - parts.reduce((a, b) => a + b, 0n);
  const order = weights.map((_, i) => i).sort((a, b) => (remainders[b] > remainders[a] ? 1 : remainders[b] < remainders[a] ? -1 : a - b));
  for (const i of order) {
    if (left <= 0n) break;
    parts[i] += 1n;
    left -= 1n;
  }
  return parts;
}

/**
 * lines: [{unitPrice: "150", quantity: "2", taxRate: "16", discount: "0"}]
 * Returns minor-unit BigInts: {lines: [{price, discount, net, tax, gross}], subtotal,
 * discountTotal, taxTotal, total}. Throws on a discount larger than what it comes off.
 */
export function priceCart(lines, { includeTax, places, cartDiscount = "0", cartDiscountPercent = "0" }) {
  const prices = lines.map((line) => lineAmount(line.unitPrice, line.quantity, places));
  const afterLine = lines.map((line, i) => {
    const discount = roundPrice(line.discount || "0", places);
    if (discount > prices[i]) throw new Error("A line discount cannot exceed the line's price.");
    return prices[i] - discount;
  });
  const base = afterLine.reduce((a, b) => a + b, 0n);
  const percent = toScaled(cartDiscountPercent, RATE_SCALE);
  const cartOff = roundPrice(cartDiscount, places) + divRound(base * percent, 100n * TEN(RATE_SCALE));
  if (cartOff > base) throw new Error("The discount is more than the cart is worth.");
  const shares = share(cartOff, afterLine);
  const hundred = 100n * TEN(RATE_SCALE);
  const out = lines.map((line, i) => {
    const charged = afterLine[i] - shares[i];
    const discount = prices[i] - charged;
    const rate = toScaled(line.taxRate || "0", RATE_SCALE);
    let net, tax, discountNet, gross;
    if (includeTax) {
      tax = divRound(charged * rate, hundred + rate);
      net = charged - tax;
      discountNet = divRound(discount * hundred, hundred + rate);
      gross = charged;
    } else {
      net = charged;
      tax = divRound(net * rate, hundred);
      discountNet = discount;
      gross = net + tax;
    }
    return { price: prices[i], discount, listNet: net + discountNet, discountNet, net, tax, gross };
  });
  const sum = (key) => out.reduce((a, line) => a + line[key], 0n);
  return {
    lines: out,
    subtotal: sum("listNet"),
    discountTotal: sum("discountNet"),
    taxTotal: sum("tax"),
    total: sum("gross"),
  };
}
