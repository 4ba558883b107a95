// The catalog as the till sells from it: kept in IndexedDB, indexed in memory (barcode ->
// product, so a scan never waits on the network), refreshed by delta sync.
import { request } from "./api.js";
import { checkDigitOk, isGs1Shaped, weighedParts } from "./barcode.js";
import * as db from "./db.js";
import { toScaled, fromScaled } from "./money.js";

const FLAG_ACTIVE = 1;
const FLAG_BY_WEIGHT = 2;
const FLAG_FRACTIONAL = 4;
const FLAG_SERVICE = 8;

export class Catalog {
  constructor(url) {
    this.url = url;
    this.clear();
  }

  clear() {
    this.at = null;
    this.meta = { currency: "", places: 2, prices_include_tax: true };
    this.products = new Map();
    this.codes = new Map();
    this.skus = new Map();
    this.taxRates = new Map();
    this.categories = [];
    this.customers = new Map();
  }

  get ready() {
    return this.at !== null;
  }

  async load() {
    const saved = await db.get("kv", "catalog");
    if (saved) this.apply(saved, true);
    return this.ready;
  }

  /** Fetches what changed since the last snapshot (everything the first time) and keeps it. */
  async sync() {
    const since = this.at ? `?updated_since=${encodeURIComponent(this.at)}` : "";
    const { data } = await request(`${this.url}${since}`);
    this.apply(data, data.full);
    await db.put("kv", this.raw(), "catalog");
    return data.products.length;
  }

  apply(data, full) {
    if (full) {
      this.products.clear();
      this.customers.clear();
    }
    this.at = data.at;
    this.meta = { currency: data.currency, places: data.places, prices_include_tax: data.prices_include_tax };
    this.taxRates = new Map(data.tax_rates.map(([id, rate, name, isDefault]) => [id, { id, rate, name, isDefault }]));
    this.categories = data.categories.map(([id, path]) => ({ id, path }));
    for (const row of data.products) {
      const [id, name, sku, price, taxRateId, categoryId, flags, codes] = row;
      if (flags & FLAG_ACTIVE) {
        this.products.set(id, {
          id, name, sku, price, taxRateId, categoryId, row,
          byWeight: Boolean(flags & FLAG_BY_WEIGHT),
          fractional: Boolean(flags & FLAG_FRACTIONAL),
          service: Boolean(flags & FLAG_SERVICE),
          codes: codes ? codes.split(" ") : [],
          search: `${name} ${sku}`.toLowerCase(),
        });
      } else {
        this.products.delete(id); // deactivated since the last sync
      }
    }
    for (const row of data.customers || []) {
      const [id, code, name, phone, priceList, active] = row;
      if (active) this.customers.set(id, { id, code, name, phone, priceList, row });
      else this.customers.delete(id);
    }
    this.reindex();
  }

  reindex() {
    this.codes.clear();
    this.skus.clear();
    for (const product of this.products.values()) {
      this.skus.set(product.sku.toLowerCase(), product);
      for (const entry of product.codes) {
        const [code, pack] = entry.split("*");
        this.codes.set(code, { product, pack: pack || "1" });
      }
    }
  }

  /** What IndexedDB keeps: the snapshot's own compact shape. */
  raw() {
    return {
      at: this.at,
      full: true,
      currency: this.meta.currency,
      places: this.meta.places,
      prices_include_tax: this.meta.prices_include_tax,
      tax_rates: [...this.taxRates.values()].map((t) => [t.id, t.rate, t.name, t.isDefault]),
      categories: this.categories.map((c) => [c.id, c.path]),
      products: [...this.products.values()].map((p) => p.row),
      customers: [...this.customers.values()].map((c) => c.row),
    };
  }

  taxRateOf(product) {
    const rate = this.taxRates.get(product.taxRateId);
    return rate ? rate.rate : "0";
  }

  /**
   * A scanned code -> {product, quantity} or {error}. Exact codes first (packs scan as their
   * quantity); a GS1-shaped code with a wrong check digit is a misread, refused; an in-store
   * weighed-goods code carries its price or weight.
   */
  scan(code) {
    const exact = this.codes.get(code);
    if (exact) return { product: exact.product, quantity: exact.pack };
    if (isGs1Shaped(code) && !checkDigitOk(code)) {
      return { error: `${code} is not a valid barcode (check digit): scan it again.` };
    }
    const weighed = weighedParts(code);
    if (weighed) {
      const found = this.codes.get(weighed.item);
      if (found) {
        const product = found.product;
        if (weighed.kind === "weight") {
          return { product, quantity: fromScaled(BigInt(weighed.value), 3) };
        }
        // A price label: the quantity that costs that price at the product's unit price.
        const priceMinor = BigInt(weighed.value);
        const unit = toScaled(product.price, this.meta.places);
        if (unit > 0n) {
          const milli = (priceMinor * 1000n * 2n + unit) / (2n * unit);
          return { product, quantity: fromScaled(milli, 3) };
        }
      }
    }
    const bySku = this.skus.get(code.toLowerCase());
    if (bySku) return { product: bySku, quantity: "1" };
    return { error: `No product has the code ${code}.` };
  }

  /** Products whose name or SKU has a word starting with each word typed. */
  search(text, { categoryId = null, limit = 120 } = {}) {
    const words = text.toLowerCase().split(/\s+/).filter(Boolean);
    const out = [];
    for (const product of this.products.values()) {
      if (categoryId !== null && product.categoryId !== categoryId) continue;
      if (words.length && !words.every((w) => product.search.includes(w) && wordStart(product.search, w))) continue;
      out.push(product);
      if (out.length >= limit) break;
    }
    return out;
  }

  searchCustomers(text, limit = 30) {
    const q = text.toLowerCase().trim();
    const digits = q.replace(/\D/g, "").replace(/^0+/, "");
    const out = [];
    for (const customer of this.customers.values()) {
      if (!q || customer.name.toLowerCase().includes(q) || customer.code.toLowerCase() === q
          || (digits.length >= 3 && customer.phone.includes(digits))) {
        out.push(customer);
        if (out.length >= limit) break;
      }
    }
    return out;
  }
}

function wordStart(haystack, word) {
  let at = haystack.indexOf(word);
  while (at !== -1) {
    if (at === 0 || /[\s\-_/.,()]/.test(haystack[at - 1])) return true;
    at = haystack.indexOf(word, at + 1);
  }
  return false;
}
