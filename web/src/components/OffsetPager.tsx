import { Button, Group, Text } from '@mantine/core';
import { useState } from 'react';

/** Offset paging (`limit`/`offset` with a `total`), for lists whose API counts and pages by position. */
export function useOffsetPages(pageSize: number) {
  const [offset, setOffset] = useState(0);
  return { offset, limit: pageSize, setOffset, reset: () => setOffset(0) };
}

export function OffsetPager({ pages, total, noun }: { pages: ReturnType<typeof useOffsetPages>; total: number; noun: string }) {
  const last = Math.min(pages.offset + pages.limit, total);
  return (
    <Group justify="space-between" mt="md">
      <Text size="sm" c="dimmed">
        {total === 0 ? `No ${noun}s` : `${pages.offset + 1}–${last} of ${total} ${noun}${total === 1 ? '' : 's'}`}
      </Text>
      <Group gap="xs">
        <Button
          variant="default"
          size="xs"
          disabled={pages.offset === 0}
          onClick={() => pages.setOffset(Math.max(0, pages.offset - pages.limit))}
        >
          Previous
        </Button>
        <Button variant="default" size="xs" disabled={last >= total} onClick={() => pages.setOffset(pages.offset + pages.limit)}>
          Next
        </Button>
      </Group>
    </Group>
  );
}
