import type { FieldType } from '../blueprint/schema.js';
import { parseDate } from '../values/date.js';

// Dates have their own module (values/date.ts), shared by extraction, testing and benchmarks.
export { parseDate };

export interface Money {
  amount: number;
  /** ISO 4217 code when the page shows a symbol or code, else null. */
  currency: string | null;
}

export type TypedValue = string | number | Money;

const CURRENCY_SYMBOLS: Record<string, string> = {
  $: 'USD', US$: 'USD', '€': 'EUR', '£': 'GBP', '¥': 'JPY', '₹': 'INR', '₩': 'KRW', '₽': 'RUB', '₺': 'TRY',
  '₪': 'ILS', '₫': 'VND', '฿': 'THB', '₱': 'PHP', 'zł': 'PLN', 'kr': 'SEK', 'CHF': 'CHF', 'R$': 'BRL', 'A$': 'AUD',
  C$: 'CAD', 'CA$': 'CAD', 'AU$': 'AUD', 'NZ$': 'NZD', 'HK$': 'HKD', 'S$': 'SGD',
};
const CURRENCY_CODE = /\b(USD|EUR|GBP|JPY|CAD|AUD|NZD|CHF|SEK|NOK|DKK|PLN|CZK|HUF|INR|CNY|RMB|BRL|MXN|ZAR|SGD|HKD|KRW|RUB|TRY|ILS)\b/;

/**
 * A decimal number from text as shops write it: "1,234.50", "1.234,50", "1 234,5", "96 pages".
 * A lone separator followed by exactly three digits is a thousands separator.
 */
export function parseNumber(text: string): number | null {
  const match = /[-−]?\d[\d.,'\u00a0\u202f ]*/.exec(text);
  if (!match) return null;
  let digits = match[0].replace(/[\s'\u00a0\u202f]/g, '').replace('−', '-').replace(/[.,]$/, '');
  const lastDot = digits.lastIndexOf('.');
  const lastComma = digits.lastIndexOf(',');
  const decimalAt = Math.max(lastDot, lastComma);
  if (decimalAt >= 0) {
    const separator = digits[decimalAt];
    const single = digits.indexOf(separator!) === decimalAt;
    const other = separator === '.' ? ',' : '.';
    const isThousands = single && !digits.includes(other) && digits.length - decimalAt - 1 === 3 && separator === ',';
    if (isThousands) digits = digits.replace(/,/g, '');
    else digits = digits.slice(0, decimalAt).replace(/[.,]/g, '') + '.' + digits.slice(decimalAt + 1);
  }
  const value = Number(digits);
  return Number.isFinite(value) ? value : null;
}

export function parseMoney(text: string): Money | null {
  const amount = parseNumber(text);
  if (amount === null) return null;
  const code = CURRENCY_CODE.exec(text.toUpperCase())?.[1];
  let currency: string | null = code === 'RMB' ? 'CNY' : (code ?? null);
  if (!currency) {
    const symbols = Object.keys(CURRENCY_SYMBOLS).sort((a, b) => b.length - a.length);
    const symbol = symbols.find((s) => text.includes(s));
    currency = symbol ? (CURRENCY_SYMBOLS[symbol] ?? null) : null;
  }
  return { amount, currency };
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
  }
}
