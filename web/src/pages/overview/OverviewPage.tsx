import '@mantine/charts/styles.css';
import { DonutChart } from '@mantine/charts';
import { Button, ColorSwatch, Group, SimpleGrid, Text, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { JobsTable } from '../../components/JobsTable';
import { PageHeader } from '../../components/PageHeader';
import { Stat } from '../../components/Stat';
import { EmptyState, QueryState } from '../../components/states';
import { formatDuration, formatPercent, formatUsd, humanize } from '../../components/format';
import {
  ApiRequestsChart,
  ChartCard,
  EmptyChart,
  ExtractionPagesChart,
  JobsChart,
  LlmCostChart,
  RangePicker,
  SuccessRateChart,
  seriesColor,
  type Range,
} from '../analytics/charts';

/** Sites by their latest health; sites never checked count as unknown. */
function SitesByHealth({ sites }: { sites: { total: number; healthy: number; degraded: number; down: number } }) {
  const unknown = sites.total - sites.healthy - sites.degraded - sites.down;
  const data = (
    [
      ['healthy', sites.healthy],
      ['degraded', sites.degraded],
      ['down', sites.down],
      ['unknown', unknown],
    ] as const
  )
    .filter(([, value]) => value > 0)
    .map(([name, value], index) => ({ name, value, color: seriesColor(name, index) }));
  return (
    <ChartCard title="Sites by health">
      {data.length ? (
        <>
          <DonutChart h={180} mx="auto" data={data} withTooltip chartLabel={`${sites.total} ${sites.total === 1 ? 'site' : 'sites'}`} />
          <Group justify="center" gap="md" mt="xs">
            {data.map((slice) => (
              <Group key={slice.name} gap={6} wrap="nowrap">
                <ColorSwatch color={`var(--mantine-color-${slice.color.replace('.', '-')})`} size={12} withShadow={false} />
                <Text size="sm">
                  {humanize(slice.name)} {slice.value}
                </Text>
              </Group>
            ))}
          </Group>
        </>
      ) : (
        <EmptyChart>Sites appear here by health once they are added and checked.</EmptyChart>
      )}
    </ChartCard>
  );
}

/** Activity over the chosen period, from the analytics API; refreshed live as jobs change (api/live.ts). */
function Activity({ sites }: { sites?: { total: number; healthy: number; degraded: number; down: number } }) {
  const [range, setRange] = useState<Range>('7d');
  return (
    <>
      <Group justify="space-between" mb="xs" wrap="wrap">
        <Title order={2} size="h4">
          Activity
        </Title>
        <RangePicker value={range} onChange={setRange} />
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }} mb="xl">
        <JobsChart range={range} />
        <SuccessRateChart range={range} empty="No job finished in this period." />
        {sites && <SitesByHealth sites={sites} />}
        <ExtractionPagesChart range={range} />
        <LlmCostChart range={range} />
        <ApiRequestsChart range={range} />
      </SimpleGrid>
    </>
  );
}

export default function OverviewPage() {
  const overview = useQuery({ queryKey: ['overview'], queryFn: () => unwrap(api.GET('/api/v1/overview')) });
  const recent = useQuery({
    queryKey: ['jobs', 'recent'],
    queryFn: () => unwrap(api.GET('/api/v1/jobs', { params: { query: { topLevel: 'true', limit: 8 } } })),
  });
  return (
    <>
      <PageHeader
        title="Overview"
        description="Your workspace at a glance; numbers update live as jobs run."
        actions={
          <Button component={Link} to="/sites/new" leftSection={<IconPlus size={16} />}>
            Add site
          </Button>
        }
      />
      <QueryState query={overview}>
        {(data) => (
          <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} mb="xl">
            <Stat
              size="lg"
              label="Sites"
              value={data.sites.total}
              hint={`${data.sites.ready} ready · ${data.sites.degraded + data.sites.down} need attention`}
            />
            <Stat size="lg" label="Active jobs" value={data.jobs.active} />
            <Stat
              size="lg"
              label="Finished jobs"
              value={data.jobs.succeeded + data.jobs.failed + data.jobs.cancelled}
              hint={`${data.jobs.succeeded} succeeded · ${data.jobs.failed} failed · ${data.jobs.cancelled} cancelled`}
            />
            <Stat size="lg" label="Success rate" value={formatPercent(data.jobs.successRate)} />
            <Stat
              size="lg"
              label="Average processing time"
              value={formatDuration(data.jobs.averageSeconds === null ? null : data.jobs.averageSeconds * 1000)}
            />
            <Stat
              size="lg"
              label="LLM cost this month"
              value={formatUsd(data.llm.costThisMonthUsd)}
              hint={`${data.llm.requestsThisMonth} requests`}
            />
          </SimpleGrid>
        )}
      </QueryState>
      <Activity sites={overview.data?.sites} />
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4">
          Recent jobs
        </Title>
        <Button component={Link} to="/jobs" variant="subtle" size="xs">
          All jobs
        </Button>
      </Group>
      <QueryState query={recent}>
        {(data) =>
          data.items.length ? (
            <JobsTable jobs={data.items} showSite />
          ) : (
            <EmptyState
              title="No jobs yet"
              action={
                <Button component={Link} to="/sites/new">
                  Add your first site
                </Button>
              }
            >
              Adding a site starts its analysis: fingerprinting, page discovery, selectors and a tested blueprint.
            </EmptyState>
          )
        }
      </QueryState>
    </>
  );
}
