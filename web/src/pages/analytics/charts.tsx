import '@mantine/charts/styles.css';
import { BarChart, LineChart } from '@mantine/charts';
import { Card, SegmentedControl, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { humanize } from '../../components/format';
import { QueryState } from '../../components/states';

export type Metric = Schemas['AnalyticsTimeseries']['metric'];
export type Series = Schemas['AnalyticsTimeseries'];
export const RANGES = { '24h': 1, '7d': 7, '30d': 30, '90d': 90 } as const;
export type Range = keyof typeof RANGES;
const PALETTE = ['blue.6', 'teal.6', 'orange.6', 'grape.6', 'red.6', 'gray.6', 'cyan.6', 'lime.6'];
const SERIES_COLORS: Record<string, string> = {
  succeeded: 'teal.6',
  failed: 'red.6',
  cancelled: 'gray.5',
  queued: 'blue.4',
  running: 'blue.7',
  healthy: 'teal.6',
  degraded: 'orange.6',
  down: 'red.6',
  unknown: 'gray.5',
};

/**
 * The period a range stands for, ending now (rounded up to the minute). Computed when a query runs,
 * not when the page rendered, so a refetch after a live event covers what just happened.
 */
export function periodOf(range: Range): { from: string; to: string; interval: 'hour' | 'day' } {
  const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
  const from = new Date(to.getTime() - RANGES[range] * 86_400_000);
  return { from: from.toISOString(), to: to.toISOString(), interval: RANGES[range] <= 2 ? 'hour' : 'day' };
}

/** Query keys of everything here start with "analytics", which live updates refresh (api/live.ts). */
export function useTimeseries(metric: Metric, range: Range, siteId?: string) {
  return useQuery({
    queryKey: ['analytics', 'timeseries', metric, range, siteId],
    queryFn: () => {
      const { from, to, interval } = periodOf(range);
      return unwrap(
        api.GET('/api/v1/analytics/timeseries', { params: { query: { metric, interval, from, to, ...(siteId ? { siteId } : {}) } } }),
      );
    },
  });
}

export function useSummary(range: Range) {
  return useQuery({
    queryKey: ['analytics', 'summary', range],
    queryFn: () => {
      const { from, to } = periodOf(range);
      return unwrap(api.GET('/api/v1/analytics/summary', { params: { query: { from, to } } }));
    },
  });
}

/** A series as chart rows: one per bucket, a column per key. */
export function chartRows(series: Series) {
  return series.points.map((point) => ({
    at: series.interval === 'hour' ? point.at.slice(11, 16) : point.at.slice(5, 10),
    ...point.values,
  }));
}

export function seriesColor(key: string, index: number): string {
  return SERIES_COLORS[key] ?? PALETTE[index % PALETTE.length]!;
}

export function RangePicker({ value, onChange }: { value: Range; onChange: (range: Range) => void }) {
  return <SegmentedControl aria-label="Period" value={value} onChange={(next) => onChange(next as Range)} data={Object.keys(RANGES)} />;
}

/** A titled card around a chart, with a sentence in place of an empty chart. */
export function ChartCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card withBorder>
      <Title order={2} size="h5" mb="sm">
        {title}
      </Title>
      {children}
    </Card>
  );
}

export function EmptyChart({ children }: { children: ReactNode }) {
  return (
    <Text size="sm" c="dimmed">
      {children}
    </Text>
  );
}

function hasData(series: Series): boolean {
  return (
    series.keys.length > 0 && series.points.some((point) => Object.values(point.values).some((value) => value !== null && value !== 0))
  );
}

/** One metric of the analytics API as a bar chart (stacked by series) or a line chart. */
export function SeriesChart({
  title,
  metric,
  range,
  stacked = true,
  empty,
  siteId,
  line = false,
  unit,
}: {
  title: string;
  metric: Metric;
  range: Range;
  stacked?: boolean;
  empty: string;
  siteId?: string;
  line?: boolean;
  unit?: string;
}) {
  const query = useTimeseries(metric, range, siteId);
  return (
    <ChartCard title={title}>
      <QueryState query={query}>
        {(series) => {
          if (!hasData(series)) return <EmptyChart>{empty}</EmptyChart>;
          const chartSeries = series.keys.map((key, index) => ({ name: key, label: humanize(key), color: seriesColor(key, index) }));
          return line ? (
            <LineChart h={220} data={chartRows(series)} dataKey="at" series={chartSeries} connectNulls withLegend unit={unit} />
          ) : (
            <BarChart
              h={220}
              data={chartRows(series)}
              dataKey="at"
              series={chartSeries}
              type={stacked ? 'stacked' : 'default'}
              withLegend
              unit={unit}
            />
          );
        }}
      </QueryState>
    </ChartCard>
  );
}

/** Share of finished top-level jobs that succeeded, per bucket, from the jobs-by-status series. */
export function SuccessRateChart({ range, empty }: { range: Range; empty: string }) {
  const query = useTimeseries('jobs', range);
  return (
    <ChartCard title="Success rate (%)">
      <QueryState query={query}>
        {(series) => {
          const rows = series.points.map((point) => {
            const succeeded = point.values.succeeded ?? 0;
            const finished = succeeded + (point.values.failed ?? 0);
            return {
              at: series.interval === 'hour' ? point.at.slice(11, 16) : point.at.slice(5, 10),
              'Success rate': finished ? Math.round((succeeded / finished) * 1000) / 10 : null,
            };
          });
          if (rows.every((row) => row['Success rate'] === null)) return <EmptyChart>{empty}</EmptyChart>;
          return (
            <LineChart
              h={220}
              data={rows}
              dataKey="at"
              series={[{ name: 'Success rate', color: 'teal.6' }]}
              yAxisProps={{ domain: [0, 100] }}
              connectNulls
              withDots
              unit=" %"
            />
          );
        }}
      </QueryState>
    </ChartCard>
  );
}

/** The charts the Overview and the Analytics page both show, in the same words. */
export function JobsChart({ range }: { range: Range }) {
  return <SeriesChart title="Jobs by status" metric="jobs" range={range} empty="No jobs were requested in this period." />;
}

export function ExtractionPagesChart({ range }: { range: Range }) {
  return <SeriesChart title="Pages extracted" metric="extraction_pages" range={range} empty="No extraction ran in this period." />;
}

export function LlmCostChart({ range }: { range: Range }) {
  return (
    <SeriesChart
      title="LLM cost by model (USD)"
      metric="llm_cost"
      range={range}
      empty="No LLM calls in this period: analyses ran on heuristics alone."
    />
  );
}

export function ApiRequestsChart({ range }: { range: Range }) {
  return (
    <SeriesChart
      title="API requests by status"
      metric="api_requests"
      range={range}
      empty="No API requests counted yet (counts are written every minute)."
    />
  );
}
