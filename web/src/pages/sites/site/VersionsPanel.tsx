import { Badge, Button, Card, Code, Group, Select, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { api, errorMessage, unwrap, type Schemas } from '../../../api/client';
import { confirmAction } from '../../../components/confirm';
import { formatDateTime } from '../../../components/format';
import { EmptyState, QueryState } from '../../../components/states';
import { describeSource } from './values';
import { VersionTimeline } from './VersionTimeline';

type Diff = Schemas['BlueprintDiff'];

function Change({ kind, children }: { kind: 'added' | 'removed' | 'changed'; children: React.ReactNode }) {
  const color = kind === 'added' ? 'green' : kind === 'removed' ? 'red' : 'blue';
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Badge color={color} variant="light" miw={84} style={{ flexShrink: 0 }}>
        {kind}
      </Badge>
      <div style={{ minWidth: 0, overflowWrap: 'anywhere' }}>{children}</div>
    </Group>
  );
}

/** A diff as a list of coloured changes: what was added, removed, or read differently. */
function DiffView({ diff }: { diff: Diff }) {
  if (diff.identical) return <Text size="sm">The two versions extract the same way.</Text>;
  const where = (change: { pageType: string; field: string; scope: string }) =>
    `${change.pageType} › ${change.scope === 'item' ? 'record › ' : ''}${change.field}`;
  return (
    <Stack gap="xs" aria-label={`Changes from version ${diff.from.version} to ${diff.to.version}`}>
      {diff.pageTypesAdded.map((name) => (
        <Change key={`pta-${name}`} kind="added">
          page type <b>{name}</b>
        </Change>
      ))}
      {diff.pageTypesRemoved.map((name) => (
        <Change key={`ptr-${name}`} kind="removed">
          page type <b>{name}</b>
        </Change>
      ))}
      {diff.matchChanged.map((change) => (
        <Change key={`m-${change.pageType}`} kind="changed">
          {change.pageType} URL pattern <Code>{change.before.urlPattern}</Code> → <Code>{change.after.urlPattern}</Code>
        </Change>
      ))}
      {diff.fieldsAdded.map((change) => (
        <Change key={`fa-${where(change)}`} kind="added">
          field <b>{where(change)}</b>
        </Change>
      ))}
      {diff.fieldsRemoved.map((change) => (
        <Change key={`fr-${where(change)}`} kind="removed">
          field <b>{where(change)}</b>
        </Change>
      ))}
      {diff.sourcesChanged.map((change) => (
        <Change key={`s-${where(change)}`} kind="changed">
          <Text size="sm">
            sources of <b>{where(change)}</b>
          </Text>
          {change.before.map((source, index) => (
            <Text key={`b${index}`} size="xs" c="var(--mantine-color-red-light-color)" ff="monospace">
              − {describeSource(source)}
            </Text>
          ))}
          {change.after.map((source, index) => (
            <Text key={`a${index}`} size="xs" c="var(--mantine-color-green-light-color)" ff="monospace">
              + {describeSource(source)}
            </Text>
          ))}
        </Change>
      ))}
      {diff.propertiesChanged.map((change) => (
        <Change key={`p-${where(change)}-${change.property}`} kind="changed">
          {change.property} of <b>{where(change)}</b>: <Code>{JSON.stringify(change.before)}</Code> →{' '}
          <Code>{JSON.stringify(change.after)}</Code>
        </Change>
      ))}
    </Stack>
  );
}

/** Version history with a diff between any two versions and rollback to an earlier one. */
export function VersionsPanel({ site }: { site: Schemas['SiteDetail'] }) {
  const queryClient = useQueryClient();
  const versions = useQuery({
    queryKey: ['site', site.id, 'versions', site.activeBlueprint?.id],
    queryFn: () => unwrap(api.GET('/api/v1/sites/{id}/blueprints', { params: { path: { id: site.id } } })),
  });
  const items = versions.data?.items ?? [];
  const [from, setFrom] = useState<string | null>(null);
  const [to, setTo] = useState<string | null>(null);
  const fromVersion = from ?? (items[1] ? String(items[1].version) : null);
  const toVersion = to ?? (items[0] ? String(items[0].version) : null);
  const diff = useQuery({
    queryKey: ['site', site.id, 'diff', fromVersion, toVersion],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/sites/{id}/blueprints/diff', {
          params: { path: { id: site.id }, query: { from: Number(fromVersion), to: Number(toVersion) } },
        }),
      ),
    enabled: Boolean(fromVersion && toVersion && fromVersion !== toVersion),
  });
  const rollback = useMutation({
    mutationFn: (version: number) =>
      unwrap(api.POST('/api/v1/sites/{id}/blueprints/{version}/rollback', { params: { path: { id: site.id, version } } })),
    onSuccess: (result) => {
      notifications.show({ color: 'green', message: `Version ${result.version} is active again` });
      void queryClient.invalidateQueries({ queryKey: ['site', site.id] });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Rollback failed', message: errorMessage(error) }),
  });
  const options = items.map((item) => ({ value: String(item.version), label: `Version ${item.version}` }));
  const compareRef = useRef<HTMLDivElement>(null);
  const showDiff = (fromVersion: number, toVersion: number) => {
    setFrom(String(fromVersion));
    setTo(String(toVersion));
    compareRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };

  return (
    <QueryState query={versions}>
      {() =>
        items.length === 0 ? (
          <EmptyState title="No versions yet">Each analysis, repair or edit that changes the blueprint saves a new version.</EmptyState>
        ) : (
          <Stack>
            <VersionTimeline siteId={site.id} versions={items} onShowDiff={showDiff} />
            <Table.ScrollContainer minWidth={480}>
              <Table verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Version</Table.Th>
                    <Table.Th>Why</Table.Th>
                    <Table.Th>Saved</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((item) => (
                    <Table.Tr key={item.id}>
                      <Table.Td>
                        <Group gap="xs">
                          <Text fw={500}>v{item.version}</Text>
                          {item.active && (
                            <Badge color="green" variant="light" size="sm">
                              active
                            </Badge>
                          )}
                        </Group>
                      </Table.Td>
                      <Table.Td>{item.reason}</Table.Td>
                      <Table.Td>{formatDateTime(item.createdAt)}</Table.Td>
                      <Table.Td ta="right">
                        {!item.active && (
                          <Button
                            size="xs"
                            variant="default"
                            loading={rollback.isPending && rollback.variables === item.version}
                            onClick={() =>
                              confirmAction({
                                title: `Roll back to version ${item.version}?`,
                                message: 'Extraction uses this version from now on. Later versions stay in the history.',
                                confirm: 'Roll back',
                                destructive: false,
                                onConfirm: () => rollback.mutate(item.version),
                              })
                            }
                          >
                            Roll back
                          </Button>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {items.length > 1 && (
              <Card withBorder padding="sm" ref={compareRef}>
                <Title order={3} size="h5" mb="xs">
                  Compare versions
                </Title>
                <Group mb="sm" gap="xs">
                  <Select label="From" data={options} value={fromVersion} onChange={setFrom} allowDeselect={false} w={150} />
                  <Select label="To" data={options} value={toVersion} onChange={setTo} allowDeselect={false} w={150} />
                </Group>
                {fromVersion === toVersion ? (
                  <Text size="sm" c="dimmed">
                    Pick two different versions.
                  </Text>
                ) : (
                  <QueryState query={diff}>{(data) => <DiffView diff={data} />}</QueryState>
                )}
              </Card>
            )}
          </Stack>
        )
      }
    </QueryState>
  );
}
