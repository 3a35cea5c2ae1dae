import {
  ActionIcon,
  AppShell,
  Burger,
  Group,
  Menu,
  NavLink,
  ScrollArea,
  Select,
  Text,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconChartBar,
  IconFileReport,
  IconGauge,
  IconListDetails,
  IconLogout,
  IconMoon,
  IconSettings,
  IconShieldLock,
  IconSun,
  IconUserCircle,
  IconWorld,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { NavLink as RouterNavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { api, unwrap } from '../api/client';
import { useLiveUpdates } from '../api/live';
import { useSession } from '../auth/session';
import { ErrorState, PageLoader } from '../components/states';
import { NotificationBell } from './NotificationBell';

const navigation = [
  { to: '/', label: 'Overview', icon: IconGauge, end: true },
  { to: '/sites', label: 'Sites', icon: IconWorld },
  { to: '/jobs', label: 'Jobs', icon: IconListDetails },
  { to: '/analytics', label: 'Analytics', icon: IconChartBar },
  { to: '/reports', label: 'Reports', icon: IconFileReport },
  { to: '/settings/profile', label: 'Settings', icon: IconSettings, match: '/settings' },
];

function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme('light');
  const next = computed === 'dark' ? 'light' : 'dark';
  return (
    <ActionIcon variant="default" size="lg" onClick={() => setColorScheme(next)} aria-label={`Switch to ${next} mode`}>
      {computed === 'dark' ? <IconSun size={18} /> : <IconMoon size={18} />}
    </ActionIcon>
  );
}

export function AppLayout() {
  const [opened, { toggle, close }] = useDisclosure();
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const workspaces = useQuery({ queryKey: ['workspaces'], queryFn: () => unwrap(api.GET('/api/v1/workspaces')) });
  const items = workspaces.data?.items ?? [];
  const current = items.find((workspace) => workspace.id === session.workspaceId);

  // A remembered workspace the user no longer belongs to (or none yet): use their first.
  useEffect(() => {
    if (items.length && !current) session.switchWorkspace(items[0]!.id);
  }, [items, current, session]);
  useLiveUpdates(current?.id ?? null);
  useEffect(close, [location.pathname, close]);

  const links = session.user?.systemAdmin
    ? [...navigation, { to: '/admin/users', label: 'Admin', icon: IconShieldLock, match: '/admin' }]
    : navigation;

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Text fw={700} size="lg" component={RouterNavLink} to="/" visibleFrom="xs">
              Siteprint
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Select
              aria-label="Workspace"
              data={items.map((workspace) => ({ value: workspace.id, label: workspace.name }))}
              value={current?.id ?? null}
              onChange={(id) => id && session.switchWorkspace(id)}
              allowDeselect={false}
              w={{ base: 130, xs: 200 }}
              size="sm"
              comboboxProps={{ withinPortal: true }}
            />
            <NotificationBell workspaceId={current?.id ?? null} />
            <ColorSchemeToggle />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <ActionIcon variant="default" size="lg" aria-label="Account menu">
                  <IconUserCircle size={18} />
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{session.user?.email}</Menu.Label>
                <Menu.Item leftSection={<IconSettings size={14} />} onClick={() => navigate('/settings/profile')}>
                  Settings
                </Menu.Item>
                <Menu.Item
                  leftSection={<IconLogout size={14} />}
                  onClick={async () => {
                    await session.logout();
                    navigate('/login');
                  }}
                >
                  Log out
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <AppShell.Section grow component={ScrollArea}>
          {links.map((link) => (
            <NavLink
              key={link.to}
              component={RouterNavLink}
              to={link.to}
              end={'end' in link ? link.end : undefined}
              label={link.label}
              leftSection={<link.icon size={18} stroke={1.6} aria-hidden />}
              active={
                'match' in link && link.match
                  ? location.pathname.startsWith(link.match)
                  : link.to === '/'
                    ? location.pathname === '/'
                    : location.pathname.startsWith(link.to)
              }
            />
          ))}
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        {workspaces.isError ? (
          <ErrorState error={workspaces.error} onRetry={() => void workspaces.refetch()} />
        ) : current ? (
          <Outlet />
        ) : (
          <PageLoader />
        )}
      </AppShell.Main>
    </AppShell>
  );
}
