import { Card, Text } from '@mantine/core';

/** One figure with its label (and an optional hint) on a card. */
export function Stat({
  label,
  value,
  hint,
  size = 'md',
}: {
  label: string;
  value: React.ReactNode;
  hint?: string;
  size?: 'sm' | 'md' | 'lg';
}) {
  return (
    <Card withBorder padding={size === 'lg' ? 'md' : 'xs'}>
      <Text size="xs" c="dimmed" tt={size === 'lg' ? 'uppercase' : undefined} fw={size === 'lg' ? 700 : undefined}>
        {label}
      </Text>
      <Text
        fw={size === 'sm' ? undefined : 700}
        size={size === 'lg' ? 'xl' : size === 'sm' ? 'sm' : 'md'}
        style={{ overflowWrap: 'anywhere' }}
      >
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Card>
  );
}
