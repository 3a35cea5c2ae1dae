import type { FieldType } from '../blueprint/schema.js';
import { parseAvailability } from '../values/availability.js';
import { parseDate } from '../values/date.js';
import { checkedCode, identifierShape, isValidGtin, isValidIsbn10, isValidIsbn13 } from '../values/identifier.js';
import { parseMoney, parseNumber, type DecimalMark, type Money } from '../values/money.js';

export type TypedValue = string | number | Money;

/** Absolute URL against the page URL; null for javascript:, empty and unparseable values. */
export function absoluteUrl(value: string, base: string): string | null {
  const trimmed = value.trim();
  if (!trimmed || /^(javascript|data|about):/i.test(trimmed)) return null;
  try {
    return new URL(trimmed, base).href;
  } catch {
    return null;
  }
}

/** The first URL of a srcset ("a.jpg 1x, b.jpg 2x") or the value itself. */
function firstOfSrcset(value: string): string {
  return value.includes(',') && /\s\d+[wx]\b/.test(value) ? (value.split(',')[0]?.trim().split(/\s+/)[0] ?? value) : value;
}

/**
 * An identifier as written, without a label; GTINs and ISBNs lose their spaces and hyphens (they
 * are compared by digits). Words and name fragments are not identifiers.
 */
function identifierValue(text: string): string | null {
  const value = text.trim().replace(/^[^:]{1,30}:\s*(?=\S)/, '');
  const digits = value.replace(/[\s-]/g, '');
  if (isValidGtin(digits) || isValidIsbn10(digits)) return digits.toUpperCase();
  return identifierShape(value) > 0.2 ? value : null;
}

const isIsbn = (digits: string) => isValidIsbn13(digits) || isValidIsbn10(digits);

/** The typed value for a field type, or null when the text does not hold one. */
export function coerce(type: FieldType, text: string, baseUrl: string, decimalMark?: DecimalMark): TypedValue | null {
  switch (type) {
    case 'text':
    case 'html':
      return text || null;
    case 'number':
      return parseNumber(text);
    case 'money':
      return parseMoney(text, decimalMark);
    case 'date':
      return parseDate(text);
    case 'url':
      return absoluteUrl(text, baseUrl);
    case 'image':
      return absoluteUrl(firstOfSrcset(text), baseUrl);
    case 'availability':
      return parseAvailability(text);
    case 'identifier':
      return identifierValue(text);
    case 'gtin':
      return checkedCode(text, isValidGtin);
    case 'isbn':
      return checkedCode(text, isIsbn);
  }
}
