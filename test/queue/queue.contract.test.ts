import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FetchError } from '../../src/engine/index.js';
import { createLogger } from '../../src/logging/logger.js';
import {
  createJobQueue,
  JobsRepository,
  Priority,
  PermanentJobError,
  type JobHandlers,
  type JobQueue,
  type JobRecord,
} from '../../src/queue/index.js';
import { createTestWorkspace, databaseTargets, type TestDatabase } from '../support/databases.js';
import { serviceUrl } from '../support/services.js';

/** The same behaviour is required of every queue adapter: each runs this whole suite. */
interface AdapterTarget {
  name: string;
  database: typeof databaseTargets extends () => Array<infer T> ? T : never;
  redisUrl?: string;
}

const redisUrl = serviceUrl('TEST_REDIS_URL');
const targets: AdapterTarget[] = databaseTargets().map((database) => ({ name: `embedded on ${database.name}`, database }));
if (redisUrl) targets.push({ name: 'BullMQ on Redis', database: databaseTargets()[0]!, redisUrl });

const BACKOFF_MS = 200;
const logger = createLogger({ level: 'silent' });

describe.each(targets)('job queue contract: $name', (target) => {
  let database: TestDatabase;
  let queue: JobQueue;
  let jobs: JobsRepository;
  let workspaceId: string;

  const changes: Array<[string, string]> = [];
  const stalled: string[] = [];

  async function setUp(
    handlers: JobHandlers,
    concurrency = 2,
    {
      startWorking = true,
      backoffBaseMsByType,
      leaseMs = 5_000,
    }: { startWorking?: boolean; backoffBaseMsByType?: Record<string, number>; leaseMs?: number } = {},
  ) {
    changes.length = 0;
    stalled.length = 0;
    database = await target.database.open();
    workspaceId = await createTestWorkspace(database);
    jobs = new JobsRepository(database.db);
    const prefix = `test-${randomUUID()}`;
    const open = () =>
      createJobQueue({
        database,
        logger,
        redisUrl: target.redisUrl,
        jobTypes: Object.keys(handlers),
        prefix,
        backoffBaseMs: BACKOFF_MS,
        backoffBaseMsByType,
        pollIntervalMs: 50,
        leaseMs,
        onChange: async (job) => void changes.push([job.id, job.status]),
        onStalled: ({ jobIds }) => void stalled.push(...jobIds),
      });
    queue = await open();
    if (startWorking) await queue.work(handlers, { concurrency });
    return {
      start: () => queue.work(handlers, { concurrency }),
      /** Another process taking over the same queue. */
      reopen: async () => {
        queue = await open();
        await queue.work(handlers, { concurrency });
      },
    };
  }

  afterEach(async () => {
    await queue?.close(2_000);
    await database?.close();
  });

  const enqueue = (type: string, payload: Record<string, unknown> = {}, extra: Partial<Parameters<JobQueue['enqueue']>[0]> = {}) =>
    queue.enqueue({ workspaceId, type, payload, priority: Priority.user, ...extra });

  async function until(jobId: string, predicate: (job: JobRecord) => boolean, timeoutMs = 15_000): Promise<JobRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await jobs.get(jobId);
      if (job && predicate(job)) return job;
      if (Date.now() > deadline) throw new Error(`job ${jobId} stuck: ${JSON.stringify(job)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  const settled = (jobId: string) => until(jobId, (job) => ['succeeded', 'failed', 'cancelled'].includes(job.status));

  it('runs a job, records its result, progress, logs and timings, and reports each change', async () => {
    await setUp({
      double: async ({ job, log, progress }) => {
        await log('info', 'doubling', { n: job.payload.n });
        await progress(0.5, 'halfway');
        return { doubled: Number(job.payload.n) * 2 };
      },
    });
    const created = await enqueue('double', { n: 21 });
    expect(created.status).toBe('queued');
    const done = await settled(created.id);
    expect(done).toMatchObject({ status: 'succeeded', result: { doubled: 42 }, attempts: 1, progress: 1, step: 'halfway' });
    expect(done.startedAt!.getTime()).toBeLessThanOrEqual(done.finishedAt!.getTime());
    expect((await jobs.logs(created.id, 0, 10)).map((line) => [line.level, line.message, line.data])).toEqual([
      ['info', 'doubling', { n: 21 }],
    ]);
    // Progress is reported as a change too, so watchers see it while the job runs.
    expect(changes.filter(([id]) => id === created.id).map(([, status]) => status)).toEqual(['running', 'running', 'succeeded']);
  });

  it('runs user-triggered work before scheduled work before batches', async () => {
    const order: string[] = [];
    const { start } = await setUp({ record: async ({ job }) => void order.push(String(job.payload.name)) }, 1, {
      startWorking: false,
    });
    const batch = await enqueue('record', { name: 'batch' }, { priority: Priority.batch });
    const scheduled = await enqueue('record', { name: 'scheduled' }, { priority: Priority.scheduled });
    const user = await enqueue('record', { name: 'user' }, { priority: Priority.user });
    await start();
    await Promise.all([batch, scheduled, user].map((job) => settled(job.id)));
    expect(order).toEqual(['user', 'scheduled', 'batch']);
  });

  it('retries failures with exponential backoff, then succeeds', async () => {
    const attemptsAt: number[] = [];
    await setUp({
      flaky: async () => {
        attemptsAt.push(Date.now());
        if (attemptsAt.length < 3) throw new Error(`flake ${attemptsAt.length}`);
        return 'ok';
      },
    });
    const created = await enqueue('flaky', {}, { maxAttempts: 4 });
    const done = await settled(created.id);
    expect(changes.map(([, status]) => status)).toEqual(['running', 'queued', 'running', 'queued', 'running', 'succeeded']);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 3, result: 'ok' });
    const [first, second, third] = attemptsAt as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(BACKOFF_MS * 0.9);
    expect(third - second).toBeGreaterThanOrEqual(BACKOFF_MS * 2 * 0.9);
    const logs = await jobs.logs(created.id, 0, 10);
    expect(logs.map((line) => line.message)).toEqual(['attempt 1 failed: flake 1', 'attempt 2 failed: flake 2']);
  });

  it('retries a job type with a base delay of its own', async () => {
    const attemptsAt: Record<string, number[]> = { patient: [], usual: [] };
    const failOnce = (type: string) => async () => {
      attemptsAt[type]!.push(Date.now());
      if (attemptsAt[type]!.length < 2) throw new Error('flake');
      return 'ok';
    };
    await setUp({ patient: failOnce('patient'), usual: failOnce('usual') }, 2, { backoffBaseMsByType: { patient: BACKOFF_MS * 15 } });
    const [patient, usual] = await Promise.all([enqueue('patient', {}, { maxAttempts: 2 }), enqueue('usual', {}, { maxAttempts: 2 })]);
    await Promise.all([settled(patient.id), settled(usual.id)]);
    const gap = (type: string) => attemptsAt[type]![1]! - attemptsAt[type]![0]!;
    expect(gap('patient')).toBeGreaterThanOrEqual(BACKOFF_MS * 15 * 0.9);
    // The other type keeps the queue's base (only a lower bound holds on a busy machine).
    expect(gap('usual')).toBeGreaterThanOrEqual(BACKOFF_MS * 0.9);
    expect(gap('usual')).toBeLessThan(gap('patient'));
  });

  it('fails a job after its last attempt, and at once for a permanent error', async () => {
    await setUp({
      broken: async () => {
        throw new Error('still broken');
      },
      invalid: async () => {
        throw new PermanentJobError('site was deleted');
      },
    });
    const broken = await enqueue('broken', {}, { maxAttempts: 2 });
    const invalid = await enqueue('invalid', {}, { maxAttempts: 5 });
    expect(await settled(broken.id)).toMatchObject({ status: 'failed', attempts: 2, error: 'still broken' });
    expect(await settled(invalid.id)).toMatchObject({ status: 'failed', attempts: 1, error: 'site was deleted' });
  });

  it('fails at once when the fetcher refused by policy, and retries its other failures', async () => {
    await setUp({
      blocked: async () => {
        throw new FetchError('blocked_address', 'metadata.internal resolves to 169.254.169.254', 'http://metadata.internal/');
      },
      robots: async () => {
        throw new FetchError('robots_disallowed', 'robots.txt of https://shop.example disallows /', 'https://shop.example/');
      },
      timeout: async () => {
        throw new FetchError('timeout', 'no complete answer within the time limit', 'https://shop.example/');
      },
    });
    const blocked = await enqueue('blocked', {}, { maxAttempts: 3 });
    const robots = await enqueue('robots', {}, { maxAttempts: 3 });
    const timeout = await enqueue('timeout', {}, { maxAttempts: 2 });
    expect(await settled(blocked.id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await settled(robots.id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await settled(timeout.id)).toMatchObject({ status: 'failed', attempts: 2 });
  });

  it('holds a delayed job until it is due', async () => {
    let ranAt = 0;
    await setUp({ later: async () => void (ranAt = Date.now()) });
    const enqueuedAt = Date.now();
    const created = await enqueue('later', {}, { delayMs: 600 });
    await settled(created.id);
    expect(ranAt - enqueuedAt).toBeGreaterThanOrEqual(550);
  });

  it('never runs more jobs at once than its concurrency, all job types together', async () => {
    let running = 0;
    let peak = 0;
    const slow = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 150));
      running--;
    };
    // BullMQ runs a worker per job type: the cap is the process's, not each worker's.
    const types = ['crawl', 'render', 'extract'];
    await setUp(Object.fromEntries(types.map((type) => [type, slow])), 2);
    const created = await Promise.all(types.flatMap((type) => Array.from({ length: 4 }, () => enqueue(type))));
    const finished = await Promise.all(created.map((job) => settled(job.id)));
    expect(finished.map((job) => job.status)).toEqual(created.map(() => 'succeeded'));
    expect(finished.map((job) => job.attempts)).toEqual(created.map(() => 1));
    expect(peak).toBe(2);
  });

  it('gives a job waiting for a free slot back unrun when it stops, for the next process', { timeout: 60_000 }, async () => {
    const ran: string[] = [];
    const slow = async ({ job }: { job: JobRecord }) => {
      ran.push(job.id);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    };
    const { reopen } = await setUp({ crawl: slow, render: slow }, 1);
    const first = await enqueue('crawl');
    await until(first.id, (job) => job.status === 'running');
    const waiting = await enqueue('render');
    // Time for a BullMQ worker to take it and wait for the slot.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await queue.close(10_000);
    // The running job finished; the waiting one never started and used no attempt.
    expect(await jobs.get(first.id)).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(await jobs.get(waiting.id)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(ran).toEqual([first.id]);
    await reopen();
    expect(await settled(waiting.id)).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(ran).toEqual([first.id, waiting.id]);
  });

  it('does not hand out a job as stalled while it waits for a free slot', { timeout: 60_000 }, async () => {
    const ran: string[] = [];
    // Each job outlasts the lease twice over, so the one waiting behind it would lapse unless its lock is kept.
    const slow = async ({ job }: { job: JobRecord }) => {
      ran.push(job.id);
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    };
    await setUp({ crawl: slow, render: slow }, 1, { leaseMs: 2_000 });
    const first = await enqueue('crawl');
    await until(first.id, (job) => job.status === 'running');
    const waiting = await enqueue('render');
    // It has not started while the first one holds the only slot.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await jobs.get(waiting.id))?.status).toBe('queued');
    const finished = await Promise.all([first, waiting].map((job) => settled(job.id)));
    expect(finished.map((job) => [job.status, job.attempts])).toEqual([
      ['succeeded', 1],
      ['succeeded', 1],
    ]);
    expect(ran).toEqual([first.id, waiting.id]);
    expect(stalled).toEqual([]);
  });

  it('runs a job recorded but never handed to the queue: its process died in between, or Redis lost it', async () => {
    const ran: string[] = [];
    await setUp({ count: async ({ job }) => void ran.push(job.id) }, 2, { leaseMs: 1_000 });
    const recorded = await jobs.insert({ workspaceId, type: 'count', payload: {}, priority: Priority.user });
    expect(await settled(recorded.id)).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(ran).toEqual([recorded.id]);
    expect(stalled).toEqual([]);
  });

  it('runs again a job whose worker died while running it, once its lease has lapsed', async () => {
    const ran: string[] = [];
    const { start } = await setUp({ count: async ({ job }) => void ran.push(job.id) }, 2, { leaseMs: 1_000, startWorking: false });
    // What a worker that took the job and died leaves: running, a lease nobody renews, nothing in Redis.
    const recorded = await jobs.insert({ workspaceId, type: 'count', payload: {}, priority: Priority.user });
    await jobs.markRunning(recorded.id, 'worker-that-died', 1_000);
    await start();
    expect(await settled(recorded.id)).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(ran).toEqual([recorded.id]);
  });

  it('cancels a queued job before it runs and a running job at its next checkpoint', async () => {
    let started = false;
    let reachedEnd = false;
    const { start } = await setUp(
      {
        long: async ({ checkpoint }) => {
          started = true;
          for (let step = 0; step < 200; step++) {
            await checkpoint();
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          reachedEnd = true;
        },
        never: async () => {
          throw new Error('a cancelled job must not run');
        },
      },
      2,
      { startWorking: false },
    );
    const queued = await enqueue('never', {}, { delayMs: 300 });
    expect((await jobs.requestCancel(queued.id))?.status).toBe('cancelled');
    await start();
    const running = await enqueue('long');
    await until(running.id, (job) => job.status === 'running');
    await expect.poll(() => started).toBe(true);
    await jobs.requestCancel(running.id);
    expect(await settled(running.id)).toMatchObject({ status: 'cancelled' });
    expect(reachedEnd).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await jobs.get(queued.id))?.status).toBe('cancelled');
  });

  it('runs a failed job again on retry', async () => {
    let calls = 0;
    await setUp({
      once: async () => {
        calls++;
        if (calls === 1) throw new PermanentJobError('upstream down');
        return 'second time lucky';
      },
    });
    const created = await enqueue('once');
    expect(await settled(created.id)).toMatchObject({ status: 'failed' });
    const reset = await jobs.resetForRetry(created.id);
    await queue.dispatch(reset!);
    expect(await until(created.id, (job) => job.status === 'succeeded')).toMatchObject({ result: 'second time lucky', attempts: 1 });
  });

  it('takes no work while paused and resumes where it stopped', async () => {
    let ran = 0;
    await setUp({ count: async () => void ran++ });
    await queue.pause();
    expect(await queue.isPaused()).toBe(true);
    const created = await enqueue('count');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(ran).toBe(0);
    expect((await jobs.get(created.id))?.status).toBe('queued');
    await queue.resume();
    expect(await queue.isPaused()).toBe(false);
    await settled(created.id);
    expect(ran).toBe(1);
  });
});
