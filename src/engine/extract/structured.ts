import { decodeEntities, elementsByTag, type Document } from './dom.js';

export type JsonObject = Record<string, unknown>;

function typesOf(object: JsonObject): string[] {
  const type = object['@type'];
  const list = Array.isArray(type) ? type : [type];
  return list.filter((t): t is string => typeof t === 'string').map((t) => t.replace(/^.*[/#]/, ''));
}

function collectObjects(value: unknown, out: JsonObject[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collectObjects(item, out);
  } else if (value && typeof value === 'object') {
    const object = value as JsonObject;
    out.push(object);
    if (object['@graph']) collectObjects(object['@graph'], out);
  }
}

/** Top-level JSON-LD objects of a page (arrays and @graph flattened); malformed blocks are skipped. */
export function jsonLdObjects(document: Document): JsonObject[] {
  const objects: JsonObject[] = [];
  for (const script of elementsByTag(document, 'script')) {
    if (!/ld\+json/i.test(script.attribs.type ?? '')) continue;
    const raw = script.children.map((child) => ('data' in child ? child.data : '')).join('');
    // Wrappers that hide the JSON from old parsers: <!-- -->, //<![CDATA[ //]]> and bare <![CDATA[ ]]>.
    const cleaned = raw.replace(/^\s*(?:<!--|(?:\/\/\s*)?<!\[CDATA\[)/, '').replace(/(?:-->|(?:\/\/\s*)?\]\]>)\s*$/, '');
    try {
      collectObjects(JSON.parse(cleaned), objects);
    } catch {
      // Pages ship broken JSON-LD; the other sources still apply.
    }
  }
  return objects;
}

function scalarStrings(value: unknown, out: string[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) scalarStrings(item, out);
  } else if (typeof value === 'object') {
    // A node where a scalar was asked for: its name, value or @id is what people mean.
    const object = value as JsonObject;
    for (const key of ['name', '@value', 'value', 'url', '@id']) {
      if (object[key] !== undefined && typeof object[key] !== 'object') {
        scalarStrings(object[key], out);
        return;
      }
    }
  } else {
    const text = decodeEntities(String(value));
    if (text) out.push(text);
  }
}

/** Values at a dotted path; arrays are traversed at every step ("author.name" over several authors). */
export function valuesAtPath(object: JsonObject, path: string): string[] {
  let current: unknown[] = [object];
  for (const key of path.split('.')) {
    const next: unknown[] = [];
    for (const value of current) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item && typeof item === 'object' && key in (item as JsonObject)) next.push((item as JsonObject)[key]);
      }
    }
    current = next;
  }
  const out: string[] = [];
  for (const value of current) scalarStrings(value, out);
  return out;
}

/** Evaluates a JSON-LD path on objects of the given @type first, then on any object. */
export function jsonLdValues(objects: JsonObject[], path: string, type?: string): string[] {
  const ordered = type ? objects.filter((object) => typesOf(object).includes(type)) : objects;
  for (const object of ordered) {
    const values = valuesAtPath(object, path);
    if (values.length) return values;
  }
  return [];
}

export { typesOf as jsonLdTypes };

/** <meta> content by lower-cased name, property, itemprop and http-equiv, in document order. */
export function metaTags(document: Document): Map<string, string[]> {
  const metas = new Map<string, string[]>();
  for (const meta of elementsByTag(document, 'meta')) {
    const content = meta.attribs.content;
    if (content === undefined) continue;
    for (const attr of ['name', 'property', 'itemprop', 'http-equiv']) {
      const value = meta.attribs[attr]?.toLowerCase().trim();
      if (!value) continue;
      // RDFa lets one tag state several properties: property="dc:title og:title".
      for (const key of attr === 'property' ? value.split(/\s+/) : [value]) {
        const list = metas.get(key) ?? [];
        list.push(decodeEntities(content));
        metas.set(key, list);
      }
    }
  }
  return metas;
}

/**
 * schema.org types that wrap or decorate a page's main entity (the site, breadcrumbs, offers,
 * ratings, lists) rather than being it: never the answer to "what does this page describe".
 */
export const CONTAINER_TYPES: ReadonlySet<string> = new Set([
  'WebSite',
  'WebPage',
  'Organization',
  'BreadcrumbList',
  'SearchAction',
  'ListItem',
  'ImageObject',
  'Person',
  'SiteNavigationElement',
  'Offer',
  'AggregateOffer',
  'AggregateRating',
  'Rating',
  'Review',
  'PostalAddress',
  'Place',
  'Brand',
  'ContactPoint',
  'EntryPoint',
  'PropertyValue',
  'QuantitativeValue',
  'MonetaryAmount',
  'ItemList',
  'CollectionPage',
  'ItemPage',
  'SearchResultsPage',
]);
