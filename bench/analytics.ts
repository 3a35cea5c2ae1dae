// Analytics over a big workspace: GET /api/v1/analytics/summary and /timeseries work (the service
// and its queries, in-process) over 100 000 jobs, 20 000 extraction results, 10 000 LLM calls and
// 5 000 checks spread across 90 days, beside a baseline measured in the same run: one indexed
// count of the same jobs. Target: each answer within 200 ms.
// usage: npm run bench:analytics [-- --rounds 15 --only pglite|postgres]
// PostgreSQL is measured too when BENCH_DATABASE_URL names a database this bench may wipe.
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { AnalyticsRepository, AnalyticsService } from '../src/analytics/index.js';
import { openDatabase, type Database } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrations.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '15' }, only: { type: 'string' } } });
const ROUNDS = Number(args.rounds);
const JOBS = 100_000;
const DAY_MS = 86_400_000;

async function seed(database: Database): Promise<{ workspaceId: string; siteId: string }> {
  await database.query(sql`drop schema if exists public cascade`).catch(() => undefined);
  await database.query(sql`create schema if not exists public`);
  await database.query(sql`drop schema if exists drizzle cascade`);
  await runMigrations(database);
  const [{ id: workspaceId }] = (await database.query<{ id: string }>(
    sql`insert into workspaces (name) values ('bench') returning id`,
  )) as [{ id: string }];
  await database.query(sql`insert into sites (workspace_id, url, name, status, health)
    select ${workspaceId}, 'https://site' || i || '.example/', 'Site ' || i, 'ready', (array['healthy','degraded','down'])[1 + i % 3] from generate_series(1, 50) i`);
  const [{ id: siteId }] = (await database.query<{ id: string }>(
    sql`select id from sites where workspace_id = ${workspaceId} order by url limit 1`,
  )) as [{ id: string }];
  // Jobs over the last 90 days: analyses with their five steps' worth of types, checks and batches.
  await database.query(sql`insert into jobs (workspace_id, site_id, type, status, priority, payload, created_at, started_at, finished_at)
    select ${workspaceId}, (select id from sites where workspace_id = ${workspaceId} order by url offset i % 50 limit 1),
      (array['analyze_site','check_site','extract_batch','fingerprint_site','generate_selectors'])[1 + i % 5],
      (array['succeeded','succeeded','succeeded','failed','cancelled','succeeded','queued'])[1 + i % 7], 2, '{}'::jsonb,
      now() - (i * interval '77 seconds'), now() - (i * interval '77 seconds') + interval '2 seconds',
      now() - (i * interval '77 seconds') + ((2 + i % 120) * interval '1 second')
    from generate_series(1, ${JOBS}) i`);
  await database.query(sql`insert into extraction_results (job_id, position, url, data, error)
    select j.id, p, 'https://x.example/' || p, '{"title":"t"}'::jsonb, case when p % 9 = 0 then 'no record' end
    from (select id from jobs where type = 'extract_batch' limit 1000) j cross join generate_series(0, 19) p`);
  await database.query(sql`insert into llm_requests (workspace_id, site_id, step, model, prompt_tokens, completion_tokens, cost_usd, cost_source, latency_ms, status, created_at)
    select ${workspaceId}, ${siteId}, (array['discover_categories','generate_selectors','repair_blueprint'])[1 + i % 3], (array['model-a','model-b'])[1 + i % 2],
      1000 + i % 500, 100 + i % 50, 0.001 * (1 + i % 5), 'provider', 300, 'ok', now() - (i * interval '13 minutes')
    from generate_series(1, 10000) i`);
  await database.query(sql`insert into site_checks (site_id, checked_at, health, coverage)
    select s.id, now() - (i * interval '1 day') - (s.n * interval '1 minute'), (array['healthy','healthy','degraded','down'])[1 + (i + s.n) % 4], 0.9
    from (select id, row_number() over () as n from sites where workspace_id = ${workspaceId}) s cross join generate_series(1, 100) i`);
  await database.query(sql`insert into api_usage_minutes (minute, workspace_id, method, route, status_class, api_key_id, user_id, requests, total_ms)
    select date_trunc('minute', now() - (i * interval '1 minute')), ${workspaceId}, 'GET', (array['/api/v1/sites','/api/v1/jobs','/api/v1/overview'])[1 + i % 3], '2xx', '', '', 1 + i % 10, 25
    from generate_series(1, 30000) i`);
  await database.query(sql`analyze`);
  return { workspaceId, siteId };
}

/**
 * Wall time, and this process's CPU time: with PGlite that is the queries' own work (it runs in
 * this thread), which a loaded machine stretches far less than the wall time.
 */
async function time(run: () => Promise<unknown>): Promise<{ medianMs: number; p95Ms: number; cpuMs: number }> {
  await run();
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    const used = process.cpuUsage();
    await run();
    const { user, system } = process.cpuUsage(used);
    samples.push(performance.now() - start);
    cpu.push((user + system) / 1000);
  }
  samples.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return {
    medianMs: samples[Math.floor(samples.length / 2)]!,
    p95Ms: samples[Math.min(samples.length - 1, Math.ceil(samples.length * 0.95) - 1)]!,
    cpuMs: cpu[Math.floor(cpu.length / 2)]!,
  };
}

async function measure(name: string, database: Database): Promise<void> {
  const seeded = performance.now();
  const { workspaceId, siteId } = await seed(database);
  console.log(`\n${name}: seeded ${JOBS} jobs in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
  const service = new AnalyticsService(new AnalyticsRepository(database));
  const viewer = { workspaceId, systemAdmin: true };
  const now = new Date();
  const days = (n: number) => ({ from: new Date(now.getTime() - n * DAY_MS).toISOString(), to: now.toISOString() });
  const baseline = await time(() =>
    database.query(
      sql`select count(*) from jobs where workspace_id = ${workspaceId} and created_at >= ${new Date(now.getTime() - 90 * DAY_MS)}`,
    ),
  );
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['summary, 30 days', () => service.summary(viewer, days(30))],
    ['summary, 90 days (all 100 000 jobs)', () => service.summary(viewer, days(90))],
    ['summary, all workspaces, 90 days', () => service.summary(viewer, { ...days(90), scope: 'all' })],
    ['timeseries jobs by day, 90 days', () => service.timeseries(viewer, { ...days(90), metric: 'jobs', interval: 'day' })],
    ['timeseries jobs by hour, 30 days', () => service.timeseries(viewer, { ...days(30), metric: 'jobs', interval: 'hour' })],
    ['timeseries job_duration by day, 90 days', () => service.timeseries(viewer, { ...days(90), metric: 'job_duration', interval: 'day' })],
    ['timeseries llm_cost by day, 90 days', () => service.timeseries(viewer, { ...days(90), metric: 'llm_cost', interval: 'day' })],
    [
      'timeseries jobs of one site by day, 90 days',
      () => service.timeseries(viewer, { ...days(90), metric: 'jobs', interval: 'day', siteId }),
    ],
    [
      'timeseries site_coverage of one site by day, 90 days',
      () => service.timeseries(viewer, { ...days(90), metric: 'site_coverage', interval: 'day', siteId }),
    ],
    [
      'timeseries api_requests by hour, 14 days',
      () => service.timeseries(viewer, { ...days(14), metric: 'api_requests', interval: 'hour' }),
    ],
  ];
  console.log(
    `load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(', ')}`,
  );
  console.log(`| case | median ms | p95 ms | median CPU ms (this process) | median ÷ baseline | ≤ 200 ms |`);
  console.log(`|---|---:|---:|---:|---:|:-:|`);
  console.log(
    `| baseline: indexed count of the 90 days' jobs | ${baseline.medianMs.toFixed(1)} | ${baseline.p95Ms.toFixed(1)} | ${baseline.cpuMs.toFixed(1)} | 1.0 | |`,
  );
  for (const [label, run] of cases) {
    const result = await time(run);
    console.log(
      `| ${label} | ${result.medianMs.toFixed(1)} | ${result.p95Ms.toFixed(1)} | ${result.cpuMs.toFixed(1)} | ${(result.medianMs / baseline.medianMs).toFixed(1)} | ${result.medianMs <= 200 ? 'yes' : 'no'} |`,
    );
  }
}

if (args.only !== 'postgres') {
  const database = await openDatabase({ pgliteDir: path.join(mkdtempSync(path.join(tmpdir(), 'siteprint-bench-analytics-')), 'db') });
  await measure('PGlite', database);
  await database.close();
}
if (args.only !== 'pglite' && process.env.BENCH_DATABASE_URL) {
  const database = await openDatabase({ url: process.env.BENCH_DATABASE_URL, poolSize: 4 });
  await measure('PostgreSQL', database);
  await database.close();
}
