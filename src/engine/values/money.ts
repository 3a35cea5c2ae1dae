/**
 * Prices as shops write them: a decimal amount and an ISO 4217 currency, from texts with
 * thousands separators, decimal commas, cents split into their own element, ranges, "was / now"
 * pairs and per-unit prices beside the price.
 */
export interface Money {
  amount: number;
  /** ISO 4217 code when the page shows a symbol or code, else null. */
  currency: string | null;
}

const CURRENCY_SYMBOLS: Record<string, string> = {
  $: 'USD',
  US$: 'USD',
  '€': 'EUR',
  '£': 'GBP',
  '¥': 'JPY',
  '₹': 'INR',
  '₩': 'KRW',
  '₽': 'RUB',
  '₺': 'TRY',
  '₪': 'ILS',
  '₫': 'VND',
  '฿': 'THB',
  '₱': 'PHP',
  zł: 'PLN',
  kr: 'SEK',
  CHF: 'CHF',
  R$: 'BRL',
  A$: 'AUD',
  C$: 'CAD',
  CA$: 'CAD',
  AU$: 'AUD',
  NZ$: 'NZD',
  HK$: 'HKD',
  S$: 'SGD',
  NT$: 'TWD',
  Kč: 'CZK',
  Ft: 'HUF',
  lei: 'RON',
  Lei: 'RON',
  RON: 'RON',
  kn: 'HRK',
  Kn: 'HRK',
  Rs: 'PKR',
  MX$: 'MXN',
  'S/': 'PEN',
  Ksh: 'KES',
  KSh: 'KES',
  '৳': 'BDT',
  'ر.س': 'SAR',
  руб: 'RUB',
  'р.': 'BYN',
  Br: 'BYN',
};
const SYMBOLS_LONGEST_FIRST = Object.keys(CURRENCY_SYMBOLS).sort((a, b) => b.length - a.length);
/** Symbols written with letters ("kr", "Rs", "R$") must stand apart from words ("Krone" is not "kr"). */
const SYMBOL_PATTERNS = new Map(
  SYMBOLS_LONGEST_FIRST.map((symbol) => {
    const escaped = symbol.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return [symbol, new RegExp(/^\p{L}/u.test(symbol) ? `(?:^|[^\\p{L}])${escaped}(?![\\p{L}])` : escaped, 'u')];
  }),
);
const CURRENCY_CODE =
  /\b(USD|EUR|GBP|JPY|CAD|AUD|NZD|CHF|SEK|NOK|DKK|PLN|CZK|HUF|RON|HRK|BGN|INR|CNY|RMB|TWD|BRL|MXN|CLP|COP|ARS|PEN|ZAR|SGD|HKD|KRW|RUB|BYN|UAH|TRY|ILS|SAR|AED|PKR|PHP|KES|BDT|BHD|IQD|JOD|KWD|LYD|OMR|TND)\b/;

/**
 * Currencies with three decimals. Everywhere else a price such as "24.990" or "€1.299" groups
 * thousands with its dot: two-decimal prices never show three digits after the decimal mark.
 */
const THREE_DECIMALS = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);

/** The currency a text names, by ISO code first, then by symbol (longest symbol first: "US$" before "$"). */
export function currencyOf(text: string): string | null {
  const code = CURRENCY_CODE.exec(text.toUpperCase())?.[1];
  if (code) return code === 'RMB' ? 'CNY' : code;
  const symbol = SYMBOLS_LONGEST_FIRST.find((s) => SYMBOL_PATTERNS.get(s)!.test(text));
  return symbol ? (CURRENCY_SYMBOLS[symbol] ?? null) : null;
}

const NUMBER = /[-−]?\d[\d.,'\u00a0\u202f ]*/;

/**
 * The mark a site writes decimals with, where a text alone cannot tell: "24.990" is 24990 in a
 * shop grouping thousands with dots and 24.99 in one writing a third decimal. Learned from an
 * example value (see `decimalMarkOf`) and kept on the blueprint field.
 */
export type DecimalMark = '.' | ',';

/**
 * A decimal number from text as shops write it: "1,234.50", "1.234,50", "1 234,5", "96 pages".
 * A lone comma followed by exactly three digits is a thousands separator; so is a lone dot when
 * `dotThousands` says the context has no minor units. A known `decimalMark` settles that one
 * ambiguous case.
 */
export function parseNumber(text: string, dotThousands = false, decimalMark?: DecimalMark): number | null {
  const match = NUMBER.exec(text);
  if (!match) return null;
  let digits = match[0]
    .replace(/[\s'\u00a0\u202f]/g, '')
    .replace('−', '-')
    .replace(/[.,]$/, '');
  const lastDot = digits.lastIndexOf('.');
  const lastComma = digits.lastIndexOf(',');
  const decimalAt = Math.max(lastDot, lastComma);
  if (decimalAt >= 0) {
    const separator = digits[decimalAt]!;
    const repeated = digits.indexOf(separator) !== decimalAt;
    const other = separator === '.' ? ',' : '.';
    const threeAfter = digits.length - decimalAt - 1 === 3;
    const ambiguous = !digits.includes(other) && threeAfter && !repeated;
    // "1.234.567" and "1,234,567": a repeated separator groups thousands.
    const isThousands =
      ambiguous && decimalMark
        ? separator !== decimalMark
        : !digits.includes(other) && threeAfter && (repeated || separator === ',' || dotThousands);
    if (isThousands || (repeated && !digits.includes(other))) digits = digits.replace(/[.,]/g, '');
    else digits = digits.slice(0, decimalAt).replace(/[.,]/g, '') + '.' + digits.slice(decimalAt + 1);
  }
  const value = Number(digits);
  return Number.isFinite(value) ? value : null;
}

/** "Was £20 Now £15", "statt 20 €", "RRP": the words that mark the other price of a pair. */
const CURRENT_MARKER = /\b(?:now|sale|offer|today|jetzt|nur|maintenant|ora|ahora|agora|nu)\b\s*:?\s*/i;
const OLD_MARKER = /\b(?:was|rrp|msrp|list\s+price|regular|reg\.?|before|statt|uvp|avant|prima|antes|era|before)\b/i;
/** "(€1.25 / kg)", "€3.20 per 100 g", "5,90 €/l": a unit price riding along. */
const UNIT_PRICE =
  /(?:\/|\bper\b|\bpro\b|\bpar\b|\bal\b|\bje\b)\s*(?:\d+\s*)?(?:kg|g|l|ml|cl|m|m2|m²|st|stk|stück|unit|piece|pc|item|100\s*g|100\s*ml|lb|oz)\b/i;

/** The part of a price text that states the current price (the "now" side, not the range's upper end or a unit price). */
function currentPart(text: string): string {
  const now = CURRENT_MARKER.exec(text);
  if (now && OLD_MARKER.test(text.slice(0, now.index))) return text.slice(now.index + now[0].length);
  // "€10 – €20": a range is read from its lower end, which the text gives first.
  const range = /^(.*?\d)\s*(?:–|—|-|to|bis|à|a)\s*\D{0,4}\d/i.exec(text);
  if (range && /\d[.,]?\d*\s*\D{0,4}$/.test(range[1]!)) return range[1]!;
  const unit = UNIT_PRICE.exec(text);
  if (unit && unit.index > 0) {
    // A unit price after the price: cut at the bracket or number that starts it.
    const before = text.slice(0, unit.index);
    const start = Math.max(before.lastIndexOf('('), before.search(/\s[^\s\d]*\d[\d.,]*\s*\S*$/));
    if (start > 0) return text.slice(0, start);
    // A unit price before the price ("2,50 € / 1 l 9,50 €"): the price follows it.
    const after = text.slice(unit.index + unit[0].length);
    if (/\d/.test(after)) return after;
  }
  return text;
}

/** Cents written apart ("24<sup>99</sup>" reads as "24 99", "24.-"): joined back to a decimal. */
function joinSplitCents(text: string): string {
  return text.replace(/(\d)[ \u00a0]+(\d{2})(?=\s*(?:[^\d.,\s]|$))(?![\d])/g, (whole, unit: string, cents: string) =>
    /[.,]\d*$/.test(text.slice(0, text.indexOf(whole))) ? whole : `${unit}.${cents}`,
  );
}

export function parseMoney(text: string, decimalMark?: DecimalMark): Money | null {
  if (text.length > 120) return null;
  const part = joinSplitCents(currentPart(text));
  const currency = currencyOf(part) ?? currencyOf(text);
  const amount = parseNumber(part, currency === null || !THREE_DECIMALS.has(currency), decimalMark);
  if (amount === null) return null;
  return { amount, currency };
}

/**
 * The decimal mark an example value reveals: the example states an amount that some text on its
 * page writes ambiguously ("$24.990" for 24.99) and no text writes plainly. Null when the page's
 * texts read as the example by default, or not at all.
 */
export function decimalMarkOf(example: string, texts: Iterable<string>): DecimalMark | null {
  const amount = parseMoney(example)?.amount;
  if (amount === undefined) return null;
  let revealed: DecimalMark | null = null;
  for (const text of texts) {
    if (parseMoney(text)?.amount === amount) return null;
    for (const mark of ['.', ','] as const) if (parseMoney(text, mark)?.amount === amount) revealed ??= mark;
  }
  return revealed;
}
