import { Button, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import type { ReactNode } from 'react';

/** Asks before an action that cannot be undone; destructive ones get a red button. */
export function confirmAction(options: {
  title: string;
  /** A sentence, or richer content (a list of what goes with it). */
  message: ReactNode;
  confirm: string;
  destructive?: boolean;
  onConfirm: () => unknown;
}) {
  modals.openConfirmModal({
    title: options.title,
    children: typeof options.message === 'string' ? <Text size="sm">{options.message}</Text> : options.message,
    labels: { confirm: options.confirm, cancel: 'Cancel' },
    confirmProps: options.destructive === false ? {} : { color: 'red' },
    onConfirm: () => void options.onConfirm(),
  });
}

/** A red button for an action that cannot be undone (remove, revoke): it asks first. */
export function DestructiveButton(props: {
  /** The action, as the button and the confirmation's button say it. */
  action: string;
  /** What it acts on, for screen readers ("Revoke CI key"); the visible label is the action alone. */
  ariaLabel?: string;
  title: string;
  message: string;
  size?: 'xs' | 'compact-sm';
  onConfirm: () => unknown;
}) {
  return (
    <Button
      size={props.size ?? 'xs'}
      color="red"
      variant="light"
      aria-label={props.ariaLabel}
      onClick={() => confirmAction({ title: props.title, message: props.message, confirm: props.action, onConfirm: props.onConfirm })}
    >
      {props.action}
    </Button>
  );
}
