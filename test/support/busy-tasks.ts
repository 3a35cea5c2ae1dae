// Worker-thread tasks for tests of off-loop job work (loaded by WorkerPool, not imported).
import { threadId } from 'node:worker_threads';

/**
 * Keeps its thread's CPU busy until the caller stores 1 in `release[0]`. Run on the thread that
 * serves HTTP it would hold that thread until released, so nothing could answer in between.
 */
export function busyUntilReleased({ release }: { release: Int32Array }): { thread: number } {
  while (Atomics.load(release, 0) === 0) {
    // Spin: CPU-bound work that never yields, like parsing and matching a page.
  }
  return { thread: threadId };
}
