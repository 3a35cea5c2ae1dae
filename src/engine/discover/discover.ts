import type { FieldType } from '../blueprint/schema.js';
import { allElements, isTag, textOf, type Element } from '../extract/dom.js';
import { parseDate } from '../values/date.js';
import { parseMoney } from '../values/money.js';
import { PageContext } from '../extract/runtime.js';
import { CONTAINER_TYPES, jsonLdTypes, type JsonObject } from '../extract/structured.js';
import { urlShape } from '../sample/url-shape.js';
import { boundedNestingHtml } from '../nesting.js';
import { ARTICLE_TYPES, namePageType, uniqueName, type PageKind } from './naming.js';

export type { PageKind } from './naming.js';

export interface ProposedField {
  name: string;
  type: FieldType;
  /** Values seen on member pages, for people to recognise the field. */
  examples: string[];
  /** Where the proposal comes from; 'llm' fields are names only until selector testing finds them. */
  from: 'structured-data' | 'label' | 'heading' | 'record' | 'llm';
  description?: string;
}

export type PageTypeDescription = Omit<DiscoveredPageType, 'name' | 'label'>;

export interface DiscoveredPageType {
  /** What a person would call the pages ("product", "category", "article"), unique in the site. */
  name: string;
  /** The name as shown to people ("Product page", "Category listing"). */
  label: string;
  /** One sentence about the pages, when an LLM described them. */
  description?: string;
  kind: PageKind;
  dataType?: string;
  urlPattern: string;
  urls: string[];
  fields: ProposedField[];
}

interface Profile {
  url: string;
  shape: string;
  page: PageContext;
  /** tag.class tokens of the page's elements: its template's fingerprint. */
  structure: Set<string>;
  dataType?: string;
  /** Largest group of sibling elements that each link somewhere: the records of a listing. */
  records: Element[];
  /** How many items of its data type the page describes: one on a detail page, many on a listing. */
  items: number;
  /** Add-to-cart controls: one or two on a product page, one per card on a listing. */
  purchaseControls: number;
}

const OPEN_GRAPH_TYPES: Record<string, string> = {
  article: 'Article',
  product: 'Product',
  book: 'Book',
  'video.movie': 'Movie',
  profile: 'Person',
};
const SIMILAR_TEMPLATE = 0.75;
/** Two URL shapes whose pages declare the same kind of single item need less structural evidence. */
const SIMILAR_ITEM_TEMPLATE = 0.5;
/** Bylines name their field by a preposition; the field is the author. */
const LABEL_NAMES: Record<string, string> = { by: 'author', written_by: 'author', author_s: 'author' };
const MIN_RECORDS = 4;

function structureOf(page: PageContext): Set<string> {
  const tokens = new Set<string>();
  for (const element of allElements(page.document)) {
    const classes = (element.attribs.class ?? '')
      .split(/\s+/)
      .filter((name) => name && !/\d{3,}/.test(name))
      .slice(0, 3);
    tokens.add(classes.length ? `${element.name}.${classes.join('.')}` : element.name);
  }
  return tokens;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const token of a) if (b.has(token)) shared++;
  return shared / (a.size + b.size - shared || 1);
}

/** The schema.org type a page describes: JSON-LD, then microdata, then OpenGraph. */
function dataTypeOf(page: PageContext): string | undefined {
  const fromJsonLd = page.jsonLd.flatMap(jsonLdTypes).find((type) => !CONTAINER_TYPES.has(type));
  if (fromJsonLd) return fromJsonLd;
  const itemtype = allElements(page.document)
    .map((element) => element.attribs.itemtype?.split('/').pop())
    .find((type) => type && !CONTAINER_TYPES.has(type));
  if (itemtype) return itemtype;
  const og = page.meta.get('og:type')?.[0]?.toLowerCase();
  return og ? OPEN_GRAPH_TYPES[og] : undefined;
}

/** The biggest run of same-tag siblings that each contain a link: product cards, search hits, posts. */
function recordsOf(page: PageContext): Element[] {
  let best: Element[] = [];
  for (const parent of allElements(page.document)) {
    const byTag = new Map<string, Element[]>();
    for (const child of parent.children) {
      if (!isTag(child)) continue;
      const key = `${child.name}.${child.attribs.class ?? ''}`;
      byTag.set(key, [...(byTag.get(key) ?? []), child]);
    }
    for (const group of byTag.values()) {
      const linked = group.filter((child) => child.name === 'a' || allElements(child).some((node) => node.name === 'a'));
      if (linked.length > best.length && !['nav', 'header', 'footer'].includes(parent.name)) best = linked;
    }
  }
  return best.length >= MIN_RECORDS ? best : [];
}

/** Items of a schema.org type the page declares: JSON-LD objects and top-level microdata items. */
function itemsOf(page: PageContext, dataType: string | undefined): number {
  if (!dataType) return 0;
  const inJsonLd = page.jsonLd.filter((object) => jsonLdTypes(object).includes(dataType)).length;
  const inMicrodata = allElements(page.document).filter(
    (element) =>
      element.attribs.itemscope !== undefined &&
      element.attribs.itemprop === undefined &&
      element.attribs.itemtype?.split('/').pop() === dataType,
  ).length;
  return Math.max(inJsonLd, inMicrodata);
}

const PURCHASE_TEXT =
  /^(?:add to (?:cart|basket|bag|trolley)|buy(?: it)? now|in den warenkorb|ajouter au panier|añadir al carrito|aggiungi al carrello|in winkelwagen)$/i;
const PURCHASE_NAME = /add[-_]?to[-_]?(?:cart|basket|bag)|buy[-_]?now/i;

function purchaseControlsOf(page: PageContext): number {
  let count = 0;
  for (const element of allElements(page.document)) {
    if (element.name !== 'button' && element.name !== 'input' && element.name !== 'a') continue;
    const text = (element.name === 'input' ? (element.attribs.value ?? '') : textOf(element)).trim();
    const names = `${element.attribs.class ?? ''} ${element.attribs.id ?? ''} ${element.attribs.name ?? ''}`;
    if (PURCHASE_TEXT.test(text) || PURCHASE_NAME.test(names)) count++;
  }
  return count;
}

function profile(url: string, html: string): Profile {
  const page = new PageContext(url, html);
  const dataType = dataTypeOf(page);
  return {
    url,
    shape: urlShape(url),
    page,
    structure: structureOf(page),
    ...(dataType ? { dataType } : {}),
    records: recordsOf(page),
    items: itemsOf(page, dataType),
    purchaseControls: purchaseControlsOf(page),
  };
}

function snakeCase(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function typeOfValues(values: string[]): FieldType {
  if (values.length === 0) return 'text';
  if (values.every((value) => /^https?:\/\//.test(value))) return /\.(jpe?g|png|webp|gif|avif)(\?|$)/i.test(values[0]!) ? 'image' : 'url';
  if (values.every((value) => /[$€£¥]|\b(USD|EUR|GBP)\b/.test(value) && parseMoney(value) !== null)) return 'money';
  if (values.every((value) => /^-?[\d.,]+$/.test(value.trim()))) return 'number';
  if (values.every((value) => /\d{4}|\d{1,2}[./-]\d{1,2}/.test(value) && parseDate(value) !== null)) return 'date';
  return 'text';
}

/** Flattens the main JSON-LD object into field candidates: name, author.name → author, offers.price → price. */
function structuredFields(pages: Profile[], dataType: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  const add = (name: string, value: unknown) => {
    if (value === null || value === undefined || typeof value === 'object') return;
    const text = String(value).trim();
    if (!text || text.length > 300) return;
    fields.set(name, [...(fields.get(name) ?? []), text]);
  };
  for (const { page } of pages) {
    const main = page.jsonLd.find((object) => jsonLdTypes(object).includes(dataType));
    if (!main) continue;
    for (const [key, value] of Object.entries(main)) {
      if (key.startsWith('@')) continue;
      const values = Array.isArray(value) ? value : [value];
      for (const item of values) {
        if (item && typeof item === 'object') {
          const nested = item as JsonObject;
          add(snakeCase(key), nested.name ?? nested.price ?? nested.value ?? nested['@id']);
          if (nested.price !== undefined) add('price', nested.price);
          if (nested.priceCurrency !== undefined) add('currency', nested.priceCurrency);
        } else {
          add(snakeCase(key), item);
        }
      }
    }
  }
  return fields;
}

/** Label–value pairs ("Publisher: X") that most member pages share. */
function labelFields(pages: Profile[]): Map<string, string[]> {
  const counts = new Map<string, { label: string; values: string[] }>();
  for (const { page } of pages) {
    for (const [key, entries] of page.labels) {
      const entry = entries[0];
      if (!entry || !entry.text || entry.text.length > 200 || key.length > 40) continue;
      const known = counts.get(key) ?? { label: entry.label, values: [] };
      known.values.push(entry.text);
      counts.set(key, known);
    }
  }
  const fields = new Map<string, string[]>();
  for (const { label, values } of counts.values()) {
    const name = snakeCase(label);
    if (values.length >= Math.max(2, Math.ceil(pages.length * 0.6)) && new Set(values).size > 1)
      fields.set(LABEL_NAMES[name] ?? name, values);
  }
  return fields;
}

function fieldsOf(members: Profile[], kind: PageKind, dataType: string | undefined): ProposedField[] {
  const proposals = new Map<string, ProposedField>();
  const add = (name: string, values: string[], from: ProposedField['from']) => {
    if (!name || proposals.has(name)) return;
    proposals.set(name, { name, type: typeOfValues(values), examples: [...new Set(values)].slice(0, 3), from });
  };
  if (kind === 'listing') {
    // A listing's fields are those of its records: the linked title and the record's other texts.
    const titles = members.flatMap(({ records }) =>
      records.slice(0, 3).map((record) => textOf(allElements(record).find((node) => node.name === 'a') ?? record)),
    );
    add('title', titles, 'record');
    add(
      'url',
      members.flatMap(({ records, url }) =>
        records.slice(0, 3).flatMap((record) => {
          const href = (record.name === 'a' ? record : allElements(record).find((node) => node.name === 'a'))?.attribs.href;
          return href ? [new URL(href, url).href] : [];
        }),
      ),
      'record',
    );
    const prices = members
      .flatMap(({ records }) => records.slice(0, 3).map((record) => textOf(record).match(/[$€£]\s?\d[\d.,]*/)?.[0] ?? ''))
      .filter(Boolean);
    if (prices.length) add('price', prices, 'record');
    return [...proposals.values()];
  }
  if (dataType) for (const [name, values] of structuredFields(members, dataType)) add(name, values, 'structured-data');
  for (const [name, values] of labelFields(members)) add(name, values, 'label');
  const headings = members
    .map(({ page }) => {
      const h1 = allElements(page.document).find((node) => node.name === 'h1');
      return h1 ? textOf(h1) : '';
    })
    .filter(Boolean);
  if (headings.length >= Math.ceil(members.length / 2) && new Set(headings).size > 1 && !proposals.has('name'))
    add('title', headings, 'heading');
  const prices = members
    .map(({ page }) => textOf(page.document as unknown as Element).match(/[$€£]\s?\d[\d.,]*/)?.[0] ?? '')
    .filter(Boolean);
  if (prices.length >= Math.ceil(members.length * 0.6) && new Set(prices).size > 1) add('price', prices, 'heading');
  return [...proposals.values()];
}

const majority = (members: Profile[], test: (member: Profile) => boolean) => members.filter(test).length >= Math.ceil(members.length / 2);

function kindOf(members: Profile[], dataType: string | undefined, shape: string): PageKind {
  const path = shape;
  if (path === '/' || /^\/(index|home)$/.test(path)) return 'home';
  if (/search|find|query/i.test(path) || members.some((member) => /[?&](q|query|s|search)=/.test(member.url))) return 'search';
  if (dataType && ARTICLE_TYPES.has(dataType)) return 'article';
  // A page that declares one item (or offers one thing to buy) is that item's page, whatever
  // strips of related items, reviews or recently viewed products it also shows.
  const single = (member: Profile) =>
    member.items === 1 || (member.items === 0 && member.purchaseControls >= 1 && member.purchaseControls <= 2);
  if (majority(members, single)) return 'detail';
  if (majority(members, (member) => member.records.length >= MIN_RECORDS)) return 'listing';
  if (dataType) return 'detail';
  if (/:(id|slug)$/.test(shape) && members.length >= 2) return 'detail';
  return 'other';
}

function commonPattern(urls: string[], shapes: string[]): string {
  const unique = [...new Set(shapes)];
  if (unique.length === 1) return unique[0]!;
  // Same depth: keep segments all shapes agree on, make the others parameters.
  const split = unique.map((shape) => shape.split('/'));
  if (split.every((parts) => parts.length === split[0]!.length)) {
    return split[0]!.map((part, i) => (split.every((parts) => parts[i] === part) ? part : ':slug')).join('/') || '/';
  }
  return `/${new URL(urls[0]!).pathname.split('/').filter(Boolean)[0] ?? ''}/*`;
}

/**
 * Groups a site's sampled pages into page types: by URL shape first, then merging groups whose
 * templates look alike (e.g. /category/fiction and /category/history). Each type gets its
 * kind, its schema.org data type when the pages declare one, and proposed fields.
 */
export function discoverPageTypes(pages: Array<{ url: string; html: string }>): DiscoveredPageType[] {
  // Hostile pages nest deep enough to overflow recursive DOM walks; such nesting carries no data.
  const profiles = pages.map((page) => profile(page.url, boundedNestingHtml(page.html)));
  const groups: Profile[][] = [];
  for (const shape of new Set(profiles.map((item) => item.shape))) groups.push(profiles.filter((item) => item.shape === shape));
  // Merge shape groups of one template, never merging the home page or different data types.
  // Pages declaring the same single item type (product pages under /p/…, /brand/…/name-123 and
  // /gift/…) are one template at any URL depth when their structures are close enough.
  for (let i = 0; i < groups.length; i++) {
    for (let j = groups.length - 1; j > i; j--) {
      const [a, b] = [groups[i]![0]!, groups[j]![0]!];
      if (a.shape === '/' || b.shape === '/' || a.dataType !== b.dataType) continue;
      const sameDepth = a.shape.split('/').length === b.shape.split('/').length;
      const sameItem = a.dataType !== undefined && a.items <= 1 && b.items <= 1;
      if (!sameDepth && !sameItem) continue;
      const similarity = jaccard(a.structure, b.structure);
      if (similarity >= SIMILAR_TEMPLATE || (sameItem && similarity >= SIMILAR_ITEM_TEMPLATE)) groups[i]!.push(...groups.splice(j, 1)[0]!);
    }
  }
  const taken = new Set<string>();
  return mergeItemTemplates(groups)
    .map((members) => describeMembers(members))
    .sort((a, b) => b.urls.length - a.urls.length)
    .map((described) => {
      const { name, label } = namePageType(described.kind, described.dataType, described.urlPattern);
      // The largest group of a kind gets the plain name; another template of it a numbered one.
      return { name: uniqueName(name, taken), label, ...described };
    });
}

/** The closest pair of pages across two groups: one page of a group may be atypical (a sold-out item, a longer description). */
function closestStructure(a: Profile[], b: Profile[]): number {
  let best = 0;
  for (const x of a.slice(0, 5)) for (const y of b.slice(0, 5)) best = Math.max(best, jaccard(x.structure, y.structure));
  return best;
}

/**
 * Detail pages of one template that the first pass left apart ("product", "product_2",
 * "product_3"): some pages declare their schema.org type and some do not, or their URLs differ
 * in depth and the first pages compared were atypical. Once each group's kind is known, detail
 * groups whose declared types do not conflict and whose closest pages share the template are one
 * page type. Listings and articles are not merged here: their URL shapes already say more.
 */
function mergeItemTemplates(groups: Profile[][]): Profile[][] {
  const described = groups.map((members) => ({ members, description: describeMembers(members) }));
  for (let i = 0; i < described.length; i++) {
    for (let j = described.length - 1; j > i; j--) {
      const [a, b] = [described[i]!, described[j]!];
      if (a.description.kind !== 'detail' || b.description.kind !== 'detail') continue;
      const [x, y] = [a.description.dataType, b.description.dataType];
      if (x && y && x !== y) continue;
      if (closestStructure(a.members, b.members) < SIMILAR_ITEM_TEMPLATE) continue;
      a.members.push(...described.splice(j, 1)[0]!.members);
      a.description = describeMembers(a.members);
    }
  }
  return described.map(({ members }) => members);
}

function describeMembers(members: Profile[]): PageTypeDescription {
  const types = members.map((member) => member.dataType).filter((type): type is string => Boolean(type));
  const dataType = types.length * 2 >= members.length ? mostCommon(types) : undefined;
  const urls = members.map((member) => member.url);
  const urlPattern = commonPattern(
    urls,
    members.map((member) => member.shape),
  );
  const kind = kindOf(members, dataType, urlPattern);
  return { kind, ...(dataType ? { dataType } : {}), urlPattern, urls, fields: fieldsOf(members, kind, dataType) };
}

/**
 * Kind, data type, URL pattern and proposed fields of pages already known to be of one type,
 * such as the example pages a user gives when asking for a blueprint without naming fields.
 */
export function describePageType(pages: Array<{ url: string; html: string }>): PageTypeDescription {
  if (pages.length === 0) throw new Error('describePageType needs at least one page');
  return describeMembers(pages.map((page) => profile(page.url, boundedNestingHtml(page.html))));
}

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}
