import { Button, Card, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, errorMessage, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';
import { QueryState } from '../../components/states';

/** The user's workspaces; a new shared one becomes the current workspace. */
export function WorkspaceSettings() {
  const session = useSession();
  const queryClient = useQueryClient();
  const workspaces = useQuery({ queryKey: ['workspaces'], queryFn: () => unwrap(api.GET('/api/v1/workspaces')) });
  const form = useForm({ initialValues: { name: '' }, validate: { name: (value) => (value.trim() ? null : 'Name the workspace') } });
  return (
    <Stack maw={720}>
      <Card withBorder>
        <Title order={2} size="h5" mb="sm">
          New shared workspace
        </Title>
        <form
          onSubmit={form.onSubmit(async (values) => {
            try {
              const created = await unwrap(api.POST('/api/v1/workspaces', { body: { name: values.name.trim() } }));
              form.reset();
              await queryClient.invalidateQueries({ queryKey: ['workspaces'] });
              session.switchWorkspace(created.id);
              notifications.show({ color: 'green', message: `Switched to ${created.name}` });
            } catch (caught) {
              notifications.show({ color: 'red', title: 'Could not create the workspace', message: errorMessage(caught) });
            }
          })}
        >
          <Group align="flex-end">
            <TextInput label="Name" style={{ flex: '1 1 200px' }} {...form.getInputProps('name')} />
            <Button type="submit" loading={form.submitting}>
              Create
            </Button>
          </Group>
        </form>
      </Card>
      <QueryState query={workspaces}>
        {(data) => (
          <Table aria-label="Your workspaces">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Workspace</Table.Th>
                <Table.Th>Your role</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((workspace) => (
                <Table.Tr key={workspace.id}>
                  <Table.Td>
                    <Text size="sm">
                      {workspace.name}
                      {workspace.personal ? ' (personal)' : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>{workspace.role}</Table.Td>
                  <Table.Td ta="right">
                    {workspace.id === session.workspaceId ? (
                      <Text size="xs" c="dimmed">
                        current
                      </Text>
                    ) : (
                      <Button size="xs" variant="default" onClick={() => session.switchWorkspace(workspace.id)}>
                        Switch
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
    </Stack>
  );
}
