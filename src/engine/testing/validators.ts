import { absoluteUrl, parseDate, parseMoney, parseNumber } from '../extract/coerce.js';
import type { ValueKind } from '../selectors/knowledge.js';

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
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(digits)) return false;
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

const DATE_WORDS =
  /\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?|st|nd|rd|th|of|at|am|pm|utc|gmt|published|on|updated)\b\.?/gi;

const LIST_SEPARATORS = /\s[/|•·]\s/;

/**
 * How plausible a value is for a kind of field, 0–1. Identifiers are checked exactly (check
 * digits); dates, money and numbers must parse; names and titles by shape only.
 */
export function validity(kind: ValueKind, value: string): number {
  const v = value.trim();
  if (!v) return 0;
  switch (kind) {
    case 'isbn13':
      return isValidIsbn13(v) ? 1 : 0;
    case 'isbn10':
      return isValidIsbn10(v) ? 1 : 0;
    case 'isbn':
      return isValidIsbn13(v) || isValidIsbn10(v) ? 1 : 0;
    case 'gtin':
      return isValidGtin(v) ? 1 : 0;
    case 'date': {
      if (!parseDate(v)) return 0;
      // "Value Books / 2008 / Paperback" holds a year but is not a date value.
      const rest = v.replace(DATE_WORDS, '').replace(/[\d\s,./:+-]/g, '');
      return rest.length <= 3 && v.length <= 40 ? 1 : 0.4;
    }
    case 'money':
      return parseMoney(v) && /\d/.test(v) && v.length <= 60 ? 1 : 0;
    case 'number':
      return parseNumber(v) !== null && v.length <= 40 ? 1 : 0;
    case 'url':
    case 'image':
      return absoluteUrl(v, 'http://example.invalid/') && !/\s/.test(v) ? 1 : 0;
    case 'person': {
      const words = v.split(' ');
      if (v.length > 80 || /\d/.test(v) || /:/.test(v)) return 0.1;
      if (LIST_SEPARATORS.test(v)) return 0.3;
      // "Jane Doe (Author)": a role annotation around the name.
      if (/[()[\]]/.test(v)) return 0.6;
      if (!/\p{L}/u.test(v)) return 0;
      // Names are capitalised where the script has case; lower-case words are prose or code.
      if (/^[\p{Ll}\d\s_.,-]+$/u.test(v)) return 0.3;
      return words.length <= 6 ? 1 : 0.4;
    }
    case 'organization':
      if (v.length > 100 || /:$/.test(v) || !/\p{L}/u.test(v)) return 0.1;
      if (LIST_SEPARATORS.test(v)) return 0.3;
      // "Penguin (March 3, 2010)": another field rides along in parentheses.
      if (/\([^)]*\d[^)]*\)|;/.test(v)) return 0.5;
      return v.split(' ').length <= 8 ? 1 : 0.4;
    case 'title':
      if (v.length < 2) return 0.2;
      return v.length <= 250 ? 1 : 0.3;
    case 'shortText':
      return v.length <= 120 ? 1 : 0.4;
    case 'longText':
      return v.length >= 20 ? 1 : 0.6;
  }
}
