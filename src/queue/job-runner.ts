import type { Logger } from '../logging/logger.js';
import type { JobRecord, JobsRepository } from './jobs.repository.js';
import { JobCancelledError, PermanentJobError, type JobContext, type JobHandlers } from './types.js';

export type RunOutcome =
  | { status: 'succeeded'; result: unknown }
  | { status: 'cancelled' }
  | { status: 'error'; error: string; retryable: boolean };

export interface RunnerOptions {
  workerId: string;
  leaseMs: number;
  logger: Logger;
}

/**
 * Runs one claimed job with its handler: the part both queue adapters share. It keeps the
 * job's lease alive, gives the handler its context and reports the outcome; the adapter
 * decides what an error means (retry later or fail).
 */
export class JobRunner {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly handlers: JobHandlers,
    private readonly options: RunnerOptions,
  ) {}

  handles(type: string): boolean {
    return Object.hasOwn(this.handlers, type);
  }

  async run(job: JobRecord): Promise<RunOutcome> {
    const handler = this.handlers[job.type];
    if (!handler) return { status: 'error', error: `no handler for job type ${job.type}`, retryable: false };
    const { workerId, leaseMs, logger } = this.options;
    const heartbeat = setInterval(() => {
      this.jobs.extendLease(job.id, workerId, leaseMs).catch((err: unknown) => logger.warn({ err, jobId: job.id }, 'lease renewal failed'));
    }, leaseMs / 3);
    const context: JobContext = {
      job,
      checkpoint: async () => {
        if (await this.jobs.isCancelRequested(job.id)) throw new JobCancelledError();
      },
      log: (level, message, data) => this.jobs.appendLog(job.id, level, message, data),
      progress: (fraction, step) => this.jobs.setProgress(job.id, Math.min(1, Math.max(0, fraction)), step),
      addCost: (usd) => this.jobs.addCost(job.id, usd),
    };
    try {
      await context.checkpoint();
      const result = await handler(context);
      return { status: 'succeeded', result: result ?? null };
    } catch (error) {
      if (error instanceof JobCancelledError) {
        await this.jobs.appendLog(job.id, 'warn', 'cancelled');
        return { status: 'cancelled' };
      }
      const message = error instanceof Error ? error.message : String(error);
      await this.jobs.appendLog(job.id, 'error', `attempt ${job.attempts} failed: ${message}`);
      logger.warn({ jobId: job.id, type: job.type, attempt: job.attempts, err: error }, 'job attempt failed');
      return { status: 'error', error: message, retryable: !(error instanceof PermanentJobError) };
    } finally {
      clearInterval(heartbeat);
    }
  }
}

/** Exponential backoff with a little jitter so retries of many jobs do not arrive together. */
export function backoffDelayMs(attempt: number, baseMs: number): number {
  const exponential = baseMs * 2 ** Math.max(0, attempt - 1);
  return Math.round(exponential * (1 + Math.random() * 0.1));
}
