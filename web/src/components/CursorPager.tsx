import { Button, Group, Text } from '@mantine/core';
import { useState } from 'react';

/** Keyset pagination state: the cursor of the page shown, and those before it to step back. */
export function useCursorPages() {
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  return {
    cursor: cursors[cursors.length - 1],
    hasPrevious: cursors.length > 1,
    previous: () => setCursors((current) => current.slice(0, -1)),
    next: (cursor: string) => setCursors((current) => [...current, cursor]),
    reset: () => setCursors([undefined]),
  };
}

export function CursorPager({
  pages,
  total,
  nextCursor,
  noun,
}: {
  pages: ReturnType<typeof useCursorPages>;
  total: number;
  nextCursor: string | null;
  noun: string;
}) {
  return (
    <Group justify="space-between" mt="md">
      <Text size="sm" c="dimmed">
        {total} {noun}
        {total === 1 ? '' : 's'}
      </Text>
      <Group gap="xs">
        <Button variant="default" size="xs" disabled={!pages.hasPrevious} onClick={pages.previous}>
          Previous
        </Button>
        <Button variant="default" size="xs" disabled={!nextCursor} onClick={() => nextCursor && pages.next(nextCursor)}>
          Next
        </Button>
      </Group>
    </Group>
  );
}
