import type { BlueprintsService } from '../blueprints/blueprints.service.js';
import { compileBlueprint, extractPage, type ExtractedRecord, type FieldResult } from '../engine/index.js';
import type { Fetcher } from '../engine/index.js';

export interface ExtractionResult {
  url: string;
  pageType: string | null;
  /** Plain values per field (a list for multiple-valued fields; items for listing pages). */
  data: Record<string, unknown>;
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
    data: record.items ? { ...plain(record.fields), items: record.items.map(plain), nextPage: record.nextPage ?? null } : plain(record.fields),
    sources: Object.fromEntries(Object.entries(record.fields).map(([name, result]) => [name, result.source])),
    error: null,
  };
}

/** Applies a site's active blueprint to given HTML or to pages fetched now. No LLM, no cost. */
export class ExtractionService {
  constructor(
    private readonly blueprints: BlueprintsService,
    private readonly fetcher: Fetcher,
  ) {}

  async fromHtml(workspaceId: string, siteId: string, page: { url: string; html: string }): Promise<ExtractionResult> {
    const active = await this.blueprints.active(workspaceId, siteId);
    return toResult(extractPage(active.content, page));
  }

  async fromUrls(workspaceId: string, siteId: string, urls: string[]): Promise<ExtractionResult[]> {
    const active = await this.blueprints.active(workspaceId, siteId);
    const compiled = compileBlueprint(active.content);
    const results: ExtractionResult[] = [];
    for (const url of urls) {
      try {
        const page = await this.fetcher.fetch(url);
        results.push(toResult(extractPage(compiled, { url: page.finalUrl, html: page.html })));
      } catch (error) {
        results.push({ url, pageType: null, data: {}, sources: {}, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return results;
  }
}
