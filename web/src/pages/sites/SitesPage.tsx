import { Anchor, Badge, Button, Checkbox, Group, Select, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconPlus, IconSearch, IconTrash } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, errorMessage, unwrap, type QueryOf, type Schemas } from '../../api/client';
import { HealthBadge, SiteStatusBadge } from '../../components/badges';
import { confirmAction } from '../../components/confirm';
import { CursorPager, useCursorPages } from '../../components/CursorPager';
import { formatAgo } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, QueryState } from '../../components/states';

const PAGE_SIZE = 25;
type Sort = NonNullable<QueryOf<'/api/v1/sites'>['sort']>;
type Status = Schemas['SiteSummary']['status'];
type Health = Schemas['SiteSummary']['health'];

export default function SitesPage() {
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [debouncedSearch] = useDebouncedValue(search, 300);
  const [status, setStatus] = useState<Status | null>(null);
  const [health, setHealth] = useState<Health | null>(null);
  const [technology, setTechnology] = useState('');
  const [debouncedTechnology] = useDebouncedValue(technology, 300);
  const [sort, setSort] = useState<Sort>('-createdAt');
  const pages = useCursorPages();
  const [selected, setSelected] = useState<string[]>([]);
  const cursor = pages.cursor;
  const filters = {
    search: debouncedSearch || undefined,
    status: status ?? undefined,
    health: health ?? undefined,
    technology: debouncedTechnology || undefined,
    sort,
  };

  const sites = useQuery({
    queryKey: ['sites', filters, cursor],
    queryFn: () => unwrap(api.GET('/api/v1/sites', { params: { query: { ...filters, limit: PAGE_SIZE, cursor } } })),
    placeholderData: keepPreviousData,
  });
  const resetPaging = () => {
    pages.reset();
    setSelected([]);
  };

  const remove = useMutation({
    mutationFn: (ids: string[]) => unwrap(api.POST('/api/v1/sites/batch-delete', { body: { ids } })),
    onSuccess: (result) => {
      notifications.show({ color: 'green', message: `Deleted ${result.deleted.length} site${result.deleted.length === 1 ? '' : 's'}` });
      setSelected([]);
      void queryClient.invalidateQueries({ queryKey: ['sites'] });
      void queryClient.invalidateQueries({ queryKey: ['overview'] });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Could not delete', message: errorMessage(error) }),
  });

  const confirmDelete = () =>
    confirmAction({
      title: `Delete ${selected.length} site${selected.length === 1 ? '' : 's'}?`,
      message: 'Their blueprints, checks and running jobs go with them. This cannot be undone.',
      confirm: 'Delete',
      onConfirm: () => remove.mutate(selected),
    });

  return (
    <>
      <PageHeader
        title="Sites"
        description="Every site you watch, with its health and detected technologies."
        actions={
          <Button component={Link} to="/sites/new" leftSection={<IconPlus size={16} />}>
            Add sites
          </Button>
        }
      />
      <Group mb="md" gap="sm" align="flex-end" wrap="wrap">
        <TextInput
          label="Search"
          placeholder="Name or URL"
          leftSection={<IconSearch size={16} aria-hidden />}
          value={search}
          onChange={(event) => {
            setSearch(event.currentTarget.value);
            resetPaging();
          }}
          w={{ base: '100%', xs: 220 }}
        />
        <Select
          label="Status"
          placeholder="Any"
          clearable
          data={['pending', 'analyzing', 'ready', 'failed']}
          value={status}
          onChange={(value) => {
            setStatus(value as Status | null);
            resetPaging();
          }}
          w={{ base: '47%', xs: 140 }}
        />
        <Select
          label="Health"
          placeholder="Any"
          clearable
          data={['unknown', 'healthy', 'degraded', 'down']}
          value={health}
          onChange={(value) => {
            setHealth(value as Health | null);
            resetPaging();
          }}
          w={{ base: '47%', xs: 140 }}
        />
        <TextInput
          label="Technology"
          placeholder="e.g. WordPress"
          value={technology}
          onChange={(event) => {
            setTechnology(event.currentTarget.value);
            resetPaging();
          }}
          w={{ base: '47%', xs: 170 }}
        />
        <Select
          label="Sort"
          allowDeselect={false}
          data={[
            { value: '-createdAt', label: 'Newest first' },
            { value: 'createdAt', label: 'Oldest first' },
            { value: 'name', label: 'Name A–Z' },
            { value: '-name', label: 'Name Z–A' },
          ]}
          value={sort}
          onChange={(value) => {
            setSort((value ?? '-createdAt') as Sort);
            resetPaging();
          }}
          w={{ base: '47%', xs: 160 }}
        />
        {selected.length > 0 && (
          <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={confirmDelete} loading={remove.isPending}>
            Delete {selected.length}
          </Button>
        )}
      </Group>
      <QueryState query={sites}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState
              title={filters.search || filters.status || filters.health || filters.technology ? 'No sites match' : 'No sites yet'}
              action={
                <Button component={Link} to="/sites/new">
                  Add a site
                </Button>
              }
            >
              Add a website and Siteprint fingerprints it, discovers its page types and builds a tested extraction blueprint.
            </EmptyState>
          ) : (
            <>
              <Table.ScrollContainer minWidth={640}>
                <Table verticalSpacing="sm" highlightOnHover>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th w={40}>
                        <Checkbox
                          aria-label="Select all sites on this page"
                          checked={selected.length === data.items.length}
                          indeterminate={selected.length > 0 && selected.length < data.items.length}
                          onChange={(event) => setSelected(event.currentTarget.checked ? data.items.map((site) => site.id) : [])}
                        />
                      </Table.Th>
                      <Table.Th>Site</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>Health</Table.Th>
                      <Table.Th>Technologies</Table.Th>
                      <Table.Th>Last check</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.map((site) => (
                      <Table.Tr key={site.id}>
                        <Table.Td>
                          <Checkbox
                            aria-label={`Select ${site.name}`}
                            checked={selected.includes(site.id)}
                            onChange={(event) =>
                              setSelected((current) =>
                                event.currentTarget.checked ? [...current, site.id] : current.filter((id) => id !== site.id),
                              )
                            }
                          />
                        </Table.Td>
                        <Table.Td>
                          <Anchor component={Link} to={`/sites/${site.id}`} fw={500}>
                            {site.name}
                          </Anchor>
                          <Text size="xs" c="dimmed" truncate maw={260}>
                            {site.url}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <SiteStatusBadge status={site.status} />
                        </Table.Td>
                        <Table.Td>
                          <HealthBadge health={site.health} />
                        </Table.Td>
                        <Table.Td>
                          <Group gap={4}>
                            {site.technologies.slice(0, 4).map((name) => (
                              <Badge key={name} variant="default" size="sm">
                                {name}
                              </Badge>
                            ))}
                            {site.technologies.length > 4 && (
                              <Text size="xs" c="dimmed">
                                +{site.technologies.length - 4}
                              </Text>
                            )}
                          </Group>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{formatAgo(site.lastCheckedAt)}</Text>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <CursorPager pages={pages} total={data.total} nextCursor={data.nextCursor} noun="site" />
            </>
          )
        }
      </QueryState>
    </>
  );
}
