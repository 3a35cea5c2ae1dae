import { parseAvailability } from '../values/availability.js';
import { calendarDate } from '../values/date.js';
import { parseMoney, parseNumber, type DecimalMark } from '../values/money.js';
import type { ValueKind } from './knowledge.js';

/** Values compare as people read them: NFKC, case, white space and outer punctuation ignored. */
export function comparable(value: string): string {
  return value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '');
}

export function sameValue(a: string, b: string): boolean {
  const x = comparable(a);
  return x !== '' && x === comparable(b);
}

/**
 * What a value means for comparison: an amount in cents, an availability name, a calendar date;
 * for codes and texts, the letters and digits ("002.937.72" and "00293772" are one code, "TP Link"
 * and "TP-Link" one name). Money reads with the site's decimal mark where it is known.
 */
export function valueMeaning(kind: ValueKind, value: string, decimalMark?: DecimalMark): string | null {
  if (kind === 'money') {
    const money = parseMoney(value, decimalMark);
    return money ? String(Math.round(money.amount * 100)) : null;
  }
  if (kind === 'number') {
    const number = parseNumber(value);
    return number === null ? null : String(number);
  }
  if (kind === 'availability') return parseAvailability(value);
  if (kind === 'date') return calendarDate(value);
  return (
    value
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]/gu, '') || null
  );
}

/**
 * Whether two values state the same thing for a field of this kind: "€ 1.599,00" the price 1599,
 * "http://schema.org/InStock" and "In stock" one availability, "2015-04-16T20:02:01Z" and
 * "April 16, 2015" one day.
 */
export function sameMeaning(kind: ValueKind, a: string, b: string, decimalMark?: DecimalMark): boolean {
  const x = valueMeaning(kind, a, decimalMark);
  return x !== null && x === valueMeaning(kind, b, decimalMark);
}

export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regex keeping the index-th part of a text split by a one-character separator ("A / 2008 / B"). */
export function segmentRegex(separator: string, index: number): string {
  const sep = escapeRegExp(separator.trim());
  const other = `[^${sep}]`;
  return `^(?:${other}*${sep}){${index}}\\s*(${other}+?)\\s*(?:${sep}|$)`;
}
