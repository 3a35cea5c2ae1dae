import { Anchor, Badge, Group, Select, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { formatAgo, formatDateTime } from '../../components/format';
import { OffsetPager, useOffsetPages } from '../../components/OffsetPager';
import { EmptyState, QueryState } from '../../components/states';
import { UserDetail } from './UserDetail';

type Status = 'active' | 'disabled';

/** Every account of the instance: search, filters and pages; a row opens the account's detail. */
export function UsersPanel() {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 300);
  const [status, setStatus] = useState<Status | null>(null);
  const [role, setRole] = useState<'true' | 'false' | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const pages = useOffsetPages(25);
  const query = { q: debounced || undefined, status: status ?? undefined, systemAdmin: role ?? undefined };
  const users = useQuery({
    queryKey: ['admin', 'users', query, pages.offset],
    queryFn: () => unwrap(api.GET('/api/v1/admin/users', { params: { query: { ...query, limit: pages.limit, offset: pages.offset } } })),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <Group mb="md" gap="sm" align="flex-end">
        <TextInput
          label="Search users"
          placeholder="Email or name"
          leftSection={<IconSearch size={16} aria-hidden />}
          value={search}
          onChange={(event) => {
            setSearch(event.currentTarget.value);
            pages.reset();
          }}
          w={{ base: '100%', xs: 240 }}
        />
        <Select
          label="Status"
          placeholder="Any"
          clearable
          data={['active', 'disabled']}
          value={status}
          onChange={(value) => {
            setStatus(value as Status | null);
            pages.reset();
          }}
          w={{ base: '47%', xs: 140 }}
        />
        <Select
          label="Role"
          placeholder="Any"
          clearable
          data={[
            { value: 'true', label: 'System administrators' },
            { value: 'false', label: 'Other users' },
          ]}
          value={role}
          onChange={(value) => {
            setRole(value as 'true' | 'false' | null);
            pages.reset();
          }}
          w={{ base: '47%', xs: 200 }}
        />
      </Group>
      <QueryState query={users}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState title="No users match">Change the search or the filters.</EmptyState>
          ) : (
            <>
              <Table.ScrollContainer minWidth={620}>
                <Table verticalSpacing="xs" highlightOnHover aria-label="Users">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>User</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>Last sign-in</Table.Th>
                      <Table.Th>Created</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.map((user) => (
                      <Table.Tr key={user.id}>
                        <Table.Td>
                          <Anchor component="button" type="button" size="sm" fw={500} onClick={() => setOpenId(user.id)}>
                            {user.email}
                          </Anchor>
                          <Text size="xs" c="dimmed">
                            {user.name}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Group gap={4}>
                            <UserStatusBadge disabled={user.disabled} />
                            {user.systemAdmin && (
                              <Badge color="grape" variant="light">
                                admin
                              </Badge>
                            )}
                          </Group>
                        </Table.Td>
                        <Table.Td>{formatAgo(user.lastSignInAt)}</Table.Td>
                        <Table.Td>{formatDateTime(user.createdAt)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <OffsetPager pages={pages} total={data.total} noun="user" />
            </>
          )
        }
      </QueryState>
      <UserDetail userId={openId} onClose={() => setOpenId(null)} />
    </>
  );
}

export function UserStatusBadge({ disabled }: { disabled: boolean }) {
  return (
    <Badge color={disabled ? 'red' : 'green'} variant="light">
      {disabled ? 'disabled' : 'active'}
    </Badge>
  );
}
