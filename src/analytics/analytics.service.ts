import { DomainError, domainErrors } from '../domain/errors.js';
import type { AnalyticsRepository, AnalyticsScope, AnalyticsSummary, Interval, Period, TimeseriesMetric } from './analytics.repository.js';

const DAY_MS = 86_400_000;
const BUCKET_MS: Record<Interval, number> = { hour: 3_600_000, day: DAY_MS };
/** Enough for a year by day or six weeks by hour; beyond it the answer would be too long to chart. */
export const MAX_BUCKETS = 1_000;
/** Series whose empty buckets have no value (a mean of nothing), not zero. */
const AVERAGED: ReadonlySet<TimeseriesMetric> = new Set(['job_duration', 'site_coverage']);

export interface Viewer {
  workspaceId: string;
  systemAdmin: boolean;
}

export interface PeriodQuery {
  from?: string;
  to?: string;
  /** all: every workspace of the instance (system administrators). */
  scope?: 'workspace' | 'all';
  siteId?: string;
}

export interface Timeseries {
  metric: TimeseriesMetric;
  interval: Interval;
  from: string;
  to: string;
  keys: string[];
  points: Array<{ at: string; values: Record<string, number | null> }>;
}

export class AnalyticsService {
  constructor(private readonly repository: AnalyticsRepository) {}

  async summary(
    viewer: Viewer,
    query: PeriodQuery,
    now = new Date(),
  ): Promise<AnalyticsSummary & { from: string; to: string; scope: 'workspace' | 'all' }> {
    const period = periodOf(query, now);
    const scope = scopeOf(viewer, query);
    const summary = await this.repository.summary(scope, period);
    return { from: period.from.toISOString(), to: period.to.toISOString(), scope: scope.workspaceId ? 'workspace' : 'all', ...summary };
  }

  /** Points for every bucket of the period, empty ones included, so charts need not fill gaps. */
  async timeseries(
    viewer: Viewer,
    query: PeriodQuery & { metric: TimeseriesMetric; interval: Interval },
    now = new Date(),
  ): Promise<Timeseries> {
    const { metric, interval } = query;
    const period = periodOf(query, now);
    if (metric === 'api_requests' && query.siteId) throw badQuery('siteId', 'API usage is not counted per site');
    const step = BUCKET_MS[interval];
    const first = truncate(period.from, step);
    const buckets = Math.ceil((period.to.getTime() - first) / step);
    if (buckets > MAX_BUCKETS)
      throw badQuery(
        'interval',
        `${buckets} ${interval}s is more than ${MAX_BUCKETS} points; choose a shorter period or a longer interval`,
      );
    const rows = await this.repository.series(metric, interval, scopeOf(viewer, query), period);
    const keys = [...new Set(rows.map((row) => row.key))].sort();
    const empty = AVERAGED.has(metric) ? null : 0;
    const byBucket = new Map<string, Record<string, number | null>>();
    for (const row of rows) {
      const values = byBucket.get(row.bucket) ?? {};
      values[row.key] = row.value;
      byBucket.set(row.bucket, values);
    }
    const points = Array.from({ length: buckets }, (_, index) => {
      const at = new Date(first + index * step).toISOString().replace('.000Z', 'Z');
      const found = byBucket.get(at) ?? {};
      return { at, values: Object.fromEntries(keys.map((key) => [key, found[key] ?? empty])) };
    });
    return { metric, interval, from: period.from.toISOString(), to: period.to.toISOString(), keys, points };
  }
}

/** The period asked for; by default the last 30 days up to now. */
export function periodOf(query: { from?: string; to?: string }, now: Date): Period {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY_MS);
  if (from >= to) throw badQuery('from', 'from must be before to');
  return { from, to };
}

function scopeOf(viewer: Viewer, query: PeriodQuery): AnalyticsScope {
  if (query.scope === 'all' && !viewer.systemAdmin)
    throw new DomainError('forbidden', 'Only system administrators can see every workspace');
  return { workspaceId: query.scope === 'all' ? null : viewer.workspaceId, siteId: query.siteId };
}

function truncate(date: Date, step: number): number {
  return Math.floor(date.getTime() / step) * step;
}

function badQuery(field: string, detail: string): DomainError {
  return domainErrors.invalid(detail, [{ in: 'querystring', path: `/${field}`, message: detail }]);
}
