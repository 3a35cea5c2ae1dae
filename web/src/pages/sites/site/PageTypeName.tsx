import { Group, Text } from '@mantine/core';

/**
 * A page type as people say it ("Product page"), with the name blueprints and the API use
 * ("product") beside it. Types discovered before labels existed show their name alone.
 */
export function PageTypeName({ name, label }: { name: string; label?: string | undefined }) {
  return (
    <Group gap={6} wrap="nowrap" align="baseline" style={{ minWidth: 0 }}>
      <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
        {label ?? name}
      </Text>
      {label && (
        <Text size="xs" c="dimmed" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
          {name}
        </Text>
      )}
    </Group>
  );
}
