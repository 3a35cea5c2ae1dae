import type { BlueprintsService } from '../blueprints/blueprints.service.js';
import { compileBlueprint } from '../engine/extract/index.js';
import type { Fetcher } from '../engine/fetch/index.js';
import { DomainError } from '../domain/errors.js';
import { EXTRACT_BATCH, type JobPayload } from '../pipeline/job-types.js';
import { Priority, type JobQueue, type JobRecord } from '../queue/index.js';
import { extractClaimed, extractUrl, type ExtractionResult, type ThreadedExtraction } from './extract-page.js';

/** More URLs than this are extracted by a job rather than within the request. */
export const MAX_URLS_PER_REQUEST = 100;
export const MAX_URLS_PER_JOB = 10_000;

/** Applies a site's active blueprint to given HTML or to pages fetched now. No LLM, no cost. */
export class ExtractionService {
  /** `inThreads` reads the pages off the event loop that serves HTTP: a page can take tens of milliseconds. */
  constructor(
    private readonly blueprints: BlueprintsService,
    private readonly fetcher: Fetcher,
    private readonly queue: JobQueue,
    private readonly inThreads: ThreadedExtraction,
    private readonly quotas: { admitExtraction(workspaceId: string, pages: number): Promise<void> },
  ) {}

  async fromHtml(workspaceId: string, siteId: string, page: { url: string; html: string }): Promise<ExtractionResult> {
    const active = await this.blueprints.active(workspaceId, siteId);
    return extractClaimed(compileBlueprint(active.content), page, this.inThreads(active.content));
  }

  async fromUrls(workspaceId: string, siteId: string, urls: string[]): Promise<ExtractionResult[]> {
    const active = await this.blueprints.active(workspaceId, siteId);
    const compiled = compileBlueprint(active.content);
    const apply = this.inThreads(active.content);
    const results: ExtractionResult[] = [];
    for (const url of urls) results.push(await extractUrl(this.fetcher, compiled, url, apply));
    return results;
  }

  /** Starts an `extract_batch` job; its records download from GET /api/v1/jobs/{id}/results. */
  async startBatch(workspaceId: string, siteId: string, urls: string[]): Promise<JobRecord> {
    if (urls.length > MAX_URLS_PER_JOB) throw new DomainError('invalid', `at most ${MAX_URLS_PER_JOB} URLs per extraction job`);
    await this.blueprints.active(workspaceId, siteId);
    await this.quotas.admitExtraction(workspaceId, urls.length);
    return this.queue.enqueue({
      workspaceId,
      siteId,
      type: EXTRACT_BATCH,
      payload: { siteId, urls } satisfies JobPayload<'extract_batch'>,
      priority: Priority.user,
    });
  }
}
