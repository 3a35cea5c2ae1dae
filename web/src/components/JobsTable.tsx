import { Anchor, Progress, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Schemas } from '../api/client';
import { JobStatusBadge } from './badges';
import { formatAgo, formatDuration, humanize } from './format';

/** Jobs as a table; each row links to its job page. Shared by the overview, jobs and site pages. */
export function JobsTable({ jobs, sites }: { jobs: Schemas['Job'][]; sites?: Map<string, string> }) {
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table verticalSpacing="xs" highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Job</Table.Th>
            {sites && <Table.Th>Site</Table.Th>}
            <Table.Th>Status</Table.Th>
            <Table.Th>Progress</Table.Th>
            <Table.Th>Started</Table.Th>
            <Table.Th>Duration</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {jobs.map((job) => (
            <Table.Tr key={job.id}>
              <Table.Td>
                <Anchor component={Link} to={`/jobs/${job.id}`} size="sm">
                  {humanize(job.type)}
                </Anchor>
                {job.step && job.status === 'running' && (
                  <Text size="xs" c="dimmed">
                    {humanize(job.step)}
                  </Text>
                )}
              </Table.Td>
              {sites && (
                <Table.Td>
                  <Text size="sm" truncate maw={220}>
                    {job.siteId ? (sites.get(job.siteId) ?? '—') : '—'}
                  </Text>
                </Table.Td>
              )}
              <Table.Td>
                <JobStatusBadge status={job.status} />
              </Table.Td>
              <Table.Td miw={100}>
                <Progress value={job.progress * 100} size="sm" aria-label={`${Math.round(job.progress * 100)} % done`} animated={job.status === 'running'} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatAgo(job.startedAt ?? job.createdAt)}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatDuration(job.durationMs)}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
