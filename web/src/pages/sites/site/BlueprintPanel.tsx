import { Badge, Button, Card, Code, Group, Menu, SimpleGrid, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDownload, IconPencil } from '@tabler/icons-react';
import { useState } from 'react';
import { errorMessage, type Schemas } from '../../../api/client';
import { useCanEdit } from '../../../auth/workspace';
import { ModeBadge } from '../../../components/badges';
import { Stat } from '../../../components/Stat';
import { downloadFile } from '../../../components/download';
import { formatDateTime, formatPercent, formatUsd } from '../../../components/format';
import { EmptyState, QueryState } from '../../../components/states';
import { FieldEditor, type FieldRef } from './FieldEditor';
import { useActiveBlueprint } from './useActiveBlueprint';
import { PageTypeName } from './PageTypeName';
import { describeSource, type BlueprintField } from './values';

function FieldsTable({ fields, label, onEdit }: { fields: BlueprintField[]; label: string; onEdit?: (field: string) => void }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="xs" aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Field</Table.Th>
            <Table.Th>Made by</Table.Th>
            <Table.Th>Sources (tried in order)</Table.Th>
            <Table.Th>Coverage</Table.Th>
            <Table.Th>Confidence</Table.Th>
            {onEdit && (
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            )}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {fields.map((field) => (
            <Table.Tr key={field.name}>
              <Table.Td>
                <Text fw={500} size="sm">
                  {field.name}
                </Text>
                <Text size="xs" c="dimmed">
                  {field.type}
                  {field.multiple ? ', several' : ''}
                  {field.required ? ', required' : ''}
                </Text>
              </Table.Td>
              <Table.Td>
                <ModeBadge mode={field.mode} />
              </Table.Td>
              <Table.Td>
                <Stack gap={2}>
                  {field.sources.map((source, index) => (
                    <Code key={index} style={{ overflowWrap: 'anywhere', whiteSpace: 'normal' }}>
                      {describeSource(source)}
                    </Code>
                  ))}
                </Stack>
              </Table.Td>
              <Table.Td>{formatPercent(field.quality?.coverage)}</Table.Td>
              <Table.Td>{formatPercent(field.quality?.confidence)}</Table.Td>
              {onEdit && (
                <Table.Td ta="right">
                  <Button
                    size="xs"
                    variant="default"
                    leftSection={<IconPencil size={14} />}
                    aria-label={`Edit field ${field.name}`}
                    onClick={() => onEdit(field.name)}
                  >
                    Edit
                  </Button>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function ExportMenu({ siteId, version }: { siteId: string; version: number }) {
  const formats = ['json', 'yaml', 'csv'] as const;
  return (
    <Menu withinPortal>
      <Menu.Target>
        <Button variant="default" size="xs" leftSection={<IconDownload size={14} />}>
          Export
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        {formats.map((format) => (
          <Menu.Item
            key={format}
            onClick={() =>
              downloadFile(
                `/api/v1/sites/${siteId}/blueprint/export?format=${format}&version=${version}`,
                `blueprint-v${version}.${format}`,
              ).catch((error: unknown) => notifications.show({ color: 'red', title: 'Export failed', message: errorMessage(error) }))
            }
          >
            {format.toUpperCase()}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

/** The active blueprint: how good it is, what made each field, and where each value is read; editors change fields in place. */
export function BlueprintPanel({ site }: { site: Schemas['SiteDetail'] }) {
  const blueprint = useActiveBlueprint(site);
  const canEdit = useCanEdit();
  const [editing, setEditing] = useState<FieldRef | null>(null);
  if (!site.activeBlueprint) {
    return (
      <EmptyState title="No blueprint yet">
        {site.status === 'analyzing'
          ? 'The analysis is running; the blueprint appears here when it is saved.'
          : 'Run an analysis to build one.'}
      </EmptyState>
    );
  }
  return (
    <QueryState query={blueprint}>
      {(version) => {
        const content = version.content;
        return (
          <Stack>
            <Group justify="space-between">
              <div>
                <Title order={2} size="h4">
                  Version {version.version}
                </Title>
                <Text size="sm" c="dimmed">
                  {version.reason} · {formatDateTime(version.createdAt)}
                </Text>
              </div>
              <ExportMenu siteId={site.id} version={version.version} />
            </Group>
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              <Stat label="Coverage" value={formatPercent(content.validation?.coverage)} />
              <Stat
                label="Tested on"
                value={content.validation ? `${content.validation.samplePages} + ${content.validation.heldOutPages ?? 0} held out` : '—'}
              />
              <Stat label="Quality" value={formatPercent(content.validation?.quality)} />
              <Stat
                label="LLM cost"
                value={content.llm ? `${formatUsd(content.llm.costUsd)} · ${content.llm.requests} calls` : 'none (heuristics)'}
              />
            </SimpleGrid>
            {content.pageTypes.map((pageType) => (
              <Card withBorder key={pageType.name} padding="sm">
                <Group gap="xs" mb="xs">
                  <PageTypeName name={pageType.name} label={pageType.label} />
                  <Badge variant="outline" size="sm">
                    {pageType.kind}
                  </Badge>
                  <Code>{pageType.match.urlPattern}</Code>
                </Group>
                {pageType.fields.length > 0 && (
                  <FieldsTable
                    fields={pageType.fields}
                    label={`${pageType.name} fields`}
                    onEdit={canEdit ? (field) => setEditing({ pageType: pageType.name, scope: 'page', field }) : undefined}
                  />
                )}
                {pageType.list && (
                  <>
                    <Text size="sm" mt="sm" mb={4}>
                      Records: <Code>{pageType.list.item}</Code>
                    </Text>
                    <FieldsTable
                      fields={pageType.list.fields}
                      label={`${pageType.name} record fields`}
                      onEdit={canEdit ? (field) => setEditing({ pageType: pageType.name, scope: 'item', field }) : undefined}
                    />
                  </>
                )}
              </Card>
            ))}
            <FieldEditor siteId={site.id} content={content} target={editing} onClose={() => setEditing(null)} />
          </Stack>
        );
      }}
    </QueryState>
  );
}
