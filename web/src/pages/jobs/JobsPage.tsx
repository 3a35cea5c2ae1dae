import { Checkbox, Group, Select } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type QueryOf, type Schemas } from '../../api/client';
import { CursorPager, useCursorPages } from '../../components/CursorPager';
import { JobsTable } from '../../components/JobsTable';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, QueryState } from '../../components/states';

type JobType = NonNullable<QueryOf<'/api/v1/jobs'>['type']>;
/** Every job type the API filters by, as the filter names it; typed so a new type cannot be missed. */
const jobTypeLabels: Record<JobType, string> = {
  analyze_site: 'Analysis (whole)',
  fingerprint_site: 'Analysis: fingerprint',
  discover_categories: 'Analysis: page types',
  generate_selectors: 'Analysis: selectors',
  test_selectors: 'Analysis: selector tests',
  update_blueprint: 'Analysis: blueprint',
  check_site: 'Health check',
  repair_blueprint: 'Blueprint repair',
  extract_batch: 'Batch extraction',
  generate_report: 'Report',
  deliver_notification: 'Notification delivery',
};
const PAGE_SIZE = 25;

export default function JobsPage() {
  const [status, setStatus] = useState<Schemas['Job']['status'] | null>(null);
  const [type, setType] = useState<JobType | null>(null);
  const [topLevel, setTopLevel] = useState(true);
  const pages = useCursorPages();
  const cursor = pages.cursor;
  const query = { status: status ?? undefined, type: type ?? undefined, topLevel: topLevel ? ('true' as const) : undefined };
  const jobs = useQuery({
    queryKey: ['jobs', 'list', query, cursor],
    queryFn: () => unwrap(api.GET('/api/v1/jobs', { params: { query: { ...query, limit: PAGE_SIZE, cursor } } })),
    placeholderData: keepPreviousData,
  });
  const reset = pages.reset;
  return (
    <>
      <PageHeader title="Jobs" description="Analyses, checks, repairs and batch extractions; the list updates live." />
      <Group mb="md" gap="sm" align="flex-end">
        <Select
          label="Status"
          placeholder="Any"
          clearable
          data={['queued', 'running', 'succeeded', 'failed', 'cancelled']}
          value={status}
          onChange={(value) => {
            setStatus(value as Schemas['Job']['status'] | null);
            reset();
          }}
          w={150}
        />
        <Select
          label="Type"
          placeholder="Any"
          clearable
          data={Object.entries(jobTypeLabels).map(([value, label]) => ({ value, label }))}
          value={type}
          onChange={(value) => {
            setType(value as JobType | null);
            reset();
          }}
          w={190}
        />
        <Checkbox
          label="Hide analysis steps"
          checked={topLevel}
          onChange={(event) => {
            setTopLevel(event.currentTarget.checked);
            reset();
          }}
          mb={8}
        />
      </Group>
      <QueryState query={jobs}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState title="No jobs match">Jobs appear when sites are analysed, checked or extracted in batches.</EmptyState>
          ) : (
            <>
              <JobsTable jobs={data.items} showSite />
              <CursorPager pages={pages} total={data.total} nextCursor={data.nextCursor} noun="job" />
            </>
          )
        }
      </QueryState>
    </>
  );
}
