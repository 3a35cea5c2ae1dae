import { Anchor, Button, Code, Group, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconDownload } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, unwrap, type QueryOf, type Schemas } from '../../api/client';
import { CursorPager, useCursorPages } from '../../components/CursorPager';
import { downloadFile } from '../../components/download';
import { formatDateTime } from '../../components/format';
import { Stat } from '../../components/Stat';
import { EmptyState, QueryState } from '../../components/states';
import { DetailDrawer } from './DetailDrawer';
import { UserEmail, UserPicker } from './UserPicker';

type Filters = Omit<QueryOf<'/api/v1/admin/audit'>, 'limit' | 'cursor'>;

/** A `datetime-local` value (the browser's clock) as the ISO time the API takes. */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** The audit log of the whole instance: filters, pages, an entry's detail and the filtered log as CSV. */
export function AuditPanel() {
  const [actor, setActor] = useState<string | null>(null);
  const [action, setAction] = useState('');
  const [target, setTarget] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [open, setOpen] = useState<Schemas['AuditEntry'] | null>(null);
  const [exporting, setExporting] = useState(false);
  const [debounced] = useDebouncedValue({ action: action.trim(), target: target.trim() }, 300);
  const pages = useCursorPages();
  const filters: Filters = {
    actor: actor ?? undefined,
    action: debounced.action || undefined,
    target: debounced.target || undefined,
    from: isoOf(from),
    to: isoOf(to),
  };
  const entries = useQuery({
    queryKey: ['admin', 'audit', filters, pages.cursor],
    queryFn: () => unwrap(api.GET('/api/v1/admin/audit', { params: { query: { ...filters, limit: 25, cursor: pages.cursor } } })),
    placeholderData: keepPreviousData,
  });
  const change =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      pages.reset();
    };
  const exportCsv = async () => {
    setExporting(true);
    try {
      const query = new URLSearchParams(Object.entries(filters).filter((entry): entry is [string, string] => Boolean(entry[1])));
      await downloadFile(`/api/v1/admin/audit/export?${query}`, 'audit-log.csv');
    } catch (error) {
      notifications.show({ color: 'red', title: 'Could not export', message: errorMessage(error) });
    } finally {
      setExporting(false);
    }
  };
  return (
    <>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 5 }} spacing="sm" mb="sm">
        <UserPicker label="Actor" value={actor} onChange={change(setActor)} />
        <TextInput
          label="Action"
          placeholder="admin. or login.failed"
          value={action}
          onChange={(event) => change(setAction)(event.currentTarget.value)}
        />
        <TextInput
          label="Target"
          placeholder="user:<id>"
          value={target}
          onChange={(event) => change(setTarget)(event.currentTarget.value)}
        />
        <TextInput label="From" type="datetime-local" value={from} onChange={(event) => change(setFrom)(event.currentTarget.value)} />
        <TextInput label="Until" type="datetime-local" value={to} onChange={(event) => change(setTo)(event.currentTarget.value)} />
      </SimpleGrid>
      <Group mb="md">
        <Button size="xs" variant="default" leftSection={<IconDownload size={14} />} loading={exporting} onClick={() => void exportCsv()}>
          Export CSV
        </Button>
      </Group>
      <QueryState query={entries}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState title="No audit entries match" />
          ) : (
            <>
              <Table.ScrollContainer minWidth={620}>
                <Table verticalSpacing="xs" highlightOnHover aria-label="Audit log">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Time</Table.Th>
                      <Table.Th>Action</Table.Th>
                      <Table.Th>Actor</Table.Th>
                      <Table.Th>Target</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.map((entry) => (
                      <Table.Tr key={entry.id}>
                        <Table.Td>
                          <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                            {formatDateTime(entry.createdAt)}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Anchor component="button" type="button" size="sm" onClick={() => setOpen(entry)}>
                            {entry.action}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>
                          <UserEmail id={entry.actorUserId} />
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                            {entry.target ?? '—'}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <CursorPager pages={pages} total={data.total} nextCursor={data.nextCursor} noun="record" />
            </>
          )
        }
      </QueryState>
      <DetailDrawer opened={open !== null} onClose={() => setOpen(null)} title={open ? `Audit entry: ${open.action}` : 'Audit entry'}>
        {open && <AuditEntryView entry={open} />}
      </DetailDrawer>
    </>
  );
}

function AuditEntryView({ entry }: { entry: Schemas['AuditEntry'] }) {
  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs">
        <Stat size="sm" label="Time" value={formatDateTime(entry.createdAt)} hint={entry.createdAt} />
        <Stat size="sm" label="Actor" value={<UserEmail id={entry.actorUserId} />} />
        <Stat size="sm" label="Target" value={entry.target ?? '—'} />
        <Stat size="sm" label="Workspace" value={entry.workspaceId ?? '—'} />
        <Stat size="sm" label="Address" value={entry.ip ?? '—'} />
        <Stat size="sm" label="User agent" value={entry.userAgent ?? '—'} />
      </SimpleGrid>
      <div>
        <Text size="sm" fw={500} mb={4}>
          Details
        </Text>
        <Code block aria-label="Details of the entry">
          {entry.details ? JSON.stringify(entry.details, null, 2) : 'none'}
        </Code>
      </div>
      <Text size="xs" c="dimmed">
        Entry {entry.id}
      </Text>
    </Stack>
  );
}
