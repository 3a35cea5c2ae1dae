import type { Cursor } from '../http/pagination.js';
import { DomainError, domainErrors } from '../domain/errors.js';
import type { LlmService, UsageTotals } from '../llm/index.js';
import type { AnalysisCoordinator } from '../pipeline/analysis.js';
import { ANALYZE_SITE, EXTRACT_BATCH, JOB_TYPES, payloadOf } from '../pipeline/job-types.js';
import type { JobQueue, JobRecord, JobsRepository, JobStatus, JobLogRecord } from '../queue/index.js';
import type { QuotasService } from '../usage/quotas.service.js';

/** One job type's queue: waiting jobs by priority, running, failed, succeeded, and finished in the last hour. */
export interface QueueStats {
  name: string;
  waiting: Record<string, number>;
  running: number;
  failed: number;
  succeeded: number;
  finishedLastHour: number;
}

export interface JobListFilter {
  siteId?: string;
  type?: string;
  status?: JobStatus;
  /** Only top-level jobs (analyses and standalone jobs), not pipeline steps. */
  topLevel?: boolean;
  limit: number;
  /** The position the previous page ended at (newest first). */
  before?: Cursor;
}

/** The rules around jobs as users see them: scoped to their workspace, cancel and retry. */
export class JobsService {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly queue: JobQueue,
    private readonly analysis: AnalysisCoordinator,
    private readonly llm: Pick<LlmService, 'usageOfJobs'>,
    private readonly quotas: Pick<QuotasService, 'reserveExtraction' | 'releaseExtraction'>,
  ) {}

  async list(workspaceId: string, filter: JobListFilter): Promise<{ rows: JobRecord[]; total: number }> {
    return this.jobs.listInWorkspace(
      workspaceId,
      { siteId: filter.siteId, type: filter.type, status: filter.status, parentId: filter.topLevel ? null : undefined },
      { limit: filter.limit, before: filter.before },
    );
  }

  async get(workspaceId: string, id: string): Promise<JobRecord> {
    const job = await this.jobs.getInWorkspace(workspaceId, id);
    if (!job) throw domainErrors.notFound('Job');
    return job;
  }

  /** The workspace's jobs among `ids` (batched readers such as GraphQL); unknown ids are left out. */
  async getMany(workspaceId: string, ids: readonly string[]): Promise<JobRecord[]> {
    return this.jobs.getManyInWorkspace(workspaceId, ids);
  }

  /** The steps of each of these jobs of the workspace, oldest first. */
  async stepsOfMany(workspaceId: string, parentIds: readonly string[]): Promise<JobRecord[]> {
    return this.jobs.childrenOfMany(workspaceId, parentIds);
  }

  /** The newest job of each of these sites: of `type`, or else the newest top-level one. */
  async latestOfSites(workspaceId: string, siteIds: readonly string[], type?: string): Promise<JobRecord[]> {
    return this.jobs.latestForSites(workspaceId, siteIds, type);
  }

  async steps(job: JobRecord): Promise<JobRecord[]> {
    return this.jobs.children(job.id);
  }

  /** LLM calls the job made; for an analysis, those of its steps (from llm_requests). */
  llmUsage(job: JobRecord, steps: JobRecord[]): Promise<UsageTotals> {
    return this.llm.usageOfJobs([job.id, ...steps.map((step) => step.id)]);
  }

  async logs(workspaceId: string, id: string, after: number, limit: number): Promise<JobLogRecord[]> {
    await this.get(workspaceId, id);
    return this.jobs.logs(id, after, limit);
  }

  async cancel(workspaceId: string, id: string): Promise<JobRecord> {
    const job = await this.get(workspaceId, id);
    if (job.status !== 'queued' && job.status !== 'running') {
      throw new DomainError('conflict', `The job is already ${job.status}`);
    }
    await this.analysis.cancelJob(job);
    return this.get(workspaceId, id);
  }

  /** Runs a failed or cancelled job again; a pipeline step retries its whole analysis from there. */
  async retry(workspaceId: string, id: string): Promise<JobRecord> {
    const job = await this.get(workspaceId, id);
    if (job.status !== 'failed' && job.status !== 'cancelled') {
      throw new DomainError('conflict', `Only failed or cancelled jobs can be retried; this one is ${job.status}`);
    }
    const parent = job.parentId ? await this.jobs.get(job.parentId) : undefined;
    if (job.type === ANALYZE_SITE) await this.analysis.retry(job.id);
    else if (parent?.type === ANALYZE_SITE) await this.analysis.retry(parent.id);
    else {
      // A batch gave its pages back when it failed or was cancelled: it reserves them again, or is refused.
      const pages = job.type === EXTRACT_BATCH ? payloadOf(job, EXTRACT_BATCH).urls.length : 0;
      if (pages) await this.quotas.reserveExtraction(workspaceId, job.id, pages);
      const reset = await this.jobs.resetForRetry(job.id);
      if (reset) await this.queue.dispatch(reset);
      else if (pages) await this.quotas.releaseExtraction(workspaceId, job.id);
    }
    return this.get(workspaceId, id);
  }

  /** The queues (one per job type) as administrators see them, whichever backend runs them. */
  async queues(): Promise<{ mode: JobQueue['kind']; paused: boolean; queues: QueueStats[] }> {
    const [counts, finished, paused] = await Promise.all([this.jobs.counts(), this.jobs.finishedSince(3600), this.queue.isPaused()]);
    const queues = JOB_TYPES.map((name) => {
      const mine = counts.filter((row) => row.type === name);
      const total = (status: string) => mine.filter((row) => row.status === status).reduce((sum, row) => sum + row.count, 0);
      return {
        name,
        waiting: Object.fromEntries(mine.filter((row) => row.status === 'queued').map((row) => [String(row.priority), row.count])),
        running: total('running'),
        failed: total('failed'),
        succeeded: total('succeeded'),
        finishedLastHour: finished.find((row) => row.type === name)?.count ?? 0,
      };
    });
    return { mode: this.queue.kind, paused, queues };
  }

  /** Stops (or starts again) taking jobs off the queues; running jobs finish. Answers whether the queues are paused. */
  async setPaused(paused: boolean): Promise<boolean> {
    await (paused ? this.queue.pause() : this.queue.resume());
    return this.queue.isPaused();
  }
}
