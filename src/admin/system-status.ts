import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { and, count, eq, lt, sql } from 'drizzle-orm';
import type { Config } from '../config/index.js';
import type { Database } from '../db/client.js';
import { migrationStatus } from '../db/migrations.js';
import { jobs } from '../db/schema/index.js';
import type { JobQueue } from '../queue/index.js';
import { FORGET_SILENT_AFTER_MS } from '../system/process-watch.js';
import type { ProcessesRepository } from '../system/processes.repository.js';
import { siteprintVersion } from '../system/version.js';

export interface Probe {
  ok: boolean;
  latencyMs: number;
  error: string | null;
}

async function probe(check: () => Promise<unknown>): Promise<Probe> {
  const started = performance.now();
  try {
    await check();
    return { ok: true, latencyMs: Math.round(performance.now() - started), error: null };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: error instanceof Error ? error.message : String(error) };
  }
}

/** Bytes under a directory; entries that vanish while it is walked (a job's temporary file) are skipped. */
async function diskUse(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await diskUse(full);
    else if (entry.isFile())
      total += await stat(full).then(
        (info) => info.size,
        () => 0,
      );
  }
  return total;
}

/** The System page: database, queue, Redis, the workers' heartbeats, disk, versions and uptime of this process. */
export class SystemStatus {
  constructor(
    private readonly deps: {
      config: Config;
      database: Database;
      queue: JobQueue;
      processes: ProcessesRepository;
      startedAt: Date;
      now?: () => Date;
    },
  ) {}

  /** A worker silent this long missed three heartbeats: it died or is stuck. */
  private get staleAfterMs(): number {
    return 3 * this.deps.config.WORKER_HEARTBEAT_MS;
  }

  /** Every process running jobs (not stopped cleanly), with its last heartbeat; stale ones missed three beats (died or stuck). */
  async workers() {
    const now = (this.deps.now?.() ?? new Date()).getTime();
    return (await this.deps.processes.unstopped(FORGET_SILENT_AFTER_MS)).map((row) => ({
      id: row.id,
      queue: row.queue,
      host: row.host,
      pid: row.pid,
      version: row.version,
      concurrency: row.concurrency,
      jobsRunning: row.jobsRunning,
      startedAt: row.startedAt.toISOString(),
      lastBeatAt: row.lastSeenAt.toISOString(),
      stale: now - row.lastSeenAt.getTime() > this.staleAfterMs,
    }));
  }

  async read() {
    const { config, database, queue } = this.deps;
    const [db, queueProbe, migrations, serverVersion, byStatus, stalled, workers] = await Promise.all([
      probe(() => database.ping()),
      probe(() => queue.ping()),
      migrationStatus(database),
      database.query<{ version: string }>(sql`select current_setting('server_version') as version`).then(
        (rows) => rows[0]?.version ?? null,
        () => null,
      ),
      database.db.select({ status: jobs.status, count: count() }).from(jobs).groupBy(jobs.status),
      // Running jobs whose worker stopped renewing its lease: the queue will hand them to another worker.
      database.db
        .select({ count: count() })
        .from(jobs)
        .where(and(eq(jobs.status, 'running'), lt(jobs.leaseUntil, new Date()))),
      this.workers(),
    ]);
    const jobCounts = Object.fromEntries(byStatus.map((row) => [row.status, row.count]));
    return {
      status: db.ok && queueProbe.ok && migrations.current ? ('ok' as const) : ('degraded' as const),
      database: { kind: database.kind, serverVersion, ...db, migrations },
      queue: {
        backend: config.REDIS_URL ? ('bullmq' as const) : ('embedded' as const),
        ...queueProbe,
        queued: jobCounts.queued ?? 0,
        running: jobCounts.running ?? 0,
        failed: jobCounts.failed ?? 0,
        stalled: stalled[0]?.count ?? 0,
      },
      // In scaled mode the queue is BullMQ on Redis, so the queue probe is Redis's.
      redis: config.REDIS_URL ? { configured: true, ...queueProbe } : { configured: false, ok: null, latencyMs: null, error: null },
      workers: { items: workers, staleAfterSeconds: Math.ceil(this.staleAfterMs / 1000) },
      dataDir: { path: config.dataDir, bytes: await diskUse(config.dataDir) },
      versions: { siteprint: siteprintVersion, node: process.version },
      startedAt: this.deps.startedAt.toISOString(),
      uptimeSeconds: Math.round(process.uptime()),
    };
  }
}
