import type { Database } from '../db/client.js';
import type { Logger } from '../logging/logger.js';
import { SettingsRepository } from '../settings/settings.repository.js';
import { EmbeddedQueue } from './embedded-queue.js';
import { JobsRepository, type JobFinishedListener } from './jobs.repository.js';
import type { JobChangeListener, JobLogListener, JobQueue, JobStalledListener } from './types.js';

export { JobsRepository, type JobFinishedListener, type JobLogRecord, type JobRecord, type JobStatus } from './jobs.repository.js';
export * from './types.js';

export interface CreateQueueOptions {
  database: Database;
  logger: Logger;
  /** BullMQ on this Redis when set; otherwise the embedded queue over the database. */
  redisUrl?: string;
  jobTypes: readonly string[];
  prefix?: string;
  leaseMs?: number;
  backoffBaseMs?: number;
  /** A job type whose retries follow another base delay than `backoffBaseMs` (notification deliveries: about a day). */
  backoffBaseMsByType?: Readonly<Record<string, number>>;
  pollIntervalMs?: number;
  onChange?: JobChangeListener;
  onLog?: JobLogListener;
  /** Runs in the transaction recording a job's final state (the notification outbox). */
  onFinished?: JobFinishedListener;
  onStalled?: JobStalledListener;
}

/** BullMQ (and its Redis client) loads only in scaled mode: an embedded server does not pay for it at start. */
export async function createJobQueue(options: CreateQueueOptions): Promise<JobQueue> {
  const jobs = new JobsRepository(options.database.db, options.onFinished);
  if (options.redisUrl) {
    const { BullmqQueue } = await import('./bullmq-queue.js');
    return new BullmqQueue({
      jobs,
      logger: options.logger,
      redisUrl: options.redisUrl,
      jobTypes: options.jobTypes,
      prefix: options.prefix,
      leaseMs: options.leaseMs,
      backoffBaseMs: options.backoffBaseMs,
      backoffBaseMsByType: options.backoffBaseMsByType,
      onChange: options.onChange,
      onLog: options.onLog,
      onStalled: options.onStalled,
    });
  }
  return new EmbeddedQueue({
    jobs,
    settings: new SettingsRepository(options.database.db),
    logger: options.logger,
    singleProcess: options.database.kind === 'pglite',
    leaseMs: options.leaseMs,
    backoffBaseMs: options.backoffBaseMs,
    backoffBaseMsByType: options.backoffBaseMsByType,
    pollIntervalMs: options.pollIntervalMs,
    onChange: options.onChange,
    onLog: options.onLog,
    onStalled: options.onStalled,
  });
}
