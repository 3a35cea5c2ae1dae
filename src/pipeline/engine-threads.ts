import type { ThreadedExtraction } from '../extraction/extract-page.js';
import { siblingWorkerModule, WorkerPool } from '../threads/worker-pool.js';
import type * as EngineTasks from './engine-tasks.js';

/** The pipeline's CPU-heavy engine work (engine-tasks.ts), run in worker threads. */
export type EngineThreads = WorkerPool<typeof EngineTasks>;

/**
 * One thread per job the process runs at once: a step's engine work then never waits for another
 * job's, and the event loop that serves HTTP and keeps the queue's bookkeeping (database, leases,
 * logs) stays free while pages are parsed and matched.
 */
export function createEngineThreads(concurrency: number): EngineThreads {
  // Threads outlive a job: loading the engine and compiling the fingerprint rules is paid once per thread.
  return new WorkerPool<typeof EngineTasks>(siblingWorkerModule(import.meta.url, 'engine-tasks'), {
    maxThreads: Math.max(1, concurrency),
    idleTimeoutMs: 5 * 60_000,
  });
}

const shared = new Map<number, EngineThreads>();

/**
 * The process's engine threads for `concurrency` jobs at once, shared by every platform it opens (a
 * test file opens many), so each thread's warm engine serves them all. Idle threads end after a
 * while and never keep the process alive, so the pool needs no closing.
 */
export function engineThreads(concurrency: number): EngineThreads {
  let pool = shared.get(concurrency);
  if (!pool) shared.set(concurrency, (pool = createEngineThreads(concurrency)));
  return pool;
}

/** What the engine reads of a page; the rest of a stored or fetched page need not cross to a thread. */
export const pageText = (page: { url: string; html: string }) => ({ url: page.url, html: page.html });

/** Pages read with a blueprint in the engine threads, for jobs and for extraction within a request alike. */
export const threadedExtraction =
  (engine: EngineThreads): ThreadedExtraction =>
  (blueprint) =>
  (page, pageType) =>
    engine.run('extract', { blueprint, page: pageText(page), pageType });
