/**
 * Product identifiers: GTIN family (EAN, UPC, ISBN-13) and ISBN-10 by their check digits, and
 * the shape of a shop's own code (SKU, MPN, item number).
 */
const digitsOf = (value: string) => value.replace(/[\s-]/g, '');

export function isValidIsbn10(value: string): boolean {
  const digits = digitsOf(value).toUpperCase();
  if (!/^\d{9}[\dX]$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (digits[i] === 'X' ? 10 : Number(digits[i])) * (10 - i);
  return sum % 11 === 0;
}

/** GTIN-8/12/13/14 (EAN, UPC, ISBN-13) mod-10 check digit. */
export function isValidGtin(value: string): boolean {
  const digits = digitsOf(value);
  // All zeros passes the check digit but is a placeholder, not a product.
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(digits) || /^0+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length - 1; i++) {
    const fromRight = digits.length - 1 - i;
    sum += Number(digits[i]) * (fromRight % 2 === 1 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10 === Number(digits[digits.length - 1]);
}

export function isValidIsbn13(value: string): boolean {
  const digits = digitsOf(value);
  return /^97[89]\d{10}$/.test(digits) && isValidGtin(digits);
}

/**
 * How much a value looks like a shop's code for an item, 0–1: one token of letters, digits and
 * joiners ("VE900", "002.937.72", "466/7999", "HOM21C023-Q11"), not a word or a name fragment
 * ("Fake Wounds", "Black"), nor a bare one- or two-character mark.
 */
export function identifierShape(value: string): number {
  const v = value.trim();
  if (v.length < 3 || v.length > 40) return v.length >= 2 && /\d/.test(v) && !/\s/.test(v) ? 0.3 : 0;
  if (!/^[\p{L}\p{N}][\p{L}\p{N}._/#:-]*$/u.test(v.replace(/ (?=\d)/g, ''))) return 0.1;
  if (/\d/.test(v)) return 1;
  // Letters only: a code when written in capitals ("DWFWKMMBM") or joined like a slug
  // ("blue-shirt-xl"); a plain word ("Black") otherwise.
  if (/^[\p{Lu}]+(?:[._/-][\p{Lu}]+)+$/u.test(v)) return 1;
  if (/^\p{Lu}+$/u.test(v) && v.length >= 5) return 0.7;
  return /[._/-]/.test(v) ? 0.5 : 0.2;
}

/** The identifier itself from a text that may carry a label or spacing ("SKU: 12 345" → "12345" stays as written). */
export function normalizeIdentifier(value: string): string {
  return value
    .trim()
    .replace(
      /^(?:sku|item|art(?:ikel|icle)?|ref(?:erence)?|model|mpn|ean|gtin|upc|isbn)(?:[\s.-]*(?:no|nr|number|code|#))?\s*[:#.]\s*/i,
      '',
    );
}

/**
 * The digits of a check-digit code (GTIN, ISBN) written in a text with its label, spaces or
 * hyphens ("EAN: 4006381 333931", "ISBN-13 978-0-306-40615-7"), when `valid` accepts them; null
 * when no digit run in the text passes. A label's own number ("-13") is tried both ways.
 */
export function checkedCode(text: string, valid: (digits: string) => boolean): string | null {
  for (const run of text.match(/\d[\d\s-]*[\dXx]|\d/g) ?? []) {
    const digits = run.replace(/[\s-]/g, '').toUpperCase();
    if (valid(digits)) return digits;
    // "ISBN-13 978…": the run started inside the label.
    const unlabelled = /^(?:1[03]|8|12|14)[\s-]+(.+)$/.exec(run)?.[1]?.replace(/[\s-]/g, '').toUpperCase();
    if (unlabelled && valid(unlabelled)) return unlabelled;
  }
  return null;
}
