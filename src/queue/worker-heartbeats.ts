import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { asc, eq, lt } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { workerHeartbeats } from '../db/schema/index.js';
import type { Logger } from '../logging/logger.js';
import type { JobHandlers } from './types.js';

export type WorkerHeartbeatRecord = typeof workerHeartbeats.$inferSelect;

/** How often a working process writes its heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 15_000;
/** A worker whose last beat is older than this is shown as stale (three beats missed). */
export const HEARTBEAT_STALE_MS = 3 * HEARTBEAT_INTERVAL_MS;
/** Rows of workers gone this long are deleted by the next beat of any worker. */
const FORGET_AFTER_MS = 24 * 3600_000;

export class WorkerHeartbeatsRepository {
  constructor(private readonly db: Db) {}

  async beat(row: WorkerHeartbeatRecord): Promise<void> {
    await this.db
      .insert(workerHeartbeats)
      .values(row)
      .onConflictDoUpdate({ target: workerHeartbeats.id, set: { lastBeatAt: row.lastBeatAt, jobsRunning: row.jobsRunning } });
  }

  async remove(id: string): Promise<void> {
    await this.db.delete(workerHeartbeats).where(eq(workerHeartbeats.id, id));
  }

  async forgetOlderThan(before: Date): Promise<void> {
    await this.db.delete(workerHeartbeats).where(lt(workerHeartbeats.lastBeatAt, before));
  }

  list(): Promise<WorkerHeartbeatRecord[]> {
    return this.db.select().from(workerHeartbeats).orderBy(asc(workerHeartbeats.startedAt), asc(workerHeartbeats.id));
  }
}

/**
 * The heartbeat of a process that runs jobs: its handlers are wrapped to count the jobs running,
 * and a timer writes (id, host, pid, start, last beat, jobs running) every HEARTBEAT_INTERVAL_MS.
 * A clean stop deletes the row; a process that dies leaves it to go stale.
 */
export class WorkerHeartbeat {
  readonly id = randomUUID();
  private running = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = new Date();
  private concurrency = 0;

  constructor(
    private readonly repository: WorkerHeartbeatsRepository,
    private readonly options: { queue: 'embedded' | 'bullmq'; version: string; logger: Logger },
  ) {}

  /** The same handlers, counting how many of them run at any moment. */
  track(handlers: JobHandlers): JobHandlers {
    return Object.fromEntries(
      Object.entries(handlers).map(([type, handler]) => [
        type,
        async (context: Parameters<typeof handler>[0]) => {
          this.running++;
          try {
            return await handler(context);
          } finally {
            this.running--;
          }
        },
      ]),
    );
  }

  /** Beats now and then every interval until stopped. */
  async start(concurrency: number): Promise<void> {
    this.concurrency = concurrency;
    await this.beat();
    this.timer ??= setInterval(() => {
      this.beat().catch((err: unknown) => this.options.logger.warn({ err }, 'worker heartbeat failed'));
    }, HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  async beat(now = new Date()): Promise<void> {
    await this.repository.beat({
      id: this.id,
      queue: this.options.queue,
      host: hostname(),
      pid: process.pid,
      version: this.options.version,
      concurrency: this.concurrency,
      jobsRunning: this.running,
      startedAt: this.startedAt,
      lastBeatAt: now,
    });
    await this.repository.forgetOlderThan(new Date(now.getTime() - FORGET_AFTER_MS));
  }

  /** Stops beating and removes this worker's row (call after the queue stopped taking jobs). */
  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.repository
      .remove(this.id)
      .catch((err: unknown) => this.options.logger.warn({ err }, 'could not remove the worker heartbeat'));
  }
}
