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
  return new WorkerPool<typeof EngineTasks>(siblingWorkerModule(import.meta.url, 'engine-tasks'), { maxThreads: Math.max(1, concurrency) });
}

/** What the engine reads of a page; the rest of a stored or fetched page need not cross to a thread. */
export const pageText = (page: { url: string; html: string }) => ({ url: page.url, html: page.html });
