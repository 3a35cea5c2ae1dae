import type { jobLogs, jobs } from '../db/schema/index.js';

export type JobRecord = typeof jobs.$inferSelect;
export type JobStatus = JobRecord['status'];
export type JobLogRecord = typeof jobLogs.$inferSelect;

/** Lower runs first: what a user asked for beats the schedule, which beats bulk work. */
export const Priority = { user: 1, scheduled: 2, batch: 3 } as const;
export type Priority = (typeof Priority)[keyof typeof Priority];

export interface EnqueueOptions {
  /** Chosen by the caller when something is keyed by the job before it exists (a quota reservation). */
  id?: string;
  workspaceId: string;
  siteId?: string | null;
  parentId?: string | null;
  type: string;
  payload: Record<string, unknown>;
  priority: Priority;
  delayMs?: number;
  maxAttempts?: number;
}

export interface JobContext {
  readonly job: JobRecord;
  /** Throws JobCancelledError once the job has been cancelled; call it between units of work. */
  checkpoint(): Promise<void>;
  log(level: JobLogRecord['level'], message: string, data?: unknown): Promise<void>;
  progress(fraction: number, step?: string): Promise<void>;
  addCost(usd: number): Promise<void>;
}

export type JobHandler = (context: JobContext) => Promise<unknown>;
/** Called after every state change of a job (running, queued again, finished). */
export type JobChangeListener = (job: JobRecord) => Promise<void>;
/** Called after a running job writes a log line, so watchers can follow it live. */
export type JobLogListener = (job: JobRecord, entry: { level: JobLogRecord['level']; message: string; data?: unknown }) => Promise<void>;
export type JobHandlers = Readonly<Record<string, JobHandler>>;
/**
 * Called when the queue finds jobs whose worker stopped renewing their lock or lease (it died or
 * blocked) and hands them out again: BullMQ's stalled jobs, the embedded queue's lapsed leases.
 */
export type JobStalledListener = (stalled: { type: string; jobIds: string[] }) => void;

export interface WorkOptions {
  /** Jobs run at once by this process, all job types together. */
  concurrency: number;
}

/** One contract, two adapters: in-process over the database, or BullMQ workers on Redis. */
export interface JobQueue {
  readonly kind: 'embedded' | 'bullmq';
  /** Stores the job record (the API's source of truth) and hands it to the queue. */
  enqueue(options: EnqueueOptions): Promise<JobRecord>;
  /** Hands an existing queued record to the queue again (after a manual retry). */
  dispatch(job: JobRecord): Promise<void>;
  /** Starts consuming jobs of the given types in this process. */
  work(handlers: JobHandlers, options: WorkOptions): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  isPaused(): Promise<boolean>;
  /** Throws when the queue's backing store does not answer. */
  ping(): Promise<void>;
  /** Stops taking jobs, waits for running ones up to the timeout, releases connections. */
  close(timeoutMs?: number): Promise<void>;
}

export class JobCancelledError extends Error {
  constructor() {
    super('job cancelled');
    this.name = 'JobCancelledError';
  }
}

/** A failure that retrying cannot fix (bad input, missing resource): the job fails at once. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/**
 * Whether another attempt could end differently. Besides PermanentJobError, any error that says
 * `retryable: false` fails the job at once: the engine's FetchError does for policy refusals
 * (a blocked address, robots.txt), which the queue need not know by name.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof PermanentJobError) return false;
  return (error as { retryable?: unknown } | null)?.retryable !== false;
}
