import type { FieldType, Source, Transform } from '../blueprint/schema.js';
import {
  allElements,
  decodeEntities,
  inStruckPrice,
  isTag,
  isText,
  normalizeText,
  ownTextOf,
  textOf,
  type Element,
} from '../extract/dom.js';
import { BYLINE_WORD_PATTERN, cellLabel, normalizeLabel } from '../extract/labels.js';
import { inBoilerplate, inSecondaryContent } from '../extract/places.js';
import type { JsonObject } from '../extract/structured.js';
import { flagAvailability, parseAvailability } from '../values/availability.js';
import { parseDate } from '../values/date.js';
import { decimalMarkOf, parseMoney, type DecimalMark } from '../values/money.js';
import { compileQuery, compileSource, selectElements, type PageContext } from '../extract/runtime.js';
import { validity } from '../testing/validators.js';
import { ownDescriptors, selectorsFor, stableClasses } from './css.js';
import { camelWords, labelMatch, pathMatch, profileField, tokenMatch, type FieldProfile, type ValueKind } from './knowledge.js';
import { agreedHeadings, agreedNameText, ARTICLE_HEADLINE_META, declaresArticle, SITE_NAME_SUFFIX } from './title-evidence.js';
import { comparable, escapeRegExp, sameMeaning, sameValue, segmentRegex } from './values.js';

export interface FieldSpec {
  name: string;
  description?: string;
  type?: FieldType;
  multiple?: boolean;
  required?: boolean;
}

/** Known values of some fields on one sample page (`siteprint blueprint --examples`). */
export interface ExamplePage {
  file?: string;
  url?: string;
  values: Record<string, string | string[]>;
}

export type CandidateOrigin =
  'jsonld' | 'embedded' | 'meta' | 'microdata' | 'label' | 'template' | 'heading' | 'pattern' | 'example' | 'llm';

export interface Candidate {
  source: Source;
  origin: CandidateOrigin;
  /** How likely this kind of evidence names the field, 0–1, before testing on the pages. */
  prior: number;
}

export interface FieldCandidates {
  spec: FieldSpec;
  profile: FieldProfile;
  type: FieldType;
  multiple: boolean;
  candidates: Candidate[];
  /** Example values by sample page index. */
  examples: Map<number, string[]>;
  /** How the site marks decimals, where its example values tell (money fields only). */
  decimalMark?: DecimalMark;
}

export interface GenerateOptions {
  examples?: ExamplePage[];
  /** schema.org type of the pages' main entity, to read JSON-LD from the right object. */
  dataType?: string;
}

const READ_BY_TAG: Record<string, string> = {
  meta: 'attr:content',
  img: 'attr:src',
  a: 'attr:href',
  link: 'attr:href',
  time: 'attr:datetime',
};

export class CandidateSet {
  readonly list: Candidate[] = [];
  readonly #seen = new Map<string, Candidate>();

  add(source: Source, origin: CandidateOrigin, prior: number): void {
    const key = JSON.stringify(source);
    const known = this.#seen.get(key);
    if (known) {
      if (prior > known.prior) {
        known.prior = prior;
        known.origin = origin;
      }
      return;
    }
    const candidate = { source, origin, prior };
    this.#seen.set(key, candidate);
    this.list.push(candidate);
  }
}

function flattenJsonLd(object: JsonObject, prefix: string, out: Map<string, string>, depth: number): void {
  for (const [key, value] of Object.entries(object)) {
    if (key.startsWith('@') && key !== '@id') continue;
    const path = prefix ? `${prefix}.${key}` : key;
    const first = Array.isArray(value) ? value[0] : value;
    if (first && typeof first === 'object') {
      if (depth < 3) flattenJsonLd(first as JsonObject, path, out, depth + 1);
    } else if (first !== undefined && first !== null && !out.has(path)) {
      out.set(path, String(first));
    }
  }
}

export const newCandidateSet = () => new CandidateSet();

/** Enough leaf paths of one embedded state to reach a product's fields, not every entry of a large store. */
const MAX_STATE_PATHS = 4000;
const MAX_STATE_CANDIDATES = 6;

/** Leaf paths of embedded state with their first value; arrays are read at their first element, as paths traverse them. */
function flattenState(value: unknown, prefix: string, out: Map<string, string>, depth: number): void {
  if (out.size >= MAX_STATE_PATHS || depth > 10 || value === null || value === undefined) return;
  if (Array.isArray(value)) {
    flattenState(value[0], prefix, out, depth + 1);
  } else if (typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      // A key with a dot cannot be written in a dotted path.
      if (!key || key.includes('.')) continue;
      flattenState(item, prefix ? `${prefix}.${key}` : key, out, depth + 1);
    }
  } else if (prefix && !out.has(prefix)) {
    out.set(prefix, String(value));
  }
}

/** Words of a state path that place a value on something other than the page's item (a related product, the cart, the user). */
const OTHER_CONTEXT =
  /\b(?:related|recommend\w*|similar|also|recently|viewed|cross|upsell|xsell|bundle|breadcrumbs?|seo|tracking|analytics|gtm|datalayer|events?|impressions?|ecommerce|user|customer|cart|basket|wishlist|seller|store|shop|config\w*|settings|categor(?:y|ies)|menu|nav\w*|footer|header|banner|ads?|experiment\w*|translations?|i18n|labels?|messages?)\b/;
/** Words that place a value on the item itself. */
const ITEM_CONTEXT = /\b(?:product|item|pdp|offer|offers|detail|details|variant|sku|article|book|listing|ad)\b/;

/**
 * Paths into the state a page embeds for its scripts (__NEXT_DATA__, window.__INITIAL_STATE__…)
 * whose last keys name the field, and which hold a plausible value; paths under the item
 * ("…product.price") before paths under other things ("…relatedProducts.price").
 */
function embeddedCandidates(
  set: CandidateSet,
  profile: FieldProfile,
  pages: PageContext[],
  examples: Map<number, string[]>,
  decimalMark?: DecimalMark,
): void {
  const found = new Map<string, { script: string | null; prior: number; length: number }>();
  for (const [index, page] of pages.slice(0, 3).entries()) {
    for (const state of page.embedded) {
      const paths = new Map<string, string>();
      flattenState(state.value, '', paths, 0);
      for (const [path, stated] of paths) {
        const keys = path.split('.');
        // A stock flag ("inStock": true) states an availability by its key.
        const flagged = profile.kind === 'availability' ? flagAvailability(keys.at(-1)!, stated) : null;
        const value = flagged ?? stated;
        // "price.current", "brand.name": a key that only holds its parent's value is its parent.
        const held = keys.length > 1 && VALUE_HOLDER.test(keys.at(-1)!) ? 0.95 * pathMatch(profile, keys.at(-2)!) : 0;
        const match = Math.max(
          pathMatch(profile, keys.at(-1)!),
          keys.length > 1 ? pathMatch(profile, keys.slice(-2).join('.')) : 0,
          held,
          flagged ? STOCK_FLAG_MATCH : 0,
        );
        const known = examples.get(index)?.some((example) => sameMeaning(profile.kind, example, value, decimalMark)) ?? false;
        if ((match < 0.25 && !known) || validity(profile.kind, value) < 0.5) continue;
        // The state's own name counts: "viewProductEvent" is an analytics event, not the product.
        const words = camelWords([state.name ?? '', ...keys.slice(0, -1)].join(' '));
        const context = OTHER_CONTEXT.test(words) ? 0.4 : ITEM_CONTEXT.test(words) ? 1 : 0.8;
        // Below JSON-LD, microdata and meta: state is written for the page's scripts, in their units
        // (prices in cents, net of tax), so it serves best where nothing else states the value.
        const prior = Math.max(known ? 0.95 : 0, 0.72 * match * context);
        const key = `${state.name ?? ''}\u0000${path}`;
        if ((found.get(key)?.prior ?? 0) < prior) found.set(key, { script: state.name, prior, length: keys.length });
      }
    }
  }
  const best = [...found.entries()].sort(([, a], [, b]) => b.prior - a.prior || a.length - b.length).slice(0, MAX_STATE_CANDIDATES);
  for (const [key, { script, prior }] of best) {
    set.add({ json: key.slice(key.indexOf('\u0000') + 1), ...(script ? { script } : {}) }, 'embedded', prior);
  }
}

/** How well a stock flag's key names availability: as well as a key named for it, since it can mean nothing else. */
const STOCK_FLAG_MATCH = 0.9;

/** Keys that hold their parent's value in a state object; an old or list price ("price.regular") is not one. */
const VALUE_HOLDER = /^(?:value|current|amount|final|now|sale|selling|actual|display|formatted|raw|text|name)$/i;

/** Kinds of fields that credit a page's author: the name, or the byline as the page states it. */
const CREDIT_KINDS = new Set<ValueKind>(['person', 'byline']);

/** Selects the name property inside an item-valued property: microdata's own statement of the item's name. */
export const ITEM_NAME = ' [itemprop~="name"]';

function structuredCandidates(set: CandidateSet, profile: FieldProfile, pages: PageContext[], dataType?: string): void {
  const paths = new Map<string, string>();
  for (const page of pages) {
    for (const object of page.jsonLd) flattenJsonLd(object, '', paths, 0);
  }
  for (const path of paths.keys()) {
    const match = pathMatch(profile, path);
    if (match >= 0.25) set.add({ jsonld: path, ...(dataType ? { type: dataType } : {}) }, 'jsonld', 0.92 * match);
  }
  // Ranked among the tags the pages have: the strongest one present gets the top prior.
  const present = profile.meta.filter((name) => pages.some((page) => page.meta.has(name.toLowerCase())));
  for (const [i, name] of present.entries()) set.add({ meta: name }, 'meta', 0.8 - i * 0.03);
  for (const page of pages.slice(0, 3)) {
    for (const [i, prop] of profile.itemprop.entries()) {
      for (const element of allElements(page.document)) {
        if (element.attribs.itemprop?.split(/\s+/).includes(prop) && isTopLevelProperty(element)) {
          const read = element.attribs.content !== undefined ? 'attr:content' : READ_BY_TAG[element.name];
          // A link's href is the value only for URL fields; otherwise its text is (author links). A
          // <link> has no text: its href is the value (schema.org/InStock).
          const useRead = read && (read !== 'attr:href' || profile.type === 'url' || element.name === 'link');
          for (const selector of selectorsFor(element, page.document, 3)) {
            // A single value is read from the first match: a selector that reaches another element first reads that one.
            if (!selector.first && !profile.multiple) continue;
            set.add({ css: selector.css, ...(useRead ? { read } : {}) }, 'microdata', 0.88 - i * 0.03);
          }
          // An author marked as an item (itemscope) is a Person whose name property names it; the
          // element's own text is the whole credit around it ("By", links, a role).
          if (CREDIT_KINDS.has(profile.kind) && element.attribs.itemscope !== undefined) {
            const css = `[itemprop~="${prop}"]${ITEM_NAME}`;
            const name = selectElements(compileQuery(css), page.document)[0];
            if (name && allElements(element).includes(name) && textOf(name)) {
              set.add({ css }, 'microdata', 0.89 - i * 0.03);
            }
          }
          break;
        }
      }
    }
  }
}

/**
 * A property of the page's main item, not of a nested one (the author's "name" is not the title).
 * The item's offers are its own: price and availability live in an Offer nested under it.
 */
function isTopLevelProperty(element: Element): boolean {
  for (let node = element.parent; node && isTag(node); node = node.parent) {
    if (node.attribs.itemscope === undefined) continue;
    if (node.attribs.itemprop === undefined) return true;
    if (!/\boffers\b/.test(node.attribs.itemprop)) return false;
  }
  return true;
}

function labelCandidates(set: CandidateSet, profile: FieldProfile, pages: PageContext[]): void {
  const seen = new Map<string, number>();
  for (const page of pages) {
    for (const key of page.labels.keys()) if (!seen.has(key)) seen.set(key, labelMatch(profile, key));
  }
  for (const [key, match] of seen) {
    if (match < 0.3) continue;
    set.add({ label: [key] }, 'label', 0.95 * match);
    // "9780310205715 (0310205719)": the identifier itself, wherever other text rides along.
    if (STRICT_KINDS.has(profile.kind)) set.add({ label: [key], regex: codePattern(profile).source }, 'label', 0.9 * match);
    // Names often carry an annotation in parentheses ("Penguin (2010)", "Jane Doe (Author)").
    const annotated = pages.some((page) => page.labels.get(key)?.some((entry) => /\S\s*(?:\(.*\)|;.*)$/.test(entry.text)));
    if (annotated && (profile.kind === 'organization' || profile.kind === 'person')) {
      set.add({ label: [key], regex: ANNOTATION_STRIP }, 'label', 0.93 * match);
    }
  }
  if (profile.kind === 'date') {
    // A date given in parentheses after another value ("Publisher: Penguin (March 3, 2010)").
    for (const [key, match] of seen) {
      if (match >= 0.3) continue;
      const dated = pages.filter((page) => page.labels.get(key)?.some((entry) => annotatedDate(entry.text))).length;
      if (dated * 2 >= pages.length) set.add({ label: [key], regex: DATE_IN_PARENS.source }, 'label', 0.45);
    }
  }
}

/** A name without what follows it after "(" or ";" ("Zondervan; 1 edition (March 1, 2003)"). */
const ANNOTATION_STRIP = String.raw`^(.+?)(?:\s*[(;].*)?$`;
const DATE_IN_PARENS = /\(([^()]*\b\d{4}\b[^()]*)\)/;

/**
 * A date annotating another value ("Penguin (March 3, 2010)"). When the text outside the
 * parentheses is a date itself ("February 28, 1998 (1998-02-28)"), the parentheses restate the
 * label's own date, which names another event than the field (the label does not match it).
 */
function annotatedDate(text: string): boolean {
  if (!DATE_IN_PARENS.test(text) || !parseDate(DATE_IN_PARENS.exec(text)?.[1] ?? '')) return false;
  return (parseDate(text.replace(DATE_IN_PARENS, ' ')) ?? '').length < 7;
}

/** Leaf-ish descendants that carry text: the value inside a named container. */
function textLeaves(element: Element, limit: number): Element[] {
  const leaves: Element[] = [];
  const walk = (node: Element) => {
    for (const child of node.children) {
      if (!isTag(child) || leaves.length >= limit) continue;
      const hasOwnText = child.children.some((c) => isText(c) && c.data.trim());
      if (hasOwnText || child.name === 'a') leaves.push(child);
      else walk(child);
    }
  };
  walk(element);
  return leaves;
}

const LABEL_PREFIX = /^([^:]{1,30}):\s*\S/;

function readFor(profile: FieldProfile, element: Element): { read?: string } {
  if (profile.type === 'image' && element.name === 'img') return { read: 'attr:src' };
  if (profile.type === 'url' && element.name === 'a') return { read: 'attr:href' };
  return {};
}

/** How much less likely a place is to hold the page's own data: chrome and other items' content. */
const placePenalty = (element: Element) => (inBoilerplate(element) ? 0.6 : 1) * (inSecondaryContent(element) ? 0.5 : 1);

function addElementCandidates(
  set: CandidateSet,
  element: Element,
  page: PageContext,
  origin: CandidateOrigin,
  basePrior: number,
  profile: FieldProfile,
): void {
  const prior = basePrior * placePenalty(element);
  const text = textOf(element);
  const { read } = readFor(profile, element);
  // Only a prefix that names the field ("By: …", "Price: …") is a label; "Title: Subtitle" is data.
  const prefix = LABEL_PREFIX.exec(text)?.[1];
  const isLabel = prefix !== undefined && labelMatch(profile, normalizeLabel(prefix)) >= 0.5;
  const transforms: Transform[] | undefined = !read && isLabel ? ['stripLabel'] : undefined;
  const label = !read && !isLabel && LEADING_LABEL_KINDS.has(profile.kind) ? leadingLabel(profile, text) : null;
  for (const selector of selectorsFor(element, page.document, 4)) {
    if (!selector.first && !profile.multiple) continue;
    const penalty = selector.matches > 1 && !profile.multiple ? 0.85 : 1;
    set.add({ css: selector.css, ...(read ? { read } : {}), ...(transforms ? { transforms } : {}) }, origin, prior * penalty);
    if (label) set.add({ css: selector.css, regex: `^${escapeRegExp(label)}\\s*(.+)$` }, origin, prior * penalty * 1.02);
  }
}

/**
 * Kinds whose values a leading label only hides ("SKU LS-1042", "Brand Acme"). Credits are read
 * otherwise: a byline keeps its words as stated, and a person's name is cut from them with the
 * credits after it ("Written by A Edited by B").
 */
const LEADING_LABEL_KINDS = new Set<ValueKind>(['identifier', 'gtin', 'isbn', 'isbn10', 'isbn13', 'organization']);

/**
 * A label that opens the text without a colon ("SKU LS-1042", "Brand Acme"): the first one to three
 * words, when they are one of the field's own labels and a value follows. Null otherwise.
 */
function leadingLabel(profile: FieldProfile, text: string): string | null {
  const words = text.split(' ', 4);
  for (let count = Math.min(3, words.length - 1); count >= 1; count--) {
    const label = words.slice(0, count).join(' ');
    if (labelMatch(profile, normalizeLabel(label)) >= 0.9) return label;
  }
  return null;
}

function nameMatchOf(profile: FieldProfile, element: Element): number {
  const tokens = [...stableClasses(element), element.attribs.id ?? '', element.attribs.itemprop ?? ''].filter(Boolean);
  return Math.max(0, ...tokens.map((token) => tokenMatch(profile, token)));
}

/**
 * A date in a table row or definition whose label names another event ("Founded", "Born", "Last
 * updated") is that event's date, whatever its class says (microformats mark founding dates
 * "published"). Other kinds keep their class evidence: their labels vary more across languages.
 */
function labelledAsOther(profile: FieldProfile, element: Element): boolean {
  if (profile.kind !== 'date') return false;
  const label = cellLabel(element);
  return label !== null && labelMatch(profile, normalizeLabel(label)) < 0.3;
}

/** Elements whose class, id or itemprop words name the field, and the values inside them. */
function templateCandidates(set: CandidateSet, profile: FieldProfile, pages: PageContext[]): void {
  const nameMatch = (element: Element) => nameMatchOf(profile, element);
  for (const page of pages.slice(0, 3)) {
    let found = 0;
    for (const element of allElements(page.document)) {
      if (element.name === 'script' || element.name === 'style' || element.name === 'meta' || element.name === 'link') continue;
      const match = nameMatch(element);
      if (match < 0.8 || labelledAsOther(profile, element)) continue;
      const text = textOf(element);
      if (!text && profile.kind === 'organization') logoCandidates(set, element, page, 0.7 * match);
      if (!text || text.length > 400) continue;
      // The tightest named element wins: "#title" around "#productTitle" also holds other text.
      const nestedNamed = allElements(element).some((inner) => inner !== element && nameMatch(inner) >= 0.8);
      const headingBonus = profile.heading && element.name === 'h1' ? 1.05 : 1;
      addElementCandidates(set, element, page, 'template', 0.72 * match * (nestedNamed ? 0.85 : 1) * headingBonus, profile);
      const container = ownDescriptors(element)[0]?.replace(/^[a-z\d]+(?=\.)/, '');
      for (const leaf of textLeaves(element, 4)) {
        // Anchored on the named container first: ".author a" says more than the link's own class.
        if (container) {
          const anchored = `${container} ${leaf.name}`;
          const matched = selectElements(compileQuery(anchored), page.document);
          if (matched[0] === leaf || (profile.multiple && matched.includes(leaf))) {
            set.add({ css: anchored, ...readFor(profile, leaf) }, 'template', 0.71 * match * placePenalty(leaf));
          }
        }
        addElementCandidates(set, leaf, page, 'template', 0.62 * match, profile);
      }
      if (++found >= 12) break;
    }
    if (profile.heading) {
      const heading = allElements(page.document).find((element) => element.name === 'h1' && textOf(element));
      if (heading) {
        addElementCandidates(set, heading, page, 'heading', 0.66, profile);
        // A heading holding other facts in child elements ("Oak Table <small>SKU 1000</small>"):
        // its own words are the name, which the declared titles may agree with.
        const own = ownTextOf(heading);
        if (own && own !== textOf(heading)) {
          for (const selector of selectorsFor(heading, page.document, 2)) {
            if (selector.first) set.add({ css: selector.css, read: 'ownText' }, 'heading', 0.66);
          }
        }
      }
      // The heading the page's declared titles agree with, wherever it sits (an h2 under a logo h1).
      const agreed = agreedHeadings(page).slice(0, 2);
      for (const element of agreed) addElementCandidates(set, element, page, 'heading', 0.68, profile);
      const named = agreed.length ? null : agreedNameText(page);
      if (named) {
        addElementCandidates(set, named, page, 'heading', 0.6, profile);
        // An unnamed <b> among the labels' <b>s is told apart by what wraps it (".right font > b").
        const parent = named.parent;
        if (parent && isTag(parent) && parent.name !== 'body') {
          for (const selector of selectorsFor(parent, page.document, 2)) {
            if (selector.first) set.add({ css: `${selector.css} > ${named.name}` }, 'heading', 0.6 * placePenalty(named));
          }
        }
      }
    }
  }
  if (profile.heading) {
    // The document title is the last resort for a page's name; testing strips the site name that
    // every page repeats around it, and on a single page the separated last part is taken for it.
    set.add({ css: 'head > title' }, 'heading', 0.4);
    set.add({ css: 'head > title', regex: SITE_NAME_SUFFIX }, 'heading', 0.41);
  }
  if (CREDIT_KINDS.has(profile.kind)) relationCandidates(set, profile, pages);
  if (profile.kind === 'byline') creditLineCandidates(set, profile, pages);
}

/**
 * A brand or publisher shown as its logo ("<div class="manufacturer"><a><img alt="Acme">"): the
 * image's alt text names it, where the named element has no text of its own.
 */
function logoCandidates(set: CandidateSet, element: Element, page: PageContext, prior: number): void {
  const logo = [element, ...allElements(element)].find((inner) => inner.name === 'img' && inner.attribs.alt?.trim());
  if (!logo) return;
  for (const selector of selectorsFor(logo, page.document, 4)) {
    if (selector.first) set.add({ css: selector.css, read: 'attr:alt' }, 'template', prior * placePenalty(logo));
  }
}

/**
 * On pages that declare themselves articles, the headline the article declares (title-evidence.ts)
 * comes before any visible heading; on item pages the heading stays the name.
 */
function articleHeadlineCandidates(set: CandidateSet, profile: FieldProfile, pages: PageContext[], dataType?: string): void {
  if (profile.concept !== 'title' || pages.filter(declaresArticle).length * 2 <= pages.length) return;
  if (pages.some((page) => page.jsonLd.some((object) => typeof object.headline === 'string'))) {
    set.add({ jsonld: 'headline', ...(dataType ? { type: dataType } : {}) }, 'jsonld', 0.97);
  }
  for (const [i, name] of ARTICLE_HEADLINE_META.entries()) {
    if (pages.some((page) => page.meta.has(name))) set.add({ meta: name }, 'meta', 0.96 - i * 0.01);
  }
  // Without headline metadata, the document title is the article's declaration, less the site name.
  set.add({ css: 'head > title', regex: SITE_NAME_SUFFIX }, 'heading', 0.9);
}

const AUTHOR_LINK = 'a[rel~="author" i]';

/** rel="author" links (HTML's own byline markup) name the page's author. */
function relationCandidates(set: CandidateSet, profile: FieldProfile, pages: PageContext[]): void {
  const query = compileQuery(AUTHOR_LINK);
  for (const page of pages.slice(0, 3)) {
    const links = selectElements(query, page.document).filter((link) => textOf(link));
    if (links.length && links.every((link) => !inSecondaryContent(link))) set.add({ css: AUTHOR_LINK }, 'template', 0.8);
    for (const link of links.slice(0, 3)) addElementCandidates(set, link, page, 'template', 0.78, profile);
  }
}

const BYLINE_START = new RegExp(`^${BYLINE_WORD_PATTERN}\\s+(\\S)`, 'i');
const STARTS_WITH_BYLINE_WORD = new RegExp(`^\\s*${BYLINE_WORD_PATTERN}(?:\\s|$)`, 'i');
const MAX_CREDIT_LINE = 100;

/** The first text inside an element, found without collecting all of its text (most elements are ruled out by it). */
function leadingText(element: Element): string {
  for (const child of element.children) {
    if (isText(child) && child.data.trim()) return child.data;
    if (isTag(child)) {
      const inner = leadingText(child);
      if (inner) return inner;
    }
  }
  return '';
}

/** A credit line: a byline word, then a capitalised name ("By Jane Doe", "Par Jean Dupont"; not "by the way"). */
function isCreditLine(text: string): boolean {
  const first = BYLINE_START.exec(text)?.[1];
  return first !== undefined && /\p{Lu}/u.test(first);
}

/**
 * For bylines: the element whose text is a credit line, as the page states it, whatever its class
 * says ("<span>By <a>Jane Doe</a></span>"). The tightest such element is the line; one around it
 * holds more.
 */
function creditLineCandidates(set: CandidateSet, profile: FieldProfile, pages: PageContext[]): void {
  for (const page of pages.slice(0, 3)) {
    let found = 0;
    for (const element of allElements(page.document)) {
      if (element.name === 'script' || element.name === 'style' || element.name === 'head' || element.name === 'title') continue;
      if (!STARTS_WITH_BYLINE_WORD.test(leadingText(element))) continue;
      const text = textOf(element);
      if (text.length > MAX_CREDIT_LINE || !isCreditLine(text)) continue;
      if (allElements(element).some((inner) => isCreditLine(textOf(inner)))) continue;
      addElementCandidates(set, element, page, 'template', 0.9, profile);
      if (++found >= 5) break;
    }
  }
}

const MAX_STOCK_TEXT = 60;
const SKIPPED_FOR_TEXT = new Set(['script', 'style', 'head', 'title', 'option', 'noscript']);

/**
 * For availability: short texts that state it ("Sofort lieferbar", "Sold out") and the buttons a
 * shop shows only when it sells the item, whatever their class says. The tightest such element is
 * the statement; testing weighs them against structured data.
 */
function stockTextCandidates(set: CandidateSet, profile: FieldProfile, pages: PageContext[]): void {
  const states = (element: Element) => {
    const text = textOf(element);
    return text.length <= MAX_STOCK_TEXT && parseAvailability(text) !== null;
  };
  for (const page of pages.slice(0, 3)) {
    let found = 0;
    const statements = new Set<string>();
    for (const element of allElements(page.document)) {
      if (SKIPPED_FOR_TEXT.has(element.name) || !states(element)) continue;
      if (allElements(element).some((inner) => inner !== element && states(inner))) continue;
      addElementCandidates(set, element, page, 'pattern', 0.5, profile);
      statements.add(comparable(textOf(element)));
      if (++found >= 8) break;
    }
    // A statement under a label ("Lieferzeit: Sofort lieferbar" in a <dl>) is found again by its
    // label, where no selector tells its cell from the others.
    for (const [key, entries] of page.labels) {
      if (entries.some((entry) => statements.has(comparable(entry.text)))) set.add({ label: [key] }, 'pattern', 0.5);
    }
  }
}

const MAX_PRICE_TEXT = 30;
/** At most a currency's letters beside the amount ("$49.90", "1 299,00 Kč", "EUR 12"): a price, not a sentence holding one. */
const isPriceText = (text: string) =>
  text.length <= MAX_PRICE_TEXT && text.replace(/[\d\s.,'’]/g, '').length <= 4 && parseMoney(text)?.currency != null;

/**
 * For money fields: the first amounts shown after the page's heading, whatever their markup says
 * ("<h2>$49.90</h2>" where a shop names no price), for the shops whose only named prices are other
 * items'. Chrome, related items and struck prices are left out; testing checks that they vary.
 */
function priceTextCandidates(set: CandidateSet, profile: FieldProfile, pages: PageContext[]): void {
  for (const page of pages.slice(0, 3)) {
    const elements = allElements(page.document);
    const heading = elements.findIndex((element) => element.name === 'h1' && textOf(element));
    if (heading < 0) continue;
    let found = 0;
    for (const element of elements.slice(heading + 1)) {
      if (SKIPPED_FOR_TEXT.has(element.name) || !/\d/.test(ownTextOf(element)) || !isPriceText(textOf(element))) continue;
      if (inStruckPrice(element) || inBoilerplate(element) || inSecondaryContent(element)) continue;
      addElementCandidates(set, element, page, 'pattern', 0.45 - 0.05 * found, profile);
      if (++found >= 3) break;
    }
  }
}

const STRICT_KINDS = new Set(['isbn13', 'isbn10', 'isbn', 'gtin']);
const CODE_PATTERN = /\b(97[89][\d-]{10,14}|\d[\d-]{8,12}[\dX])\b/;
/** An ISBN-13 only: 978/979 and ten more digits, hyphens allowed. */
const ISBN13_PATTERN = /\b(97[89](?:-?\d){10})\b/;
const codePattern = (profile: FieldProfile) => (profile.kind === 'isbn13' ? ISBN13_PATTERN : CODE_PATTERN);

/** For identifier fields: elements whose text holds a value with a valid check digit. */
function patternCandidates(set: CandidateSet, profile: FieldProfile, pages: PageContext[]): void {
  if (profile.kind === 'date') {
    dateCandidates(set, profile, pages);
    return;
  }
  if (profile.kind === 'identifier') urlIdentifierCandidates(set, pages);
  if (!STRICT_KINDS.has(profile.kind)) return;
  for (const page of pages.slice(0, 2)) {
    let found = 0;
    for (const element of allElements(page.document)) {
      if (element.name === 'script' || element.name === 'style' || element.name === 'head') continue;
      const own = element.children
        .filter(isText)
        .map((t) => t.data)
        .join(' ');
      const code = codePattern(profile).exec(own)?.[1];
      // "23-09-2020" passes a GTIN-8 check digit by chance; a date written with hyphens is a date.
      if (!code || validity(profile.kind, code) < 1 || (code.includes('-') && parseDate(code) !== null)) continue;
      for (const selector of selectorsFor(element, page.document, 3)) {
        if (selector.first)
          set.add({ css: selector.css, read: 'ownText', regex: codePattern(profile).source, transforms: ['digits'] }, 'pattern', 0.5);
      }
      if (++found >= 5) break;
    }
  }
  labelledCodeCandidates(set, profile, pages);
}

/**
 * A code with a valid check digit beside a label the field's words do not name ("UPC", "Barcode",
 * "Product code"): the label reads it where no selector tells its cell from the others.
 */
function labelledCodeCandidates(set: CandidateSet, profile: FieldProfile, pages: PageContext[]): void {
  const pattern = codePattern(profile);
  const holding = new Map<string, number>();
  for (const page of pages) {
    for (const [key, entries] of page.labels) {
      const valid = entries.some((entry) => {
        const code = pattern.exec(entry.text)?.[1];
        return code !== undefined && validity(profile.kind, code) >= 1 && !(code.includes('-') && parseDate(code) !== null);
      });
      if (valid) holding.set(key, (holding.get(key) ?? 0) + 1);
    }
  }
  for (const [key, count] of holding) if (count * 2 >= pages.length) set.add({ label: [key], regex: pattern.source }, 'pattern', 0.5);
}

/** A long number closing the last path segment of a URL ("/itm/blue-lamp/302474151804", "…-blk-112949990.html"). */
const URL_ID = String.raw`^[^?#]*[/_-](\d{6,})(?:\.[a-z]{2,5})?/?(?:[?#].*)?$`;
/** An item number the URL's query names as one ("/store/122725?pid=260591", "?productId=…"). */
const URL_QUERY_ID = String.raw`[?&](?:pid|id|sku|item|itemId|item_id|product|productId|product_id|prod)=(\d{4,})(?:[&#]|$)`;
const URL_SOURCES: Source[] = [{ css: 'link[rel="canonical"]', read: 'attr:href' }, { meta: 'og:url' }];

/**
 * For item codes: shops often name a product page by its item number, so the canonical URL
 * carries it, at the end of its path or as a named query parameter. Weak evidence (the number
 * may be a page id), which testing weighs against labels and structured data; it answers where
 * those give only words or nothing.
 */
function urlIdentifierCandidates(set: CandidateSet, pages: PageContext[]): void {
  for (const source of URL_SOURCES) {
    for (const regex of [URL_ID, URL_QUERY_ID]) {
      const compiled = compileSource({ ...source, regex });
      const answering = pages.filter((page) => compiled.read(page, page.document, false).length > 0).length;
      if (answering * 2 > pages.length) set.add({ ...source, regex }, 'pattern', 0.45);
    }
  }
}

/**
 * For date fields without a label or name: short texts that hold a date. Weak evidence (footers
 * carry copyright years), so testing must confirm them: they vary across pages, and a
 * "Publisher / 2008 / Format" line is split into parts there.
 */
function dateCandidates(set: CandidateSet, profile: FieldProfile, pages: PageContext[]): void {
  for (const page of pages.slice(0, 2)) {
    let found = 0;
    let machineReadable = 0;
    for (const element of allElements(page.document)) {
      if (element.name === 'script' || element.name === 'style' || element.name === 'head' || element.name === 'title') continue;
      if (labelledAsOther(profile, element)) continue;
      // <time datetime> is the page's own machine-readable date; the first one of the content
      // (not of comments or paging links) is most often the item's.
      if (element.name === 'time' && element.attribs.datetime && parseDate(element.attribs.datetime) && machineReadable < 4) {
        const prior = (0.6 - 0.05 * machineReadable++) * placePenalty(element);
        for (const selector of selectorsFor(element, page.document, 2)) {
          if (selector.first) set.add({ css: selector.css, read: 'attr:datetime' }, 'pattern', prior);
        }
      }
      // An unnamed date text on a lone page: nothing tells the item's date from a reference's
      // "Retrieved 2016-05-01" or a teaser's date there (variation across pages does), so only
      // <time>, names, labels and structured data speak for a single page.
      if (pages.length < MIN_PAGES_FOR_UNNAMED_DATES) continue;
      const own = normalizeText(
        element.children
          .filter(isText)
          .map((t) => t.data)
          .join(' '),
      );
      if (!own || own.length > 80 || !parseDate(own) || inBoilerplate(element)) continue;
      // The date must be the text, or one part of a separated line that testing can split
      // ("Penguin / 2008 / Paperback"); a year in a sentence or a copyright line is neither.
      if (COPYRIGHT.test(own) || (validity('date', own) < 1 && !SEPARATED_PARTS.test(own))) continue;
      // A text that is a bare year ("1853", "© 2005") is as often a number in prose or a
      // copyright line as the item's date; only its variation across enough pages (checked by
      // testing) can tell, so with fewer pages it is not proposed. Labelled years are labels.
      if (pages.length < MIN_PAGES_FOR_BARE_YEARS && BARE_YEAR.test(own)) continue;
      for (const selector of selectorsFor(element, page.document, 2)) {
        if (selector.first) set.add({ css: selector.css }, 'pattern', 0.4 * (inSecondaryContent(element) ? 0.5 : 1));
      }
      if (++found >= 8) break;
    }
  }
}

const COPYRIGHT = /©|\(c\)|\bcopyright\b|all rights reserved/i;
const SEPARATED_PARTS = /\s[/|•·]\s/;
const BARE_YEAR = /^(?:©|\(c\)|copyright)?\s*\d{4}\W*$/i;
const MIN_PAGES_FOR_BARE_YEARS = 3;
const MIN_PAGES_FOR_UNNAMED_DATES = 2;

const SEPARATORS = [' / ', ' | ', ' • ', ' · ', ' - ', ', ', '; '];

/**
 * How to get an example value out of a longer text, generalised to other pages: the n-th part of
 * a separated list ("Publisher / 2008 / Paperback"), or the text after a constant prefix.
 */
function regexFor(text: string, value: string): string | null {
  for (const separator of SEPARATORS) {
    const parts = text.split(separator);
    const index = parts.findIndex((part) => sameValue(part, value));
    if (parts.length > 1 && index >= 0) return segmentRegex(separator, index);
  }
  const at = text.toLowerCase().indexOf(value.toLowerCase());
  if (at < 0 || at > 40) return null;
  const prefix = text.slice(0, at).trim();
  // What follows the value is cut at its first mark ("Penguin (2010)" → up to " ("), or at its
  // first word: cutting at a letter would stop inside the next value ("Jane Doe on Monday").
  const suffix = text.slice(at + value.length).trim();
  const word = /^[\p{L}\p{N}]+/u.exec(suffix)?.[0];
  const end = !suffix ? '\\s*$' : word ? `\\s+${escapeRegExp(word)}(?![\\p{L}\\p{N}])` : `\\s*${escapeRegExp(suffix[0]!)}`;
  if (!prefix && !suffix) return null;
  // A prefix ending in punctuation is cut at that mark, since the text before it is often data
  // too ("Penguin (March 3, 2010)"); a word prefix ("By") is template and kept literally.
  const last = prefix.slice(-1);
  const start = !prefix ? '^\\s*' : /\p{P}/u.test(last) ? `${escapeRegExp(last)}\\s*` : `^${escapeRegExp(prefix)}\\s*`;
  return `${start}(.+?)${end}`;
}

function exampleCandidates(set: CandidateSet, profile: FieldProfile, page: PageContext, values: string[], decimalMark?: DecimalMark): void {
  for (const value of values) {
    // A typed example names a value, not its formatting: the example price "1599" is the text "€ 1.599,00".
    const same = (text: string) => sameMeaning(profile.kind, text, value, decimalMark);
    const holds = (text: string) => text.toLowerCase().includes(value.toLowerCase()) || same(text);
    for (const [key, entries] of page.labels) {
      if (entries.some((entry) => same(entry.text) || entry.parts.some(same))) {
        set.add({ label: [key] }, 'example', 0.97);
        continue;
      }
      const within = entries.find((entry) => entry.text.toLowerCase().includes(value.toLowerCase()));
      const regex = within && regexFor(within.text, value);
      if (regex) set.add({ label: [key], regex }, 'example', 0.93);
    }
    for (const object of page.jsonLd) {
      const paths = new Map<string, string>();
      flattenJsonLd(object, '', paths, 0);
      for (const [path, found] of paths) if (same(found)) set.add({ jsonld: path }, 'example', 0.96);
    }
    for (const [name, contents] of page.meta) {
      if (contents.some(same)) set.add({ meta: name }, 'example', 0.9);
    }
    let found = 0;
    const elements = allElements(page.document);
    for (const element of elements) {
      if (found >= 6) break;
      if (element.name === 'script' || element.name === 'style' || element.name === 'head' || element.name === 'title') continue;
      for (const [attr, attrValue] of Object.entries(element.attribs)) {
        if (['content', 'title', 'alt', 'href', 'src', 'datetime', 'value'].includes(attr) && same(attrValue)) {
          for (const selector of selectorsFor(element, page.document, 3)) {
            if (selector.first || profile.multiple) set.add({ css: selector.css, read: `attr:${attr}` }, 'example', 0.93);
          }
          found++;
        }
      }
      const text = textOf(element);
      if (text.length > value.length + 80 || !holds(text)) continue;
      // The deepest element holding the value: no child element holds it too.
      if (element.children.some((child) => isTag(child) && holds(textOf(child)))) continue;
      found++;
      const exact = same(text);
      const regex = exact ? null : regexFor(text, value);
      if (!exact && !regex) continue;
      // Where the value occurs twice (heading and breadcrumb), the place named like the field wins.
      const named = Math.max(
        nameMatchOf(profile, element),
        element.parent && isTag(element.parent) ? nameMatchOf(profile, element.parent) : 0,
      );
      const bonus = 1 + 0.04 * named + (profile.heading && element.name === 'h1' ? 0.03 : 0);
      for (const selector of selectorsFor(element, page.document, 4)) {
        if (!selector.first && !profile.multiple) continue;
        set.add({ css: selector.css, ...(regex ? { regex } : {}) }, 'example', (exact ? 0.98 : 0.9) * bonus);
      }
    }
  }
}

/** A field's example values by the index of the page they were given for. */
export function examplesByPage(
  pages: PageContext[],
  files: (string | undefined)[],
  examples: ExamplePage[],
  field: string,
): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const example of examples) {
    const raw = example.values[field];
    if (raw === undefined) continue;
    // Values copied from page source may still hold entities ("&nbsp;Title", "Tom &amp; Jerry").
    const values = (Array.isArray(raw) ? raw : [raw]).map((value) => decodeEntities(String(value))).filter(Boolean);
    const index = pages.findIndex((page, i) => (example.file && files[i] === example.file) || (example.url && page.url === example.url));
    if (index >= 0 && values.length) out.set(index, values);
  }
  return out;
}

/** The decimal mark the example prices reveal on their pages ("$24.990" given as 24.99), if any. */
function exampleDecimalMark(pages: PageContext[], examples: Map<number, string[]>): DecimalMark | undefined {
  for (const [index, values] of examples) {
    const page = pages[index];
    if (!page) continue;
    const texts = allElements(page.document)
      .map(ownTextOf)
      .filter((text) => /\d/.test(text));
    for (const value of values) {
      const mark = decimalMarkOf(value, texts);
      if (mark) return mark;
    }
  }
  return undefined;
}

/**
 * Ranked-to-be candidate sources per field from structured data, label–value pairs, named
 * template elements, identifier patterns and example values. Testing decides which hold.
 */
export function generateSelectors(
  pages: PageContext[],
  files: (string | undefined)[],
  fields: FieldSpec[],
  options: GenerateOptions = {},
): FieldCandidates[] {
  return fields.map((spec) => {
    const profile = profileField(spec.name, spec.description);
    const type = spec.type ?? profile.type;
    const set = new CandidateSet();
    const examples = examplesByPage(pages, files, options.examples ?? [], spec.name);
    const decimalMark = profile.kind === 'money' ? exampleDecimalMark(pages, examples) : undefined;
    for (const [index, values] of examples) {
      const page = pages[index];
      if (page) exampleCandidates(set, profile, page, values, decimalMark);
    }
    structuredCandidates(set, profile, pages, options.dataType);
    embeddedCandidates(set, profile, pages, examples, decimalMark);
    labelCandidates(set, profile, pages);
    templateCandidates(set, profile, pages);
    articleHeadlineCandidates(set, profile, pages, options.dataType);
    patternCandidates(set, profile, pages);
    if (profile.kind === 'availability') stockTextCandidates(set, profile, pages);
    if (profile.kind === 'money') priceTextCandidates(set, profile, pages);
    return {
      spec,
      profile,
      type,
      multiple: spec.multiple ?? profile.multiple,
      candidates: set.list,
      examples,
      ...(decimalMark ? { decimalMark } : {}),
    };
  });
}
