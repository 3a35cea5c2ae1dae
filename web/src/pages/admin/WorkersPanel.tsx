import { Badge, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { formatAgo, formatDateTime } from '../../components/format';
import { EmptyState, QueryState } from '../../components/states';

/** The processes running jobs, from their heartbeats (part of GET /api/v1/admin/system); stale ones stopped beating. */
export function WorkersPanel() {
  const system = useQuery({
    queryKey: ['admin', 'system'],
    queryFn: () => unwrap(api.GET('/api/v1/admin/system')),
    refetchInterval: 15_000,
  });
  return (
    <QueryState query={system}>
      {({ workers }) =>
        workers.items.length === 0 ? (
          <EmptyState title="No worker is running jobs">Start one with siteprint worker (or siteprint serve without REDIS_URL).</EmptyState>
        ) : (
          <>
            <Text size="sm" c="dimmed" mb="sm">
              A worker is stale after {workers.staleAfterSeconds} s without a heartbeat.
            </Text>
            <Table.ScrollContainer minWidth={640}>
              <Table aria-label="Workers">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Worker</Table.Th>
                    <Table.Th>Queue</Table.Th>
                    <Table.Th>Jobs running</Table.Th>
                    <Table.Th>Last heartbeat</Table.Th>
                    <Table.Th>Started</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {workers.items.map((worker) => (
                    <Table.Tr key={worker.id}>
                      <Table.Td>
                        <Text size="sm">
                          {worker.host} · pid {worker.pid}
                        </Text>
                        <Text size="xs" c="dimmed">
                          version {worker.version}
                        </Text>
                      </Table.Td>
                      <Table.Td>{worker.queue}</Table.Td>
                      <Table.Td>
                        {worker.jobsRunning} / {worker.concurrency}
                      </Table.Td>
                      <Table.Td>
                        {formatAgo(worker.lastBeatAt)}{' '}
                        {worker.stale && (
                          <Badge color="red" variant="light">
                            stale
                          </Badge>
                        )}
                      </Table.Td>
                      <Table.Td>{formatDateTime(worker.startedAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </>
        )
      }
    </QueryState>
  );
}
