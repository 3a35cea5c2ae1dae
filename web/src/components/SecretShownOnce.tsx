import { ActionIcon, Alert, Button, Code, CopyButton, Group, Modal, Stack, Text, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import type { ReactNode } from 'react';

/** A secret the server keeps only a hash of, shown once right after creation with a copy button. */
export function SecretShownOnce(props: {
  /** Null closes it. */
  secret: string | null;
  title: string;
  /** What to copy ("the API key"), for the warning and the copy button's label. */
  what: string;
  testId: string;
  /** How to use it. */
  children: ReactNode;
  onClose: () => void;
}) {
  return (
    <Modal opened={props.secret !== null} onClose={props.onClose} title={props.title}>
      {props.secret !== null && (
        <Stack>
          <Alert color="yellow">Copy {props.what} now: it will not be shown again.</Alert>
          <Group wrap="nowrap" gap="xs">
            <Code block style={{ flex: 1, overflowWrap: 'anywhere', whiteSpace: 'normal' }} data-testid={props.testId}>
              {props.secret}
            </Code>
            <CopyButton value={props.secret}>
              {({ copied, copy }) => (
                <Tooltip label={copied ? 'Copied' : 'Copy'}>
                  <ActionIcon variant="default" size="lg" onClick={copy} aria-label={`Copy ${props.what}`}>
                    {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                  </ActionIcon>
                </Tooltip>
              )}
            </CopyButton>
          </Group>
          <Text size="sm">{props.children}</Text>
          <Button onClick={props.onClose}>Done</Button>
        </Stack>
      )}
    </Modal>
  );
}
