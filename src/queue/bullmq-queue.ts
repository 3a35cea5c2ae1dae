import { randomUUID } from 'node:crypto';
import { DelayedError, Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import { withSpan } from '../logging/tracing.js';
import { metrics } from '../system/metrics.js';
import { backoffDelayMs, JobRunner, reportStalled } from './job-runner.js';
import { JobSlots } from './job-slots.js';
import type { JobRecord, JobsRepository } from './jobs.repository.js';
import type { EnqueueOptions, JobChangeListener, JobLogListener, JobHandlers, JobQueue, JobStalledListener, WorkOptions } from './types.js';

export interface BullmqQueueOptions {
  jobs: JobsRepository;
  logger: Logger;
  redisUrl: string;
  /** Every job type of the product: the API process needs them to pause queues it does not consume. */
  jobTypes: readonly string[];
  /** Namespaces the Redis keys, so several instances (or test runs) can share one Redis. */
  prefix?: string;
  leaseMs?: number;
  backoffBaseMs?: number;
  /** A job type whose retries follow another base delay than `backoffBaseMs` (notification deliveries: about a day). */
  backoffBaseMsByType?: Readonly<Record<string, number>>;
  onChange?: JobChangeListener;
  onLog?: JobLogListener;
  onStalled?: JobStalledListener;
}

interface BullPayload {
  jobId: string;
}

/** Overdue jobs looked up in Redis per sweep for being lost. */
const LOST_JOBS_PER_SWEEP = 500;

/**
 * The scaled mode's queue: one BullMQ queue per job type on Redis, consumed by any number of
 * `siteprint worker` processes. BullMQ carries delivery, priorities, delays, retries with
 * backoff and stalled-job recovery; the jobs table stays the record the API reads.
 *
 * A process runs at most `concurrency` jobs at once across all its workers (one per job type):
 * each job takes one of the process's slots before it starts (JobSlots). A job waiting for a slot
 * is active in BullMQ, so its worker keeps renewing its lock and it is not taken for stalled; the
 * jobs table still shows it queued. So that a busy process does not hold jobs an idle process
 * could run, each worker is let to take from Redis only as many jobs as it holds plus the free
 * slots (at least one: BullMQ's smallest concurrency), which leaves about one waiting job per job
 * type in a full process.
 */
export class BullmqQueue implements JobQueue {
  readonly kind = 'bullmq';
  private readonly connection: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private slots?: JobSlots;
  private readonly workerId = `worker-${randomUUID()}`;
  private readonly prefix: string;
  private readonly leaseMs: number;
  private readonly backoffBaseMs: number;
  /** The delay before a failed job's next attempt, from `process` to the backoff strategy BullMQ asks right after. */
  private readonly retryDelays = new Map<string, number>();
  private recoveryTimer?: NodeJS.Timeout;
  private recovering?: Promise<void>;

  constructor(private readonly options: BullmqQueueOptions) {
    // BullMQ requires maxRetriesPerRequest: null so blocking commands wait through reconnects.
    this.connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    // ioredis reconnects by itself; readiness reports the outage, the log says why.
    this.connection.on('error', (err) => options.logger.warn({ err: { message: err.message } }, 'Redis connection error'));
    this.prefix = options.prefix ?? 'siteprint';
    this.leaseMs = options.leaseMs ?? 30_000;
    this.backoffBaseMs = options.backoffBaseMs ?? 2_000;
  }

  private backoffFor(type: string): number {
    return this.options.backoffBaseMsByType?.[type] ?? this.backoffBaseMs;
  }

  private get bullConnection(): ConnectionOptions {
    return this.connection as unknown as ConnectionOptions;
  }

  private queueFor(type: string): Queue {
    let queue = this.queues.get(type);
    if (!queue) {
      queue = new Queue(type, { connection: this.bullConnection, prefix: this.prefix });
      this.queues.set(type, queue);
    }
    return queue;
  }

  async enqueue(options: EnqueueOptions): Promise<JobRecord> {
    // The producer span's context is what the record stores and each attempt continues.
    const job = await withSpan(`enqueue ${options.type}`, { kind: 'producer', attributes: { 'siteprint.job_type': options.type } }, () =>
      this.options.jobs.insert(options),
    );
    await this.dispatch(job);
    return job;
  }

  async dispatch(job: JobRecord): Promise<void> {
    const queue = this.queueFor(job.type);
    // A manual retry reuses the record's id: drop BullMQ's finished copy so the id is free again.
    await queue.remove(job.id).catch(() => undefined);
    await queue.add(job.type, { jobId: job.id } satisfies BullPayload, {
      jobId: job.id,
      priority: job.priority,
      delay: Math.max(0, job.runAt.getTime() - Date.now()),
      attempts: job.maxAttempts,
      backoff: { type: 'jittered' },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    });
  }

  async work(handlers: JobHandlers, options: WorkOptions): Promise<void> {
    const runner = new JobRunner(this.options.jobs, handlers, {
      workerId: this.workerId,
      leaseMs: this.leaseMs,
      logger: this.options.logger,
      onChange: this.options.onChange,
      onLog: this.options.onLog,
    });
    const held = new Map<string, number>();
    const hold = (type: string, change: number) => {
      held.set(type, (held.get(type) ?? 0) + change);
      fit();
    };
    const fit = () => {
      for (const worker of this.workers) {
        worker.concurrency = Math.max(1, Math.min(options.concurrency, (held.get(worker.name) ?? 0) + slots.free));
      }
    };
    const slots = (this.slots = new JobSlots(options.concurrency, fit));
    for (const type of Object.keys(handlers)) {
      const processor = async (job: Job<BullPayload>, token?: string) => {
        hold(type, 1);
        try {
          await this.process(runner, slots, job, token);
        } finally {
          hold(type, -1);
        }
      };
      const worker = new Worker<BullPayload>(type, processor, {
        connection: this.bullConnection,
        prefix: this.prefix,
        concurrency: options.concurrency,
        lockDuration: this.leaseMs,
        // A crashed worker's job is looked for as often as its lock can lapse.
        stalledInterval: this.leaseMs,
        maxStalledCount: 3,
        settings: {
          backoffStrategy: (attemptsMade, _type, _err, bullJob) => {
            const delay = bullJob?.id ? this.retryDelays.get(bullJob.id) : undefined;
            if (bullJob?.id) this.retryDelays.delete(bullJob.id);
            return delay ?? backoffDelayMs(attemptsMade, this.backoffFor(type));
          },
        },
      });
      worker.on('error', (err) => this.options.logger.error({ err, type }, 'BullMQ worker error'));
      worker.on('stalled', (jobId) => {
        metrics.bullmqStalled.inc({ type });
        this.options.onStalled?.({ type, jobIds: [jobId] });
      });
      metrics.bullmqStalled.inc({ type }, 0);
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
    const recover = () => {
      this.recovering ??= this.redispatchLost(Object.keys(handlers))
        .catch((err: unknown) => this.options.logger.error({ err }, 'could not look for jobs missing from Redis'))
        .finally(() => {
          this.recovering = undefined;
        });
    };
    this.recoveryTimer = setInterval(recover, this.leaseMs);
    recover();
  }

  /**
   * Hands Redis again the jobs the database holds as queued or running, overdue, that Redis does
   * not hold: lost when Redis restarted without its data, or never handed over when a process died
   * between recording a job and dispatching it. Jobs Redis still holds are BullMQ's to recover.
   */
  private async redispatchLost(types: readonly string[]): Promise<void> {
    const overdue = await this.options.jobs.overdue(types, (2 * this.leaseMs) / 1000, LOST_JOBS_PER_SWEEP);
    const lost: JobRecord[] = [];
    for (const job of overdue) {
      const state = await this.queueFor(job.type).getJobState(job.id);
      if (state === 'unknown' || state === 'completed' || state === 'failed') lost.push(job);
    }
    if (lost.length === 0) return;
    for (const job of lost) await this.dispatch(job);
    this.options.logger.warn({ jobIds: lost.map((job) => job.id) }, `${lost.length} overdue job(s) missing from Redis were queued again`);
    // A running one's worker stopped renewing its lease: reported as the embedded queue reports it.
    reportStalled(
      this.options.onStalled,
      lost.filter((job) => job.status === 'running'),
    );
  }

  private async process(runner: JobRunner, slots: JobSlots, bullJob: Job<BullPayload>, token: string | undefined): Promise<void> {
    if (!(await slots.acquire())) {
      // The process is stopping: the job goes back to Redis unrun, without using up an attempt.
      await bullJob.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    try {
      const { jobs } = this.options;
      const job = await jobs.markRunning(bullJob.data.jobId, this.workerId, this.leaseMs);
      // Cancelled or finished meanwhile (or deleted with its site): nothing to do.
      if (!job) return;
      const result = await runner.run(job);
      if (!result.retry) return;
      // BullMQ schedules the next attempt after the delay chosen here (the `jittered` strategy reads
      // it), so it carries the embedded queue's jitter and the record shows when it will run.
      const delay = backoffDelayMs(job.attempts, this.backoffFor(job.type));
      this.retryDelays.set(job.id, delay);
      await runner.changed(await jobs.requeue(job.id, result.error, new Date(Date.now() + delay)));
      throw new Error(result.error);
    } finally {
      slots.release();
    }
  }

  async pause(): Promise<void> {
    await Promise.all(this.options.jobTypes.map((type) => this.queueFor(type).pause()));
  }

  async resume(): Promise<void> {
    await Promise.all(this.options.jobTypes.map((type) => this.queueFor(type).resume()));
  }

  async isPaused(): Promise<boolean> {
    const states = await Promise.all(this.options.jobTypes.map((type) => this.queueFor(type).isPaused()));
    return states.length > 0 && states.every(Boolean);
  }

  async ping(): Promise<void> {
    if (this.connection.status === 'wait') await this.connection.connect();
    await this.connection.ping();
  }

  async close(timeoutMs = 10_000): Promise<void> {
    // Jobs waiting for a slot go back to Redis; Worker.close waits for the running ones, and past
    // the timeout they are left to BullMQ's stalled-job recovery.
    this.slots?.close();
    clearInterval(this.recoveryTimer);
    await this.recovering;
    await Promise.race([
      Promise.allSettled(this.workers.map((worker) => worker.close())),
      new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
    this.connection.disconnect();
  }
}
