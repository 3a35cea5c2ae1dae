import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.js';

/** Whose figures: one workspace, or every workspace (system administrators). */
export interface AnalyticsScope {
  workspaceId: string | null;
  siteId?: string;
}

export interface Period {
  from: Date;
  to: Date;
}

export interface JobTypeFigures {
  type: string;
  total: number;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  successRate: number | null;
  meanSeconds: number | null;
  p95Seconds: number | null;
}

export interface UsageMeasures {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export interface AnalyticsSummary {
  sites: { total: number; analysed: number; healthy: number; degraded: number; down: number; unknown: number };
  analyses: { total: number; succeeded: number; failed: number; cancelled: number; successRate: number | null };
  jobs: JobTypeFigures[];
  extraction: { jobs: number; pages: number; pagesWithRecord: number; pagesWithError: number };
  blueprintVersions: { total: number; analysis: number; automaticRepairs: number; manualEdits: number };
  health: { checks: number; changes: number; toHealthy: number; toDegraded: number; toDown: number };
  llm: UsageMeasures & { byModel: Array<UsageMeasures & { model: string }>; byStep: Array<UsageMeasures & { step: string }> };
  api: {
    requests: number;
    byRoute: Array<{ method: string; route: string; requests: number; meanMs: number }>;
    byStatusClass: Array<{ statusClass: string; requests: number }>;
    byApiKey: Array<{ apiKeyId: string; requests: number }>;
    byUser: Array<{ userId: string; requests: number }>;
  };
}

export const TIMESERIES_METRICS = [
  'jobs',
  'job_duration',
  'extraction_pages',
  'blueprint_versions',
  'site_checks',
  'site_coverage',
  'llm_cost',
  'llm_tokens',
  'llm_requests',
  'api_requests',
] as const;
export type TimeseriesMetric = (typeof TIMESERIES_METRICS)[number];
export type Interval = 'hour' | 'day';

/** One bucket's figures by series key (status, model, reason…), as the database computed them. */
export interface SeriesRow {
  bucket: string;
  key: string;
  value: number | null;
}

const share = (part: number, whole: number) => (whole ? part / whole : null);

/**
 * Analytics straight from the tables the product writes (jobs, extraction results, blueprint
 * versions, site checks, LLM requests) plus the per-minute API usage rollup. Every query is one
 * aggregate over an indexed (workspace, time) range; nothing is cached, so figures are live.
 */
export class AnalyticsRepository {
  constructor(private readonly database: Database) {}

  async summary(scope: AnalyticsScope, period: Period): Promise<AnalyticsSummary> {
    const [sites, jobs, extraction, versions, health, llm, llmByModel, llmByStep, api] = await Promise.all([
      this.#sites(scope, period),
      this.#jobs(scope, period),
      this.#extraction(scope, period),
      this.#versions(scope, period),
      this.#health(scope, period),
      this.#llm(scope, period, null),
      this.#llm(scope, period, sql`model`),
      this.#llm(scope, period, sql`step`),
      this.#api(scope, period),
    ]);
    const analysis = jobs.find((row) => row.type === 'analyze_site');
    return {
      sites,
      analyses: {
        total: analysis?.total ?? 0,
        succeeded: analysis?.succeeded ?? 0,
        failed: analysis?.failed ?? 0,
        cancelled: analysis?.cancelled ?? 0,
        successRate: analysis?.successRate ?? null,
      },
      jobs,
      extraction,
      blueprintVersions: versions,
      health,
      llm: {
        ...(llm[0] ?? { requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 }),
        byModel: llmByModel.map(({ key, ...measures }) => ({ model: key!, ...measures })),
        byStep: llmByStep.map(({ key, ...measures }) => ({ step: key!, ...measures })),
      },
      api,
    };
  }

  /** Rows of (bucket, series key, value) for one metric; buckets are UTC hours or days as ISO strings. */
  async series(metric: TimeseriesMetric, interval: Interval, scope: AnalyticsScope, period: Period): Promise<SeriesRow[]> {
    const bucket = (column: SQL) => sql`to_char(date_trunc(${interval}, ${column} at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
    const query = this.#seriesQuery(metric, bucket, scope, period);
    return this.database.query<SeriesRow & Record<string, unknown>>(query);
  }

  #seriesQuery(metric: TimeseriesMetric, bucket: (column: SQL) => SQL, scope: AnalyticsScope, { from, to }: Period): SQL {
    switch (metric) {
      case 'jobs':
        return sql`select ${bucket(sql`created_at`)} as bucket, status as key, count(*)::float8 as value
          from jobs where ${jobScope(scope)} and parent_id is null and created_at >= ${from} and created_at < ${to} group by 1, 2`;
      case 'job_duration':
        return sql`select bucket, key, value from (
            select ${bucket(sql`finished_at`)} as bucket,
              avg(${seconds}) as mean, percentile_cont(0.95) within group (order by ${seconds}) as p95
            from jobs where ${jobScope(scope)} and parent_id is null and status = 'succeeded' and finished_at >= ${from} and finished_at < ${to}
            group by 1) d
          cross join lateral (values ('meanSeconds', d.mean::float8), ('p95Seconds', d.p95::float8)) as v(key, value)`;
      case 'extraction_pages':
        return sql`select ${bucket(sql`j.created_at`)} as bucket, case when r.error is null then 'records' else 'errors' end as key, count(*)::float8 as value
          from extraction_results r join jobs j on j.id = r.job_id
          where ${jobScope(scope, sql`j.`)} and j.created_at >= ${from} and j.created_at < ${to} group by 1, 2`;
      case 'blueprint_versions':
        return sql`select ${bucket(sql`created_at`)} as bucket, reason as key, count(*)::float8 as value
          from blueprint_versions where ${workspaceScope(scope)} and created_at >= ${from} and created_at < ${to} group by 1, 2`;
      case 'site_checks':
        return sql`select ${bucket(sql`c.checked_at`)} as bucket, c.health as key, count(*)::float8 as value
          from site_checks c join sites s on s.id = c.site_id
          where ${workspaceScope(scope, sql`s.`, sql`s.id`)} and c.checked_at >= ${from} and c.checked_at < ${to} group by 1, 2`;
      case 'site_coverage':
        return sql`select bucket, key, value from (
            select ${bucket(sql`c.checked_at`)} as bucket, avg(c.coverage) as coverage, avg(c.baseline_coverage) as baseline
            from site_checks c join sites s on s.id = c.site_id
            where ${workspaceScope(scope, sql`s.`, sql`s.id`)} and c.checked_at >= ${from} and c.checked_at < ${to} group by 1) d
          cross join lateral (values ('coverage', d.coverage::float8), ('baselineCoverage', d.baseline::float8)) as v(key, value)`;
      case 'llm_cost':
      case 'llm_requests':
      case 'llm_tokens': {
        const values = {
          llm_cost: sql`select model as key, coalesce(sum(cost_usd), 0)::float8 as value`,
          llm_requests: sql`select model as key, count(*)::float8 as value`,
          llm_tokens: sql`select unnest(array['prompt', 'completion']) as key, unnest(array[sum(prompt_tokens), sum(completion_tokens)])::float8 as value`,
        }[metric];
        return sql`${values}, ${bucket(sql`created_at`)} as bucket
          from llm_requests where ${workspaceScope(scope)} and created_at >= ${from} and created_at < ${to} group by bucket${metric === 'llm_tokens' ? sql`` : sql`, key`}`;
      }
      case 'api_requests':
        return sql`select ${bucket(sql`minute`)} as bucket, status_class as key, sum(requests)::float8 as value
          from api_usage_minutes where ${usageScope(scope)} and minute >= ${from} and minute < ${to} group by 1, 2`;
    }
  }

  async #sites(scope: AnalyticsScope, { from, to }: Period): Promise<AnalyticsSummary['sites']> {
    const [row] = await this.database.query<AnalyticsSummary['sites'] & Record<string, unknown>>(sql`
      select count(*)::int as total,
        count(*) filter (where health = 'healthy')::int as healthy,
        count(*) filter (where health = 'degraded')::int as degraded,
        count(*) filter (where health = 'down')::int as down,
        count(*) filter (where health = 'unknown')::int as unknown,
        (select count(distinct site_id)::int from jobs
          where ${jobScope(scope)} and type = 'analyze_site' and status = 'succeeded' and finished_at >= ${from} and finished_at < ${to}) as analysed
      from sites where ${workspaceScope(scope, sql``, sql`id`)}`);
    return row!;
  }

  async #jobs(scope: AnalyticsScope, { from, to }: Period): Promise<JobTypeFigures[]> {
    const rows = await this.database.query<Omit<JobTypeFigures, 'successRate'> & Record<string, unknown>>(sql`
      select type, count(*)::int as total,
        count(*) filter (where status = 'queued')::int as queued,
        count(*) filter (where status = 'running')::int as running,
        count(*) filter (where status = 'succeeded')::int as succeeded,
        count(*) filter (where status = 'failed')::int as failed,
        count(*) filter (where status = 'cancelled')::int as cancelled,
        (avg(${seconds}) filter (where status = 'succeeded'))::float8 as "meanSeconds",
        (percentile_cont(0.95) within group (order by ${seconds}) filter (where status = 'succeeded'))::float8 as "p95Seconds"
      from jobs where ${jobScope(scope)} and created_at >= ${from} and created_at < ${to}
      group by type order by type`);
    return rows.map((row) => ({ ...row, successRate: share(row.succeeded, row.succeeded + row.failed) }));
  }

  async #extraction(scope: AnalyticsScope, { from, to }: Period): Promise<AnalyticsSummary['extraction']> {
    const [row] = await this.database.query<AnalyticsSummary['extraction'] & Record<string, unknown>>(sql`
      select count(distinct j.id)::int as jobs, count(r.job_id)::int as pages,
        count(r.job_id) filter (where r.error is null)::int as "pagesWithRecord",
        count(r.job_id) filter (where r.error is not null)::int as "pagesWithError"
      from jobs j left join extraction_results r on r.job_id = j.id
      where ${jobScope(scope, sql`j.`)} and j.type = 'extract_batch' and j.created_at >= ${from} and j.created_at < ${to}`);
    return row!;
  }

  async #versions(scope: AnalyticsScope, { from, to }: Period): Promise<AnalyticsSummary['blueprintVersions']> {
    const [row] = await this.database.query<AnalyticsSummary['blueprintVersions'] & Record<string, unknown>>(sql`
      select count(*)::int as total,
        count(*) filter (where reason = 'analysis')::int as analysis,
        count(*) filter (where reason = 'repair')::int as "automaticRepairs",
        count(*) filter (where reason = 'edit')::int as "manualEdits"
      from blueprint_versions where ${workspaceScope(scope)} and created_at >= ${from} and created_at < ${to}`);
    return row!;
  }

  /** A change is a check whose health differs from the site's previous one (the first check changes it from unknown). */
  async #health(scope: AnalyticsScope, { from, to }: Period): Promise<AnalyticsSummary['health']> {
    const [row] = await this.database.query<AnalyticsSummary['health'] & Record<string, unknown>>(sql`
      select count(*)::int as checks,
        count(*) filter (where changed)::int as changes,
        count(*) filter (where changed and health = 'healthy')::int as "toHealthy",
        count(*) filter (where changed and health = 'degraded')::int as "toDegraded",
        count(*) filter (where changed and health = 'down')::int as "toDown"
      from (
        select c.health, c.checked_at,
          coalesce(lag(c.health) over (partition by c.site_id order by c.checked_at, c.id), 'unknown') <> c.health as changed
        from site_checks c join sites s on s.id = c.site_id
        where ${workspaceScope(scope, sql`s.`, sql`s.id`)} and c.checked_at < ${to}
      ) history
      where checked_at >= ${from}`);
    return row!;
  }

  async #llm(scope: AnalyticsScope, { from, to }: Period, key: SQL | null): Promise<Array<UsageMeasures & { key: string | null }>> {
    return this.database.query<UsageMeasures & { key: string | null } & Record<string, unknown>>(sql`
      select ${key ?? sql`null`} as key, count(*)::int as requests,
        coalesce(sum(prompt_tokens), 0)::int as "promptTokens",
        coalesce(sum(completion_tokens), 0)::int as "completionTokens",
        coalesce(sum(cost_usd), 0)::float8 as "costUsd"
      from llm_requests where ${workspaceScope(scope)} and created_at >= ${from} and created_at < ${to}
      ${key ? sql`group by 1 order by "costUsd" desc, 1` : sql``}`);
  }

  async #api(scope: AnalyticsScope, { from, to }: Period): Promise<AnalyticsSummary['api']> {
    const where = sql`${usageScope(scope)} and minute >= ${from} and minute < ${to}`;
    const [byRoute, byStatusClass, byApiKey, byUser] = await Promise.all([
      this.database.query<{ method: string; route: string; requests: number; meanMs: number }>(sql`
        select method, route, sum(requests)::int as requests, (sum(total_ms) / sum(requests))::float8 as "meanMs"
        from api_usage_minutes where ${where} group by 1, 2 order by 3 desc, 2, 1`),
      this.database.query<{ statusClass: string; requests: number }>(sql`
        select status_class as "statusClass", sum(requests)::int as requests from api_usage_minutes where ${where} group by 1 order by 1`),
      this.database.query<{ apiKeyId: string; requests: number }>(sql`
        select api_key_id as "apiKeyId", sum(requests)::int as requests from api_usage_minutes where ${where} and api_key_id <> '' group by 1 order by 2 desc, 1`),
      this.database.query<{ userId: string; requests: number }>(sql`
        select user_id as "userId", sum(requests)::int as requests from api_usage_minutes where ${where} and user_id <> '' group by 1 order by 2 desc, 1`),
    ]);
    return { requests: byStatusClass.reduce((total, row) => total + row.requests, 0), byRoute, byStatusClass, byApiKey, byUser };
  }
}

/** Processing time of a job: from its start (or creation, for a tracking record never started itself) to its end. */
const seconds = sql`extract(epoch from (finished_at - coalesce(started_at, created_at)))`;

function jobScope(scope: AnalyticsScope, prefix: SQL = sql``): SQL {
  return workspaceScope(scope, prefix, sql`${prefix}site_id`);
}

function workspaceScope(scope: AnalyticsScope, prefix: SQL = sql``, siteColumn: SQL = sql`${prefix}site_id`): SQL {
  const workspace = scope.workspaceId ? sql`${prefix}workspace_id = ${scope.workspaceId}` : sql`true`;
  return scope.siteId ? sql`${workspace} and ${siteColumn} = ${scope.siteId}` : workspace;
}

/** API usage has no site dimension; its workspace id is text ('' for requests outside any workspace). */
function usageScope(scope: AnalyticsScope): SQL {
  return scope.workspaceId ? sql`workspace_id = ${scope.workspaceId}` : sql`true`;
}
