import { matchesUrlPattern } from '../engine/blueprint/url-pattern.js';
import type { Blueprint } from '../engine/blueprint/schema.js';
import { recordTyped, type CompiledBlueprint, type ExtractedRecord, type FieldResult, type TypedField } from '../engine/extract/index.js';
import type { Fetcher } from '../engine/fetch/index.js';
import { metrics, secondsSince } from '../system/metrics.js';

/**
 * Reading pages with a blueprint, shared by the extraction API (ExtractionService) and the
 * extract_batch job: which page type claims a page, and the result a page yields.
 */

export interface ExtractionResult {
  url: string;
  pageType: string | null;
  /** Plain values per field (a list for multiple-valued fields; items for listing pages). */
  data: Record<string, unknown>;
  /** Per field: its declared type, the value coerced to it and the raw text; `items` per listing record. */
  typed: { fields: Record<string, TypedField>; items?: Record<string, TypedField>[] };
  /** Which source produced each field (index into the field's sources), or null. */
  sources: Record<string, number | null>;
  error: string | null;
}

function plain(fields: Record<string, FieldResult>) {
  return Object.fromEntries(Object.entries(fields).map(([name, result]) => [name, result.value]));
}

function toResult(record: ExtractedRecord): ExtractionResult {
  return {
    url: record.url,
    pageType: record.pageType,
    data: record.items
      ? { ...plain(record.fields), items: record.items.map(plain), nextPage: record.nextPage ?? null }
      : plain(record.fields),
    typed: recordTyped(record),
    sources: Object.fromEntries(Object.entries(record.fields).map(([name, result]) => [name, result.source])),
    error: null,
  };
}

const failed = (url: string, error: string): ExtractionResult => ({
  url,
  pageType: null,
  data: {},
  typed: { fields: {} },
  sources: {},
  error,
});

/** Applies one page type of a blueprint to a page: in this thread, or in a worker thread. */
export type ApplyPageType = (page: { url: string; html: string }, pageType: string) => ExtractedRecord | Promise<ExtractedRecord>;

/** Reads pages with `blueprint` in a worker thread; the caller keeps only the cheap choice of page type. */
export type ThreadedExtraction = (blueprint: Blueprint) => ApplyPageType;

const found = (result: FieldResult | undefined) =>
  result !== undefined && result.value !== null && !(Array.isArray(result.value) && result.value.length === 0);

/** A page reads as a page type when every field the type requires is found (and, for a listing, it has records). */
function readsAs(type: CompiledBlueprint['pageTypes'][number], record: ExtractedRecord): boolean {
  if (type.list && !record.items?.length) return false;
  const required = type.pageType.fields.filter((field) => field.required);
  return (required.length ? required : type.pageType.fields).every((field) => found(record.fields[field.name]));
}

/**
 * Extracts a page with the page type whose URL pattern claims it. A pattern is inferred from the
 * sampled pages and can be narrower than the site (a product URL one segment deeper than every
 * sample), so a page no pattern claims is tried with each page type and kept under the first it
 * reads as; a page that reads as none is said to match none, rather than answered with a record
 * of nulls.
 */
export async function extractClaimed(
  blueprint: CompiledBlueprint,
  page: { url: string; html: string },
  apply: ApplyPageType,
): Promise<ExtractionResult> {
  const read = (name: string) => apply(page, name);
  const claiming = blueprint.pageTypes.find((type) => matchesUrlPattern(type.urlPattern, page.url));
  if (claiming) return toResult(await read(claiming.pageType.name));
  for (const type of blueprint.pageTypes) {
    const record = await read(type.pageType.name);
    if (readsAs(type, record)) return toResult(record);
  }
  const patterns = blueprint.pageTypes.map((type) => `${type.pageType.name} (${type.pageType.match.urlPattern})`).join(', ');
  return failed(
    page.url,
    `No page type of the blueprint matches ${new URL(page.url).pathname}: no URL pattern claims it and the page lacks the fields each type requires; its page types: ${patterns}`,
  );
}

/** Fetches one URL and extracts it; a page that cannot be fetched or that no page type claims yields a result with its error. */
export async function extractUrl(
  fetcher: Fetcher,
  blueprint: CompiledBlueprint,
  url: string,
  apply: ApplyPageType,
): Promise<ExtractionResult> {
  const started = performance.now();
  const result = await extractFetched(fetcher, blueprint, url, apply);
  metrics.extractionPages.inc({ outcome: result.error ? 'error' : 'ok' });
  metrics.extractionPageDuration.observe(secondsSince(started));
  return result;
}

async function extractFetched(
  fetcher: Fetcher,
  blueprint: CompiledBlueprint,
  url: string,
  apply: ApplyPageType,
): Promise<ExtractionResult> {
  try {
    const page = await fetcher.fetch(url);
    if (page.status >= 400) return failed(url, `HTTP ${page.status}`);
    return { ...(await extractClaimed(blueprint, { url: page.finalUrl, html: page.html }, apply)), url };
  } catch (error) {
    return failed(url, error instanceof Error ? error.message : String(error));
  }
}
