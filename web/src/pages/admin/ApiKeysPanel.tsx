import { Badge, Code, Group, Select, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, unwrap } from '../../api/client';
import { DestructiveButton } from '../../components/confirm';
import { formatAgo, formatDateTime } from '../../components/format';
import { OffsetPager, useOffsetPages } from '../../components/OffsetPager';
import { EmptyState, QueryState } from '../../components/states';

type Status = 'active' | 'revoked';

/** Every API key of every workspace, with its owner, scopes and last use; any active one can be revoked. */
export function ApiKeysPanel() {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<Status | null>('active');
  const pages = useOffsetPages(25);
  const keys = useQuery({
    queryKey: ['admin', 'api-keys', status, pages.offset],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/admin/api-keys', { params: { query: { status: status ?? undefined, limit: pages.limit, offset: pages.offset } } }),
      ),
    placeholderData: keepPreviousData,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/admin/api-keys/{id}/revoke', { params: { path: { id } } })),
    onSuccess: () => {
      notifications.show({ color: 'green', message: 'API key revoked' });
      void queryClient.invalidateQueries({ queryKey: ['admin'] });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Could not revoke', message: errorMessage(error) }),
  });
  return (
    <>
      <Group mb="md">
        <Select
          label="Status"
          placeholder="Any"
          clearable
          data={['active', 'revoked']}
          value={status}
          onChange={(value) => {
            setStatus(value as Status | null);
            pages.reset();
          }}
          w={{ base: '100%', xs: 160 }}
        />
      </Group>
      <QueryState query={keys}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState title="No API keys" />
          ) : (
            <>
              <Table.ScrollContainer minWidth={720}>
                <Table verticalSpacing="xs" aria-label="All API keys">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Key</Table.Th>
                      <Table.Th>Owner</Table.Th>
                      <Table.Th>Workspace</Table.Th>
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
                          <Code>{key.prefix}…</Code>
                          <Text size="xs" c="dimmed">
                            created {formatDateTime(key.createdAt)}
                            {key.expiresAt && ` · expires ${formatDateTime(key.expiresAt)}`}
                          </Text>
                        </Table.Td>
                        <Table.Td>{key.owner.email}</Table.Td>
                        <Table.Td>{key.workspace.name}</Table.Td>
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
                          {key.revokedAt ? (
                            <Badge color="gray" variant="light">
                              revoked
                            </Badge>
                          ) : (
                            <DestructiveButton
                              action="Revoke"
                              ariaLabel={`Revoke ${key.name} of ${key.owner.email}`}
                              title={`Revoke ${key.name}?`}
                              message={`It belongs to ${key.owner.email} in ${key.workspace.name}. Anything using it stops working at once.`}
                              onConfirm={() => revoke.mutate(key.id)}
                            />
                          )}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <OffsetPager pages={pages} total={data.total} noun="key" />
            </>
          )
        }
      </QueryState>
    </>
  );
}
