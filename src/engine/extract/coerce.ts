import type { FieldType } from '../blueprint/schema.js';
import { parseAvailability } from '../values/availability.js';
import { identifierShape, isValidGtin, isValidIsbn10 } from '../values/identifier.js';
import { parseMoney, parseNumber, type Money } from '../values/money.js';

export { parseMoney, parseNumber, type Money };

export type TypedValue = string | number | Money;

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
  january: 1, february: 2, march: 3, april: 4, june: 6, july: 7, august: 8, september: 9, october: 10,
  november: 11, december: 12,
};
const MONTH = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const pad = (n: number) => String(n).padStart(2, '0');

function iso(year: number, month?: number, day?: number): string | null {
  if (year < 1000 || year > 2999) return null;
  if (month === undefined) return String(year);
  if (month < 1 || month > 12) return null;
  if (day === undefined) return `${year}-${pad(month)}`;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1) return null;
  return `${year}-${pad(month)}-${pad(day)}`;
}

const monthOf = (name: string) => MONTHS[name.toLowerCase().replace('.', '')];

/**
 * ISO 8601 (as precise as the text: "2008", "2010-03", "2010-03-14", or a full timestamp) from
 * the common ways pages write dates. Numeric d/m/y is read month first unless the first part
 * exceeds 12 or dots are used (the European convention).
 */
export function parseDate(text: string): string | null {
  const t = text.trim();
  let m = /(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/.exec(t);
  if (m) {
    const date = iso(Number(m[1]), Number(m[2]), Number(m[3]));
    if (!date) return null;
    return `${date}T${m[4]}:${m[5]}:${m[6] ?? '00'}${m[7] ? (m[7] === 'Z' ? 'Z' : m[7].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')) : ''}`;
  }
  m = /\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b/.exec(t);
  if (m) return iso(Number(m[1]), Number(m[2]), Number(m[3]));
  m = new RegExp(`\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b`, 'i').exec(t);
  if (m) return iso(Number(m[3]), monthOf(m[1]!), Number(m[2]));
  m = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\.?\\s+(?:of\\s+)?${MONTH},?\\s+(\\d{4})\\b`, 'i').exec(t);
  if (m) return iso(Number(m[3]), monthOf(m[2]!), Number(m[1]));
  m = /\b(\d{1,2})([/.-])(\d{1,2})\2(\d{4})\b/.exec(t);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[3]);
    const dayFirst = m[2] === '.' || a > 12;
    return iso(Number(m[4]), dayFirst ? b : a, dayFirst ? a : b);
  }
  m = new RegExp(`\\b${MONTH},?\\s+(\\d{4})\\b`, 'i').exec(t);
  if (m) return iso(Number(m[2]), monthOf(m[1]!));
  m = /\b(\d{4})[-/](\d{1,2})\b/.exec(t);
  if (m) return iso(Number(m[1]), Number(m[2]));
  m = /(?:^|[^\d])(1[5-9]\d{2}|2[01]\d{2})(?:[^\d]|$)/.exec(t);
  if (m) return iso(Number(m[1]));
  return null;
}

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

/** The typed value for a field type, or null when the text does not hold one. */
export function coerce(type: FieldType, text: string, baseUrl: string): TypedValue | null {
  switch (type) {
    case 'text':
    case 'html':
      return text || null;
    case 'number':
      return parseNumber(text);
    case 'money':
      return parseMoney(text);
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
  }
}
