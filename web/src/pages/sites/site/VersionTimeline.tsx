import { Anchor, Badge, Button, Card, Group, Text, Timeline, Title } from '@mantine/core';
import { IconPencil, IconSearch, IconTool } from '@tabler/icons-react';
import { useQueries } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../../api/client';
import { formatDateTime } from '../../../components/format';

type Version = Schemas['BlueprintVersionSummary'];
type Diff = Schemas['BlueprintDiff'];

/** How many of the latest versions the timeline shows (each needs its diff with the one before). */
const SHOWN = 10;

const REASONS: Record<string, { label: string; color: string; Icon: typeof IconSearch }> = {
  analysis: { label: 'Analysis', color: 'blue', Icon: IconSearch },
  repair: { label: 'Automatic repair', color: 'orange', Icon: IconTool },
  edit: { label: 'Manual edit', color: 'grape', Icon: IconPencil },
};

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** One line saying what a version changed against the one before it. */
export function summarizeDiff(diff: Diff): string {
  if (diff.identical) return 'Extracts the same way as the version before.';
  const parts = [
    diff.pageTypesAdded.length && `${plural(diff.pageTypesAdded.length, 'page type')} added`,
    diff.pageTypesRemoved.length && `${plural(diff.pageTypesRemoved.length, 'page type')} removed`,
    diff.matchChanged.length && `${plural(diff.matchChanged.length, 'URL pattern')} changed`,
    diff.fieldsAdded.length && `${plural(diff.fieldsAdded.length, 'field')} added`,
    diff.fieldsRemoved.length && `${plural(diff.fieldsRemoved.length, 'field')} removed`,
    diff.sourcesChanged.length && `sources of ${plural(diff.sourcesChanged.length, 'field')} changed`,
    diff.propertiesChanged.length && `${plural(diff.propertiesChanged.length, 'field property')} changed`,
  ].filter(Boolean);
  const sentence = parts.join(', ');
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}

/**
 * The blueprint's versions as a timeline, newest first: why each was written (analysis, automatic
 * repair or manual edit), by which job, what it changed against the version before, and a link
 * that shows that diff below.
 */
export function VersionTimeline({
  siteId,
  versions,
  onShowDiff,
}: {
  siteId: string;
  versions: Version[];
  onShowDiff: (from: number, to: number) => void;
}) {
  const shown = versions.slice(0, SHOWN);
  const diffs = useQueries({
    queries: shown.map((version, index) => {
      const before = versions[index + 1];
      return {
        queryKey: ['site', siteId, 'diff', before ? String(before.version) : null, String(version.version)],
        queryFn: () =>
          unwrap(
            api.GET('/api/v1/sites/{id}/blueprints/diff', {
              params: { path: { id: siteId }, query: { from: before!.version, to: version.version } },
            }),
          ),
        enabled: Boolean(before),
      };
    }),
  });
  return (
    <Card withBorder padding="sm">
      <Title order={3} size="h5" mb="sm">
        Timeline
      </Title>
      <Timeline active={shown.length} bulletSize={26} lineWidth={2} aria-label="Blueprint version timeline">
        {shown.map((version, index) => {
          const reason = REASONS[version.reason] ?? { label: version.reason, color: 'gray', Icon: IconPencil };
          const before = versions[index + 1];
          const diff = diffs[index];
          return (
            <Timeline.Item
              key={version.id}
              color={reason.color}
              bullet={<reason.Icon size={14} aria-hidden />}
              title={
                <Group gap="xs" wrap="wrap">
                  <Text fw={600} size="sm">
                    v{version.version} · {reason.label}
                  </Text>
                  {version.active && (
                    <Badge color="green" variant="light" size="sm">
                      active
                    </Badge>
                  )}
                </Group>
              }
            >
              <Text size="xs" c="dimmed">
                {formatDateTime(version.createdAt)}
                {version.createdByJob && (
                  <>
                    {' · '}
                    <Anchor component={Link} to={`/jobs/${version.createdByJob}`} size="xs" underline="always">
                      by its job
                    </Anchor>
                  </>
                )}
              </Text>
              <Text size="sm" mt={4}>
                {!before
                  ? 'First version of the blueprint.'
                  : diff?.data
                    ? summarizeDiff(diff.data)
                    : diff?.isError
                      ? 'The changes could not be loaded.'
                      : 'Loading the changes…'}
              </Text>
              {before && (
                <Button variant="subtle" size="compact-xs" px={0} onClick={() => onShowDiff(before.version, version.version)}>
                  Diff with v{before.version}
                </Button>
              )}
            </Timeline.Item>
          );
        })}
      </Timeline>
      {versions.length > SHOWN && (
        <Text size="xs" c="dimmed" mt="sm">
          {versions.length - SHOWN} earlier versions are in the table below.
        </Text>
      )}
    </Card>
  );
}
