// What a scanned code means. GS1 check digits as tenant_apps/catalog/barcodes.py computes
// them; weighed goods as in-store EAN-13 codes (docs/terminal.md):
//   2 T IIIII VVVVV C   T 0-4: VVVVV is the price in minor units; T 5-9: the weight in grams.
// The product is the one whose barcode is the code's first seven digits ("2T" + item).

export function gs1CheckDigit(payload) {
  let total = 0;
  const digits = payload.split("").reverse();
  digits.forEach((digit, index) => {
    total += Number(digit) * (index % 2 === 0 ? 3 : 1);
  });
  return (10 - (total % 10)) % 10;
}

const GS1_LENGTHS = new Set([8, 12, 13]);

export function isGs1Shaped(code) {
  return /^\d+$/.test(code) && GS1_LENGTHS.has(code.length);
}

export function checkDigitOk(code) {
  return gs1CheckDigit(code.slice(0, -1)) === Number(code.slice(-1));
}

/** {item, kind: "price"|"weight", value} for an in-store weighed-goods code, else null. */
export function weighedParts(code) {
  if (code.length !== 13 || code[0] !== "2" || !/^\d+$/.test(code)) return null;
  const kind = Number(code[1]) <= 4 ? "price" : "weight";
  return { item: code.slice(0, 7), kind, value: code.slice(7, 12) };
}
