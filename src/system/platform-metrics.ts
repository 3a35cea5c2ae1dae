import { sql } from 'drizzle-orm';
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../db/client.js';

export interface PlatformGaugeOptions {
  database: Database;
  jobTypes: readonly string[];
  /** The instance's default monthly LLM budget, for workspaces without their own. */
  /** The instance's default monthly LLM budget (runtime setting, else LLM_MONTHLY_BUDGET_USD), read at each scrape. */
  defaultLlmBudgetUsd: () => Promise<number>;
}

const SITE_HEALTH = ['unknown', 'healthy', 'degraded', 'down'] as const;
const QUEUE_STATES = ['queued', 'running'] as const;

/**
 * Gauges read from the database when scraped. The jobs table is the record of both queue
 * adapters (embedded and BullMQ), so depth, waiting age and stalled jobs mean the same in both
 * modes; every process reports the same instance-wide values, which dashboards take the max of.
 * Every known label value is set (0 when absent), so series exist before the first job.
 */
export function registerPlatformGauges(registry: Registry, options: PlatformGaugeOptions): void {
  const { database, jobTypes } = options;
  const registers = [registry];

  new Gauge({
    name: 'siteprint_queue_jobs',
    help: 'Jobs queued or running, by job type and state',
    labelNames: ['type', 'state'] as const,
    registers,
    async collect() {
      const rows = await database.query<{ type: string; status: string; count: number }>(
        sql`select type, status, count(*)::int as count from jobs where status in ('queued', 'running') group by type, status`,
      );
      for (const type of jobTypes) for (const state of QUEUE_STATES) this.set({ type, state }, 0);
      for (const row of rows) this.set({ type: row.type, state: row.status }, row.count);
    },
  });

  new Gauge({
    name: 'siteprint_queue_oldest_waiting_seconds',
    help: 'Age of the oldest due job still waiting for a worker, by job type',
    labelNames: ['type'] as const,
    registers,
    async collect() {
      const rows = await database.query<{ type: string; age: number }>(
        sql`select type, extract(epoch from now() - min(run_at))::float8 as age from jobs
            where status = 'queued' and run_at <= now() group by type`,
      );
      for (const type of jobTypes) this.set({ type }, 0);
      for (const row of rows) this.set({ type: row.type }, Math.max(0, row.age));
    },
  });

  new Gauge({
    name: 'siteprint_queue_stalled_jobs',
    help: 'Jobs marked running whose worker lease has lapsed (the worker died or blocked), by job type',
    labelNames: ['type'] as const,
    registers,
    async collect() {
      const rows = await database.query<{ type: string; count: number }>(
        sql`select type, count(*)::int as count from jobs where status = 'running' and lease_until < now() group by type`,
      );
      for (const type of jobTypes) this.set({ type }, 0);
      for (const row of rows) this.set({ type: row.type }, row.count);
    },
  });

  new Gauge({
    name: 'siteprint_sites',
    help: 'Sites by health state (unknown, healthy, degraded, down)',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const rows = await database.query<{ health: string; count: number }>(
        sql`select health, count(*)::int as count from sites group by health`,
      );
      for (const state of SITE_HEALTH) this.set({ state }, 0);
      for (const row of rows) this.set({ state: row.health }, row.count);
    },
  });

  new Gauge({
    name: 'siteprint_llm_budget_used_ratio',
    help: 'Highest share of its monthly LLM budget any workspace has spent this month (1 = budget reached)',
    registers,
    async collect() {
      const defaultBudget = await options.defaultLlmBudgetUsd();
      const [row] = await database.query<{ ratio: number | null }>(
        sql`select max(spent.usd / nullif(coalesce(w.llm_monthly_budget_usd, ${defaultBudget}), 0))::float8 as ratio
            from (select workspace_id, sum(cost_usd) as usd from llm_requests
                  where created_at >= date_trunc('month', now()) group by workspace_id) spent
            join workspaces w on w.id = spent.workspace_id`,
      );
      this.set(row?.ratio ?? 0);
    },
  });

  new Gauge({
    name: 'siteprint_backup_last_success_timestamp_seconds',
    help: 'Unix time of the last successful backup (0 when none was ever made)',
    registers,
    async collect() {
      const [row] = await database.query<{ at: number | null }>(
        sql`select extract(epoch from max(created_at))::float8 as at from audit_log where action = 'backup.created'`,
      );
      this.set(row?.at ?? 0);
    },
  });

  const pool = database.poolStats;
  if (pool) {
    new Gauge({
      name: 'siteprint_db_pool_connections',
      help: 'PostgreSQL pool connections of this process, by state (total, idle, waiting = requests waiting for one)',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const stats = pool();
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
  }
}
