// Scaled-mode throughput with 1 worker against 2, in one run: one PostgreSQL database per round
// (created and dropped here), one Redis queue prefix per round, one `siteprint serve`, and N
// `siteprint worker` processes; the same number of loopback fixture bookshops is added through the
// API at once and the clock runs from the first POST until the last analysis has finished.
// usage: BENCH_DATABASE_URL=postgres://…/postgres BENCH_REDIS_URL=redis://…/<db> npm run bench:workers [-- --sites 12 --concurrency 2 --rounds 1]
// BENCH_DATABASE_URL names a server where this bench may create and drop databases (siteprint_bench_*).
import { randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startCli, type RunningCli } from '../test/support/cli.js';
import { FixtureShop } from '../test/support/fixture-shop.js';

const { values: args } = parseArgs({
  options: {
    sites: { type: 'string', default: '12' },
    concurrency: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '1' },
  },
});
const SITES = Number(args.sites);
const CONCURRENCY = Number(args.concurrency);
const ROUNDS = Number(args.rounds);
const PASSWORD = 'bench password 123';
const fields = ['title', 'author', 'isbn_13', 'publisher'].map((name) => ({ name }));

const baseUrl = process.env.BENCH_DATABASE_URL;
const redisUrl = process.env.BENCH_REDIS_URL;
if (!baseUrl || !redisUrl) {
  console.error('BENCH_DATABASE_URL and BENCH_REDIS_URL are required: the scaled mode runs on PostgreSQL and Redis');
  process.exit(2);
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function call(base: string, method: string, route: string, body?: unknown, token?: string) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
}

interface Round {
  workers: number;
  seconds: number;
  perMinute: number;
  /** Where the time went, from the jobs table: see jobBreakdown. */
  breakdown: Breakdown;
  /** The machine's 1-minute load average when the round ended (other processes' load included). */
  load: number;
}

interface Breakdown {
  /** Step jobs (the analysis pipeline's units, `analyze_site` itself excluded). */
  steps: number;
  /** Attempts beyond the first: work done twice (a stalled or failed attempt). */
  reruns: number;
  /** Mean seconds a step ran (started → finished). Grows when workers compete for the CPU. */
  meanRunSeconds: number;
  /** Mean seconds a step waited to start (queued → started). Shrinks when workers are added. */
  meanWaitSeconds: number;
  /** Most steps running at the same moment, sampled at each step's start. */
  peakParallel: number;
}

/**
 * Where a round's time went: if a second worker ran steps in parallel but each took twice as
 * long, the machine's CPU is the limit; if steps still waited, or ran twice, the queue is.
 */
async function jobBreakdown(databaseUrl: string): Promise<Breakdown> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<Breakdown>(
      `select count(*)::int as steps,
              coalesce(sum(greatest(attempts - 1, 0)), 0)::int as reruns,
              avg(extract(epoch from finished_at - started_at))::float8 as "meanRunSeconds",
              avg(extract(epoch from started_at - greatest(created_at, run_at)))::float8 as "meanWaitSeconds",
              (select max(c)::int from (select count(*) as c from jobs a join jobs b
                 on b.type <> 'analyze_site' and b.started_at <= a.started_at and b.finished_at > a.started_at
                 where a.type <> 'analyze_site' group by a.id) parallel) as "peakParallel"
       from jobs where type <> 'analyze_site'`,
    );
    return rows[0]!;
  } finally {
    await client.end();
  }
}

async function round(workers: number, shops: FixtureShop[]): Promise<Round> {
  const name = `siteprint_bench_${randomBytes(6).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = new URL(baseUrl!);
  url.pathname = `/${name}`;
  const env = {
    DATABASE_URL: url.toString(),
    REDIS_URL: redisUrl!,
    QUEUE_PREFIX: `bench-${randomUUID()}`,
    WORKER_CONCURRENCY: String(CONCURRENCY),
    ALLOW_PRIVATE_NETWORK: 'true',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  const processes: RunningCli[] = [];
  try {
    const api = startCli(['serve'], { ...env, PORT: '0', LOG_LEVEL: 'info' });
    processes.push(api);
    const [, apiUrl] = await api.waitFor(/Siteprint is running at (http:\/\/[^"\s]+)/, 180_000);
    const [, setupToken] = await api.waitFor(/give setup token (\S+) when registering/);
    const started = Array.from({ length: workers }, () => startCli(['worker'], { ...env, LOG_LEVEL: 'info' }));
    processes.push(...started);
    await Promise.all(started.map((worker) => worker.waitFor(/worker started/, 180_000)));
    await call(apiUrl!, 'POST', '/api/v1/auth/register', { email: 'bench@example.com', name: 'Bench', password: PASSWORD, setupToken });
    const token = (await call(apiUrl!, 'POST', '/api/v1/auth/login', { email: 'bench@example.com', password: PASSWORD })).body
      .accessToken as string;

    const t0 = performance.now();
    const jobs = await Promise.all(
      shops.map(async (shop) => {
        const created = await call(apiUrl!, 'POST', '/api/v1/sites', { url: `${shop.url}/`, fields, maxPages: 6 }, token);
        if (created.status !== 201) throw new Error(`adding a site answered ${created.status}: ${JSON.stringify(created.body)}`);
        return (created.body.job as { id: string }).id;
      }),
    );
    const pending = new Set(jobs);
    while (pending.size) {
      for (const id of [...pending]) {
        const job = await call(apiUrl!, 'GET', `/api/v1/jobs/${id}`, undefined, token);
        if (job.body.status === 'failed' || job.body.status === 'cancelled')
          throw new Error(`analysis ${id} ${String(job.body.status)}: ${String(job.body.error)}`);
        if (job.body.status === 'succeeded') pending.delete(id);
      }
      if (pending.size) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const seconds = (performance.now() - t0) / 1000;
    const breakdown = await jobBreakdown(url.toString());
    return { workers, seconds, perMinute: (SITES * 60) / seconds, breakdown, load: loadavg()[0]! };
  } finally {
    for (const cli of processes) cli.child.kill('SIGTERM');
    await Promise.all(processes.map((cli) => cli.exited));
    await admin(`drop database if exists ${name} with (force)`);
  }
}

const shops = await Promise.all(Array.from({ length: SITES }, () => new FixtureShop().start()));
try {
  const results: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    for (const workers of [1, 2]) {
      const result = await round(workers, shops);
      results.push(result);
      const { steps, reruns, meanRunSeconds, meanWaitSeconds, peakParallel } = result.breakdown;
      console.log(
        `${workers} worker(s): ${SITES} analyses in ${result.seconds.toFixed(1)} s → ${result.perMinute.toFixed(1)} analyses/min` +
          ` | ${steps} steps, mean run ${meanRunSeconds.toFixed(2)} s, mean wait ${meanWaitSeconds.toFixed(2)} s,` +
          ` peak ${peakParallel} in parallel, ${reruns} re-run | load ${result.load.toFixed(1)}`,
      );
    }
  }
  const mean = (workers: number) => {
    const rounds = results.filter((result) => result.workers === workers);
    return rounds.reduce((sum, result) => sum + result.perMinute, 0) / rounds.length;
  };
  console.log(
    `sites ${SITES}, WORKER_CONCURRENCY ${CONCURRENCY}, rounds ${ROUNDS}: 2 workers / 1 worker = ${(mean(2) / mean(1)).toFixed(2)}× throughput`,
  );
} finally {
  await Promise.all(shops.map((shop) => shop.stop()));
}
