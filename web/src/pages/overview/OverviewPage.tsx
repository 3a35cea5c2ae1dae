import { Button, Group, SimpleGrid, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { JobsTable } from '../../components/JobsTable';
import { PageHeader } from '../../components/PageHeader';
import { Stat } from '../../components/Stat';
import { EmptyState, QueryState } from '../../components/states';
import { formatDuration, formatPercent, formatUsd } from '../../components/format';

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
