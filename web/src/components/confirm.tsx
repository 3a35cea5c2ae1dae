import { Text } from '@mantine/core';
import { modals } from '@mantine/modals';

/** Asks before an action that cannot be undone; destructive ones get a red button. */
export function confirmAction(options: {
  title: string;
  message: string;
  confirm: string;
  destructive?: boolean;
  onConfirm: () => unknown;
}) {
  modals.openConfirmModal({
    title: options.title,
    children: <Text size="sm">{options.message}</Text>,
    labels: { confirm: options.confirm, cancel: 'Cancel' },
    confirmProps: options.destructive === false ? {} : { color: 'red' },
    onConfirm: () => void options.onConfirm(),
  });
}
