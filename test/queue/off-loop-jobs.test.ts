import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintSite } from '../../src/engine/index.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import { createEngineThreads, type EngineThreads } from '../../src/pipeline/engine-threads.js';
import { Priority, type JobRecord } from '../../src/queue/index.js';
import { siblingWorkerModule, WorkerPool } from '../../src/threads/worker-pool.js';
import type * as BusyTasks from '../support/busy-tasks.js';
import { createTestStack } from '../support/app.js';
import { createTestWorkspace, databaseTargets, type TestDatabase } from '../support/databases.js';

describe('job work off the HTTP event loop', () => {
  let database: TestDatabase | undefined;
  let app: AppInstance | undefined;
  let pool: WorkerPool<typeof BusyTasks> | undefined;
  let engine: EngineThreads | undefined;

  afterEach(async () => {
    await pool?.close();
    await engine?.close();
    await app?.close();
    await database?.close();
    pool = engine = app = database = undefined;
  });

  it('answers HTTP while an embedded job keeps a worker thread busy', async () => {
    database = await databaseTargets()[0]!.open();
    const workspaceId = await createTestWorkspace(database);
    const stack = await createTestStack({ database });
    app = stack.app;
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    pool = new WorkerPool<typeof BusyTasks>(siblingWorkerModule(import.meta.url, '../support/busy-tasks'), { maxThreads: 1 });
    const release = new Int32Array(new SharedArrayBuffer(4));
    const busyPool = pool;
    await stack.platform.queue.work({ busy: () => busyPool.run('busyUntilReleased', { release }) }, { concurrency: 1 });
    const job = await stack.platform.queue.enqueue({ workspaceId, type: 'busy', payload: {}, priority: Priority.user });

    const status = async (): Promise<JobRecord> => (await stack.platform.repositories.jobs.get(job.id))!;
    while ((await status()).status !== 'running') await new Promise((resolve) => setTimeout(resolve, 20));
    // The job spins until released, and only this test releases it, after the API has answered:
    // had the job run on the event loop, neither request could be served.
    const live = await fetch(`${url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    expect((await status()).status).toBe('running');

    Atomics.store(release, 0, 1);
    while (!['succeeded', 'failed'].includes((await status()).status)) await new Promise((resolve) => setTimeout(resolve, 20));
    const done = await status();
    expect(done.status).toBe('succeeded');
    expect((done.result as { thread: number }).thread).not.toBe(threadId);
  });

  /** The embedded database behind a listening app: its URL. */
  async function servedEmbeddedDatabase(): Promise<string> {
    database = await databaseTargets()[0]!.open();
    app = (await createTestStack({ database })).app;
    return app.listen({ host: '127.0.0.1', port: 0 });
  }

  it('answers HTTP between the statements of a long run of embedded-database work', async () => {
    const url = await servedEmbeddedDatabase();
    // PGlite executes on this thread and resolves each statement at once: without a turn of the
    // event loop between statements, the request below could only be read after the last one.
    let statementsRun = 0;
    const run = (async () => {
      for (; statementsRun < 3000; statementsRun++) await database!.query(sql`select 1`);
    })();
    while (statementsRun === 0) await new Promise((resolve) => setImmediate(resolve));
    const live = await fetch(`${url}/health/live`);
    const runWhenAnswered = statementsRun;
    await run;
    expect(live.status).toBe(200);
    expect(runWhenAnswered).toBeLessThan(3000);
  });

  it('answers HTTP while many embedded-database statements wait together, running one a turn', async () => {
    const url = await servedEmbeddedDatabase();
    // Fifty requests in flight issue their statements together. Run in one turn of the loop, they
    // (and their callers' work) would all pass before the request below could even be read.
    let completed = 0;
    const statements = Promise.all(Array.from({ length: 2000 }, () => database!.query(sql`select 1`).then(() => completed++)));
    const live = await fetch(`${url}/health/live`);
    const completedWhenAnswered = completed;
    await statements;
    expect(live.status).toBe(200);
    expect(completedWhenAnswered).toBeLessThan(2000);
  });

  it('runs the pipeline engine functions in worker threads with the same results as in process', async () => {
    engine = createEngineThreads(1);
    expect(await engine.run('thread', null)).not.toBe(threadId);
    const dir = path.join(import.meta.dirname, '../fixtures/sites/bookshop/pages');
    const pages = ['0000.htm', '0001.htm'].map((file) => ({
      url: `https://bookshop.example/${file}`,
      html: readFileSync(path.join(dir, file), 'utf8'),
      headers: { server: 'nginx' },
    }));
    expect(await engine.run('fingerprint', { pages })).toEqual(fingerprintSite(pages));
  });

  it.runIf(process.platform === 'linux')(
    'runs engine threads at the lowest scheduling priority, below the thread serving HTTP',
    async () => {
      // Niceness is field 19 of /proc/<pid>/task/<tid>/stat (counted after the command name).
      const niceness = (task: string) => {
        const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      };
      const before = new Set(readdirSync('/proc/self/task'));
      engine = createEngineThreads(2);
      await Promise.all([engine.run('thread', null), engine.run('thread', null)]);
      const started = readdirSync('/proc/self/task').filter((task) => !before.has(task));
      const main = niceness(String(process.pid));
      const nicer = started.filter((task) => niceness(task) === 19);
      // Each engine thread lowers its own priority; the main thread's stays as it was.
      expect(nicer.length).toBeGreaterThanOrEqual(2);
      expect(niceness(String(process.pid))).toBe(main);
    },
  );
});
