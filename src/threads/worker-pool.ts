import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';

/** A worker module's tasks: named exports that each take one structured-cloneable argument. */
export type TaskModule = Record<string, (input: never) => unknown>;

export interface WorkerPoolOptions {
  /** Tasks run at once; more wait in the pool's queue. */
  maxThreads: number;
  /** A thread idle this long ends; kept alive in between so per-thread caches (compiled rules) stay warm. */
  idleTimeoutMs?: number;
}

/** Where a worker thread finds a task module, and what it is told at start. */
export interface WorkerModule {
  filename: string;
  workerData?: { taskModule: string };
}

/**
 * The task module `name` next to the calling module `from` (its import.meta.url), as a worker thread
 * can load it: the built `.js` file under dist/, or, when running from TypeScript sources (tsx,
 * vitest), the `.ts` file through ts-worker.cjs, since threads do not inherit the parent's loader.
 */
export function siblingWorkerModule(from: string, name: string): WorkerModule {
  if (new URL(from).pathname.endsWith('.ts')) {
    return {
      filename: fileURLToPath(new URL('./ts-worker.cjs', import.meta.url)),
      workerData: { taskModule: new URL(`./${name}.ts`, from).href },
    };
  }
  return { filename: fileURLToPath(new URL(`./${name}.js`, from)) };
}

/**
 * Runs the named tasks of one worker module in worker threads (piscina), so CPU-bound work does
 * not hold the event loop that serves HTTP. Threads start on first use, never at boot.
 */
export class WorkerPool<Tasks extends TaskModule> {
  private readonly pool: Piscina;

  constructor(module: WorkerModule, options: WorkerPoolOptions) {
    this.pool = new Piscina({
      filename: module.filename,
      workerData: module.workerData,
      minThreads: 0,
      maxThreads: options.maxThreads,
      idleTimeout: options.idleTimeoutMs ?? 60_000,
    });
  }

  run<Name extends keyof Tasks & string>(name: Name, input: Parameters<Tasks[Name]>[0]): Promise<Awaited<ReturnType<Tasks[Name]>>> {
    return this.pool.run(input, { name }) as Promise<Awaited<ReturnType<Tasks[Name]>>>;
  }

  /** Tasks finished so far (successfully or not). */
  get completed(): number {
    return this.pool.completed;
  }

  /** Ends every thread; tasks still queued or running are rejected. */
  close(): Promise<void> {
    return this.pool.destroy();
  }
}
