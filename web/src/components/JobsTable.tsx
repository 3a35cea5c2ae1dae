import { Anchor, Card, Group, Progress, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client';
import { JobStatusBadge } from './badges';
import { formatAgo, formatDuration, humanize } from './format';

/** Names of the workspace's sites by id, for the jobs' site column (shared, cached query). */
function useSiteNames(enabled: boolean): Map<string, string> {
  const sites = useQuery({
    queryKey: ['sites', 'names'],
    queryFn: () => unwrap(api.GET('/api/v1/sites', { params: { query: { limit: 100 } } })),
    enabled,
  });
  return new Map((sites.data?.items ?? []).map((site) => [site.id, site.name]));
}

function JobLink({ job }: { job: Schemas['Job'] }) {
  return (
    <>
      <Anchor component={Link} to={`/jobs/${job.id}`} size="sm">
        {humanize(job.type)}
      </Anchor>
      {job.step && job.status === 'running' && (
        <Text size="xs" c="dimmed">
          {humanize(job.step)}
        </Text>
      )}
    </>
  );
}

function SiteLink({ job, names }: { job: Schemas['Job']; names: Map<string, string> }) {
  if (!job.siteId) return <Text size="sm">—</Text>;
  return (
    <Anchor component={Link} to={`/sites/${job.siteId}`} size="sm" style={{ overflowWrap: 'anywhere' }}>
      {names.get(job.siteId) ?? 'Site'}
    </Anchor>
  );
}

function JobProgress({ job, mt }: { job: Schemas['Job']; mt?: number }) {
  return (
    <Progress
      value={job.progress * 100}
      size="sm"
      mt={mt}
      aria-label={`${Math.round(job.progress * 100)} % done`}
      animated={job.status === 'running'}
    />
  );
}

/**
 * Jobs with their site, status, progress, start and duration; each links to its job page. A table on
 * wide screens; on phones, where six columns cannot fit, one card per job keeps every value readable.
 * Shared by the overview, jobs and site pages.
 */
export function JobsTable({ jobs, showSite = false }: { jobs: Schemas['Job'][]; showSite?: boolean }) {
  const names = useSiteNames(showSite);
  // Below Mantine's md breakpoint the navigation and six columns do not fit side by side. Read at once
  // rather than after mounting, so phones never lay out the table first.
  const narrow = useMediaQuery('(max-width: 62em)', false, { getInitialValueInEffect: false });
  if (narrow) {
    return (
      <Stack component="ul" gap="xs" p={0} m={0} aria-label="Jobs" style={{ listStyle: 'none' }}>
        {jobs.map((job) => (
          <Card component="li" key={job.id} withBorder padding="sm">
            <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
              <div>
                <JobLink job={job} />
              </div>
              <JobStatusBadge status={job.status} />
            </Group>
            {showSite && <SiteLink job={job} names={names} />}
            <JobProgress job={job} mt={8} />
            <Text size="xs" c="dimmed" mt={6}>
              Started {formatAgo(job.startedAt ?? job.createdAt)} · {formatDuration(job.durationMs)}
            </Text>
          </Card>
        ))}
      </Stack>
    );
  }
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table verticalSpacing="xs" highlightOnHover aria-label="Jobs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Job</Table.Th>
            {showSite && <Table.Th>Site</Table.Th>}
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
                <JobLink job={job} />
              </Table.Td>
              {showSite && (
                <Table.Td maw={220}>
                  <SiteLink job={job} names={names} />
                </Table.Td>
              )}
              <Table.Td>
                <JobStatusBadge status={job.status} />
              </Table.Td>
              <Table.Td miw={100}>
                <JobProgress job={job} />
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
