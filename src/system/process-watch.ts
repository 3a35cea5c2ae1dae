import { hostname } from 'node:os';
import type { Logger } from '../logging/logger.js';
import type { ReportSystemError } from '../notifications/system-errors.js';
import type { JobHandlers } from '../queue/types.js';
import type { ProcessesRepository, WorkerProcess } from './processes.repository.js';

/** The rows of processes silent this long are left out of the Workers panel (they stay for crash-loop counting). */
export const FORGET_SILENT_AFTER_MS = 24 * 3600_000;

export interface ProcessWatchOptions {
  repository: ProcessesRepository;
  role: WorkerProcess['role'];
  queue: WorkerProcess['queue'];
  version: string;
  /** Jobs this process runs at once. */
  concurrency: number;
  report: ReportSystemError;
  logger: Logger;
  /** How often the process says it is alive; silent for three times this, it counts as dead. */
  heartbeatMs: number;
  /** This many deaths on one host within `crashLoopWindowMs` before a start are a crash loop. */
  crashLoopRestarts?: number;
  crashLoopWindowMs?: number;
  host?: string;
  pid?: number;
}

/**
 * A process that runs jobs, in the one registry of them (worker_processes): it registers at start,
 * writes a heartbeat (last seen, jobs running now) every `heartbeatMs`, and records its clean stop.
 * The admin Workers panel reads the registry; so does what the process knows about its own
 * trouble, told to system administrators as `system.error`: at start, whether its predecessors on this host keep dying (a crash loop: each
 * registered its start and never its stop); while running, whether it can reach the database
 * (its heartbeat is a write there). An outage is reported when the database answers again, since
 * the outbox the alert goes through lives in it; other processes go on delivering meanwhile.
 */
export class ProcessWatch {
  #self: WorkerProcess | undefined;
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  #outageSince: Date | undefined;
  #lastError = '';
  #running = 0;

  constructor(private readonly options: ProcessWatchOptions) {}

  /** This process's row in the registry, once started. */
  get id(): string | undefined {
    return this.#self?.id;
  }

  /** The same handlers, counting how many of them run at any moment (written with each heartbeat). */
  track(handlers: JobHandlers): JobHandlers {
    return Object.fromEntries(
      Object.entries(handlers).map(([type, handler]) => [
        type,
        async (context: Parameters<typeof handler>[0]) => {
          this.#running++;
          try {
            return await handler(context);
          } finally {
            this.#running--;
          }
        },
      ]),
    );
  }

  async start(): Promise<void> {
    if (this.#self) return;
    const { repository, role, queue, version, concurrency, heartbeatMs } = this.options;
    const windowMs = this.options.crashLoopWindowMs ?? 600_000;
    const restarts = this.options.crashLoopRestarts ?? 3;
    const self = await repository.register({
      role,
      queue,
      version,
      concurrency,
      host: this.options.host ?? hostname(),
      pid: this.options.pid ?? process.pid,
    });
    this.#self = self;
    await repository.prune(7);
    const died = await repository.diedRecently(self, windowMs, heartbeatMs * 3);
    if (died >= restarts) {
      await this.options.report({
        kind: 'worker.crash_loop',
        subject: `${role}@${self.host}`,
        message: `${died} ${role} processes on ${self.host} died without stopping in the last ${Math.round(windowMs / 60_000)} minutes; it is restarting in a loop`,
        details: { host: self.host, role, deaths: died, windowMinutes: Math.round(windowMs / 60_000) },
      });
    }
    this.#timer = setInterval(() => void this.beat(), heartbeatMs);
    this.#timer.unref();
  }

  /** One heartbeat (the timer calls it; tests may too): a failed one opens an outage, the next good one reports it. */
  beat(): Promise<void> {
    this.#beating ??= this.#beat().finally(() => {
      this.#beating = undefined;
    });
    return this.#beating;
  }

  async #beat(): Promise<void> {
    const self = this.#self;
    if (!self) return;
    const { repository, heartbeatMs, logger } = this.options;
    try {
      await withTimeout(repository.heartbeat(self.id, this.#running), heartbeatMs * 3);
    } catch (error) {
      this.#lastError = error instanceof Error ? error.message : String(error);
      if (!this.#outageSince) logger.error({ err: error }, 'the database is unreachable from this process');
      this.#outageSince ??= new Date();
      return;
    }
    const since = this.#outageSince;
    if (!since) return;
    this.#outageSince = undefined;
    const until = new Date();
    const seconds = Math.round((until.getTime() - since.getTime()) / 1000);
    await this.options.report({
      kind: 'database.unreachable',
      subject: `${self.role}@${self.host}`,
      message: `The database was unreachable from ${self.role} ${self.host} (pid ${self.pid}) for about ${seconds} s; jobs there could not start or record their outcome meanwhile`,
      details: { host: self.host, pid: self.pid, since: since.toISOString(), until: until.toISOString(), error: this.#lastError },
    });
  }

  /** A clean stop: the registry knows this process did not die. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#beating;
    if (this.#self)
      await this.options.repository
        .stopped(this.#self.id)
        .catch((err: unknown) => this.options.logger.warn({ err }, 'could not record the clean stop of this process'));
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
