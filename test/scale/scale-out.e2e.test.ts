import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startCli, type RunningCli } from '../support/cli.js';
import { createPostgresDatabase } from '../support/databases.js';
import { FixtureShop } from '../support/fixture-shop.js';
import { serviceUrl } from '../support/services.js';
import { freePort } from '../support/network.js';

/**
 * The scaled mode under faults: one PostgreSQL, one Redis of this test's own (it is restarted,
 * so never the machine's shared one), two `siteprint serve` and two `siteprint worker`
 * processes, and a farm of loopback fixture sites added through both APIs. While analyses and
 * extraction batches run, a worker is SIGKILLed twice, an API once, and Redis is restarted.
 * In the end every job has finished, each site has one blueprint version, and no extraction
 * result, version, usage record or notification is written twice.
 */
const SITES = 20;
const PASSWORD = 'correct horse battery';
const fields = ['title', 'author', 'isbn_13', 'publisher'].map((name) => ({ name }));
const running: Array<RunningCli | ChildProcess> = [];
const cleanups: Array<() => unknown> = [];

afterAll(async () => {
  for (const child of running) ('child' in child ? child.child : child).kill('SIGKILL');
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const t0 = Date.now();
const progress = (message: string) => console.log(`[scale +${((Date.now() - t0) / 1000).toFixed(1)} s] ${message}`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** A redis-server with an append-only file, so a restart keeps the queue as a production Redis would. */
function startRedis(port: number, dir: string): ChildProcess {
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
    { stdio: 'ignore' },
  );
  running.push(redis);
  return redis;
}

describe('scale-out under faults', () => {
  const postgres = serviceUrl('TEST_DATABASE_URL');

  it.runIf(postgres)(
    'two APIs and two workers lose no job and write nothing twice through worker, API and Redis crashes',
    async () => {
      const shops = await Promise.all(Array.from({ length: SITES }, () => new FixtureShop().start()));
      cleanups.push(() => Promise.all(shops.map((shop) => shop.stop())));
      const database = await createPostgresDatabase(postgres!);
      cleanups.push(() => database.drop());
      const redisDir = mkdtempSync(path.join(tmpdir(), 'siteprint-scale-redis-'));
      cleanups.push(() => rmSync(redisDir, { recursive: true, force: true }));
      const redisPort = await freePort();
      let redis = startRedis(redisPort, redisDir);
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        QUEUE_PREFIX: `scale-${randomUUID()}`,
        JOB_LEASE_MS: '3000',
        WORKER_CONCURRENCY: '3',
        ALLOW_PRIVATE_NETWORK: 'true',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      };
      const startApi = async (): Promise<{ cli: RunningCli; url: string }> => {
        const cli = startCli(['serve'], { ...env, PORT: '0' });
        running.push(cli);
        const [, url] = await cli.waitFor(/Siteprint is running at (http:\/\/[^"\s]+)/, 120_000);
        return { cli, url: url! };
      };
      const startWorker = async (): Promise<RunningCli> => {
        const cli = startCli(['worker'], env);
        running.push(cli);
        await cli.waitFor(/worker started/, 120_000);
        return cli;
      };
      await until(() => accepts(redisPort), 'Redis to listen', 10_000);
      const apis = [await startApi(), await startApi()];
      const [, setupToken] = await apis[0]!.cli
        .waitFor(/give setup token (\S+) when registering/)
        .catch(() => apis[1]!.cli.waitFor(/give setup token (\S+) when registering/));
      const workers = [await startWorker(), await startWorker()];
      progress('2 APIs and 2 workers up');

      const call = async (base: string, method: string, route: string, body?: unknown, token?: string) => {
        const response = await fetch(`${base}${route}`, {
          method,
          headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
      };
      await call(apis[0]!.url, 'POST', '/api/v1/auth/register', { email: 'ops@example.com', name: 'Ops', password: PASSWORD, setupToken });
      const token = (await call(apis[1]!.url, 'POST', '/api/v1/auth/login', { email: 'ops@example.com', password: PASSWORD })).body
        .accessToken as string;
      expect(token).toBeTruthy();

      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      cleanups.push(() => db.end());
      const count = async (query: string, values: unknown[] = []) => Number((await db.query(query, values)).rows[0].count);

      // Sites go in through both APIs, alternating.
      const started = Date.now();
      const sites: Array<{ id: string; shop: FixtureShop; analysisId: string }> = [];
      for (const [i, shop] of shops.entries()) {
        const created = await call(apis[i % 2]!.url, 'POST', '/api/v1/sites', { url: `${shop.url}/`, fields, maxPages: 4 }, token);
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        const job = created.body.job as { id: string; siteId: string };
        sites.push({ id: job.siteId, shop, analysisId: job.id });
      }

      // Each analysed site gets an extraction batch, through whichever API is up.
      const batches = new Map<string, string>();
      const liveApi = () => apis.find((api) => api.cli.child.exitCode === null && api.cli.child.signalCode === null)!.url;
      const startBatches = async () => {
        const ready = await db.query<{ id: string }>(`select id from sites where active_blueprint_id is not null`);
        for (const { id } of ready.rows) {
          if (batches.has(id)) continue;
          const site = sites.find((candidate) => candidate.id === id)!;
          const urls = site.shop.books.slice(0, 5).map((book) => site.shop.productUrl(book));
          const batch = await call(liveApi(), 'POST', `/api/v1/sites/${id}/extract/jobs`, { urls }, token).catch(() => undefined);
          if (batch?.status === 202) batches.set(id, (batch.body.job as { id: string }).id);
        }
      };

      const finishedSince = async (since: Date) =>
        count(`select count(*) from jobs where status = 'succeeded' and finished_at > $1`, [since]);
      /** Seconds from a fault until the cluster finishes a job again. */
      const recovery = async (fault: string, at: Date) => {
        await until(async () => (await finishedSince(at)) > 0, `a job to finish after ${fault}`, 60_000);
        const { rows } = await db.query<{ first: Date }>(
          `select min(finished_at) as first from jobs where status = 'succeeded' and finished_at > $1`,
          [at],
        );
        const seconds = (rows[0]!.first.getTime() - at.getTime()) / 1000;
        console.log(`[scale] ${fault}: next job finished ${seconds.toFixed(1)} s later`);
        return seconds;
      };
      const runningJobs = () => count(`select count(*) from jobs where status = 'running'`);

      const faults: Array<{ fault: string; recoverySeconds: number }> = [];
      const killWorker = async (index: number, fault: string) => {
        await until(async () => (await runningJobs()) > 0, 'a running job to interrupt', 60_000);
        const at = new Date();
        workers[index]!.child.kill('SIGKILL');
        await workers[index]!.exited;
        progress(`${fault}; starting a new one`);
        workers[index] = await startWorker();
        progress('replacement worker started');
        faults.push({ fault, recoverySeconds: await recovery(fault, at) });
      };

      progress(`${SITES} sites added`);
      await killWorker(0, 'worker 1 SIGKILLed');

      // Redis restarts (append-only file kept): every process reconnects and the queue resumes.
      await startBatches();
      await until(
        async () => (await count(`select count(*) from jobs where status in ('queued', 'running')`)) > 0,
        'work for the Redis restart to interrupt',
        60_000,
      );
      const redisDown = new Date();
      redis.kill('SIGTERM');
      await new Promise((resolve) => redis.once('exit', resolve));
      redis = startRedis(redisPort, redisDir);
      faults.push({ fault: 'Redis restarted', recoverySeconds: await recovery('Redis restarted', redisDown) });

      progress('Redis restarted');
      await startBatches();

      // An API dies; the other keeps serving, and its replacement comes back on the same database and queue.
      const apiDown = new Date();
      apis[0]!.cli.child.kill('SIGKILL');
      await apis[0]!.cli.exited;
      expect((await call(apis[1]!.url, 'GET', '/api/v1/sites', undefined, token)).status).toBe(200);
      apis[0] = await startApi();
      faults.push({ fault: 'API 1 SIGKILLed', recoverySeconds: await recovery('API 1 SIGKILLed', apiDown) });
      await startBatches();

      await killWorker(1, 'worker 2 SIGKILLed');

      // Everything finishes: analyses, then a batch per site.
      const analyses = sites.map((site) => site.analysisId);
      await until(
        async () =>
          (await count(`select count(*) from jobs where id = any($1) and status in ('succeeded', 'failed', 'cancelled')`, [analyses])) ===
          SITES,
        'every analysis to finish',
        150_000,
      );
      const analysed = Date.now();
      progress('analyses finished');
      await startBatches();
      expect(batches.size).toBe(SITES);
      await until(
        async () => (await count(`select count(*) from jobs where status in ('queued', 'running')`)) === 0,
        'the queue to drain',
        90_000,
      );

      const failed = await db.query(`select type, error from jobs where status <> 'succeeded'`);
      expect(failed.rows).toEqual([]);
      expect(await count(`select count(*) from jobs where id = any($1) and status = 'succeeded'`, [analyses])).toBe(SITES);
      // One blueprint version per site (the fixture content is the same every time) and no version written twice.
      const versions = await db.query<{ site_id: string; count: string }>(
        `select site_id, count(*) from blueprint_versions group by site_id`,
      );
      expect(versions.rows).toHaveLength(SITES);
      expect(versions.rows.every((row) => Number(row.count) === 1)).toBe(true);
      expect(
        await count(`select count(*) from (select site_id, content_hash from blueprint_versions group by 1, 2 having count(*) > 1) d`),
      ).toBe(0);
      // Each batch stored one result per URL, however often it ran.
      const results = await db.query<{ job_id: string; count: string }>(`select job_id, count(*) from extraction_results group by job_id`);
      expect(results.rows).toHaveLength(SITES);
      expect(results.rows.every((row) => Number(row.count) === 5)).toBe(true);
      expect(await count(`select count(*) from llm_requests`)).toBe(0);

      // Usage is recorded once per consuming job, however often the job ran: an analysis each, and each batch's five pages.
      const usage = await db.query<{ meter: string; rows: string; sources: string; quantity: number }>(
        `select meter, count(*) as rows, count(distinct source_key) as sources, sum(quantity)::float8 as quantity
         from usage_records group by meter order by meter`,
      );
      expect(usage.rows.map((row) => ({ ...row, rows: Number(row.rows), sources: Number(row.sources) }))).toEqual([
        { meter: 'analyses', rows: SITES, sources: SITES, quantity: SITES },
        { meter: 'extraction_pages', rows: SITES, sources: SITES, quantity: SITES * 5 },
      ]);
      // Notifications: one event per analysis and per version, each fanned out once to the one member's bell.
      await until(
        async () => (await count(`select count(*) from notification_events where dispatched_at is null`)) === 0,
        'every notification event to be dispatched',
        60_000,
      );
      const events = await db.query<{ type: string; count: string; subjects: string }>(
        `select type, count(*), count(distinct coalesce(data->>'jobId', '') || coalesce(data->>'blueprintVersionId', '')) as subjects
         from notification_events where type in ('analysis.succeeded', 'blueprint.version_created') group by type order by type`,
      );
      expect(events.rows.map((row) => [row.type, Number(row.count), Number(row.subjects)])).toEqual([
        ['analysis.succeeded', SITES, SITES],
        ['blueprint.version_created', SITES, SITES],
      ]);
      expect(await count(`select count(*) from notifications where type in ('analysis.succeeded', 'blueprint.version_created')`)).toBe(
        2 * SITES,
      );
      // Besides, depending on the hour: the killed workers' stalled jobs alert the system administrators
      // (once per kind and subject, not per job) and the workspace's daily summary may fall due (once).
      expect(
        await count(`select count(*) from (select type, data->>'kind', data->>'subject' from notification_events
          where type in ('system.error', 'daily.summary') group by 1, 2, 3 having count(*) > 1) d`),
      ).toBe(0);

      const minutes = (analysed - started) / 60_000;
      console.log(
        `[scale] ${SITES} analyses in ${(minutes * 60).toFixed(1)} s with 2 workers under faults: ${(SITES / minutes).toFixed(1)} analyses/min`,
      );
      console.log(`[scale] recovery: ${faults.map((fault) => `${fault.fault} ${fault.recoverySeconds.toFixed(1)} s`).join('; ')}`);
      for (const worker of workers) worker.child.kill('SIGTERM');
      for (const api of apis) api.cli.child.kill('SIGTERM');
      expect(await Promise.all([...workers.map((worker) => worker.exited), ...apis.map((api) => api.cli.exited)])).toEqual([0, 0, 0, 0]);
    },
    600_000,
  );
});
