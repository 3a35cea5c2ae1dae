// API latency and throughput: authenticated GET /api/v1/sites?limit=50 in a workspace of 200 sites,
// served by `siteprint serve` (a child process), beside a bare Fastify route answering the same bytes
// in the same run; at rest and while 4 analyses of a loopback shop run; /health/live sampled throughout.
// usage: npm run bench:api [-- --duration 10 --connections 50 --profile <dir> --only pglite|postgres --server-root <checkout>]
// PostgreSQL is measured too when BENCH_DATABASE_URL names a database this bench may wipe.
// --profile writes the server's CPU profiles (node --cpu-prof) per database; --server-root serves the API
// from another built checkout of the same schema (e.g. an earlier commit), to compare before and after.
// The server is the build in dist/ (`npm run bench:api` builds it first when its sources changed).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { hashPassword } from '../src/accounts/passwords.js';
import { UsersRepository } from '../src/accounts/users.repository.js';
import { openDatabase, pgliteDirFor } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrations.js';
import type { DiscoveredPageType } from '../src/engine/index.js';
import { memberships } from '../src/db/schema/index.js';
import { SitesRepository } from '../src/sites/sites.repository.js';
import { FixtureShop } from '../test/support/fixture-shop.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    profile: { type: 'string' },
    only: { type: 'string' },
    'server-root': { type: 'string' },
  },
});
const duration = Number(args.duration);
const connections = Number(args.connections);
const root = path.resolve(import.meta.dirname, '..');
const EMAIL = 'bench@siteprint.example';
const PASSWORD = 'bench password 123';
const SITES = 200;
const ANALYSES = 4;

interface Load {
  rps: number;
  /** CPU the server (and, on PostgreSQL, its backends) used per request: load on the machine inflates it far less than latency. */
  cpuMsPerRequest: number;
  p50: number;
  p99: number;
  errors: number;
  bytes: number;
}
interface Probe {
  samples: number;
  failures: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

function child(args: string[], env: Record<string, string>, cwd = root): ChildProcess {
  return spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function stop(process: ChildProcess): Promise<void> {
  if (process.exitCode !== null) return;
  const exited = new Promise((resolve) => process.once('exit', resolve));
  process.kill('SIGTERM');
  await exited;
}

/** The child's output line `index` (from 0), once printed. */
async function line(process: ChildProcess, index = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onExit = (code: number | null) => reject(new Error(`exited with ${code} before printing line ${index}`));
    process.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      if (lines.length > index + 1) {
        process.off('exit', onExit);
        resolve(lines[index]!);
      }
    });
    process.once('exit', onExit);
  });
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A realistic site row: a detected stack and discovered page types, the JSON a list must not drag along. */
function seededSite(workspaceId: string, index: number) {
  const technologies = [
    'Nginx',
    'WordPress',
    'WooCommerce',
    'PHP',
    'MySQL',
    'jQuery',
    'Google Analytics',
    'Cloudflare',
    'React',
    'Stripe',
  ].map((name, i) => ({
    name,
    categories: ['Web servers', 'CMS', 'Ecommerce'].slice(0, 1 + (i % 3)),
    version: i % 3 ? null : `${i}.${index % 10}`,
    confidence: 100,
  }));
  const pageTypes = ['product', 'category', 'article', 'home'].map((name, i): DiscoveredPageType => ({
    name,
    label: name,
    kind: i === 0 ? 'detail' : i === 1 ? 'listing' : i === 2 ? 'article' : 'home',
    urlPattern: `/${name}/*`,
    urls: Array.from({ length: 12 }, (_, n) => `https://shop-${index}.example/${name}/${n}`),
    fields: ['title', 'price', 'description', 'sku', 'brand', 'image'].map((field) => ({
      name: field,
      type: 'text' as const,
      examples: [`${field} example one of site ${index}`, `${field} example two`],
      from: 'structured-data' as const,
    })),
  }));
  return {
    workspaceId,
    url: `https://shop-${index}.example/`,
    name: `Shop ${index}`,
    status: 'ready' as const,
    health: (['healthy', 'degraded', 'unknown'] as const)[index % 3],
    fingerprint: { technologies },
    pageTypes,
    lastCheckedAt: new Date(Date.now() - index * 60_000),
    createdAt: new Date(Date.now() - index * 1_000),
  };
}

/** PostgreSQL backends connected to the bench's database (the server's pool), not counting the asking one. */
async function backendPids(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

/** A fresh database with one account whose personal workspace holds the sites. */
async function seed(target: { url?: string; dataDir: string }): Promise<void> {
  const database = await openDatabase({ url: target.url, pgliteDir: pgliteDirFor(target.dataDir) });
  try {
    if (target.url) {
      await database.db.execute(sql`drop schema if exists public cascade`);
      await database.db.execute(sql`drop schema if exists drizzle cascade`);
      await database.db.execute(sql`create schema public`);
    }
    await runMigrations(database);
    const user = await new UsersRepository(database.db).createWithPersonalWorkspace({
      email: EMAIL,
      name: 'Bench',
      passwordHash: await hashPassword(PASSWORD),
      emailVerified: true,
    });
    const [membership] = await database.db
      .select()
      .from(memberships)
      .where(sql`${memberships.userId} = ${user!.id}`);
    const sites = new SitesRepository(database.db);
    for (let i = 0; i < SITES; i++) await sites.insert(seededSite(membership!.workspaceId, i));
  } finally {
    await database.close();
  }
}

/** CPU seconds (user + system, every thread) the processes have used so far, from /proc (clock ticks of 1/100 s). */
function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // A backend that ended during the phase: its CPU is lost to the figure, not fatal.
    }
  }
  return ticks / 100;
}

async function load(url: string, headers: Record<string, string>, pids: () => Promise<number[]>): Promise<Load> {
  const measured = await pids();
  const cpuBefore = cpuSeconds(measured);
  const result = await autocannon({ url, connections, duration, headers });
  const cpu = cpuSeconds(measured) - cpuBefore;
  return {
    rps: Math.round(result.requests.average),
    cpuMsPerRequest: +((cpu * 1000) / Math.max(1, result.requests.total)).toFixed(3),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
    bytes: Math.round(result.throughput.average / Math.max(1, result.requests.average)),
  };
}

/** Runs `work` while /health/live is sampled on a connection of its own, in another process. */
async function probed<T>(serverUrl: string, work: () => Promise<T>): Promise<[T, Probe]> {
  const probe = child(['--import', 'tsx', 'bench/support/probe.ts', `${serverUrl}/health/live`, '20'], {});
  const report = line(probe, 1);
  await line(probe, 0);
  const result = await work();
  probe.kill('SIGTERM');
  return [result, JSON.parse(await report) as Probe];
}

async function measure(name: string, databaseUrl: string | undefined): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'siteprint-bench-api-'));
  await seed({ url: databaseUrl, dataDir });
  const serverArgs = [
    ...(args.profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(args.profile, name)] : []),
    // The built server, as `npm start` runs it: from source, tsx would compile each module on the
    // server's event loop the first time an analysis loads it, which production never does.
    'dist/cli/main.js',
    'serve',
  ];
  const server = child(
    serverArgs,
    {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ALLOW_PRIVATE_NETWORK: 'true',
      WORKER_CONCURRENCY: String(ANALYSES),
      JWT_SECRET: 'bench-secret-bench-secret-bench-secret',
    },
    path.resolve(args['server-root'] ?? root),
  );
  // The server logs JSON lines (one per request at info): read them as production would, then drop them.
  let serverUrl = '';
  server.stderr!.on('data', () => undefined);
  const listening = new Promise<string>((resolve) =>
    server.stdout!.on('data', (chunk: Buffer) => {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(chunk.toString());
      if (match && !serverUrl) resolve((serverUrl = match[1]!));
    }),
  );
  const shops = await Promise.all(Array.from({ length: ANALYSES }, () => new FixtureShop().start()));
  let bare: ChildProcess | undefined;
  try {
    await until(
      'the server',
      async () => (await Promise.race([listening, new Promise<undefined>((r) => setTimeout(r, 500))])) ?? undefined,
    );
    const login = await fetch(`${serverUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    });
    const headers = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}` };
    const listUrl = `${serverUrl}/api/v1/sites?limit=50`;
    const body = Buffer.from(await (await fetch(listUrl, { headers })).arrayBuffer());
    const bodyFile = path.join(dataDir, 'list.json');
    writeFileSync(bodyFile, body);
    bare = child(['--import', 'tsx', 'bench/support/bare-server.ts', bodyFile], {});
    const bareUrl = `http://127.0.0.1:${await line(bare)}/bare`;

    // Warm both up (JIT, connection pools) before anything is recorded.
    await autocannon({ url: listUrl, headers, connections, duration: 2 });
    await autocannon({ url: bareUrl, connections, duration: 2 });
    // The server's process, and on PostgreSQL the backends serving this database.
    const apiPids = async () => [server.pid!, ...(databaseUrl ? await backendPids(databaseUrl) : [])];
    const [bareRest, bareProbe] = await probed(serverUrl, () => load(bareUrl, {}, async () => [bare!.pid!]));
    const [apiRest, restProbe] = await probed(serverUrl, () => load(listUrl, headers, apiPids));

    // Four analyses kept running for the whole measurement: a finished one is started again.
    const siteIds: string[] = [];
    for (const shop of shops) {
      const created = await fetch(`${serverUrl}/api/v1/sites`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${shop.url}/`, maxPages: 20, fields: [{ name: 'title' }, { name: 'price' }, { name: 'author' }] }),
      });
      siteIds.push(((await created.json()) as { site: { id: string } }).site.id);
    }
    let analysesRun = 0;
    let keeping = true;
    const keeper = (async () => {
      while (keeping) {
        const page = (await (await fetch(`${serverUrl}/api/v1/jobs?type=analyze_site&limit=100`, { headers })).json()) as {
          items: Array<{ siteId: string; status: string }>;
        };
        for (const siteId of siteIds) {
          const latest = page.items.find((job) => job.siteId === siteId);
          if (latest && latest.status !== 'queued' && latest.status !== 'running') {
            analysesRun++;
            await fetch(`${serverUrl}/api/v1/sites/${siteId}/analyze`, { method: 'POST', headers });
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();
    await until('analyses to start', async () => {
      const page = (await (await fetch(`${serverUrl}/api/v1/jobs?status=running&limit=100`, { headers })).json()) as { items: unknown[] };
      return page.items.length >= ANALYSES ? true : undefined;
    });
    const [apiBusy, busyProbe] = await probed(serverUrl, () => load(listUrl, headers, apiPids));
    keeping = false;
    await keeper;

    return {
      database: name,
      bare: bareRest,
      rest: apiRest,
      restRatio: +(apiRest.rps / bareRest.rps).toFixed(3),
      // What the throughput ratio would be where CPU, not the machine's other load, bounds both.
      restCpuRatio: +(bareRest.cpuMsPerRequest / apiRest.cpuMsPerRequest).toFixed(3),
      busy: apiBusy,
      analysesFinishedDuringRun: analysesRun,
      healthLive: { duringBare: bareProbe, atRest: restProbe, duringAnalyses: busyProbe },
    };
  } finally {
    if (bare) await stop(bare);
    await stop(server);
    await Promise.all(shops.map((shop) => shop.stop()));
  }
}

const targets: Array<[string, string | undefined]> = [['pglite', undefined]];
if (process.env.BENCH_DATABASE_URL) targets.push(['postgres', process.env.BENCH_DATABASE_URL]);
const results = [];
for (const [name, url] of targets) {
  if (args.only && args.only !== name) continue;
  results.push(await measure(name, url));
}
console.log(JSON.stringify({ date: new Date().toISOString(), duration, connections, results }, null, 2));
