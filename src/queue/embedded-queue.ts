import { randomUUID } from 'node:crypto';
import type { Logger } from '../logging/logger.js';
import { withSpan } from '../logging/tracing.js';
import type { SettingsRepository } from '../settings/settings.repository.js';
import { backoffDelayMs, JobRunner, reportStalled } from './job-runner.js';
import type { JobRecord, JobsRepository } from './jobs.repository.js';
import type { EnqueueOptions, JobChangeListener, JobLogListener, JobHandlers, JobQueue, JobStalledListener, WorkOptions } from './types.js';

export interface EmbeddedQueueOptions {
  jobs: JobsRepository;
  settings: SettingsRepository;
  logger: Logger;
  /**
   * True when no other process can use this database (PGlite): every job still marked
   * running at start was orphaned by the previous process and is queued again at once.
   */
  singleProcess: boolean;
  onChange?: JobChangeListener;
  onLog?: JobLogListener;
  onStalled?: JobStalledListener;
  pollIntervalMs?: number;
  leaseMs?: number;
  backoffBaseMs?: number;
  /** A job type whose retries follow another base delay than `backoffBaseMs` (notification deliveries: about a day). */
  backoffBaseMsByType?: Readonly<Record<string, number>>;
}

const PAUSED_SETTING = 'queue.paused';

/**
 * The in-process queue of the embedded mode. The jobs table is the queue: workers claim due
 * jobs with SKIP LOCKED, hold a lease they keep renewing, and record every outcome there, so
 * queued and running work survives a restart.
 */
export class EmbeddedQueue implements JobQueue {
  readonly kind = 'embedded';
  private readonly workerId = `embedded-${randomUUID()}`;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly backoffBaseMs: number;
  private runner?: JobRunner;
  private types: string[] = [];
  private concurrency = 1;
  private readonly active = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private polling = false;
  private pollAgain = false;
  private closed = false;
  private lastLeaseSweep = 0;

  constructor(private readonly options: EmbeddedQueueOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.backoffBaseMs = options.backoffBaseMs ?? 2_000;
  }

  private backoffFor(type: string): number {
    return this.options.backoffBaseMsByType?.[type] ?? this.backoffBaseMs;
  }

  async enqueue(options: EnqueueOptions): Promise<JobRecord> {
    // The producer span's context is what the record stores and each attempt continues.
    const job = await withSpan(`enqueue ${options.type}`, { kind: 'producer', attributes: { 'siteprint.job_type': options.type } }, () =>
      this.options.jobs.insert(options),
    );
    this.wake();
    return job;
  }

  async dispatch(): Promise<void> {
    // The record itself is the queue entry; a worker only needs to look again.
    this.wake();
  }

  async work(handlers: JobHandlers, options: WorkOptions): Promise<void> {
    this.runner = new JobRunner(this.options.jobs, handlers, {
      workerId: this.workerId,
      leaseMs: this.leaseMs,
      logger: this.options.logger,
      onChange: this.options.onChange,
      onLog: this.options.onLog,
    });
    this.types = Object.keys(handlers);
    this.concurrency = options.concurrency;
    if (this.options.singleProcess) {
      const orphans = await this.options.jobs.requeueAllRunning();
      if (orphans) this.options.logger.info({ jobs: orphans }, 'resuming jobs interrupted by the last stop');
    }
    this.timer = setInterval(() => this.wake(), this.pollIntervalMs);
    this.wake();
  }

  async pause(): Promise<void> {
    await this.options.settings.set(PAUSED_SETTING, true);
  }

  async resume(): Promise<void> {
    await this.options.settings.set(PAUSED_SETTING, false);
    this.wake();
  }

  async isPaused(): Promise<boolean> {
    return (await this.options.settings.get(PAUSED_SETTING))?.value === true;
  }

  async ping(): Promise<void> {
    await this.isPaused();
  }

  async close(timeoutMs = 10_000): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    // Jobs still running after the timeout keep their record as running; the next start resumes them.
    await Promise.race([Promise.allSettled([...this.active]), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
  }

  private wake(): void {
    if (!this.runner || this.closed) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    this.fill()
      .catch((err: unknown) => this.options.logger.error({ err }, 'embedded queue poll failed'))
      .finally(() => {
        this.polling = false;
        if (this.pollAgain) {
          this.pollAgain = false;
          this.wake();
        }
      });
  }

  /** Claims due jobs until the concurrency limit is reached or nothing is due. */
  private async fill(): Promise<void> {
    if (Date.now() - this.lastLeaseSweep > this.leaseMs / 2) {
      this.lastLeaseSweep = Date.now();
      reportStalled(this.options.onStalled, await this.options.jobs.requeueExpiredLeases());
    }
    if (await this.isPaused()) return;
    while (!this.closed && this.active.size < this.concurrency) {
      const job = await this.options.jobs.claimNext(this.workerId, this.leaseMs, this.types);
      if (!job) return;
      // A job whose outcome cannot be recorded (the database went away) stays running with its lease,
      // which lapses and puts it back in the queue; the process must not die of the rejection.
      const run: Promise<void> = this.execute(job)
        .catch((err: unknown) => this.options.logger.error({ err, jobId: job.id }, 'could not record the outcome of a job'))
        .finally(() => {
          this.active.delete(run);
          this.wake();
        });
      this.active.add(run);
    }
  }

  private async execute(job: JobRecord): Promise<void> {
    const runner = this.runner!;
    const result = await runner.run(job);
    if (!result.retry) return;
    const runAt = new Date(Date.now() + backoffDelayMs(job.attempts, this.backoffFor(job.type)));
    await runner.changed(await this.options.jobs.requeue(job.id, result.error, runAt));
  }
}
