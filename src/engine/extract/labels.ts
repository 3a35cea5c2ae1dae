import { BLOCK_TAGS, isTag, isText, normalizeText, textOf, type AnyNode, type Document, type Element } from './dom.js';
import { inBoilerplate, inSecondaryContent } from './places.js';

/**
 * Label–value pairs as pages present them: `<b>ISBN-13:</b> 978…<br>`, `<dt>Publisher</dt><dd>…</dd>`,
 * `<th>Format</th><td>…</td>`, `<li>Pages: 96</li>`, `By: <a>Name</a>`. Built in one walk per page,
 * so a blueprint's label sources are map look-ups.
 */
export interface LabelValue {
  /** The label as written (trimmed, without the trailing colon). */
  label: string;
  text: string;
  /** Texts of the value's element children (e.g. one per author link), for multiple-valued fields. */
  parts: string[];
}

export type LabelIndex = Map<string, LabelValue[]>;

/** Lower case, NFKC, punctuation dropped: "Pub. Date:" → "pub date", "ISBN-13" → "isbn 13". */
export function normalizeLabel(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const MAX_LABEL_LENGTH = 40;
const MAX_VALUE_LENGTH = 300;
const SKIPPED = new Set(['script', 'style', 'template', 'head', 'select', 'option', 'button', 'noscript', 'textarea']);
const LABEL_TAGS = new Set(['dt', 'th', 'label']);
/** Short bylines without a colon ("by Jane Doe"). */
export const BYLINE_WORDS = new Set([
  'written by',
  'story by',
  'words by',
  'posted by',
  'reporting by',
  'by',
  'von',
  'par',
  'por',
  'door',
  'di',
]);
/** The same words as a regular expression's group, for patterns that find or strip them. */
export const BYLINE_WORD_PATTERN = `(?:${[...BYLINE_WORDS].join('|')})`;
/** A credit for another role after the author's ("Written by A Edited by B", "By A; photographs by B"), to its end. */
export const OTHER_ROLE_CREDIT = String.raw`[\s,;|]+(?:edited|illustrated|photographs?|photos?|translated|reviewed|fact[- ]checked|additional reporting)\s+by\b.*`;
const OTHER_ROLE = new RegExp(OTHER_ROLE_CREDIT, 'i');

/** Chinese and Japanese pages end labels with a fullwidth colon ("商品番号：A-1"). */
const asciiColons = (text: string) => (text.includes('：') ? text.replace(/：/g, ':') : text);

/** "Doors open 10:30": a colon between an hour and minutes is a time, not a label ("ISBN-13: 978…" is one). */
const isClockTime = (label: string, value: string) => /(?:^|\s)\d{1,2}$/.test(label) && /^\d{2}(?!\d)/.test(value);

function looksLikeLabel(text: string): boolean {
  return text.length > 0 && text.length <= MAX_LABEL_LENGTH && /\p{L}/u.test(text) && text.split(' ').length <= 6;
}

const isBoundary = (node: AnyNode) => isTag(node) && BLOCK_TAGS.has(node.name);

/** Text and element parts of the inline run that follows `start`, up to a line break or block. */
function inlineRunAfter(start: AnyNode, labelTag: string | null): { text: string; parts: string[] } {
  const texts: string[] = [];
  const parts: string[] = [];
  for (let node = start.next; node; node = node.next) {
    if (isBoundary(node)) break;
    if (isTag(node)) {
      if (labelTag && node.name === labelTag && /[:：]\s*$/.test(textOf(node))) break;
      if (SKIPPED.has(node.name)) continue;
      const text = textOf(node);
      if (text) {
        texts.push(text);
        parts.push(text);
      }
    } else if (isText(node)) {
      texts.push(node.data);
    }
  }
  // Inline runs carry their own spacing ("<a>A</a>, <a>B</a>").
  return { text: normalizeText(texts.join('')), parts };
}

function partsOf(element: Element): string[] {
  const parts: string[] = [];
  for (const child of element.children) {
    if (isTag(child) && !SKIPPED.has(child.name)) {
      const text = textOf(child);
      if (text) parts.push(text);
    }
  }
  return parts;
}

function nextElement(node: AnyNode): Element | null {
  for (let next = node.next; next; next = next.next) if (isTag(next)) return next;
  return null;
}

function add(index: LabelIndex, label: string, text: string, parts: string[]): void {
  const value = normalizeText(text).replace(/^[:：\s]+/, '');
  if (!value || value.length > MAX_VALUE_LENGTH) return;
  const key = normalizeLabel(label);
  if (!key) return;
  const entry = { label: label.trim(), text: value, parts: parts.length > 1 ? parts : [] };
  const list = index.get(key);
  if (list) list.push(entry);
  else index.set(key, [entry]);
}

/** The value beside an element-wrapped label: table cell, definition, or the inline run after it. */
function valueForLabelElement(element: Element): { text: string; parts: string[] } | null {
  if (element.name === 'dt' || element.name === 'th' || element.name === 'td') {
    const cell = nextElement(element);
    if (cell && (cell.name === 'dd' || cell.name === 'td')) return { text: textOf(cell), parts: partsOf(cell) };
  }
  // Climb while the label is its parent's only content (<td><b>Label:</b></td><td>value</td>).
  let anchor: Element = element;
  for (;;) {
    const run = inlineRunAfter(anchor, anchor === element ? element.name : null);
    if (run.text) return run;
    const parent = anchor.parent;
    if (!parent || !isTag(parent) || parent.name === 'body') break;
    const onlyChild = parent.children.every((child) => child === anchor || (isText(child) && !child.data.trim()));
    if (!onlyChild) break;
    anchor = parent;
    if (anchor.name === 'td' || anchor.name === 'dt' || anchor.name === 'th') {
      const cell = nextElement(anchor);
      if (cell && (cell.name === 'td' || cell.name === 'dd')) return { text: textOf(cell), parts: partsOf(cell) };
    }
  }
  const sibling = nextElement(element);
  if (sibling && !BLOCK_TAGS.has(sibling.name)) {
    const text = textOf(sibling);
    if (text) return { text, parts: partsOf(sibling) };
  }
  return null;
}

/** "Updated: 12 June · Published: 10 June": pairs on one line, parted by a middle dot, bar or bullet. */
const PAIR_SEPARATOR = /\s+[·|•]\s+(?=[^:·|•]{1,40}:)/;

/** A line of facts parted by bars, dots or bullets: "Paperback | Vintage | Pub Date: 3/28/2006 | ISBN-13: 978…". */
const FACT_SEPARATOR = /\s+[·|•]\s+/;
const MIN_LABELLED_FACTS = 2;

/**
 * The labelled parts of a facts line whose other parts stand unlabelled (a format, a publisher):
 * two labelled parts or more say the bars part facts, not words of one value.
 */
function factsLinePairs(text: string): [string, string][] | null {
  if (!FACT_SEPARATOR.test(text)) return null;
  const pairs = text
    .split(FACT_SEPARATOR)
    .map(inlinePair)
    .filter((pair) => pair !== null);
  return pairs.length >= MIN_LABELLED_FACTS ? pairs : null;
}

/** "Pages: 96" as a label and its value; null when the text is no such pair ("10:30", "Title: " alone). */
function inlinePair(text: string): [string, string] | null {
  const pair = /^([^:]{1,40}?)\s*:\s*(\S.*)$/.exec(text);
  if (!pair?.[1] || !pair[2] || !looksLikeLabel(pair[1]) || /^\d/.test(pair[1]) || isClockTime(pair[1], pair[2])) return null;
  // "Paperback | Vintage | Pub Date": facts before the label, not a label (factsLinePairs).
  if (FACT_SEPARATOR.test(pair[1])) return null;
  return [pair[1], pair[2]];
}

/** "Item # 3041", "SKU#AB-12": a number sign stands for the colon before a code. */
function numberSignPair(text: string): [string, string] | null {
  const pair = /^([^#:]{1,40}?)\s*#\s*([\p{L}\p{N}][^\s]*)$/u.exec(text);
  return pair && looksLikeLabel(pair[1]!) && /\d/.test(pair[2]!) ? [pair[1]!, pair[2]!] : null;
}

/**
 * "Item No. 3041", "Art.-Nr. 12-44", "Réf. AB12": a number word abbreviated with a period (or º)
 * closes a label as a colon would. The value, when on the same text, holds a digit.
 */
const ABBREVIATED_LABEL = /^((?:[\p{L}.-]+\s+){0,3}(?:[\p{L}.-]*(?:no|nr|ref|réf)\.|n[º°]\.?))(?:\s*(\S.*))?$/iu;

/** What every such label holds, found faster than the whole pattern fails: most texts have none. */
const ABBREVIATION = /(?:no|nr|ref|réf)\.|[º°]/i;
const mayHoldAbbreviation = (text: string) => (text.includes('.') || text.includes('º') || text.includes('°')) && ABBREVIATION.test(text);
/** Longer texts are prose: an item code's line is short ("Item No. LS-1042"). */
const MAX_ABBREVIATED_PAIR = 60;

/** The label and the value after it (empty when the value follows in other elements), or null. */
function abbreviatedPair(text: string): [string, string] | null {
  if (text.length > MAX_ABBREVIATED_PAIR || !mayHoldAbbreviation(text)) return null;
  const pair = ABBREVIATED_LABEL.exec(text);
  if (!pair?.[1] || (pair[2] && !/\d/.test(pair[2]))) return null;
  return [pair[1], pair[2] ?? ''];
}

/**
 * Dates led by the words that name them, without a colon: "Published on March 4, 2021",
 * "Veröffentlicht am 04.03.2021", "Publié le 4 mars 2021", "Publicado el 4 de marzo de 2021".
 */
const DATE_LEAD =
  /^((?:first\s+)?published(?:\s+on)?|posted\s+on|updated\s+on|veröffentlicht\s+am|erschienen\s+am|aktualisiert\s+am|publié\s+le|publiée\s+le|mis\s+en\s+ligne\s+le|mis\s+à\s+jour\s+le|publicado\s+el|publicada\s+el|actualizado\s+el|pubblicato\s+il|aggiornato\s+il|gepubliceerd\s+op|opublikowano|publicerad|publiceret|publisert|julkaistu)\s+(\d.*|\p{L}+\.?\s+\d.*)$/iu;

function dateLeadPair(text: string): [string, string] | null {
  const pair = DATE_LEAD.exec(text);
  return pair ? [pair[1]!, pair[2]!] : null;
}

/** "Published March 28th 2006 by Vintage": a publication date line that credits its publisher. */
const DATE_BY_PUBLISHER = /^(.*\d.*?)\s+by\s+(\p{Lu}.*)$/u;

/** A pair found in one text; a publisher credited after a publication date is a pair of its own. */
function addPair(index: LabelIndex, [label, value]: [string, string]): void {
  const published = /^(?:first\s+)?published\b/i.test(label) ? DATE_BY_PUBLISHER.exec(value) : null;
  if (!published) return add(index, label, value, []);
  add(index, label, published[1]!, []);
  add(index, 'published by', published[2]!, []);
}

/**
 * `<p>by Cormac McCarthy (Author)</p>`, `<span>von Jane Doe</span>`: an element that holds a credit
 * word and a name of two capitalised words or more, and nothing else. One word after "by" is more
 * often a menu's facet ("By Category", "By Size") than a name. Loose text after a line break is
 * left alone: it is how related items' tiles credit their authors.
 */
const CREDIT_LINE = new RegExp(String.raw`^(${BYLINE_WORD_PATTERN})\s+(\S.*)$`, 'iu');
/** The same opening, tested on untrimmed text first: most texts fail it at their first letter. */
const CREDIT_START = new RegExp(String.raw`^\s*${BYLINE_WORD_PATTERN}\s`, 'i');
const CAPITALISED_NAME = /^\p{Lu}\S*\s+\p{Lu}/u;
const MAX_CREDIT_LINE = 100;

function creditPair(text: string): [string, string] | null {
  if (text.length > MAX_CREDIT_LINE) return null;
  const pair = CREDIT_LINE.exec(text);
  return pair && CAPITALISED_NAME.test(pair[2]!) ? [pair[1]!, pair[2]!.replace(OTHER_ROLE, '')] : null;
}

/**
 * Whether a text without a colon or number sign may still open with a label: a date line (which
 * holds a digit) or an abbreviated number word. Cheap tests first: most texts are neither.
 */
function opensColonlessPair(text: string): boolean {
  if (/\d/.test(text) && DATE_LEAD.test(text.trim())) return true;
  return text.length <= MAX_ABBREVIATED_PAIR && mayHoldAbbreviation(text) && abbreviatedPair(text.trim()) !== null;
}

/** White space and the zero-width characters normalizeText drops, as a character class's contents. */
const BLANK = String.raw`\s\u200b-\u200d\u2060\ufeff\u00ad`;

/** A credit word standing alone ("By", "Written by"), as a text not yet normalised. */
const CREDIT_WORD_ALONE = new RegExp(String.raw`^[${BLANK}]*${BYLINE_WORD_PATTERN.replace(/ /g, String.raw`\s+`)}[${BLANK}]*$`, 'i');

/** A colon, number sign, digit (of a date line) or abbreviation mark: the signs of a pair in its text. */
const PAIR_SIGN = /[:#\d.º°]/;

/**
 * Whether a text, as written, can open a label–value pair or be a label by its words alone: a colon
 * or number sign early on, a date line or abbreviated number word, or a lone credit word. Most
 * texts of a page are none of these, and are passed over without being normalised.
 */
function mayOpenPair(text: string): boolean {
  // What every pair but a lone credit word holds: one test passes over most texts.
  if (!PAIR_SIGN.test(text)) return CREDIT_WORD_ALONE.test(text);
  const colonAt = text.indexOf(':');
  if (colonAt >= 0 && colonAt <= 60) return true;
  const signAt = text.indexOf('#');
  if (signAt > 0 && signAt <= 40) return true;
  return opensColonlessPair(text);
}

/**
 * Reviews and comments credit their writers, and a sidebar's or menu's story list its authors, as
 * the page credits its own author: only a credit outside them is the page's.
 */
const isOwnCredit = (element: Element) => !inSecondaryContent(element) && !inBoilerplate(element);

/** Text-node labels: "Pages: 96" or a lone "By:" / "by" followed by the value's elements. */
function indexTextNode(index: LabelIndex, node: AnyNode & { data: string }): void {
  const prev = node.prev;
  if (prev && !isBoundary(prev) && !(isText(prev) && !/\S/.test(prev.data))) return;
  const data = asciiColons(node.data);
  if (!mayOpenPair(data)) return;
  const text = normalizeText(data);
  if (!text) return;
  const colon = /^([^:]{1,40}?)\s*:\s*(.*)$/.exec(text);
  if (colon) {
    const [, label = '', rest = ''] = colon;
    if (!looksLikeLabel(label) || /^\d/.test(label) || isClockTime(label, rest)) return;
    const run = inlineRunAfter(node, null);
    add(index, label, `${rest} ${run.text}`, rest ? [] : run.parts);
    return;
  }
  const coded = numberSignPair(text) ?? dateLeadPair(text);
  if (coded) {
    addPair(index, coded);
    return;
  }
  const abbreviated = abbreviatedPair(text);
  if (abbreviated) {
    const run = abbreviated[1] ? null : inlineRunAfter(node, null);
    add(index, abbreviated[0], abbreviated[1] || (run?.text ?? ''), run?.parts ?? []);
    return;
  }
  if (BYLINE_WORDS.has(text.toLowerCase()) && node.parent && isTag(node.parent) && isOwnCredit(node.parent)) {
    const run = inlineRunAfter(node, null);
    add(index, text, run.text, run.parts);
  }
}

/** Class names that mark the label half of a label–value pair. */
const LABEL_CLASS = /(^|[\s_-])(label|key|term|attr|attribute|spec-?name|property|field-?name)([\s_-]|$)/i;

/** The first cell of a two-cell row: `<tr><td>Publisher</td><td>…</td></tr>`. */
function isLabelCell(element: Element): boolean {
  if (element.name !== 'td') return false;
  const row = element.parent;
  if (!row || !isTag(row)) return false;
  const cells = row.children.filter((child) => isTag(child));
  return cells.length === 2 && cells[0] === element;
}

/** `<td><b>Publisher</b></td><td>…</td>`, `<th><span>Format</span></th>`: what wraps a label cell's whole content is its label. */
function fillsLabelCell(element: Element): boolean {
  // A link goes somewhere: a label names what follows it. Tag names first: most short texts sit in no cell.
  if (element.name === 'a') return false;
  let cell: AnyNode | null = element.parent;
  for (let depth = 0; cell && isTag(cell) && !CELL_TAGS.has(cell.name); depth++) cell = depth < 2 ? cell.parent : null;
  if (!cell || !isTag(cell) || !(LABEL_TAGS.has(cell.name) || isLabelCell(cell))) return false;
  for (let node: Element = element; node !== cell; node = node.parent as Element) {
    const parent = node.parent as Element;
    if (!parent.children.every((child) => child === node || (isText(child) && !child.data.trim()))) return false;
  }
  return true;
}
const CELL_TAGS = new Set(['td', 'th', 'dt', 'label']);

const VISIBLE_CHARACTER = new RegExp(`[^${BLANK}]`);

/** Text of an element without child elements (other than <br>), or null when it has some. */
function leafText(element: Element): string | null {
  const { children } = element;
  // Most elements hold one text or none: no string is built for them.
  if (children.length <= 1) {
    const only = children[0];
    if (!only) return '';
    if (isText(only)) return only.data;
  }
  let text = '';
  for (const child of children) {
    if (isText(child)) text += child.data;
    else if (isTag(child)) {
      if (child.name !== 'br') return null;
      text += ' ';
    }
  }
  return text;
}

function visit(index: LabelIndex, element: Element): void {
  if (SKIPPED.has(element.name)) return;
  const leaf = leafText(element);
  if (leaf !== null) {
    // An empty element (an image, an icon, a spacer) is neither label nor value.
    if (!VISIBLE_CHARACTER.test(leaf)) return;
    const raw = asciiColons(leaf);
    // "<strong>ISBN-13</strong>: 978…": the colon follows the element.
    const colonAfter = element.next !== null && isText(element.next) && /^\s*[:：]/.test(element.next.data);
    const labelByMarkup = LABEL_TAGS.has(element.name) || isLabelCell(element) || colonAfter;
    const labelClass = element.attribs.class !== undefined && LABEL_CLASS.test(element.attribs.class);
    // Asked last, where nothing else decides: most texts sit in no table cell.
    let fillsCell: boolean | undefined;
    if (!labelByMarkup && !labelClass && !mayOpenPair(raw) && !(raw.length <= MAX_CREDIT_LINE && CREDIT_START.test(raw))) {
      fillsCell = raw.length <= MAX_LABEL_LENGTH && fillsLabelCell(element);
      if (!fillsCell) return;
    }
    const text = normalizeText(raw);
    if (!text) return;
    const abbreviated = abbreviatedPair(text);
    const colonLabel = /^(.{1,40}?)\s*:$/.exec(text)?.[1] ?? (abbreviated && !abbreviated[1] ? abbreviated[0] : undefined);
    // A class says less than markup: one named "attribute" that holds a whole pair ("Brand: Acme") is the pair.
    const label =
      colonLabel ??
      (labelByMarkup ||
      (labelClass && !inlinePair(text)) ||
      BYLINE_WORDS.has(text.toLowerCase()) ||
      (fillsCell ?? (raw.length <= MAX_LABEL_LENGTH && fillsLabelCell(element)))
        ? text
        : undefined);
    if (label !== undefined && looksLikeLabel(label)) {
      const value = valueForLabelElement(element);
      if (value) add(index, label, value.text, value.parts);
      return;
    }
    const pairs = text.split(PAIR_SEPARATOR).map(inlinePair);
    if (pairs.every((pair) => pair !== null)) {
      for (const pair of pairs) addPair(index, pair);
      return;
    }
    const facts = factsLinePairs(text);
    if (facts) {
      for (const pair of facts) addPair(index, pair);
      return;
    }
    const coded = numberSignPair(text) ?? dateLeadPair(text) ?? abbreviated;
    if (coded) addPair(index, coded);
    else {
      const credit = creditPair(text);
      if (credit && isOwnCredit(element)) addPair(index, credit);
    }
    return;
  }
  let credits: Map<string, string[]> | undefined;
  for (const child of element.children) {
    if (isTag(child)) visit(index, child);
    else if (isText(child)) {
      const credit = roleCredit(child);
      if (!credit) indexTextNode(index, child);
      else if (credits?.has(credit.role)) credits.get(credit.role)!.push(credit.name);
      else (credits ??= new Map()).set(credit.role, [credit.name]);
    }
  }
  // One entry per role, its names as parts: "A (Author), B (Author)" are the authors.
  if (credits) for (const [role, names] of credits) add(index, role, names.join(', '), names);
}

/** Roles written after a contributor's name, as bookshops credit them. */
const CREDIT_ROLE =
  /^\s*\(\s*(authors?|autor(?:in)?|auteure?|autore|editor|editors|illustrator|translator|narrator|read by|foreword|introduction|contributor|photographer|herausgeber|übersetzer|traducteur|traductor)\s*\)/i;
const MAX_CREDITED_NAME = 80;

/** "<a>Cormac McCarthy</a> (Author)": the role after a name is that name's label. */
function roleCredit(node: AnyNode & { data: string }): { role: string; name: string } | null {
  // The element before is tested first: most text nodes follow a block or nothing.
  const prev = node.prev;
  if (!prev || !isTag(prev) || BLOCK_TAGS.has(prev.name) || SKIPPED.has(prev.name)) return null;
  const role = CREDIT_ROLE.exec(node.data)?.[1];
  if (!role) return null;
  const name = textOf(prev);
  return name && name.length <= MAX_CREDITED_NAME ? { role, name } : null;
}

/**
 * The label a value's table cell or definition sits under: its row's header cell
 * (`<tr><th>Founded</th><td>…</td></tr>`, or a label cell) or the <dt> before its <dd>. Null
 * outside label–value structures. A value there belongs to that label, whatever its class says.
 */
export function cellLabel(element: Element): string | null {
  for (let node: AnyNode | null = element; node && isTag(node); node = node.parent) {
    if (node.name === 'td' || node.name === 'dd') {
      const labelTag = node.name === 'td' ? 'th' : 'dt';
      for (let prev = node.prev; prev; prev = prev.prev) {
        if (!isTag(prev)) continue;
        if (prev.name === labelTag || isLabelCell(prev)) {
          const text = normalizeText(textOf(prev)).replace(/\s*:$/, '');
          return looksLikeLabel(text) ? text : null;
        }
        // A <dd> follows its <dt> across sibling <dd>s; a cell has only the row's header before it.
        if (prev.name !== node.name) return null;
      }
      return null;
    }
    if (node.name === 'tr' || node.name === 'table' || node.name === 'dl' || node.name === 'body') return null;
  }
  return null;
}

export function buildLabelIndex(document: Document): LabelIndex {
  const index: LabelIndex = new Map();
  for (const child of document.children) if (isTag(child)) visit(index, child);
  return index;
}
