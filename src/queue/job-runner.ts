import { reportError } from '../logging/error-reports.js';
import type { Logger } from '../logging/logger.js';
import { withSpan, type TraceSpan } from '../logging/tracing.js';
import { initJobMetrics, metrics, secondsSince } from '../system/metrics.js';
import type { JobRecord, JobsRepository } from './jobs.repository.js';
import {
  isRetryable,
  JobCancelledError,
  type JobChangeListener,
  type JobContext,
  type JobHandlers,
  type JobLogListener,
  type JobStalledListener,
} from './types.js';

/** What is left for the adapter after a run: nothing, or scheduling the next attempt. */
export type RunResult = { retry: false } | { retry: true; error: string };

export interface RunnerOptions {
  workerId: string;
  leaseMs: number;
  logger: Logger;
  onChange?: JobChangeListener;
  onLog?: JobLogListener;
}

/**
 * Runs one claimed job with its handler: the part both queue adapters share. It keeps the
 * job's lease alive, gives the handler its context, and records success, cancellation and
 * final failure. A retryable failure with attempts left goes back to the adapter, which
 * schedules the next attempt its own way.
 */
export class JobRunner {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly handlers: JobHandlers,
    private readonly options: RunnerOptions,
  ) {
    for (const type of Object.keys(handlers)) initJobMetrics(type);
  }

  /** Tells listeners about a state change the adapter made (claimed, requeued). */
  async changed(job: JobRecord | undefined): Promise<void> {
    if (!job || !this.options.onChange) return;
    await this.options
      .onChange(job)
      .catch((err: unknown) => this.options.logger.error({ err, jobId: job.id }, 'job change listener failed'));
  }

  /**
   * Runs one attempt in a span continuing the context that queued the job (stored on its record),
   * so with tracing on the request that started the work and the job share one trace.
   */
  async run(job: JobRecord): Promise<RunResult> {
    const attributes = { 'siteprint.job_type': job.type, 'siteprint.job_id': job.id, 'siteprint.attempt': job.attempts };
    return withSpan(`job ${job.type}`, { kind: 'consumer', traceParent: job.traceParent, attributes }, (span) => this.attempt(job, span));
  }

  private async attempt(job: JobRecord, span: TraceSpan): Promise<RunResult> {
    await this.changed(job);
    const handler = this.handlers[job.type];
    if (!handler) return this.fail(job, `no handler for job type ${job.type}`);
    const { workerId, leaseMs, logger } = this.options;
    // Inside the job's span: with tracing on, the line carries the trace id that joins it to the request.
    logger.debug({ jobId: job.id, type: job.type, attempt: job.attempts }, 'job attempt started');
    const timing = new JobTiming(job, span);
    const heartbeat = setInterval(() => {
      this.jobs.extendLease(job.id, workerId, leaseMs).catch((err: unknown) => logger.warn({ err, jobId: job.id }, 'lease renewal failed'));
    }, leaseMs / 3);
    const context: JobContext = {
      job,
      checkpoint: async () => {
        if (await this.jobs.isCancelRequested(job.id)) throw new JobCancelledError();
      },
      log: async (level, message, data) => {
        await this.jobs.appendLog(job.id, level, message, data);
        await this.options
          .onLog?.(job, { level, message, data })
          .catch((err: unknown) => logger.warn({ err, jobId: job.id }, 'job log listener failed'));
      },
      // Progress is a change listeners hear about too: an analysis mirrors its step's, and watchers follow it live.
      progress: async (fraction, step) => {
        if (step) timing.step(step);
        await this.changed(await this.jobs.setProgress(job.id, Math.min(1, Math.max(0, fraction)), step));
      },
      addCost: (usd) => this.jobs.addCost(job.id, usd),
    };
    try {
      await context.checkpoint();
      const result = await handler(context);
      await this.changed(await this.jobs.finish(job.id, { status: 'succeeded', result: result ?? null }));
      timing.finished('succeeded');
      return { retry: false };
    } catch (error) {
      if (error instanceof JobCancelledError) {
        await this.jobs.appendLog(job.id, 'warn', 'cancelled');
        await this.changed(await this.jobs.finish(job.id, { status: 'cancelled', error: 'cancelled' }));
        timing.finished('cancelled');
        return { retry: false };
      }
      const message = error instanceof Error ? error.message : String(error);
      span.fail(error);
      await this.jobs.appendLog(job.id, 'error', `attempt ${job.attempts} failed: ${message}`);
      logger.warn({ jobId: job.id, type: job.type, attempt: job.attempts, err: error }, 'job attempt failed');
      if (!isRetryable(error) || job.attempts >= job.maxAttempts) {
        timing.finished('failed');
        // Only final failures are reported: a retried attempt is expected operation, not a bug to triage.
        reportError(error, { kind: 'job', jobType: job.type, jobId: job.id, attempt: job.attempts });
        return this.fail(job, message);
      }
      timing.finished('retry');
      return { retry: true, error: message };
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async fail(job: JobRecord, error: string): Promise<RunResult> {
    await this.changed(await this.jobs.finish(job.id, { status: 'failed', error }));
    return { retry: false };
  }
}

/** Counts an attempt and times it, and each of its steps, for the metrics. */
class JobTiming {
  private readonly started = performance.now();
  private current?: { step: string; since: number; span: TraceSpan };

  constructor(
    private readonly job: JobRecord,
    private readonly span: TraceSpan,
  ) {
    metrics.jobsStarted.inc({ type: job.type });
  }

  step(step: string): void {
    if (this.current?.step === step) return;
    this.closeStep();
    this.current = { step, since: performance.now(), span: this.span.child(`step ${step}`, { 'siteprint.step': step }) };
  }

  finished(outcome: 'succeeded' | 'failed' | 'cancelled' | 'retry'): void {
    this.closeStep();
    this.span.setAttribute('siteprint.job_outcome', outcome);
    metrics.jobsFinished.inc({ type: this.job.type, outcome });
    metrics.jobDuration.observe({ type: this.job.type, outcome }, secondsSince(this.started));
  }

  private closeStep(): void {
    if (this.current) {
      metrics.jobStepDuration.observe({ type: this.job.type, step: this.current.step }, secondsSince(this.current.since));
      this.current.span.end();
    }
    this.current = undefined;
  }
}

/** Exponential backoff with a little jitter so retries of many jobs do not arrive together. */
export function backoffDelayMs(attempt: number, baseMs: number): number {
  const exponential = baseMs * 2 ** Math.max(0, attempt - 1);
  return Math.round(exponential * (1 + Math.random() * 0.1));
}

/** Tells the listener of jobs handed out again after their worker stopped renewing its lease, by job type. */
export function reportStalled(listener: JobStalledListener | undefined, stalled: ReadonlyArray<{ id: string; type: string }>): void {
  for (const type of new Set(stalled.map((job) => job.type))) {
    listener?.({ type, jobIds: stalled.filter((job) => job.type === type).map((job) => job.id) });
  }
}
