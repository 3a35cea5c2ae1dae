import { Card, SimpleGrid, Table, Title } from '@mantine/core';
import { useState } from 'react';
import { formatPercent, formatUsd, humanize } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { Stat } from '../../components/Stat';
import { EmptyState, QueryState } from '../../components/states';
import {
  ApiRequestsChart,
  ExtractionPagesChart,
  JobsChart,
  LlmCostChart,
  RangePicker,
  SeriesChart,
  useSummary,
  type Range,
} from './charts';
import { LlmUsage } from './LlmUsage';

/** Jobs, extraction, LLM cost and API use over a chosen period, from the analytics API. */
export default function AnalyticsPage() {
  const [range, setRange] = useState<Range>('30d');
  const summary = useSummary(range);
  return (
    <>
      <PageHeader
        title="Analytics"
        description="Jobs, extraction, blueprint changes, LLM cost and API use over a period."
        actions={<RangePicker value={range} onChange={setRange} />}
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
        <JobsChart range={range} />
        <SeriesChart
          title="Processing time (s)"
          metric="job_duration"
          range={range}
          stacked={false}
          line
          empty="No job finished in this period."
        />
        <ExtractionPagesChart range={range} />
        <LlmCostChart range={range} />
        <ApiRequestsChart range={range} />
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
