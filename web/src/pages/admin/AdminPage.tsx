import { Alert, Badge, Button, Group, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorMessage, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';
import { humanize } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/states';
import { CachesPanel } from './CachesPanel';
import { SettingsPanel } from './SettingsPanel';
import { WorkersPanel } from './WorkersPanel';

/** Instance administration. Queues today; users and instance settings come with the admin issue. */
export default function AdminPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const queues = useQuery({
    queryKey: ['queues'],
    queryFn: () => unwrap(api.GET('/api/v1/queues')),
    enabled: Boolean(session.user?.systemAdmin),
    refetchInterval: 5_000,
  });
  const toggle = useMutation({
    mutationFn: (pause: boolean) => unwrap(pause ? api.POST('/api/v1/queues/pause') : api.POST('/api/v1/queues/resume')),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['queues'] }),
    onError: (error) => notifications.show({ color: 'red', title: 'Could not change the queue', message: errorMessage(error) }),
  });
  if (!session.user?.systemAdmin) return <Alert color="yellow">Only system administrators can open the admin panel.</Alert>;
  return (
    <>
      <PageHeader
        title="Admin"
        description="Job queues of this instance. User management and instance settings arrive in a later release."
      />
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
      {/* The runtime settings, workers and caches panels; the admin shell gives them tabs of their own. */}
      <Title order={2} size="h3" mt="xl" mb="sm">
        Workers
      </Title>
      <WorkersPanel />
      <Title order={2} size="h3" mt="xl" mb="sm">
        Caches
      </Title>
      <CachesPanel />
      <Title order={2} size="h3" mt="xl" mb="sm">
        Settings
      </Title>
      <SettingsPanel />
    </>
  );
}
