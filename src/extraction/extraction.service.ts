import type { BlueprintsService } from '../blueprints/blueprints.service.js';
import { matchesUrlPattern } from '../engine/blueprint/index.js';
import { compileBlueprint, extractPage, type CompiledBlueprint, type ExtractedRecord, type FieldResult } from '../engine/extract/index.js';
import type { Fetcher } from '../engine/fetch/index.js';
import { DomainError } from '../domain/errors.js';
import { EXTRACT_BATCH, type JobPayload } from '../pipeline/job-types.js';
import { Priority, type JobQueue, type JobRecord } from '../queue/index.js';

export interface ExtractionResult {
  url: string;
  pageType: string | null;
  /** Plain values per field (a list for multiple-valued fields; items for listing pages). */
  data: Record<string, unknown>;
  /** Which source produced each field (index into the field's sources), or null. */
  sources: Record<string, number | null>;
  error: string | null;
}

/** More URLs than this are extracted by a job rather than within the request. */
export const MAX_URLS_PER_REQUEST = 100;
export const MAX_URLS_PER_JOB = 10_000;

function plain(fields: Record<string, FieldResult>) {
  return Object.fromEntries(Object.entries(fields).map(([name, result]) => [name, result.value]));
}

function toResult(record: ExtractedRecord): ExtractionResult {
  return {
    url: record.url,
    pageType: record.pageType,
    data: record.items ? { ...plain(record.fields), items: record.items.map(plain), nextPage: record.nextPage ?? null } : plain(record.fields),
    sources: Object.fromEntries(Object.entries(record.fields).map(([name, result]) => [name, result.source])),
    error: null,
  };
}

const failed = (url: string, error: string): ExtractionResult => ({ url, pageType: null, data: {}, sources: {}, error });

/** Applies one page type of a blueprint to a page: in this thread, or in a job's worker thread. */
export type ApplyPageType = (page: { url: string; html: string }, pageType: string) => ExtractedRecord | Promise<ExtractedRecord>;

const found = (result: FieldResult | undefined) => result !== undefined && result.value !== null && !(Array.isArray(result.value) && result.value.length === 0);

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
async function extractClaimed(blueprint: CompiledBlueprint, page: { url: string; html: string }, apply?: ApplyPageType): Promise<ExtractionResult> {
  const read = (name: string) => (apply ? apply(page, name) : extractPage(blueprint, page, { pageType: name }));
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
export async function extractUrl(fetcher: Fetcher, blueprint: CompiledBlueprint, url: string, apply?: ApplyPageType): Promise<ExtractionResult> {
  try {
    const page = await fetcher.fetch(url);
    if (page.status >= 400) return failed(url, `HTTP ${page.status}`);
    return { ...(await extractClaimed(blueprint, { url: page.finalUrl, html: page.html }, apply)), url };
  } catch (error) {
    return failed(url, error instanceof Error ? error.message : String(error));
  }
}

/** Applies a site's active blueprint to given HTML or to pages fetched now. No LLM, no cost. */
export class ExtractionService {
  constructor(
    private readonly blueprints: BlueprintsService,
    private readonly fetcher: Fetcher,
    private readonly queue: JobQueue,
  ) {}

  async fromHtml(workspaceId: string, siteId: string, page: { url: string; html: string }): Promise<ExtractionResult> {
    const active = await this.blueprints.active(workspaceId, siteId);
    return extractClaimed(compileBlueprint(active.content), page);
  }

  async fromUrls(workspaceId: string, siteId: string, urls: string[]): Promise<ExtractionResult[]> {
    const active = await this.blueprints.active(workspaceId, siteId);
    const compiled = compileBlueprint(active.content);
    const results: ExtractionResult[] = [];
    for (const url of urls) results.push(await extractUrl(this.fetcher, compiled, url));
    return results;
  }

  /** Starts an `extract_batch` job; its records download from GET /api/v1/jobs/{id}/results. */
  async startBatch(workspaceId: string, siteId: string, urls: string[]): Promise<JobRecord> {
    if (urls.length > MAX_URLS_PER_JOB) throw new DomainError('invalid', `at most ${MAX_URLS_PER_JOB} URLs per extraction job`);
    await this.blueprints.active(workspaceId, siteId);
    return this.queue.enqueue({ workspaceId, siteId, type: EXTRACT_BATCH, payload: { siteId, urls } satisfies JobPayload<'extract_batch'>, priority: Priority.user });
  }
}
