import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * The niceness background engine threads run at: the lowest priority there is. The scheduler then
 * gives a runnable main thread (HTTP, job bookkeeping) the CPU first: at niceness 19 a thread
 * weighs about 1/70 of one at 0, so analyses still use every idle core but hardly delay requests
 * (at 10, four busy engine threads together still weighed almost half of the main thread).
 */
export const BACKGROUND_NICENESS = 19;

/**
 * Lowers the calling thread's scheduling priority (Linux only: `setpriority` with a thread id
 * applies to that thread alone, and `/proc/thread-self` names it). Elsewhere nothing changes.
 */
export function runThreadInBackground(): void {
  if (process.platform !== 'linux') return;
  try {
    // "/proc/thread-self" links to "<pid>/task/<tid>".
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    setPriority(threadId, Math.max(BACKGROUND_NICENESS, getPriority(threadId)));
  } catch {
    // A container without /proc or a seccomp policy forbidding setpriority: run at normal priority.
  }
}
