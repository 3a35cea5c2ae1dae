import { compile as compileCss, selectAll, selectOne } from 'css-select';
import type { Blueprint, Field, FieldType, PageType, Source, Transform } from '../blueprint/schema.js';
import { compileUrlPattern, matchesUrlPattern } from '../blueprint/url-pattern.js';
import { coerce, type TypedValue } from './coerce.js';
import { combineAvailability, flagAvailability, isStockFlag, type Availability } from '../values/availability.js';
import {
  attrOf,
  currentPriceText,
  inStruckPrice,
  innerHtmlOf,
  normalizeText,
  ownTextOf,
  parseHtml,
  textOf,
  type AnyNode,
  type Document,
  type Element,
} from './dom.js';
import { buildLabelIndex, normalizeLabel, type LabelIndex } from './labels.js';
import { embeddedStates, embeddedValues, type EmbeddedState } from './embedded-json.js';
import { jsonLdObjects, jsonLdValues, metaTags, type JsonObject } from './structured.js';

/** A parsed page with lazily built indexes, shared by every source evaluated on it. */
export class PageContext {
  readonly document: Document;
  #jsonLd?: JsonObject[];
  #embedded?: EmbeddedState[];
  #embeddedByName?: Map<string, EmbeddedState[]>;
  #meta?: Map<string, string[]>;
  #labels?: LabelIndex;
  #title?: string;

  constructor(
    readonly url: string,
    html: string,
  ) {
    this.document = parseHtml(html);
  }

  get jsonLd(): JsonObject[] {
    return (this.#jsonLd ??= jsonLdObjects(this.document));
  }

  /** State the page embeds for its scripts (__NEXT_DATA__, window.__INITIAL_STATE__…), parsed on first use. */
  get embedded(): EmbeddedState[] {
    return (this.#embedded ??= embeddedStates(this.document));
  }

  /** The embedded states a script name names (every state when none is named); only the scripts that can hold them are parsed. */
  embeddedNamed(name: string | undefined): EmbeddedState[] {
    if (name === undefined) return this.embedded;
    if (this.#embedded) return this.#embedded.filter((state) => state.name === name);
    const named = (this.#embeddedByName ??= new Map());
    let states = named.get(name);
    if (!states) named.set(name, (states = embeddedStates(this.document, name)));
    return states;
  }

  get meta(): Map<string, string[]> {
    return (this.#meta ??= metaTags(this.document));
  }

  get labels(): LabelIndex {
    return (this.#labels ??= buildLabelIndex(this.document));
  }

  /** The document <title> text ('' when absent). */
  get title(): string {
    if (this.#title === undefined) {
      const element = selectFirst(compileQuery('head > title, title'), this.document);
      this.#title = element ? textOf(element) : '';
    }
    return this.#title;
  }
}

type CompiledQuery = ReturnType<typeof compileCss<AnyNode, Element>>;

// compile() only ever matches tags, so narrowing its results to Element is sound.
export const selectElements = (query: CompiledQuery, scope: AnyNode): Element[] => selectAll<AnyNode, AnyNode>(query, scope) as Element[];
const selectFirst = (query: CompiledQuery, scope: AnyNode): Element | null => selectOne<AnyNode, AnyNode>(query, scope) as Element | null;

// Generation and testing compile the same few hundred selectors over and over.
const compiledQueries = new Map<string, CompiledQuery>();
const MAX_CACHED_QUERIES = 5000;

export function compileQuery(selector: string): CompiledQuery {
  const cached = compiledQueries.get(selector);
  if (cached) return cached;
  let query: CompiledQuery;
  try {
    query = compileCss<AnyNode, Element>(selector);
  } catch (error) {
    throw new Error(`invalid CSS selector ${JSON.stringify(selector)}: ${(error as Error).message}`);
  }
  if (compiledQueries.size >= MAX_CACHED_QUERIES) compiledQueries.clear();
  compiledQueries.set(selector, query);
  return query;
}

function compileRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'iu');
  } catch (error) {
    throw new Error(`invalid regex ${JSON.stringify(pattern)}: ${(error as Error).message}`);
  }
}

function applyTransform(value: string, transform: Transform): string {
  switch (transform) {
    case 'lowercase':
      return value.toLowerCase();
    case 'uppercase':
      return value.toUpperCase();
    case 'digits':
      return value.replace(/[^\dXx]/g, '').toUpperCase();
    case 'stripLabel':
      return value.replace(/^[^:]{1,40}:\s*/, '');
  }
}

/** A source compiled once per blueprint: raw reader plus post-processing. */
export interface CompiledSource {
  source: Source;
  read(page: PageContext, scope: Element | Document, multiple: boolean): string[];
}

function readElement(element: Element, read: string, money: boolean): string | undefined {
  if (read === 'text') return money ? currentPriceText(element) : textOf(element);
  if (read === 'ownText') return ownTextOf(element);
  if (read === 'html') return innerHtmlOf(element);
  const value = attrOf(element, read.slice('attr:'.length));
  return value === undefined ? undefined : normalizeText(value);
}

/**
 * A source compiled for reading. For a money field, CSS matches skip struck-through prices (the
 * old price of a "was/now" pair, in <del> or named old-price) when another match is not struck,
 * and an element's text leaves out its struck parts.
 */
export function compileSource(source: Source, dataType?: string, fieldType?: FieldType): CompiledSource {
  const regex = source.regex ? compileRegex(source.regex) : null;
  const split = source.split ? compileRegex(source.split) : null;
  const post = (values: string[], multiple: boolean): string[] => {
    let out = values;
    if (multiple && split) out = out.flatMap((value) => value.split(split));
    const result: string[] = [];
    for (let value of out) {
      if (regex) {
        const match = regex.exec(value);
        if (!match) continue;
        value = match[1] ?? match[0];
      }
      for (const transform of source.transforms ?? []) value = applyTransform(value, transform);
      value = value.trim();
      if (value) result.push(value);
    }
    return result;
  };
  let raw: (page: PageContext, scope: Element | Document, multiple: boolean) => string[];
  if ('css' in source) {
    const query = compileQuery(source.css);
    const read = source.read ?? 'text';
    const money = fieldType === 'money';
    const matches = (scope: Element | Document, multiple: boolean): Element[] => {
      if (!multiple) {
        const first = selectFirst(query, scope);
        // Most pages show one price: look further only when the first match is a struck one.
        if (!first || !money || !inStruckPrice(first)) return first ? [first] : [];
      } else if (!money) return selectElements(query, scope);
      const all = selectElements(query, scope);
      const current = all.filter((element) => !inStruckPrice(element));
      const chosen = current.length ? current : all;
      return multiple ? chosen : chosen.slice(0, 1);
    };
    raw = (_page, scope, multiple) => {
      const values: string[] = [];
      for (const element of matches(scope, multiple)) {
        const value = readElement(element, read, money);
        if (value) values.push(value);
      }
      return values;
    };
  } else if ('jsonld' in source) {
    raw = (page) => jsonLdValues(page.jsonLd, source.jsonld, source.type ?? dataType);
  } else if ('json' in source) {
    const key = source.json.split('.').at(-1)!;
    if (fieldType === 'availability' && isStockFlag(key)) {
      // "inStock": true in the page's state is a statement of availability, read as one.
      raw = (page) => embeddedValues(page.embeddedNamed(source.script), source.json).map((value) => flagAvailability(key, value) ?? value);
    } else raw = (page) => embeddedValues(page.embeddedNamed(source.script), source.json);
  } else if ('meta' in source) {
    const key = source.meta.toLowerCase();
    raw = (page) => page.meta.get(key) ?? [];
  } else {
    const labels = source.label.map(normalizeLabel);
    raw = (page, _scope, multiple) => {
      for (const label of labels) {
        const found = page.labels.get(label);
        if (!found?.[0]) continue;
        const first = found[0];
        if (multiple) return first.parts.length > 1 ? first.parts : [first.text];
        // Every occurrence, in page order: a regex may skip the ones that do not fit ("ISBN: 10 digits"
        // before "ISBN: 13 digits"); without one the first occurrence wins.
        return found.map((entry) => entry.text);
      }
      return [];
    };
  }
  return {
    source,
    read: (page, scope, multiple) => {
      const values = post(raw(page, scope, multiple), multiple);
      return multiple ? values : values.slice(0, 1);
    },
  };
}

export interface FieldResult {
  /** The field type the blueprint declares: what `typed` holds. */
  type: FieldType;
  /**
   * Display value: normalised text; for url/image fields the absolute URL and for availability
   * the schema.org name (InStock…), the forms people read. A list when multiple.
   */
  value: string | string[] | null;
  /** The value coerced to the field type (money → {amount, currency}, date → ISO 8601…); null when it does not parse. */
  typed: TypedValue | TypedValue[] | null;
  /** The text as read from the page, before coercion; null when nothing was read. */
  raw: string | string[] | null;
  /** Index of the source that produced the value, or null. */
  source: number | null;
  /** False when only text that does not parse as the field type was found. */
  valid: boolean;
}

interface CompiledField {
  field: Field;
  sources: CompiledSource[];
}

function compileFields(fields: Field[], dataType?: string): CompiledField[] {
  return fields.map((field) => ({ field, sources: field.sources.map((source) => compileSource(source, dataType, field.type)) }));
}

/** Types whose text is worthless when it does not parse: a "GTIN" failing its check digit is some other number. */
const STRICT_TYPES = new Set<FieldType>(['gtin', 'isbn']);
const isBareLabel = (text: string) => /^[^:]{1,40}:$/.test(text.trim());

/** Types whose display value is the typed value rather than the text read. */
const DISPLAY_TYPED = new Set<Field['type']>(['url', 'image', 'availability', 'gtin', 'isbn']);

/**
 * Sources are tried in order; the first giving a value valid for the field type wins. When none
 * is valid but some gave text, that text is kept (flagged invalid) rather than losing the field.
 */
function extractField(compiled: CompiledField, page: PageContext, scope: Element | Document): FieldResult {
  const { field } = compiled;
  const { type } = field;
  let fallback: FieldResult | null = null;
  for (const [index, source] of compiled.sources.entries()) {
    // An item's availability is that of all its offers (sizes, sellers) in structured data.
    const perOffer = type === 'availability' && !field.multiple && ('jsonld' in source.source || 'json' in source.source);
    const texts = source.read(page, scope, field.multiple || perOffer);
    if (texts.length === 0) continue;
    const display: string[] = [];
    const typed: TypedValue[] = [];
    const raw: string[] = [];
    for (const text of texts) {
      const value = coerce(type, text, page.url, field.decimalMark);
      if (value === null) continue;
      display.push(DISPLAY_TYPED.has(type) ? String(value) : text);
      typed.push(value);
      raw.push(text);
    }
    if (perOffer && typed.length > 1) {
      const combined = combineAvailability(typed as Availability[]);
      const at = typed.indexOf(combined!);
      return { type, value: combined, typed: combined, raw: raw[at]!, source: index, valid: true };
    }
    if (display.length) {
      return field.multiple
        ? { type, value: display, typed, raw, source: index, valid: true }
        : { type, value: display[0] ?? null, typed: typed[0] ?? null, raw: raw[0] ?? null, source: index, valid: true };
    }
    // A bare label ("EAN:") is no value at all, and a code failing its check digit is not that code.
    if (STRICT_TYPES.has(type) || texts.every(isBareLabel)) continue;
    const kept = field.multiple ? texts : (texts[0] ?? null);
    fallback ??= { type, value: kept, typed: null, raw: kept, source: index, valid: false };
  }
  return fallback ?? { type, value: null, typed: null, raw: null, source: null, valid: false };
}

export interface ExtractedRecord {
  url: string;
  file?: string;
  pageType: string | null;
  fields: Record<string, FieldResult>;
  /** Records of a listing page, one per item. */
  items?: Record<string, FieldResult>[];
  nextPage?: string | null;
}

interface CompiledPageType {
  pageType: PageType;
  urlPattern: RegExp;
  fields: CompiledField[];
  list: { item: CompiledQuery; fields: CompiledField[]; nextPage: CompiledSource | null } | null;
}

export interface CompiledBlueprint {
  blueprint: Blueprint;
  pageTypes: CompiledPageType[];
}

/** Compiles every selector and regex once; invalid ones fail here, not per page. */
export function compileBlueprint(blueprint: Blueprint): CompiledBlueprint {
  return {
    blueprint,
    pageTypes: blueprint.pageTypes.map((pageType) => ({
      pageType,
      urlPattern: compileUrlPattern(pageType.match.urlPattern),
      fields: compileFields(pageType.fields, pageType.dataType),
      list: pageType.list
        ? {
            item: compileQuery(pageType.list.item),
            fields: compileFields(pageType.list.fields, pageType.dataType),
            nextPage: pageType.list.nextPage ? compileSource(pageType.list.nextPage) : null,
          }
        : null,
    })),
  };
}

/** The first page type whose URL pattern matches; a single-type blueprint applies to any page. */
function choosePageType(compiled: CompiledBlueprint, url: string): CompiledPageType | null {
  return (
    compiled.pageTypes.find((pageType) => matchesUrlPattern(pageType.urlPattern, url)) ??
    (compiled.pageTypes.length === 1 ? (compiled.pageTypes[0] ?? null) : null)
  );
}

export interface ExtractOptions {
  /** Force a page type by name instead of matching URL patterns. */
  pageType?: string;
}

export function extractPage(
  blueprint: Blueprint | CompiledBlueprint,
  page: { url: string; html: string; file?: string },
  options: ExtractOptions = {},
): ExtractedRecord {
  const compiled = 'pageTypes' in blueprint && 'blueprint' in blueprint ? blueprint : compileBlueprint(blueprint);
  const pageType = options.pageType
    ? (compiled.pageTypes.find((candidate) => candidate.pageType.name === options.pageType) ?? null)
    : choosePageType(compiled, page.url);
  const record: ExtractedRecord = { url: page.url, ...(page.file ? { file: page.file } : {}), pageType: null, fields: {} };
  if (!pageType) return record;
  record.pageType = pageType.pageType.name;
  const context = new PageContext(page.url, page.html);
  for (const field of pageType.fields) record.fields[field.field.name] = extractField(field, context, context.document);
  if (pageType.list) {
    const { list } = pageType;
    record.items = selectElements(list.item, context.document).map((item) => {
      const fields: Record<string, FieldResult> = {};
      for (const field of list.fields) fields[field.field.name] = extractField(field, context, item);
      return fields;
    });
    const next = list.nextPage?.read(context, context.document, false)[0];
    record.nextPage = next ? (coerce('url', next, page.url) as string | null) : null;
  }
  return record;
}

/** The CLI's data object: field name → display value (string, list of strings, or null). */
export function recordData(record: ExtractedRecord): Record<string, unknown> {
  const plain = (fields: Record<string, FieldResult>) =>
    Object.fromEntries(Object.entries(fields).map(([name, result]) => [name, result.value]));
  const data: Record<string, unknown> = plain(record.fields);
  if (record.items) {
    data.items = record.items.map(plain);
    data.next_page = record.nextPage ?? null;
  }
  return data;
}

/** A field as typed output: the declared type, the value coerced to it, and the text it was read from. */
export interface TypedField {
  type: FieldType;
  value: TypedValue | TypedValue[] | null;
  raw: string | string[] | null;
  valid: boolean;
}

/** Field name → typed value with its raw text, for a page's fields or one listing record's. */
export function typedFields(fields: Record<string, FieldResult>): Record<string, TypedField> {
  return Object.fromEntries(
    Object.entries(fields).map(([name, result]) => [
      name,
      { type: result.type, value: result.typed, raw: result.raw, valid: result.valid },
    ]),
  );
}

/** The typed counterpart of recordData: `fields` of the page and, on a listing, `items` of each record. */
export function recordTyped(record: ExtractedRecord): { fields: Record<string, TypedField>; items?: Record<string, TypedField>[] } {
  return { fields: typedFields(record.fields), ...(record.items ? { items: record.items.map(typedFields) } : {}) };
}
