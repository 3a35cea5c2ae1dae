import { absoluteUrl } from '../extract/coerce.js';
import { beyondDateLine, parseDate } from '../values/date.js';
import { parseMoney, parseNumber } from '../values/money.js';
import type { ValueKind } from '../selectors/knowledge.js';
import { parseAvailability } from '../values/availability.js';
import { identifierShape, isValidGtin, isValidIsbn10, isValidIsbn13 } from '../values/identifier.js';

export { isValidGtin, isValidIsbn10, isValidIsbn13 };

const LIST_SEPARATORS = /\s[/|•·]\s/;

/** A template variable the page never filled in ("$metabrand", "{{ product.brand }}", "${brand}", "%BRAND%"). */
const TEMPLATE_PLACEHOLDER = /^(?:\$[A-Za-z_][\w.]*|\{\{.*\}\}|\$\{.*\}|%[A-Z_]+%|\[\[.*\]\])$/;
/** Navigation that lists the field's values rather than stating one ("All Brands", "Shop by brand", "See more"). */
const NAVIGATION_TEXT =
  /^(?:all|shop|browse|see|view|more|other|top|popular)\b.*\b(?:brands?|manufacturers?|makers?|publishers?|authors?|categories|more|all)$/i;

/**
 * How plausible a value is for a kind of field, 0–1. Identifiers are checked exactly (check
 * digits); dates, money and numbers must parse; names and titles by shape only.
 */
export function validity(kind: ValueKind, value: string): number {
  const v = value.trim();
  if (!v || TEMPLATE_PLACEHOLDER.test(v)) return 0;
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
      return beyondDateLine(v).length <= 3 && v.length <= 40 ? 1 : 0.4;
    }
    case 'money':
      return parseMoney(v) && /\d/.test(v) && v.length <= 60 ? 1 : 0;
    case 'number':
      return parseNumber(v) !== null && v.length <= 40 ? 1 : 0;
    case 'url':
    case 'image':
      return absoluteUrl(v, 'http://example.invalid/') && !/\s/.test(v) ? 1 : 0;
    case 'person':
    case 'byline': {
      // A byline is the credit line around names: the byline word, a role, another credit
      // ("By Jane Doe (with Joe Roe)", "Written by A Edited by B"), so it runs longer than a name.
      const byline = kind === 'byline';
      const words = v.split(' ');
      if (v.length > (byline ? 100 : 80) || /\d/.test(v) || /:/.test(v)) return 0.1;
      if (LIST_SEPARATORS.test(v)) return 0.3;
      // "Jane Doe (Author)": a role annotation around the name.
      if (!byline && /[()[\]]/.test(v)) return 0.6;
      if (!/\p{L}/u.test(v)) return 0;
      // Names are capitalised where the script has case; lower-case words are prose or code.
      if (/^[\p{Ll}\d\s_.,-]+$/u.test(v)) return 0.3;
      return words.length <= (byline ? 12 : 6) ? 1 : 0.4;
    }
    case 'organization':
      if (v.length > 100 || /:$/.test(v) || !/\p{L}/u.test(v) || NAVIGATION_TEXT.test(v)) return 0.1;
      if (LIST_SEPARATORS.test(v)) return 0.3;
      // "Penguin (March 3, 2010)": another field rides along in parentheses.
      if (/\([^)]*\d[^)]*\)|;/.test(v)) return 0.5;
      return v.split(' ').length <= 8 ? 1 : 0.4;
    case 'title':
      if (v.length < 2) return 0.2;
      return v.length <= 250 ? 1 : 0.3;
    case 'identifier':
      return identifierShape(v);
    case 'availability':
      return parseAvailability(v) ? 1 : 0;
    case 'shortText':
      return v.length <= 120 ? 1 : 0.4;
    case 'longText':
      return v.length >= 20 ? 1 : 0.6;
  }
}
