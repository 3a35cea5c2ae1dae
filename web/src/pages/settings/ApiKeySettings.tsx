import { Badge, Button, Card, Code, Group, MultiSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconKey } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, unwrap, type Schemas } from '../../api/client';
import type { paths } from '../../api/schema';
import { useCurrentWorkspace } from '../../auth/workspace';
import { DestructiveButton } from '../../components/confirm';
import { SecretShownOnce } from '../../components/SecretShownOnce';
import { formatAgo, formatDateTime } from '../../components/format';
import { EmptyState, QueryState } from '../../components/states';

type Scope = paths['/api/v1/api-keys']['post']['requestBody']['content']['application/json']['scopes'][number];

/** The secret is shown once, right after creation, with a copy button; the server keeps only its hash. */
function CreatedKey({ created, onClose }: { created: Schemas['CreatedApiKey'] | null; onClose: () => void }) {
  return (
    <SecretShownOnce secret={created?.secret ?? null} title="Your new API key" what="the API key" testId="api-key-secret" onClose={onClose}>
      Send it as <Code>Authorization: Bearer {created?.prefix}…</Code> or <Code>X-API-Key</Code>.
    </SecretShownOnce>
  );
}

export function ApiKeySettings() {
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<Schemas['CreatedApiKey'] | null>(null);
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: () => unwrap(api.GET('/api/v1/api-keys')) });
  // The scopes offered are what the signed-in user may do here, as the server's role table says: a key can hold no more.
  const scopes: Scope[] = useCurrentWorkspace().data?.permissions ?? [];
  const form = useForm({
    initialValues: { name: '', scopes: ['sites:read', 'blueprints:read'] as Scope[] },
    validate: {
      name: (value) => (value.trim() ? null : 'Name the key after what uses it'),
      scopes: (value) => (value.length ? null : 'Pick at least one scope'),
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/api-keys/{keyId}', { params: { path: { keyId: id } } })),
    onSuccess: () => {
      notifications.show({ color: 'green', message: 'API key revoked' });
      void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Could not revoke', message: errorMessage(error) }),
  });
  return (
    <Stack maw={900}>
      <Card withBorder>
        <Title order={2} size="h5" mb="sm">
          Create an API key
        </Title>
        <form
          onSubmit={form.onSubmit(async (values) => {
            try {
              setCreated(await unwrap(api.POST('/api/v1/api-keys', { body: { name: values.name.trim(), scopes: values.scopes } })));
              form.reset();
              void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
            } catch (caught) {
              notifications.show({ color: 'red', title: 'Could not create the key', message: errorMessage(caught) });
            }
          })}
        >
          <Group align="flex-end" gap="sm">
            <TextInput label="Name" placeholder="Nightly export" style={{ flex: '1 1 180px' }} {...form.getInputProps('name')} />
            <MultiSelect label="Scopes" data={scopes} style={{ flex: '2 1 240px' }} {...form.getInputProps('scopes')} />
            <Button type="submit" leftSection={<IconKey size={16} />} loading={form.submitting}>
              Create key
            </Button>
          </Group>
        </form>
      </Card>
      <QueryState query={keys}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState title="No API keys">Keys let scripts and integrations use the API with the scopes you choose.</EmptyState>
          ) : (
            <Table.ScrollContainer minWidth={560}>
              <Table verticalSpacing="xs" aria-label="API keys">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Key</Table.Th>
                    <Table.Th>Scopes</Table.Th>
                    <Table.Th>Last used</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.map((key) => (
                    <Table.Tr key={key.id}>
                      <Table.Td>
                        <Text size="sm" fw={500}>
                          {key.name}
                        </Text>
                        <Text size="xs" c="dimmed">
                          created {formatDateTime(key.createdAt)}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Code>{key.prefix}…</Code>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4}>
                          {key.scopes.map((scope) => (
                            <Badge key={scope} size="xs" variant="default" tt="none">
                              {scope}
                            </Badge>
                          ))}
                        </Group>
                      </Table.Td>
                      <Table.Td>{formatAgo(key.lastUsedAt)}</Table.Td>
                      <Table.Td ta="right">
                        <DestructiveButton
                          action="Revoke"
                          ariaLabel={`Revoke ${key.name}`}
                          title={`Revoke ${key.name}?`}
                          message="Anything using this key stops working at once."
                          onConfirm={() => revoke.mutate(key.id)}
                        />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <CreatedKey created={created} onClose={() => setCreated(null)} />
    </Stack>
  );
}
