import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * How much nicer than the process background engine threads run. The scheduler then gives a
 * runnable main thread (HTTP, job bookkeeping) the CPU first: 10 steps lower, a thread weighs about
 * a tenth as much, so analyses still use every idle core but stop delaying requests.
 */
export const BACKGROUND_NICENESS_STEP = 10;

/**
 * Lowers the calling thread's scheduling priority (Linux only: `setpriority` with a thread id
 * applies to that thread alone, and `/proc/thread-self` names it). Elsewhere nothing changes.
 */
export function runThreadInBackground(step = BACKGROUND_NICENESS_STEP): void {
  if (process.platform !== 'linux') return;
  try {
    // "/proc/thread-self" links to "<pid>/task/<tid>".
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    setPriority(threadId, Math.min(19, getPriority(threadId) + step));
  } catch {
    // A container without /proc or a seccomp policy forbidding setpriority: run at normal priority.
  }
}
