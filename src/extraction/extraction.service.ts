import { randomUUID } from 'node:crypto';
import type { BlueprintsService } from '../blueprints/blueprints.service.js';
import { compileBlueprint } from '../engine/extract/index.js';
import type { Fetcher } from '../engine/fetch/index.js';
import { DomainError, domainErrors } from '../domain/errors.js';
import type { JobsService } from '../jobs/jobs.service.js';
import { EXTRACT_BATCH, type JobPayload, type JobResult } from '../pipeline/job-types.js';
import { Priority, type JobFinishedListener, type JobQueue, type JobRecord } from '../queue/index.js';
import type { QuotasService } from '../usage/quotas.service.js';
import type { ExtractionResultRecord, ExtractionResultsRepository } from './extraction-results.repository.js';
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
    private readonly jobs: JobsService,
    private readonly results: ExtractionResultsRepository,
    private readonly quotas: Pick<QuotasService, 'reserveExtraction' | 'releaseExtraction'>,
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

  /**
   * Starts an `extract_batch` job; its records download from GET /api/v1/jobs/{id}/results. Its
   * pages are reserved against the monthly quota first (refused when they would go over); the
   * job's final state settles the reservation (extractionBatchFinished).
   */
  async startBatch(workspaceId: string, siteId: string, urls: string[]): Promise<JobRecord> {
    if (urls.length > MAX_URLS_PER_JOB) throw new DomainError('invalid', `at most ${MAX_URLS_PER_JOB} URLs per extraction job`);
    await this.blueprints.active(workspaceId, siteId);
    const id = randomUUID();
    await this.quotas.reserveExtraction(workspaceId, id, urls.length);
    try {
      return await this.queue.enqueue({
        id,
        workspaceId,
        siteId,
        type: EXTRACT_BATCH,
        payload: { siteId, urls } satisfies JobPayload<'extract_batch'>,
        priority: Priority.user,
      });
    } catch (error) {
      await this.quotas.releaseExtraction(workspaceId, id);
      throw error;
    }
  }

  /**
   * The stored records of a finished `extract_batch` job of the workspace, in request order. The job
   * is checked before the first record is read, so a caller gets its error before any output.
   */
  async batchResults(workspaceId: string, jobId: string): Promise<AsyncGenerator<ExtractionResultRecord>> {
    const job = await this.jobs.get(workspaceId, jobId);
    if (job.type !== EXTRACT_BATCH) throw new DomainError('not_found', 'This job has no extraction results');
    if (job.status !== 'succeeded') throw domainErrors.conflict(`The job is ${job.status}; results are ready when it has succeeded`);
    return allResults(this.results, job.id);
  }
}

/**
 * The finish listener's part for extraction batches (in the transaction recording the job's final
 * state): a batch that succeeded is counted at the pages it extracted, one that failed or was
 * cancelled gives its reservation back.
 */
export function extractionBatchFinished(quotas: Pick<QuotasService, 'settleExtraction'>): JobFinishedListener {
  return async (tx, job) => {
    if (job.type !== EXTRACT_BATCH) return;
    const pages = job.status === 'succeeded' ? (job.result as JobResult<'extract_batch'>).pages : null;
    await quotas.settleExtraction(tx, job.workspaceId, job.id, pages, job.finishedAt ?? new Date());
  };
}

const RESULTS_PAGE = 1_000;

/** Every stored record of a job, read in pages so memory stays flat. */
async function* allResults(results: ExtractionResultsRepository, jobId: string): AsyncGenerator<ExtractionResultRecord> {
  for (let after = -1; ;) {
    const page = await results.page(jobId, after, RESULTS_PAGE);
    yield* page;
    if (page.length < RESULTS_PAGE) return;
    after = page.at(-1)!.position;
  }
}
