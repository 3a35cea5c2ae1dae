import '@mantine/charts/styles.css';
import { LineChart } from '@mantine/charts';
import { Group, SimpleGrid, Title } from '@mantine/core';
import { useState } from 'react';
import { QueryState } from '../../../components/states';
import { ChartCard, EmptyChart, RangePicker, SeriesChart, chartRows, useTimeseries, type Range } from '../../analytics/charts';

/** Mean field coverage of the site's checks per bucket, against the blueprint's baseline, in per cent. */
function CoverageChart({ siteId, range }: { siteId: string; range: Range }) {
  const query = useTimeseries('site_coverage', range, siteId);
  return (
    <ChartCard title="Field coverage (%)">
      <QueryState query={query}>
        {(series) => {
          const percent = (value: number | null | undefined) => (typeof value === 'number' ? Math.round(value * 1000) / 10 : null);
          const rows = chartRows(series).map((row, index) => {
            const values = series.points[index]!.values;
            return { at: row.at, Coverage: percent(values.coverage), Baseline: percent(values.baselineCoverage) };
          });
          if (rows.every((row) => row.Coverage === null))
            return <EmptyChart>No check in this period measured coverage: checks do once the site has a blueprint.</EmptyChart>;
          return (
            <LineChart
              h={220}
              data={rows}
              dataKey="at"
              series={[
                // The baseline first, so the coverage line is drawn over it where they meet.
                { name: 'Baseline', color: 'gray.6', strokeDasharray: '5 5' },
                { name: 'Coverage', color: 'teal.7' },
              ]}
              yAxisProps={{ domain: [0, 100] }}
              connectNulls
              withDots
              withLegend
              unit=" %"
            />
          );
        }}
      </QueryState>
    </ChartCard>
  );
}

/** The site's health and coverage over a chosen period, from the analytics API (refreshed live with the other charts). */
export function HealthHistory({ siteId }: { siteId: string }) {
  const [range, setRange] = useState<Range>('30d');
  return (
    <div>
      <Group justify="space-between" mb="xs" wrap="wrap">
        <Title order={2} size="h5">
          History
        </Title>
        <RangePicker value={range} onChange={setRange} />
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <SeriesChart title="Checks by health" metric="site_checks" siteId={siteId} range={range} empty="No check ran in this period." />
        <CoverageChart siteId={siteId} range={range} />
      </SimpleGrid>
    </div>
  );
}
