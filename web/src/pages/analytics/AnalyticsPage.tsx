import '@mantine/charts/styles.css';
import { BarChart, LineChart } from '@mantine/charts';
import { Card, SegmentedControl, SimpleGrid, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { formatPercent, formatUsd, humanize } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { Stat } from '../../components/Stat';
import { EmptyState, QueryState } from '../../components/states';
import { LlmUsage } from './LlmUsage';

type Metric = Schemas['AnalyticsTimeseries']['metric'];
const RANGES = { '24h': 1, '7d': 7, '30d': 30, '90d': 90 } as const;
type Range = keyof typeof RANGES;
const PALETTE = ['blue.6', 'teal.6', 'orange.6', 'grape.6', 'red.6', 'gray.6', 'cyan.6', 'lime.6'];
const STATUS_COLORS: Record<string, string> = {
  succeeded: 'teal.6',
  failed: 'red.6',
  cancelled: 'gray.5',
  queued: 'blue.4',
  running: 'blue.7',
};

/** The period a range stands for, fixed to the minute so queries share a cache key while it lasts. */
function periodOf(range: Range): { from: string; to: string; interval: 'hour' | 'day' } {
  const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
  const from = new Date(to.getTime() - RANGES[range] * 86_400_000);
  return { from: from.toISOString(), to: to.toISOString(), interval: RANGES[range] <= 2 ? 'hour' : 'day' };
}

export function useTimeseries(metric: Metric, range: Range, siteId?: string) {
  const { from, to, interval } = periodOf(range);
  return useQuery({
    queryKey: ['analytics', metric, range, siteId, from],
    queryFn: () =>
      unwrap(api.GET('/api/v1/analytics/timeseries', { params: { query: { metric, interval, from, to, ...(siteId ? { siteId } : {}) } } })),
  });
}

/** A series as chart rows: one per bucket, a column per key. */
export function chartRows(series: Schemas['AnalyticsTimeseries'], interval: 'hour' | 'day') {
  return series.points.map((point) => ({ at: interval === 'hour' ? point.at.slice(11, 16) : point.at.slice(5, 10), ...point.values }));
}

export function SeriesChart({
  title,
  metric,
  range,
  stacked = true,
  empty,
  siteId,
  line = false,
}: {
  title: string;
  metric: Metric;
  range: Range;
  stacked?: boolean;
  empty: string;
  siteId?: string;
  line?: boolean;
}) {
  const query = useTimeseries(metric, range, siteId);
  const interval = periodOf(range).interval;
  return (
    <Card withBorder>
      <Title order={2} size="h5" mb="sm">
        {title}
      </Title>
      <QueryState query={query}>
        {(series) => {
          const total = series.points.reduce(
            (sum, point) => sum + Object.values(point.values).reduce<number>((a, b) => a + (b ?? 0), 0),
            0,
          );
          if (series.keys.length === 0 || total === 0)
            return (
              <Text size="sm" c="dimmed">
                {empty}
              </Text>
            );
          const chartSeries = series.keys.map((key, index) => ({
            name: key,
            label: humanize(key),
            color: STATUS_COLORS[key] ?? PALETTE[index % PALETTE.length]!,
          }));
          return line ? (
            <LineChart h={220} data={chartRows(series, interval)} dataKey="at" series={chartSeries} connectNulls withLegend />
          ) : (
            <BarChart
              h={220}
              data={chartRows(series, interval)}
              dataKey="at"
              series={chartSeries}
              type={stacked ? 'stacked' : 'default'}
              withLegend
            />
          );
        }}
      </QueryState>
    </Card>
  );
}

/** Jobs, extraction, LLM cost and API use over a chosen period, from the analytics API. */
export default function AnalyticsPage() {
  const [range, setRange] = useState<Range>('30d');
  const { from, to } = periodOf(range);
  const summary = useQuery({
    queryKey: ['analytics-summary', range, from],
    queryFn: () => unwrap(api.GET('/api/v1/analytics/summary', { params: { query: { from, to } } })),
  });
  return (
    <>
      <PageHeader
        title="Analytics"
        description="Jobs, extraction, blueprint changes, LLM cost and API use over a period."
        actions={
          <SegmentedControl aria-label="Period" value={range} onChange={(value) => setRange(value as Range)} data={Object.keys(RANGES)} />
        }
      />
      <QueryState query={summary}>
        {(data) => (
          <>
            <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} mb="lg">
              <Stat label="Sites analysed" value={data.sites.analysed} />
              <Stat label="Analyses" value={data.analyses.total} hint={`${data.analyses.failed} failed`} />
              <Stat label="Success rate" value={formatPercent(data.analyses.successRate)} />
              <Stat label="Pages extracted" value={data.extraction.pages} />
              <Stat
                label="Blueprint versions"
                value={data.blueprintVersions.total}
                hint={`${data.blueprintVersions.automaticRepairs} repairs, ${data.blueprintVersions.manualEdits} edits`}
              />
              <Stat label="LLM cost" value={formatUsd(data.llm.costUsd)} hint={`${data.llm.requests} calls`} />
            </SimpleGrid>
            {data.jobs.length === 0 && data.api.requests === 0 ? (
              <EmptyState title="Nothing in this period yet">
                Add a site: its analysis, checks and extractions will be counted and charted here.
              </EmptyState>
            ) : null}
          </>
        )}
      </QueryState>
      <SimpleGrid cols={{ base: 1, md: 2 }} mt="lg">
        <SeriesChart title="Jobs by status" metric="jobs" range={range} empty="No jobs were requested in this period." />
        <SeriesChart
          title="Processing time (s)"
          metric="job_duration"
          range={range}
          stacked={false}
          line
          empty="No job finished in this period."
        />
        <SeriesChart title="Pages extracted" metric="extraction_pages" range={range} empty="No extraction ran in this period." />
        <SeriesChart
          title="LLM cost by model (USD)"
          metric="llm_cost"
          range={range}
          empty="No LLM calls in this period: analyses ran on heuristics alone."
        />
        <SeriesChart
          title="API requests by status"
          metric="api_requests"
          range={range}
          empty="No API requests counted yet (counts are written every minute)."
        />
        <SeriesChart
          title="Blueprint versions"
          metric="blueprint_versions"
          range={range}
          empty="No blueprint version was written in this period."
        />
      </SimpleGrid>
      <QueryState query={summary}>
        {(data) =>
          data.jobs.length > 0 ? (
            <Card withBorder mt="lg">
              <Title order={2} size="h5" mb="sm">
                Jobs by type
              </Title>
              <Table.ScrollContainer minWidth={520}>
                <Table>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Type</Table.Th>
                      <Table.Th ta="right">Total</Table.Th>
                      <Table.Th ta="right">Failed</Table.Th>
                      <Table.Th ta="right">Mean</Table.Th>
                      <Table.Th ta="right">p95</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.jobs.map((job) => (
                      <Table.Tr key={job.type}>
                        <Table.Td>{humanize(job.type)}</Table.Td>
                        <Table.Td ta="right">{job.total}</Table.Td>
                        <Table.Td ta="right">{job.failed}</Table.Td>
                        <Table.Td ta="right">{job.meanSeconds === null ? '–' : `${job.meanSeconds.toFixed(1)} s`}</Table.Td>
                        <Table.Td ta="right">{job.p95Seconds === null ? '–' : `${job.p95Seconds.toFixed(1)} s`}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Card>
          ) : null
        }
      </QueryState>
      <LlmUsage />
    </>
  );
}
