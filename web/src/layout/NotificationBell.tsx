import { ActionIcon, Button, Group, Indicator, Popover, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { notifications as toasts } from '@mantine/notifications';
import { IconBell } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, errorMessage, unwrap, type Schemas } from '../api/client';
import { formatAgo } from '../components/format';

/** Links in notifications are absolute (they also go out by email); in the app only the path counts. */
export function inAppPath(link: string | null): string | null {
  if (!link) return null;
  try {
    const url = new URL(link, window.location.origin);
    return `${url.pathname}${url.search}`;
  } catch {
    return null;
  }
}

/** The bell in the header: unread count, the latest in-app notifications, mark read. */
export function NotificationBell({ workspaceId }: { workspaceId: string | null }) {
  const [opened, setOpened] = useState(false);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const queryKey = ['notifications', workspaceId];
  const list = useQuery({
    queryKey,
    queryFn: () => unwrap(api.GET('/api/v1/notifications', { params: { query: { limit: 20 } } })),
    enabled: workspaceId !== null,
    refetchInterval: 30_000,
  });
  const markRead = useMutation({
    mutationFn: (ids?: string[]) => unwrap(api.POST('/api/v1/notifications/read', { body: ids ? { ids } : {} })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['notifications'] }),
    onError: (error) => toasts.show({ color: 'red', title: 'Could not mark read', message: errorMessage(error) }),
  });
  const unread = list.data?.unread ?? 0;
  const items = list.data?.items ?? [];

  const open = (item: Schemas['Notification']) => {
    if (!item.read) markRead.mutate([item.id]);
    const path = inAppPath(item.link);
    setOpened(false);
    if (path) void navigate(path);
  };

  // The badge wraps the whole popover: as the target's child it would carry the button's aria-expanded on a div.
  return (
    <Indicator label={unread > 99 ? '99+' : unread} size={16} disabled={unread === 0} offset={4} color="red">
      <Popover
        opened={opened}
        onChange={setOpened}
        position="bottom-end"
        width="min(360px, calc(100vw - 24px))"
        shadow="md"
        withinPortal
        onOpen={() => void list.refetch()}
      >
        <Popover.Target>
          <ActionIcon
            variant="default"
            size="lg"
            onClick={() => setOpened((value) => !value)}
            aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications'}
          >
            <IconBell size={18} />
          </ActionIcon>
        </Popover.Target>
        <Popover.Dropdown p={0} aria-label="Notifications" role="dialog">
          <Group justify="space-between" px="sm" py="xs" wrap="nowrap">
            <Text fw={600} size="sm">
              Notifications
            </Text>
            <Button
              size="compact-xs"
              variant="subtle"
              disabled={unread === 0}
              loading={markRead.isPending}
              onClick={() => markRead.mutate(undefined)}
            >
              Mark all read
            </Button>
          </Group>
          <ScrollArea.Autosize mah={400}>
            {items.length === 0 ? (
              <Text size="sm" c="dimmed" px="sm" pb="sm">
                {list.isPending ? 'Loading…' : 'Nothing yet. Failures, health changes and ready reports appear here.'}
              </Text>
            ) : (
              <Stack gap={0} component="ul" m={0} p={0} style={{ listStyle: 'none' }}>
                {items.map((item) => (
                  <li key={item.id}>
                    <UnstyledButton
                      w="100%"
                      px="sm"
                      py={6}
                      onClick={() => open(item)}
                      aria-label={`${item.read ? '' : 'Unread: '}${item.title}`}
                      style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}
                    >
                      <Group gap="xs" wrap="nowrap" align="flex-start">
                        <span
                          aria-hidden
                          style={{
                            marginTop: 6,
                            width: 8,
                            height: 8,
                            flex: 'none',
                            borderRadius: 4,
                            background: item.read ? 'transparent' : 'var(--mantine-color-blue-filled)',
                          }}
                        />
                        <div style={{ minWidth: 0 }}>
                          <Text size="sm" fw={item.read ? 400 : 600} style={{ overflowWrap: 'anywhere' }}>
                            {item.title}
                          </Text>
                          <Text size="xs" c="dimmed">
                            {formatAgo(item.createdAt)}
                          </Text>
                        </div>
                      </Group>
                    </UnstyledButton>
                  </li>
                ))}
              </Stack>
            )}
          </ScrollArea.Autosize>
          <Button
            variant="subtle"
            size="xs"
            fullWidth
            radius={0}
            onClick={() => {
              setOpened(false);
              void navigate('/settings/notifications');
            }}
          >
            Notification settings
          </Button>
        </Popover.Dropdown>
      </Popover>
    </Indicator>
  );
}
