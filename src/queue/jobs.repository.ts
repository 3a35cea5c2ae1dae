import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { currentTraceParent } from '../logging/tracing.js';
import { jobLogs, jobs, workspaces } from '../db/schema/index.js';
import type { EnqueueOptions, JobLogRecord, JobRecord, JobStatus } from './types.js';

export type { JobLogRecord, JobRecord, JobStatus } from './types.js';

const finished: JobStatus[] = ['succeeded', 'failed', 'cancelled'];
const secondsAgo = (seconds: number) => sql`now() - make_interval(secs => ${seconds})`;

/** Called in the transaction that records a job's final state, so what it writes commits with that state or not at all. */
export type JobFinishedListener = (tx: Db, job: JobRecord) => Promise<void>;

/** SQL over the jobs and job_logs tables; shared by both queue adapters and the jobs service. */
export class JobsRepository {
  constructor(
    private readonly db: Db,
    private readonly onFinished?: JobFinishedListener,
  ) {}

  async insert(options: EnqueueOptions): Promise<JobRecord> {
    const [row] = await this.db
      .insert(jobs)
      .values({
        id: options.id,
        workspaceId: options.workspaceId,
        siteId: options.siteId ?? null,
        parentId: options.parentId ?? null,
        type: options.type,
        payload: options.payload,
        priority: options.priority,
        maxAttempts: options.maxAttempts,
        runAt: new Date(Date.now() + (options.delayMs ?? 0)),
        traceParent: currentTraceParent(),
      })
      .returning();
    return row!;
  }

  /**
   * Inserts a job that no worker runs: it tracks work done by its child jobs (an analysis
   * and its steps) and starts out running.
   */
  async insertTracking(options: Omit<EnqueueOptions, 'delayMs' | 'maxAttempts'> & { id?: string }): Promise<JobRecord> {
    const [row] = await this.db
      .insert(jobs)
      .values({ ...options, status: 'running', startedAt: sql`now()`, traceParent: currentTraceParent() })
      .returning();
    return row!;
  }

  /**
   * Inserts the child of `parentId` with this type unless it exists already; returns the child
   * and whether this call created it.
   */
  async insertChildOnce(options: EnqueueOptions & { parentId: string }): Promise<{ job: JobRecord; created: boolean }> {
    const [row] = await this.db
      .insert(jobs)
      .values({
        workspaceId: options.workspaceId,
        siteId: options.siteId ?? null,
        parentId: options.parentId,
        type: options.type,
        payload: options.payload,
        priority: options.priority,
        maxAttempts: options.maxAttempts,
        traceParent: currentTraceParent(),
      })
      .onConflictDoNothing({ target: [jobs.parentId, jobs.type], where: sql`${jobs.parentId} is not null` })
      .returning();
    if (row) return { job: row, created: true };
    const [existing] = await this.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.parentId, options.parentId), eq(jobs.type, options.type)));
    return { job: existing!, created: false };
  }

  async children(parentId: string): Promise<JobRecord[]> {
    return this.db.select().from(jobs).where(eq(jobs.parentId, parentId)).orderBy(asc(jobs.createdAt));
  }

  /**
   * Running tracking records of `type` that nothing will move on: no child queued or running, and
   * neither the record nor any child changed in the last `graceSeconds` (a change listener still
   * at work, or a retry between its writes, is left alone).
   */
  async stalledTracking(type: string, graceSeconds: number): Promise<JobRecord[]> {
    const before = secondsAgo(graceSeconds);
    return this.db
      .select()
      .from(jobs)
      .where(
        and(
          eq(jobs.type, type),
          eq(jobs.status, 'running'),
          lt(jobs.updatedAt, before),
          sql`not exists (select 1 from ${jobs} as child where child.parent_id = ${jobs.id}
            and (child.status in ('queued', 'running') or child.updated_at >= ${before}))`,
        ),
      );
  }

  /** Puts a finished tracking record back to running (its analysis is being retried). */
  async reopen(id: string): Promise<void> {
    await this.db
      .update(jobs)
      .set({ status: 'running', error: null, finishedAt: null, cancelRequested: false, updatedAt: sql`now()` })
      .where(eq(jobs.id, id));
  }

  /** A job of this workspace only: another workspace's job is indistinguishable from a missing one. */
  async getInWorkspace(workspaceId: string, id: string): Promise<JobRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.workspaceId, workspaceId), eq(jobs.id, id)));
    return row;
  }

  /** The workspace's jobs among `ids`, in one query; other workspaces' are simply absent. */
  async getManyInWorkspace(workspaceId: string, ids: readonly string[]): Promise<JobRecord[]> {
    if (ids.length === 0) return [];
    return this.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.workspaceId, workspaceId), inArray(jobs.id, [...ids])));
  }

  /** The children (pipeline steps) of each of these jobs of the workspace, in one query, oldest first. */
  async childrenOfMany(workspaceId: string, parentIds: readonly string[]): Promise<JobRecord[]> {
    if (parentIds.length === 0) return [];
    return this.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.workspaceId, workspaceId), inArray(jobs.parentId, [...parentIds])))
      .orderBy(asc(jobs.createdAt), asc(jobs.id));
  }

  /**
   * The newest job of each of these sites of the workspace, in one query (DISTINCT ON): of the
   * given type, or else the newest top-level one (an analysis, a check, an extraction; not a step).
   */
  async latestForSites(workspaceId: string, siteIds: readonly string[], type?: string): Promise<JobRecord[]> {
    if (siteIds.length === 0) return [];
    return this.db
      .selectDistinctOn([jobs.siteId])
      .from(jobs)
      .where(and(eq(jobs.workspaceId, workspaceId), inArray(jobs.siteId, [...siteIds]), type ? eq(jobs.type, type) : isNull(jobs.parentId)))
      .orderBy(jobs.siteId, desc(jobs.createdAt), desc(jobs.id));
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  async listInWorkspace(
    workspaceId: string,
    filter: { siteId?: string; type?: string; status?: JobStatus; parentId?: string | null },
    page: { limit: number; before?: { value: string; id: string } },
  ): Promise<{ rows: JobRecord[]; total: number }> {
    const conditions = [
      eq(jobs.workspaceId, workspaceId),
      filter.siteId ? eq(jobs.siteId, filter.siteId) : undefined,
      filter.type ? eq(jobs.type, filter.type) : undefined,
      filter.status ? eq(jobs.status, filter.status) : undefined,
      filter.parentId === null ? isNull(jobs.parentId) : filter.parentId ? eq(jobs.parentId, filter.parentId) : undefined,
    ];
    const where = and(...conditions);
    const cursor = page.before
      ? sql`(date_trunc('milliseconds', ${jobs.createdAt}), ${jobs.id}) < (${page.before.value}::timestamptz, ${page.before.id}::uuid)`
      : undefined;
    const [rows, [count]] = await Promise.all([
      this.db
        .select()
        .from(jobs)
        .where(and(where, cursor))
        // Cursors carry millisecond times (JavaScript dates), so order at that precision too.
        .orderBy(sql`date_trunc('milliseconds', ${jobs.createdAt}) desc`, desc(jobs.id))
        .limit(page.limit),
      this.db
        .select({ total: sql<number>`count(*)::int` })
        .from(jobs)
        .where(where),
    ]);
    return { rows, total: count?.total ?? 0 };
  }

  /** Queued and running jobs of a site, optionally of one type. */
  async activeForSite(siteId: string, type?: string): Promise<JobRecord[]> {
    return this.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.siteId, siteId), inArray(jobs.status, ['queued', 'running']), type ? eq(jobs.type, type) : undefined));
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const [row] = await this.db.select().from(jobs).where(eq(jobs.id, id));
    return row;
  }

  /**
   * Atomically takes the most urgent due job (lowest priority number, then oldest run_at).
   * SKIP LOCKED lets several processes claim from one PostgreSQL database without collisions.
   */
  async claimNext(workerId: string, leaseMs: number, types: string[]): Promise<JobRecord | undefined> {
    if (types.length === 0) return undefined;
    const rows = await this.db.execute<Record<string, unknown>>(sql`
      update ${jobs} set
        status = 'running', attempts = ${jobs.attempts} + 1, locked_by = ${workerId},
        lease_until = now() + make_interval(secs => ${leaseMs / 1000}),
        started_at = coalesce(${jobs.startedAt}, now()), updated_at = now()
      where ${jobs.id} = (
        select id from ${jobs}
        where status = 'queued' and run_at <= now() and ${inArray(jobs.type, types)}
        order by priority, run_at, created_at
        for update skip locked
        limit 1
      )
      returning id`);
    const id = rowsOf(rows)[0]?.id as string | undefined;
    return id ? this.get(id) : undefined;
  }

  /** Marks a job handed over by an external queue (BullMQ) as running on this worker. */
  async markRunning(id: string, workerId: string, leaseMs: number): Promise<JobRecord | undefined> {
    const [row] = await this.db
      .update(jobs)
      .set({
        status: 'running',
        attempts: sql`${jobs.attempts} + 1`,
        lockedBy: workerId,
        leaseUntil: sql`now() + make_interval(secs => ${leaseMs / 1000})`,
        startedAt: sql`coalesce(${jobs.startedAt}, now())`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(jobs.id, id), inArray(jobs.status, ['queued', 'running'])))
      .returning();
    return row;
  }

  async extendLease(id: string, workerId: string, leaseMs: number): Promise<void> {
    await this.db
      .update(jobs)
      .set({ leaseUntil: sql`now() + make_interval(secs => ${leaseMs / 1000})` })
      .where(and(eq(jobs.id, id), eq(jobs.lockedBy, workerId), eq(jobs.status, 'running')));
  }

  async setProgress(id: string, progress: number, step?: string): Promise<JobRecord | undefined> {
    const [row] = await this.db
      .update(jobs)
      .set({ progress, ...(step === undefined ? {} : { step }), updatedAt: sql`now()` })
      .where(eq(jobs.id, id))
      .returning();
    return row;
  }

  async addCost(id: string, costUsd: number): Promise<void> {
    await this.db
      .update(jobs)
      .set({ costUsd: sql`${jobs.costUsd} + ${costUsd}` })
      .where(eq(jobs.id, id));
  }

  /** Stores a step's output while it still runs, so the step enqueued after it can read it at once. */
  async saveOutput(id: string, result: unknown): Promise<void> {
    await this.db
      .update(jobs)
      .set({ result, updatedAt: sql`now()` })
      .where(eq(jobs.id, id));
  }

  /** Records the end of a run; a no-op for a job that already reached a final state. */
  async finish(
    id: string,
    outcome: { status: 'succeeded'; result: unknown } | { status: 'failed' | 'cancelled'; error: string },
  ): Promise<JobRecord | undefined> {
    if (!this.onFinished) return this.#finish(this.db, id, outcome);
    const listener = this.onFinished;
    return this.db.transaction(async (tx) => {
      const row = await this.#finish(tx as unknown as Db, id, outcome);
      if (row) await listener(tx as unknown as Db, row);
      return row;
    });
  }

  async #finish(
    db: Db,
    id: string,
    outcome: { status: 'succeeded'; result: unknown } | { status: 'failed' | 'cancelled'; error: string },
  ): Promise<JobRecord | undefined> {
    const [row] = await db
      .update(jobs)
      .set({
        status: outcome.status,
        ...(outcome.status === 'succeeded' ? { result: outcome.result ?? null, progress: 1, error: null } : { error: outcome.error }),
        leaseUntil: null,
        finishedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(jobs.id, id), sql`${jobs.status} not in ('succeeded', 'failed', 'cancelled')`))
      .returning();
    return row;
  }

  /** Puts a failed attempt back in the queue to run again at `runAt`. */
  async requeue(id: string, error: string, runAt: Date): Promise<JobRecord | undefined> {
    const [row] = await this.db
      .update(jobs)
      .set({ status: 'queued', error, runAt, leaseUntil: null, lockedBy: null, updatedAt: sql`now()` })
      .where(and(eq(jobs.id, id), eq(jobs.status, 'running')))
      .returning();
    return row;
  }

  /**
   * Cancels a queued job at once; a running one is flagged and stops at its next checkpoint.
   * Returns the job as it is afterwards.
   */
  async requestCancel(id: string): Promise<JobRecord | undefined> {
    // A queued job reaches its final state here, so the finish listener hears of it as of any other.
    const cancelQueued = async (db: Db) => {
      const [row] = await db
        .update(jobs)
        .set({ status: 'cancelled', cancelRequested: true, finishedAt: sql`now()`, updatedAt: sql`now()` })
        .where(and(eq(jobs.id, id), eq(jobs.status, 'queued')))
        .returning();
      if (row) await this.onFinished?.(db, row);
    };
    if (this.onFinished) await this.db.transaction((tx) => cancelQueued(tx as unknown as Db));
    else await cancelQueued(this.db);
    await this.db
      .update(jobs)
      .set({ cancelRequested: true, updatedAt: sql`now()` })
      .where(and(eq(jobs.id, id), eq(jobs.status, 'running')));
    return this.get(id);
  }

  /** Whether the job must stop: it was cancelled, or its workspace is suspended (so its jobs do not start, and running ones stop). */
  async isCancelRequested(id: string): Promise<boolean> {
    const [row] = await this.db
      .select({ cancel: sql<boolean>`${jobs.cancelRequested} or ${workspaces.suspendedAt} is not null` })
      .from(jobs)
      .leftJoin(workspaces, eq(workspaces.id, jobs.workspaceId))
      .where(eq(jobs.id, id));
    return row?.cancel ?? true;
  }

  /** Makes a failed or cancelled job run again from scratch. */
  async resetForRetry(id: string): Promise<JobRecord | undefined> {
    const [row] = await this.db
      .update(jobs)
      .set({
        status: 'queued',
        attempts: 0,
        error: null,
        result: null,
        progress: 0,
        step: null,
        cancelRequested: false,
        runAt: sql`now()`,
        startedAt: null,
        finishedAt: null,
        updatedAt: sql`now()`,
      })
      .where(and(eq(jobs.id, id), inArray(jobs.status, ['failed', 'cancelled'])))
      .returning();
    return row;
  }

  /** Queues again the running jobs whose worker stopped renewing its lease (it crashed); returns them. */
  async requeueExpiredLeases(): Promise<Array<{ id: string; type: string }>> {
    return this.db
      .update(jobs)
      .set({ status: 'queued', lockedBy: null, leaseUntil: null, updatedAt: sql`now()` })
      .where(and(eq(jobs.status, 'running'), isNotNull(jobs.lockedBy), lt(jobs.leaseUntil, sql`now()`)))
      .returning({ id: jobs.id, type: jobs.type });
  }

  /**
   * Jobs of these types a queue should hold by now, longer than `graceSeconds`: queued and due, or
   * running with their worker's lease lapsed. Oldest first, at most `limit`.
   */
  async overdue(types: readonly string[], graceSeconds: number, limit: number): Promise<JobRecord[]> {
    const before = secondsAgo(graceSeconds);
    const lost = or(
      and(eq(jobs.status, 'queued'), lt(jobs.runAt, before), lt(jobs.updatedAt, before)),
      and(eq(jobs.status, 'running'), isNotNull(jobs.lockedBy), lt(jobs.leaseUntil, before)),
    );
    return this.db
      .select()
      .from(jobs)
      .where(and(inArray(jobs.type, [...types]), lost))
      .orderBy(asc(jobs.runAt))
      .limit(limit);
  }

  /**
   * Queues again every job a worker was running: for a single-process database all of them
   * are orphans at start. (Rows without a worker, such as a pipeline's tracking record, stay.)
   */
  async requeueAllRunning(): Promise<number> {
    const rows = await this.db
      .update(jobs)
      .set({ status: 'queued', lockedBy: null, leaseUntil: null, updatedAt: sql`now()` })
      .where(and(eq(jobs.status, 'running'), isNotNull(jobs.lockedBy)))
      .returning({ id: jobs.id });
    return rows.length;
  }

  async appendLog(jobId: string, level: JobLogRecord['level'], message: string, data?: unknown): Promise<void> {
    await this.db.insert(jobLogs).values({ jobId, level, message, data: data ?? null });
  }

  /** Log lines of a job and of its steps (an analysis reads as one story), oldest first. */
  async logs(jobId: string, afterId: number, limit: number): Promise<JobLogRecord[]> {
    const steps = this.db.select({ id: jobs.id }).from(jobs).where(eq(jobs.parentId, jobId));
    return this.db
      .select()
      .from(jobLogs)
      .where(and(or(eq(jobLogs.jobId, jobId), inArray(jobLogs.jobId, steps)), gt(jobLogs.id, afterId)))
      .orderBy(asc(jobLogs.id))
      .limit(limit);
  }

  /** Job counts by type, priority and status, for queue dashboards. */
  async counts(): Promise<Array<{ type: string; priority: number; status: JobStatus; count: number }>> {
    const rows = await this.db
      .select({ type: jobs.type, priority: jobs.priority, status: jobs.status, count: sql<number>`count(*)::int` })
      .from(jobs)
      .groupBy(jobs.type, jobs.priority, jobs.status);
    return rows;
  }

  /** Jobs finished in the last `seconds`, by type: the throughput figure. */
  async finishedSince(seconds: number): Promise<Array<{ type: string; count: number }>> {
    return this.db
      .select({ type: jobs.type, count: sql<number>`count(*)::int` })
      .from(jobs)
      .where(and(inArray(jobs.status, finished), gt(jobs.finishedAt, secondsAgo(seconds))))
      .groupBy(jobs.type);
  }
}

function rowsOf(result: unknown): Record<string, unknown>[] {
  return (result as { rows: Record<string, unknown>[] }).rows;
}
