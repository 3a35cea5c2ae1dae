import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { p95Ranks, splitPeriod, type Span } from './rollup-period.js';

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

/** Rows of a source table within a period, with the columns of its rollup (`hour`: when). */
type Rows = (scope: AnalyticsScope, period: Period) => SQL;
/** Rows of a rollup, of one span, starting within a period. */
type RollupRows = (scope: AnalyticsScope, period: Period, span: Span) => SQL;

/**
 * Analytics over what the product writes (jobs, extraction results, blueprint versions, site
 * checks, LLM requests, per-minute API usage). Jobs, extraction pages, LLM calls and API usage are
 * read from hourly rollups that triggers keep in the writers' transactions (drizzle/0017), with
 * the ragged edges of a period and per-site questions read from the source rows: the figures are
 * the same as aggregating the source tables (`rollups: false` does exactly that, and the tests
 * compare both), only cheaper. The p95 of processing time is read from the top of an index.
 */
export class AnalyticsRepository {
  readonly #rollups: boolean;

  constructor(
    private readonly database: Database,
    options: { rollups?: boolean } = {},
  ) {
    this.#rollups = options.rollups ?? true;
  }

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
    if (metric === 'job_duration') return this.#durations(interval, scope, period);
    const bucket = (column: SQL) => sql`to_char(date_trunc(${interval}, ${column} at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
    const query = this.#seriesQuery(metric, interval, bucket, scope, period);
    return this.database.query<SeriesRow & Record<string, unknown>>(query);
  }

  #seriesQuery(
    metric: Exclude<TimeseriesMetric, 'job_duration'>,
    interval: Interval,
    bucket: (column: SQL) => SQL,
    scope: AnalyticsScope,
    period: Period,
  ): SQL {
    const { from, to } = period;
    switch (metric) {
      case 'jobs':
        return sql`select ${bucket(sql`hour`)} as bucket, status as key, sum(jobs)::float8 as value
          from ${this.#rows(jobRows, jobRollup, scope, period, interval === 'hour')} where top_level group by 1, 2 having sum(jobs) > 0`;
      case 'extraction_pages':
        return sql`select ${bucket(sql`hour`)} as bucket, v.key, sum(v.value)::float8 as value
          from ${this.#rows(extractionRows, extractionRollup, scope, period, interval === 'hour')}
          cross join lateral (values ('records', r.records), ('errors', r.errors)) as v(key, value)
          group by 1, 2 having sum(v.value) > 0`;
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
        const rows = this.#rows(llmRows, llmRollup, scope, period, interval === 'hour');
        if (metric === 'llm_tokens')
          return sql`select ${bucket(sql`hour`)} as bucket, v.key, sum(v.value)::float8 as value from ${rows}
            cross join lateral (values ('prompt', r.prompt_tokens), ('completion', r.completion_tokens)) as v(key, value) group by 1, 2`;
        const value = metric === 'llm_cost' ? sql`coalesce(sum(cost_usd), 0)` : sql`sum(requests)`;
        return sql`select ${bucket(sql`hour`)} as bucket, model as key, ${value}::float8 as value from ${rows} group by 1, 2`;
      }
      case 'api_requests':
        return sql`select ${bucket(sql`hour`)} as bucket, status_class as key, sum(requests)::float8 as value
          from ${this.#rows(apiRows, apiRollup, scope, period, interval === 'hour')} group by 1, 2`;
    }
  }

  /** Mean and p95 processing time of the top-level jobs that succeeded, by the bucket they finished in. */
  async #durations(interval: Interval, scope: AnalyticsScope, period: Period): Promise<SeriesRow[]> {
    const bucket = sql`to_char(date_trunc(${interval}, hour at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
    if (!this.#uses(scope)) {
      return this.database.query<SeriesRow & Record<string, unknown>>(sql`select bucket, key, value from (
          select ${bucket} as bucket, sum(seconds)::float8 / count(*)::float8 as mean,
            percentile_cont(0.95) within group (order by seconds) as p95
          from (${durationRows(scope, period)}) r group by 1) d
        cross join lateral (values ('meanSeconds', d.mean::float8), ('p95Seconds', d.p95::float8)) as v(key, value)`);
    }
    const buckets = await this.database.query<{ bucket: string; jobs: number; mean: number }>(sql`
      select ${bucket} as bucket, sum(jobs)::int as jobs, sum(seconds)::float8 / sum(jobs)::float8 as mean
      from ${this.#rows(durationRows, durationRollup, scope, period, interval === 'hour')} group by 1 having sum(jobs) > 0 order by 1`);
    if (!buckets.length) return [];
    // One index walk per bucket (and workspace) from its slowest job down to the p95 rank.
    const ranks = buckets.map((row) => p95Ranks(row.jobs));
    const unit = sql.raw(`'${interval}'`);
    const finished = sql`date_trunc(${unit}, finished_at at time zone 'UTC')`;
    const tops = await this.database.query<{ bucket: string; top: number[] }>(sql`
      select b.bucket, array(
          select s from ${this.#workspaces(scope, period, sql`analytics_duration_rollups`)} cross join lateral (
            select ${seconds}::float8 as s from jobs
            where workspace_id = w.id and status = 'succeeded' and parent_id is null and ${finished} = b.at
              and finished_at >= ${period.from} and finished_at < ${period.to}
            order by ${seconds} desc limit b.reach) t
          order by s desc offset b.skip limit b.take) as top
      from (values ${sql.join(
        buckets.map(
          (row, index) =>
            sql`(${row.bucket}, ${row.bucket.replace('Z', '')}::timestamp, ${ranks[index]!.offset}::int, ${ranks[index]!.count}::int, ${ranks[index]!.offset + ranks[index]!.count}::int)`,
        ),
        sql`, `,
      )}) as b(bucket, at, skip, take, reach)`);
    const p95 = new Map(tops.map((row) => [row.bucket, row.top.map(Number)]));
    return buckets.flatMap((row, index) => [
      { bucket: row.bucket, key: 'meanSeconds', value: row.mean },
      { bucket: row.bucket, key: 'p95Seconds', value: ranks[index]!.finish(p95.get(row.bucket) ?? []) },
    ]);
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

  async #jobs(scope: AnalyticsScope, period: Period): Promise<JobTypeFigures[]> {
    const useRollups = this.#uses(scope);
    const succeeded = sql`status = 'succeeded'`;
    const rows = await this.database.query<Omit<JobTypeFigures, 'successRate'> & { timed: number } & Record<string, unknown>>(sql`
      select type, sum(jobs)::int as total,
        coalesce(sum(jobs) filter (where status = 'queued'), 0)::int as queued,
        coalesce(sum(jobs) filter (where status = 'running'), 0)::int as running,
        coalesce(sum(jobs) filter (where ${succeeded}), 0)::int as succeeded,
        coalesce(sum(jobs) filter (where status = 'failed'), 0)::int as failed,
        coalesce(sum(jobs) filter (where status = 'cancelled'), 0)::int as cancelled,
        coalesce(sum(timed) filter (where ${succeeded}), 0)::int as timed,
        (sum(seconds) filter (where ${succeeded}))::float8 / nullif(sum(timed) filter (where ${succeeded}), 0)::float8 as "meanSeconds",
        ${useRollups ? sql`null::float8` : sql`(percentile_cont(0.95) within group (order by seconds) filter (where ${succeeded} and timed = 1))::float8`} as "p95Seconds"
      from ${this.#rows(jobRows, jobRollup, scope, period)}
      group by type having sum(jobs) > 0 order by type`);
    if (useRollups) {
      const workspaces = this.#workspaces(scope, period, sql`analytics_job_rollups`);
      await Promise.all(
        rows.map(async (row) => {
          if (row.timed) row.p95Seconds = await this.#jobP95(workspaces, row.type, row.timed, period);
        }),
      );
    }
    return rows.map(({ timed: _timed, ...row }) => ({ ...row, successRate: share(row.succeeded, row.succeeded + row.failed) }));
  }

  /** percentile_cont(0.95) of the processing time of one type's succeeded jobs created in the period, from the top of jobs_succeeded_seconds_idx. */
  async #jobP95(workspaces: SQL, type: string, timed: number, { from, to }: Period): Promise<number | null> {
    const ranks = p95Ranks(timed);
    const rows = await this.database.query<{ s: number }>(sql`
      select s from ${workspaces} cross join lateral (
        select ${seconds}::float8 as s from jobs
        where workspace_id = w.id and type = ${type} and status = 'succeeded' and ${seconds} is not null
          and created_at >= ${from} and created_at < ${to}
        order by ${seconds} desc limit ${ranks.offset + ranks.count}) t
      order by s desc offset ${ranks.offset} limit ${ranks.count}`);
    return ranks.finish(rows.map((row) => Number(row.s)));
  }

  /**
   * The workspaces in scope, as a relation `w(id)`: one, or every one with rows in the period's
   * hours of a rollup (which holds every hour, the current one included).
   */
  #workspaces(scope: AnalyticsScope, { from, to }: Period, rollup: SQL): SQL {
    if (scope.workspaceId) return sql`(select ${scope.workspaceId}::uuid as id) w`;
    return sql`(select distinct workspace_id as id from ${rollup}
      where span = 'hour' and at >= date_trunc('hour', ${from}::timestamptz at time zone 'UTC') at time zone 'UTC' and at < ${to}) w`;
  }

  async #extraction(scope: AnalyticsScope, period: Period): Promise<AnalyticsSummary['extraction']> {
    const [jobs] = await this.database.query<{ jobs: number }>(sql`
      select coalesce(sum(jobs), 0)::int as jobs from ${this.#rows(jobRows, jobRollup, scope, period)} where type = 'extract_batch'`);
    const [pages] = await this.database.query<Omit<AnalyticsSummary['extraction'], 'jobs'> & Record<string, unknown>>(sql`
      select coalesce(sum(records + errors), 0)::int as pages, coalesce(sum(records), 0)::int as "pagesWithRecord",
        coalesce(sum(errors), 0)::int as "pagesWithError"
      from ${this.#rows(extractionRows, extractionRollup, scope, period)} where type = 'extract_batch'`);
    return { jobs: jobs!.jobs, ...pages! };
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

  async #llm(scope: AnalyticsScope, period: Period, key: SQL | null): Promise<Array<UsageMeasures & { key: string | null }>> {
    return this.database.query<UsageMeasures & { key: string | null } & Record<string, unknown>>(sql`
      select ${key ?? sql`null`} as key, coalesce(sum(requests), 0)::int as requests,
        coalesce(sum(prompt_tokens), 0)::int as "promptTokens",
        coalesce(sum(completion_tokens), 0)::int as "completionTokens",
        coalesce(sum(cost_usd), 0)::float8 as "costUsd"
      from ${this.#rows(llmRows, llmRollup, scope, period)}
      ${key ? sql`group by 1 having sum(requests) > 0 order by "costUsd" desc, 1` : sql``}`);
  }

  async #api(scope: AnalyticsScope, period: Period): Promise<AnalyticsSummary['api']> {
    const rows = () => this.#rows(apiRows, apiRollup, scope, period);
    const [byRoute, byStatusClass, byApiKey, byUser] = await Promise.all([
      this.database.query<{ method: string; route: string; requests: number; meanMs: number }>(sql`
        select method, route, sum(requests)::int as requests, sum(total_ms)::float8 / sum(requests)::float8 as "meanMs"
        from ${rows()} group by 1, 2 having sum(requests) > 0 order by 3 desc, 2, 1`),
      this.database.query<{ statusClass: string; requests: number }>(sql`
        select status_class as "statusClass", sum(requests)::int as requests from ${rows()} group by 1 having sum(requests) > 0 order by 1`),
      this.database.query<{ apiKeyId: string; requests: number }>(sql`
        select api_key_id as "apiKeyId", sum(requests)::int as requests from ${rows()} where api_key_id <> '' group by 1 having sum(requests) > 0 order by 2 desc, 1`),
      this.database.query<{ userId: string; requests: number }>(sql`
        select user_id as "userId", sum(requests)::int as requests from ${rows()} where user_id <> '' group by 1 having sum(requests) > 0 order by 2 desc, 1`),
    ]);
    return { requests: byStatusClass.reduce((total, row) => total + row.requests, 0), byRoute, byStatusClass, byApiKey, byUser };
  }

  /** Rollups serve workspace-wide questions; a site's figures come from its own rows, which are few. */
  #uses(scope: AnalyticsScope): boolean {
    return this.#rollups && !scope.siteId;
  }

  /**
   * The period's rows as a relation `r`: from the source table, or whole days and hours from the
   * rollup plus the ragged edges from the source. `byHour`: a series by the hour, which day rows
   * cannot serve.
   */
  #rows(source: Rows, rollup: RollupRows, scope: AnalyticsScope, period: Period, byHour = false): SQL {
    if (!this.#uses(scope)) return sql`(${source(scope, period)}) r`;
    const split = splitPeriod(period, { days: !byHour });
    const parts = [
      // An empty first part gives the relation its columns whatever the split holds.
      source(scope, { from: period.from, to: period.from }),
      ...(split.days ? [rollup(scope, split.days, 'day')] : []),
      ...split.hours.map((hours) => rollup(scope, hours, 'hour')),
      ...split.edges.map((edge) => source(scope, edge)),
    ];
    return sql`(${sql.join(parts, sql` union all `)}) r`;
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

// Each source below has the columns of its rollup table (drizzle/0017), one row per source row.
const inPeriod = (column: SQL, { from, to }: Period) => sql`${column} >= ${from} and ${column} < ${to}`;

const jobRows: Rows = (scope, period) => sql`select created_at as hour, type, status, parent_id is null as top_level, 1 as jobs,
  (finished_at is not null)::int as timed, coalesce(${seconds}, 0) as seconds
  from jobs where ${jobScope(scope)} and ${inPeriod(sql`created_at`, period)}`;
const jobRollup: RollupRows = (scope, period, span) => sql`select at as hour, type, status, top_level, jobs, timed, seconds
  from analytics_job_rollups where span = ${span} and ${workspaceScope(scope)} and ${inPeriod(sql`at`, period)}`;

const durationRows: Rows = (scope, period) => sql`select finished_at as hour, 1 as jobs, ${seconds} as seconds
  from jobs where ${jobScope(scope)} and status = 'succeeded' and parent_id is null and ${inPeriod(sql`finished_at`, period)}`;
const durationRollup: RollupRows = (scope, period, span) => sql`select at as hour, jobs, seconds
  from analytics_duration_rollups where span = ${span} and ${workspaceScope(scope)} and ${inPeriod(sql`at`, period)}`;

const extractionRows: Rows = (scope, period) => sql`select j.created_at as hour, j.type,
  (r.error is null)::int as records, (r.error is not null)::int as errors
  from extraction_results r join jobs j on j.id = r.job_id where ${jobScope(scope, sql`j.`)} and ${inPeriod(sql`j.created_at`, period)}`;
const extractionRollup: RollupRows = (scope, period, span) => sql`select at as hour, type, records, errors
  from analytics_extraction_rollups where span = ${span} and ${workspaceScope(scope)} and ${inPeriod(sql`at`, period)}`;

const llmRows: Rows = (scope, period) => sql`select created_at as hour, model, step, 1 as requests, prompt_tokens, completion_tokens,
  cost_usd::numeric as cost_usd from llm_requests where ${workspaceScope(scope)} and ${inPeriod(sql`created_at`, period)}`;
const llmRollup: RollupRows = (
  scope,
  period,
  span,
) => sql`select at as hour, model, step, requests, prompt_tokens, completion_tokens, cost_usd
  from analytics_llm_rollups where span = ${span} and ${workspaceScope(scope)} and ${inPeriod(sql`at`, period)}`;

const apiRows: Rows = (scope, period) => sql`select minute as hour, method, route, status_class, api_key_id, user_id, requests,
  total_ms::numeric as total_ms from api_usage_minutes where ${usageScope(scope)} and ${inPeriod(sql`minute`, period)}`;
const apiRollup: RollupRows = (
  scope,
  period,
  span,
) => sql`select at as hour, method, route, status_class, api_key_id, user_id, requests, total_ms
  from analytics_api_rollups where span = ${span} and ${usageScope(scope)} and ${inPeriod(sql`at`, period)}`;
