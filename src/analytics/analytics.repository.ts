import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { p95Ranks, splitPeriod, type PercentileRanks, type Span } from './rollup-period.js';

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
/** grouping(model, step) of a grouping-sets row: a bit set for each column not grouped by. */
const GROUPED_BY_NEITHER = 3;
const GROUPED_BY_FIRST = 1;
const GROUPED_BY_SECOND = 2;

/** Rows of a source table within a period, with the columns of its rollup (`hour`: when). */
type Rows = (scope: AnalyticsScope, period: Period) => SQL;
/** Rows of a rollup, of one span, starting within a period. */
type RollupRows = (scope: AnalyticsScope, period: Period, span: Span) => SQL;

/**
 * Analytics over what the product writes (jobs, extraction results, blueprint versions, site
 * checks, LLM requests, per-minute API usage). Jobs, extraction pages, LLM calls and API usage are
 * read from hourly rollups that triggers keep in the writers' transactions (drizzle/0018), with
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
    // Eight statements: PGlite runs them one after another, so each one saved is its parse, plan and round trip.
    const [sites, jobs, pages, versions, health, llm, api] = await Promise.all([
      this.#sites(scope, period),
      this.#jobs(scope, period),
      this.#extractionPages(scope, period),
      this.#versions(scope, period),
      this.#health(scope, period),
      this.#llm(scope, period),
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
      extraction: { jobs: jobs.find((row) => row.type === 'extract_batch')?.total ?? 0, ...pages },
      blueprintVersions: versions,
      health,
      llm,
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
      with w as materialized (${this.#workspaces(scope)})
      select b.bucket, array(
          select s from w cross join lateral (
            select ${seconds}::float8 as s from jobs
            where workspace_id = w.id and status = 'succeeded' and parent_id is null and ${finished} = b.at
              and finished_at >= ${period.from} and finished_at < ${period.to}
            order by ${seconds} desc limit b.reach) t
          order by s desc offset b.skip limit b.take) as top
      from (values ${ranksValues(
        buckets.map((row) => sql`${row.bucket}, ${row.bucket.replace('Z', '')}::timestamp`),
        ranks,
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
        (select count(*)::int from (select site_id from jobs
          where ${jobScope(scope)} and type = 'analyze_site' and status = 'succeeded' and finished_at >= ${from} and finished_at < ${to}
          group by site_id having site_id is not null) analysed) as analysed
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
    const timed = rows.filter((row) => row.timed);
    if (useRollups && timed.length) {
      const p95 = await this.#jobP95s(scope, period, timed);
      for (const row of timed) row.p95Seconds = p95.get(row.type) ?? null;
    }
    return rows.map(({ timed: _timed, ...row }) => ({ ...row, successRate: share(row.succeeded, row.succeeded + row.failed) }));
  }

  /**
   * percentile_cont(0.95) of the processing time of each type's succeeded jobs created in the
   * period, all types in one statement: per type (and workspace) a walk down
   * jobs_succeeded_seconds_idx from the slowest job to the p95 rank, so only the slowest 5 % are read.
   */
  async #jobP95s(
    scope: AnalyticsScope,
    { from, to }: Period,
    types: Array<{ type: string; timed: number }>,
  ): Promise<Map<string, number | null>> {
    const ranks = types.map((row) => p95Ranks(row.timed));
    const tops = await this.database.query<{ type: string; top: number[] }>(sql`
      with w as materialized (${this.#workspaces(scope)})
      select b.type, array(
          select s from w cross join lateral (
            select ${seconds}::float8 as s from jobs
            where workspace_id = w.id and type = b.type and status = 'succeeded' and ${seconds} is not null
              and created_at >= ${from} and created_at < ${to}
            order by ${seconds} desc limit b.reach) t
          order by s desc offset b.skip limit b.take) as top
      from (values ${ranksValues(
        types.map((row) => row.type),
        ranks,
      )}) as b(type, skip, take, reach)`);
    const top = new Map(tops.map((row) => [row.type, row.top.map(Number)]));
    return new Map(types.map((row, index) => [row.type, ranks[index]!.finish(top.get(row.type) ?? [])]));
  }

  /** The ids of the workspaces in scope (a select of `id`): one, or all of them. */
  #workspaces(scope: AnalyticsScope): SQL {
    return scope.workspaceId ? sql`select ${scope.workspaceId}::uuid as id` : sql`select id from workspaces`;
  }

  /** Pages of the extraction batches requested in the period (the batches themselves are counted with the jobs). */
  async #extractionPages(scope: AnalyticsScope, period: Period): Promise<Omit<AnalyticsSummary['extraction'], 'jobs'>> {
    const [pages] = await this.database.query<Omit<AnalyticsSummary['extraction'], 'jobs'> & Record<string, unknown>>(sql`
      select coalesce(sum(records + errors), 0)::int as pages, coalesce(sum(records), 0)::int as "pagesWithRecord",
        coalesce(sum(errors), 0)::int as "pagesWithError"
      from ${this.#rows(extractionRows, extractionRollup, scope, period)} where type = 'extract_batch'`);
    return pages!;
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

  /**
   * A change is a check whose health differs from the site's previous one (the first check changes
   * it from unknown). Only the period's checks are read, plus, for each site's first one, the check
   * before it (an index lookup), however long the history.
   */
  async #health(scope: AnalyticsScope, { from, to }: Period): Promise<AnalyticsSummary['health']> {
    const [row] = await this.database.query<AnalyticsSummary['health'] & Record<string, unknown>>(sql`
      select count(*)::int as checks,
        count(*) filter (where changed)::int as changes,
        count(*) filter (where changed and health = 'healthy')::int as "toHealthy",
        count(*) filter (where changed and health = 'degraded')::int as "toDegraded",
        count(*) filter (where changed and health = 'down')::int as "toDown"
      from (
        select c.health, coalesce(
            lag(c.health) over (partition by c.site_id order by c.checked_at, c.id),
            -- Evaluated only where lag found nothing (coalesce stops at the first value).
            (select p.health from site_checks p
              where p.site_id = c.site_id and p.checked_at <= c.checked_at and (p.checked_at, p.id) < (c.checked_at, c.id)
              order by p.checked_at desc, p.id desc limit 1),
            'unknown') <> c.health as changed
        from site_checks c join sites s on s.id = c.site_id
        where ${workspaceScope(scope, sql`s.`, sql`s.id`)} and c.checked_at >= ${from} and c.checked_at < ${to}
      ) history`);
    return row!;
  }

  /** The period's LLM calls in total, by model and by step: one pass over the rows (grouping sets). */
  async #llm(scope: AnalyticsScope, period: Period): Promise<AnalyticsSummary['llm']> {
    const rows = await this.database.query<
      UsageMeasures & { model: string | null; step: string | null; set: number } & Record<string, unknown>
    >(sql`
      select model, step, grouping(model, step) as set, coalesce(sum(requests), 0)::int as requests,
        coalesce(sum(prompt_tokens), 0)::int as "promptTokens",
        coalesce(sum(completion_tokens), 0)::int as "completionTokens",
        coalesce(sum(cost_usd), 0)::float8 as "costUsd"
      from ${this.#rows(llmRows, llmRollup, scope, period)}
      group by grouping sets ((), (model), (step)) having grouping(model, step) = ${GROUPED_BY_NEITHER} or sum(requests) > 0
      order by "costUsd" desc, coalesce(model, step)`);
    const measures = ({ requests, promptTokens, completionTokens, costUsd }: UsageMeasures) => ({
      requests,
      promptTokens,
      completionTokens,
      costUsd,
    });
    const total = rows.find((row) => row.set === GROUPED_BY_NEITHER);
    return {
      ...(total ? measures(total) : { requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 }),
      byModel: rows.filter((row) => row.set === GROUPED_BY_FIRST).map((row) => ({ model: row.model!, ...measures(row) })),
      byStep: rows.filter((row) => row.set === GROUPED_BY_SECOND).map((row) => ({ step: row.step!, ...measures(row) })),
    };
  }

  /** The period's API requests by route, status class, key and user: one pass over the rows (grouping sets). */
  async #api(scope: AnalyticsScope, period: Period): Promise<AnalyticsSummary['api']> {
    type Row = {
      set: string;
      method: string;
      route: string;
      statusClass: string;
      apiKeyId: string;
      userId: string;
      requests: number;
      meanMs: number;
    };
    const rows = await this.database.query<Row & Record<string, unknown>>(sql`
      select case when grouping(route) = 0 then 'route' when grouping(status_class) = 0 then 'status' when grouping(api_key_id) = 0 then 'key' else 'user' end as set,
        method, route, status_class as "statusClass", api_key_id as "apiKeyId", user_id as "userId",
        sum(requests)::int as requests, sum(total_ms)::float8 / sum(requests)::float8 as "meanMs"
      from ${this.#rows(apiRows, apiRollup, scope, period)}
      group by grouping sets ((method, route), (status_class), (api_key_id), (user_id))
      -- Requests without a key or a user ('') are not listed by key or by user.
      having sum(requests) > 0 and (grouping(api_key_id) = 1 or api_key_id <> '') and (grouping(user_id) = 1 or user_id <> '')
      -- By status class in class order; the rest busiest first.
      order by 1, case when grouping(status_class) = 0 then 0 else sum(requests) end desc, route, method, status_class, api_key_id, user_id`);
    const of = (set: string) => rows.filter((row) => row.set === set);
    const byStatusClass = of('status').map(({ statusClass, requests }) => ({ statusClass, requests }));
    return {
      requests: byStatusClass.reduce((total, row) => total + row.requests, 0),
      byRoute: of('route').map(({ method, route, requests, meanMs }) => ({ method, route, requests, meanMs })),
      byStatusClass,
      byApiKey: of('key').map(({ apiKeyId, requests }) => ({ apiKeyId, requests })),
      byUser: of('user').map(({ userId, requests }) => ({ userId, requests })),
    };
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
    // Never empty: a period with no whole hour is all edge. Every part names its columns alike.
    const parts = [
      ...(split.days ? [rollup(scope, split.days, 'day')] : []),
      ...split.hours.map((hours) => rollup(scope, hours, 'hour')),
      ...split.edges.map((edge) => source(scope, edge)),
    ];
    return sql`(${sql.join(parts, sql` union all `)}) r`;
  }
}

/** Rows of a VALUES list: each key (one or more columns) with the offset, count and reach of its p95 ranks. */
function ranksValues(keys: Array<string | SQL>, ranks: PercentileRanks[]): SQL {
  return sql.join(
    keys.map((key, index) => {
      const { offset, count } = ranks[index]!;
      return sql`(${key}, ${offset}::int, ${count}::int, ${offset + count}::int)`;
    }),
    sql`, `,
  );
}

/** Processing time of a job: from its start (or creation, for a tracking record never started itself) to its end. */
const seconds = sql`extract(epoch from (finished_at - coalesce(started_at, created_at)))`;

function jobScope(scope: AnalyticsScope, prefix: SQL = sql``): SQL {
  return workspaceScope(scope, prefix, sql`${prefix}site_id`);
}

/**
 * Every workspace is named as the list of them, not as no condition at all, so the indexes that
 * lead with the workspace (the tables' and the rollups') still serve a period: each workspace's
 * rows are one range. Every table scoped so holds only rows of existing workspaces (foreign keys
 * cascade, and the rollups follow their rows).
 */
function workspaceScope(scope: AnalyticsScope, prefix: SQL = sql``, siteColumn: SQL = sql`${prefix}site_id`): SQL {
  const workspace = scope.workspaceId
    ? sql`${prefix}workspace_id = ${scope.workspaceId}`
    : sql`${prefix}workspace_id = any(array(select id from workspaces))`;
  return scope.siteId ? sql`${workspace} and ${siteColumn} = ${scope.siteId}` : workspace;
}

/** API usage has no site dimension; its workspace id is text ('' for requests outside any workspace). */
function usageScope(scope: AnalyticsScope): SQL {
  return scope.workspaceId ? sql`workspace_id = ${scope.workspaceId}` : sql`true`;
}

// Each source below has the columns of its rollup table (drizzle/0018), one row per source row.
const inPeriod = (column: SQL, { from, to }: Period) => sql`${column} >= ${from} and ${column} < ${to}`;

const jobRows: Rows = (scope, period) => sql`select created_at as hour, type, status, parent_id is null as top_level, 1 as jobs,
  (finished_at is not null)::int as timed, coalesce(${seconds}, 0) as seconds
  from jobs where ${jobScope(scope)} and ${inPeriod(sql`created_at`, period)}`;
const jobRollup: RollupRows = (scope, period, span) => sql`select at as hour, type, status, top_level, jobs, timed, seconds
  from analytics_job_rollups where span = ${span} and ${workspaceScope(scope)} and ${inPeriod(sql`at`, period)}`;

// The hours bound is implied by the period; it lets jobs_duration_hour_idx find the rows (no index leads with finished_at).
const finishedHour = sql`date_trunc('hour', finished_at at time zone 'UTC')`;
const durationRows: Rows = (scope, period) => sql`select finished_at as hour, 1 as jobs, ${seconds} as seconds
  from jobs where ${jobScope(scope)} and status = 'succeeded' and parent_id is null and ${inPeriod(sql`finished_at`, period)}
    and ${finishedHour} >= date_trunc('hour', ${period.from}::timestamptz at time zone 'UTC') and ${finishedHour} < ${period.to}::timestamptz at time zone 'UTC'`;
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
