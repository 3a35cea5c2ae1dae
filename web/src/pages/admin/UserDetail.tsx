import { Badge, Button, Code, Group, List, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { confirmAction } from '../../components/confirm';
import { FormError, useFormError } from '../../components/form-error';
import { formatAgo, formatDateTime } from '../../components/format';
import { SecretShownOnce } from '../../components/SecretShownOnce';
import { Stat } from '../../components/Stat';
import { QueryState } from '../../components/states';
import { DetailDrawer } from './DetailDrawer';
import { UserStatusBadge } from './UsersPanel';

type Detail = Schemas['AdminUserDetail'];

/** An account's workspaces, sessions, API keys and last sign-in, with what an administrator can do to it. */
export function UserDetail({ userId, onClose }: { userId: string | null; onClose: () => void }) {
  const detail = useQuery({
    queryKey: ['admin', 'user', userId],
    queryFn: () => unwrap(api.GET('/api/v1/admin/users/{id}', { params: { path: { id: userId! } } })),
    enabled: userId !== null,
  });
  return (
    <DetailDrawer opened={userId !== null} onClose={onClose} title={detail.data?.email ?? 'User'}>
      {userId && <QueryState query={detail}>{(user) => <UserView user={user} onDeleted={onClose} />}</QueryState>}
    </DetailDrawer>
  );
}

function UserView({ user, onDeleted }: { user: Detail; onDeleted: () => void }) {
  const queryClient = useQueryClient();
  const session = useSession();
  const action = useFormError();
  const [temporaryPassword, setTemporaryPassword] = useState<string | null>(null);
  const path = { params: { path: { id: user.id } } };
  const refresh = (updated?: Detail) => {
    if (updated) queryClient.setQueryData(['admin', 'user', user.id], updated);
    void queryClient.invalidateQueries({ queryKey: ['admin'] });
  };
  const run = (work: () => Promise<unknown>) => void action.capture(work);
  const self = session.user?.id === user.id;
  const activeKeys = user.apiKeys.filter((key) => !key.revokedAt).length;

  const disable = () =>
    confirmAction({
      title: `Disable ${user.email}?`,
      message: `Sign-in is refused from now on; ${user.sessions.length} live session${user.sessions.length === 1 ? '' : 's'} end and ${activeKeys} active API key${activeKeys === 1 ? ' is' : 's are'} revoked at once. Enabling the account later does not bring them back.`,
      confirm: 'Disable',
      onConfirm: () =>
        run(async () => {
          refresh(await unwrap(api.POST('/api/v1/admin/users/{id}/disable', path)));
          notifications.show({ color: 'green', message: `${user.email} is disabled` });
        }),
    });
  const enable = () =>
    run(async () => {
      refresh(await unwrap(api.POST('/api/v1/admin/users/{id}/enable', path)));
      notifications.show({ color: 'green', message: `${user.email} can sign in again` });
    });
  const resetPassword = () =>
    confirmAction({
      title: `Reset the password of ${user.email}?`,
      message:
        'A random password replaces theirs and is shown to you once; every session of the account ends, and a new password is required at the next sign-in. Their API keys keep working.',
      confirm: 'Reset password',
      onConfirm: () =>
        run(async () => {
          const { temporaryPassword } = await unwrap(api.POST('/api/v1/admin/users/{id}/reset-password', path));
          setTemporaryPassword(temporaryPassword);
          refresh();
        }),
    });
  const setSystemAdmin = (systemAdmin: boolean) =>
    confirmAction({
      title: systemAdmin ? `Make ${user.email} a system administrator?` : `Revoke system administration from ${user.email}?`,
      message: systemAdmin
        ? 'They can then manage every account, workspace, backup and setting of this instance.'
        : 'They keep their workspaces and roles but lose the admin area. The last active administrator cannot be revoked.',
      confirm: systemAdmin ? 'Grant' : 'Revoke',
      destructive: !systemAdmin,
      onConfirm: () =>
        run(async () => {
          refresh(await unwrap(api.PUT('/api/v1/admin/users/{id}/system-admin', { ...path, body: { systemAdmin } })));
          notifications.show({ color: 'green', message: systemAdmin ? 'System administration granted' : 'System administration revoked' });
        }),
    });
  const remove = () =>
    confirmAction({
      title: `Delete ${user.email}?`,
      // A component, not a snapshot: it reads the shared workspaces' owners while the dialog is open.
      message: <DeleteConsequences user={user} />,
      confirm: 'Delete account',
      onConfirm: () =>
        run(async () => {
          const result = await unwrap(api.DELETE('/api/v1/admin/users/{id}', path));
          const names = (list: Array<{ name: string }>) => list.map((workspace) => workspace.name).join(', ') || 'none';
          notifications.show({
            color: 'green',
            title: `${user.email} deleted`,
            message: `Workspaces deleted: ${names(result.deletedWorkspaces)}. Left: ${names(result.leftWorkspaces)}.`,
          });
          // Forgotten before the lists refresh, so the open detail does not ask for the deleted account again.
          queryClient.removeQueries({ queryKey: ['admin', 'user', user.id] });
          onDeleted();
          refresh();
        }),
    });

  return (
    <Stack>
      <Group gap="xs">
        <UserStatusBadge disabled={user.disabled} />
        {user.systemAdmin && (
          <Badge color="grape" variant="light">
            system administrator
          </Badge>
        )}
        {!user.emailVerified && (
          <Badge color="gray" variant="light">
            email not verified
          </Badge>
        )}
      </Group>
      <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="xs">
        <Stat size="sm" label="Name" value={user.name} />
        <Stat size="sm" label="Last sign-in" value={formatAgo(user.lastSignInAt)} hint={formatDateTime(user.lastSignInAt)} />
        <Stat size="sm" label="Created" value={formatDateTime(user.createdAt)} />
      </SimpleGrid>
      <FormError error={action.error} />
      <Group gap="xs">
        {user.disabled ? (
          <Button size="xs" variant="default" onClick={enable}>
            Enable
          </Button>
        ) : (
          <Button size="xs" color="red" variant="light" onClick={disable} disabled={self}>
            Disable
          </Button>
        )}
        <Button size="xs" variant="default" onClick={resetPassword}>
          Force password reset
        </Button>
        <Button size="xs" variant="default" onClick={() => setSystemAdmin(!user.systemAdmin)}>
          {user.systemAdmin ? 'Revoke system admin' : 'Make system admin'}
        </Button>
        <Button size="xs" color="red" variant="light" onClick={remove}>
          Delete
        </Button>
      </Group>

      <Title order={3} size="h5">
        Workspaces
      </Title>
      {user.workspaces.length === 0 ? (
        <Text size="sm" c="dimmed">
          Not a member of any workspace.
        </Text>
      ) : (
        <Table aria-label="Workspaces of the user">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Workspace</Table.Th>
              <Table.Th>Role</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {user.workspaces.map((workspace) => (
              <Table.Tr key={workspace.id}>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>
                  {workspace.name}
                  {workspace.personal && (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      (personal)
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{workspace.role}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}

      <Title order={3} size="h5">
        Live sessions
      </Title>
      {user.sessions.length === 0 ? (
        <Text size="sm" c="dimmed">
          No live sessions.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={420}>
          <Table aria-label="Live sessions">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Started</Table.Th>
                <Table.Th>Last refreshed</Table.Th>
                <Table.Th>Expires</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {user.sessions.map((item) => (
                <Table.Tr key={item.id}>
                  <Table.Td>{formatDateTime(item.startedAt)}</Table.Td>
                  <Table.Td>{formatAgo(item.lastRefreshedAt)}</Table.Td>
                  <Table.Td>{formatDateTime(item.expiresAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      <Title order={3} size="h5">
        API keys
      </Title>
      {user.apiKeys.length === 0 ? (
        <Text size="sm" c="dimmed">
          No API keys.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={420}>
          <Table aria-label="API keys of the user">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Key</Table.Th>
                <Table.Th>Scopes</Table.Th>
                <Table.Th>Last used</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {user.apiKeys.map((key) => (
                <Table.Tr key={key.id}>
                  <Table.Td>
                    <Text size="sm">{key.name}</Text>
                    <Code>{key.prefix}…</Code> {key.revokedAt && <Badge color="gray">revoked</Badge>}
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{key.scopes.join(', ')}</Text>
                  </Table.Td>
                  <Table.Td>{formatAgo(key.lastUsedAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <SecretShownOnce
        secret={temporaryPassword}
        title="Temporary password"
        what="the temporary password"
        testId="temporary-password"
        onClose={() => setTemporaryPassword(null)}
      >
        Give it to {user.email} out of band. They must choose a new password when they next sign in.
      </SecretShownOnce>
    </Stack>
  );
}

/**
 * What deleting the account does to each of its workspaces, as the API will do it: personal ones go
 * with it, shared ones stay with their other members, and being a shared workspace's only owner
 * makes the API refuse (so those are named, with the way out).
 */
function DeleteConsequences({ user }: { user: Detail }) {
  const ownedShared = user.workspaces.filter((workspace) => !workspace.personal && workspace.role === 'owner');
  const members = useQueries({
    queries: ownedShared.map((workspace) => ({
      queryKey: ['admin', 'workspace-members', workspace.id],
      queryFn: () => unwrap(api.GET('/api/v1/admin/workspaces/{id}/members', { params: { path: { id: workspace.id } } })),
    })),
  });
  const soleOwnerOf = ownedShared.filter((workspace, index) => {
    const items = members[index]?.data?.items;
    return items !== undefined && !items.some((member) => member.role === 'owner' && member.userId !== user.id);
  });
  const personal = user.workspaces.filter((workspace) => workspace.personal);
  const left = user.workspaces.filter((workspace) => !workspace.personal && !soleOwnerOf.includes(workspace));
  return (
    <Stack gap="xs">
      {soleOwnerOf.length > 0 && (
        <Text size="sm" c="red" fw={500}>
          The deletion will be refused: this account is the only owner of {soleOwnerOf.map((workspace) => workspace.name).join(', ')}. Make
          another member owner there first.
        </Text>
      )}
      <List size="sm" spacing={4}>
        <List.Item>
          {personal.length
            ? `Deleted with the account: ${personal.map((workspace) => workspace.name).join(', ')}, with its sites, jobs, blueprints and API keys.`
            : 'No personal workspace is deleted.'}
        </List.Item>
        <List.Item>
          {left.length
            ? `It leaves ${left.map((workspace) => `${workspace.name} (${workspace.role})`).join(', ')}; those workspaces stay with their other members.`
            : 'It belongs to no shared workspace.'}
        </List.Item>
        <List.Item>Its sessions end and its API keys stop working. This cannot be undone.</List.Item>
      </List>
    </Stack>
  );
}
