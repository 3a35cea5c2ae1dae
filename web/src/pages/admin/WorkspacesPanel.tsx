import { Anchor, Badge, Group, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { formatDateTime, formatUsd } from '../../components/format';
import { OffsetPager, useOffsetPages } from '../../components/OffsetPager';
import { EmptyState, QueryState } from '../../components/states';
import { WorkspaceDetail } from './WorkspaceDetail';

/** Every workspace with its members, sites, this month's use and whether it is suspended; a row opens its members, usage, quotas and suspension. */
export function WorkspacesPanel() {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 300);
  const [open, setOpen] = useState<Schemas['AdminWorkspace'] | null>(null);
  const pages = useOffsetPages(25);
  const workspaces = useQuery({
    queryKey: ['admin', 'workspaces', debounced, pages.offset],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/admin/workspaces', { params: { query: { q: debounced || undefined, limit: pages.limit, offset: pages.offset } } }),
      ),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <Group mb="md">
        <TextInput
          label="Search workspaces"
          placeholder="Name"
          leftSection={<IconSearch size={16} aria-hidden />}
          value={search}
          onChange={(event) => {
            setSearch(event.currentTarget.value);
            pages.reset();
          }}
          w={{ base: '100%', xs: 240 }}
        />
      </Group>
      <QueryState query={workspaces}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState title="No workspaces match" />
          ) : (
            <>
              <Table.ScrollContainer minWidth={640}>
                <Table verticalSpacing="xs" highlightOnHover aria-label="Workspaces">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Workspace</Table.Th>
                      <Table.Th>Members</Table.Th>
                      <Table.Th>Sites</Table.Th>
                      <Table.Th>Jobs this month</Table.Th>
                      <Table.Th>LLM cost this month</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.map((workspace) => (
                      <Table.Tr key={workspace.id}>
                        <Table.Td>
                          <Group gap={6} wrap="nowrap">
                            <Anchor component="button" type="button" size="sm" fw={500} onClick={() => setOpen(workspace)}>
                              {workspace.name}
                            </Anchor>
                            {workspace.suspendedAt && (
                              <Badge color="red" variant="light" size="xs">
                                suspended
                              </Badge>
                            )}
                          </Group>
                          <Text size="xs" c="dimmed">
                            {workspace.personal ? 'personal · ' : ''}created {formatDateTime(workspace.createdAt)}
                          </Text>
                        </Table.Td>
                        <Table.Td>{workspace.members}</Table.Td>
                        <Table.Td>{workspace.sites}</Table.Td>
                        <Table.Td>{workspace.jobsThisMonth}</Table.Td>
                        <Table.Td>{formatUsd(workspace.llmCostThisMonthUsd)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <OffsetPager pages={pages} total={data.total} noun="workspace" />
            </>
          )
        }
      </QueryState>
      {/* The list's fresh row once it reloads, so the drawer follows a suspension made in it. */}
      <WorkspaceDetail
        workspace={open && (workspaces.data?.items.find((row) => row.id === open.id) ?? open)}
        onClose={() => setOpen(null)}
      />
    </>
  );
}
