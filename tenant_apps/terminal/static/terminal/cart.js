// The cart being rung up, priced locally with the server's rules (money.js), and the body of
// the checkout request it becomes.
import { priceCart, toScaled, fromScaled } from "./money.js";

export class Cart {
  constructor() {
    this.reset();
  }

  reset() {
    // The sale's client UUID, made once per cart: a retry of the same payment is the same sale.
    this.uuid = crypto.randomUUID();
    this.lines = [];
    this.customer = null;
    this.coupon = "";
    this.quote = null; // the server's pricing, when a coupon or a customer's prices apply
    this.lastIndex = -1;
  }

  get empty() {
    return this.lines.length === 0;
  }

  add(product, quantity = "1") {
    const same = this.lines.findIndex((l) => l.product.id === product.id && l.unitPrice === null && !Number(l.discount || 0) && !product.byWeight);
    if (same !== -1) {
      const line = this.lines[same];
      line.quantity = fromScaled(toScaled(line.quantity, 3) + toScaled(quantity, 3), 3);
      this.lastIndex = same;
    } else {
      this.lines.push({ product, quantity: String(quantity), unitPrice: null, discount: "0" });
      this.lastIndex = this.lines.length - 1;
    }
    this.quote = null;
    return this.lines[this.lastIndex];
  }

  setQuantity(index, quantity) {
    const scaled = toScaled(quantity, 3);
    if (scaled === null || scaled < 0n) throw new Error("Type a quantity, e.g. 2 or 0.5.");
    if (scaled === 0n) this.lines.splice(index, 1);
    else this.lines[index].quantity = fromScaled(scaled, 3);
    this.lastIndex = Math.min(index, this.lines.length - 1);
    this.quote = null;
  }

  bump(index, by) {
    const line = this.lines[index];
    if (!line) return;
    this.setQuantity(index, fromScaled(toScaled(line.quantity, 3) + BigInt(by) * 1000n, 3));
  }

  priced(catalog) {
    const { places, prices_include_tax: includeTax } = catalog.meta;
    return priceCart(
      this.lines.map((line) => ({
        unitPrice: line.unitPrice ?? line.product.price,
        quantity: line.quantity,
        taxRate: catalog.taxRateOf(line.product),
        discount: line.discount || "0",
      })),
      { includeTax, places },
    );
  }

  /** The checkout body (without tenders); the quote takes the same. */
  body(registerId) {
    const body = {
      uuid: this.uuid,
      register: registerId,
      lines: this.lines.map((line) => {
        const out = { product: line.product.id, quantity: line.quantity };
        if (line.unitPrice !== null) out.unit_price = line.unitPrice;
        if (Number(line.discount || 0)) out.discount = line.discount;
        return out;
      }),
    };
    if (this.customer) body.customer = this.customer.id;
    if (this.coupon) body.coupon = this.coupon;
    return body;
  }

  /** A parked or earlier sale back in the cart, its lines matched to the catalog. */
  restore(sale, catalog) {
    this.reset();
    this.uuid = sale.uuid;
    for (const line of sale.lines) {
      const product = catalog.products.get(line.product) || {
        id: line.product, name: line.description, sku: line.sku, price: line.unit_price.amount, taxRateId: null, codes: [],
      };
      this.lines.push({
        product,
        quantity: String(line.quantity),
        unitPrice: line.price_overridden ? line.unit_price.amount : null,
        discount: Number(line.discount.amount) && line.price_overridden ? line.discount.amount : "0",
      });
    }
    this.coupon = sale.coupon || "";
    this.lastIndex = this.lines.length - 1;
  }
}
