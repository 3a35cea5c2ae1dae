import { Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorMessage, unwrap } from '../../api/client';
import { DestructiveButton } from '../../components/confirm';
import { formatPercent } from '../../components/format';
import { QueryState } from '../../components/states';

/** The platform's in-memory caches (as the answering API process holds them), each with a clear button that reaches every process. */
export function CachesPanel() {
  const queryClient = useQueryClient();
  const caches = useQuery({
    queryKey: ['admin', 'caches'],
    queryFn: () => unwrap(api.GET('/api/v1/admin/caches')),
    refetchInterval: 10_000,
  });
  const clear = useMutation({
    mutationFn: (name: string) => unwrap(api.POST('/api/v1/admin/caches/{name}/clear', { params: { path: { name } } })),
    onSuccess: (cleared) => {
      notifications.show({ color: 'green', message: `${cleared.name} cleared in every process (${cleared.dropped} entries here)` });
      void queryClient.invalidateQueries({ queryKey: ['admin', 'caches'] });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Could not clear the cache', message: errorMessage(error) }),
  });
  return (
    <QueryState query={caches}>
      {(data) => (
        <>
          <Text size="sm" c="dimmed" mb="sm">
            Figures of the API process on {data.process.host} (pid {data.process.pid}); each process keeps its own caches.
          </Text>
          <Table.ScrollContainer minWidth={640}>
            <Table aria-label="Caches">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Cache</Table.Th>
                  <Table.Th>Entries</Table.Th>
                  <Table.Th>Hits</Table.Th>
                  <Table.Th>Misses</Table.Th>
                  <Table.Th>Hit rate</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((cache) => (
                  <Table.Tr key={cache.name}>
                    <Table.Td>
                      <Text size="sm" fw={500}>
                        {cache.name}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {cache.description}
                      </Text>
                    </Table.Td>
                    <Table.Td>{cache.entries}</Table.Td>
                    <Table.Td>{cache.hits}</Table.Td>
                    <Table.Td>{cache.misses}</Table.Td>
                    <Table.Td>{cache.hitRate === null ? '—' : formatPercent(cache.hitRate)}</Table.Td>
                    <Table.Td>
                      <DestructiveButton
                        action="Clear"
                        ariaLabel={`Clear ${cache.name}`}
                        title={`Clear ${cache.name}?`}
                        message="Every API and worker process empties this cache; it fills again as it is used."
                        onConfirm={() => clear.mutate(cache.name)}
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      )}
    </QueryState>
  );
}
