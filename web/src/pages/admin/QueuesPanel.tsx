import { Badge, Button, Group, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorMessage, unwrap } from '../../api/client';
import { humanize } from '../../components/format';
import { QueryState } from '../../components/states';

/** The job queues of the instance, with a switch to pause and resume processing. */
export function QueuesPanel() {
  const queryClient = useQueryClient();
  const queues = useQuery({ queryKey: ['queues'], queryFn: () => unwrap(api.GET('/api/v1/queues')), refetchInterval: 5_000 });
  const toggle = useMutation({
    mutationFn: (pause: boolean) => unwrap(pause ? api.POST('/api/v1/queues/pause') : api.POST('/api/v1/queues/resume')),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['queues'] }),
    onError: (error) => notifications.show({ color: 'red', title: 'Could not change the queue', message: errorMessage(error) }),
  });
  return (
    <QueryState query={queues}>
      {(data) => (
        <>
          <Group mb="md" gap="sm">
            <Text size="sm">
              Mode: <b>{data.mode}</b>
            </Text>
            <Badge color={data.paused ? 'orange' : 'green'} variant="light">
              {data.paused ? 'paused' : 'running'}
            </Badge>
            <Button size="xs" variant="default" loading={toggle.isPending} onClick={() => toggle.mutate(!data.paused)}>
              {data.paused ? 'Resume processing' : 'Pause processing'}
            </Button>
          </Group>
          <Table.ScrollContainer minWidth={560}>
            <Table aria-label="Queues">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Queue</Table.Th>
                  <Table.Th>Waiting</Table.Th>
                  <Table.Th>Running</Table.Th>
                  <Table.Th>Failed</Table.Th>
                  <Table.Th>Succeeded</Table.Th>
                  <Table.Th>Last hour</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.queues.map((queue) => (
                  <Table.Tr key={queue.name}>
                    <Table.Td>{humanize(queue.name)}</Table.Td>
                    <Table.Td>{Object.values(queue.waiting as Record<string, number>).reduce((sum, count) => sum + count, 0)}</Table.Td>
                    <Table.Td>{queue.running}</Table.Td>
                    <Table.Td>{queue.failed}</Table.Td>
                    <Table.Td>{queue.succeeded}</Table.Td>
                    <Table.Td>{queue.finishedLastHour}</Table.Td>
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
