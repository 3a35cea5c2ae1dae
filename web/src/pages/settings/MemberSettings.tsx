import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconCopy, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, unwrap, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { useCurrentWorkspace } from '../../auth/workspace';
import { confirmAction } from '../../components/confirm';
import { formatDateTime } from '../../components/format';
import { QueryState } from '../../components/states';

type Role = Schemas['WorkspaceMember']['role'];
const roles: Array<{ value: Role; label: string }> = [
  { value: 'owner', label: 'Owner' },
  { value: 'admin', label: 'Admin' },
  { value: 'member', label: 'Member' },
  { value: 'viewer', label: 'Viewer' },
];

export function MemberSettings() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [inviteLink, setInviteLink] = useState<string | null>(null);
  const members = useQuery({ queryKey: ['members'], queryFn: () => unwrap(api.GET('/api/v1/workspace/members')) });
  const workspace = useCurrentWorkspace();
  const canManage = workspace.data?.role === 'owner' || workspace.data?.role === 'admin';
  const invitations = useQuery({
    queryKey: ['invitations'],
    queryFn: () => unwrap(api.GET('/api/v1/workspace/invitations')),
    enabled: canManage,
  });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['members'] });
    void queryClient.invalidateQueries({ queryKey: ['invitations'] });
  };
  const onError = (error: unknown) => notifications.show({ color: 'red', title: 'That did not work', message: errorMessage(error) });
  const changeRole = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      unwrap(api.PATCH('/api/v1/workspace/members/{userId}', { params: { path: { userId } }, body: { role } })),
    onSuccess: () => {
      notifications.show({ color: 'green', message: 'Role changed' });
      refresh();
    },
    onError,
  });
  const removeMember = useMutation({
    mutationFn: (userId: string) => unwrap(api.DELETE('/api/v1/workspace/members/{userId}', { params: { path: { userId } } })),
    onSuccess: () => {
      notifications.show({ color: 'green', message: 'Member removed' });
      refresh();
    },
    onError,
  });
  const cancelInvitation = useMutation({
    mutationFn: (invitationId: string) =>
      unwrap(api.DELETE('/api/v1/workspace/invitations/{invitationId}', { params: { path: { invitationId } } })),
    onSuccess: refresh,
    onError,
  });
  const invite = useForm({
    initialValues: { email: '', role: 'member' as Role },
    validate: { email: (value) => (/^\S+@\S+$/.test(value) ? null : 'Enter an email address') },
  });

  return (
    <Stack maw={900}>
      {workspace.data?.personal && (
        <Alert color="blue">This is your personal workspace. Create a shared workspace to work with others.</Alert>
      )}
      {canManage && !workspace.data?.personal && (
        <Card withBorder>
          <Title order={2} size="h5" mb="sm">
            Invite someone
          </Title>
          <form
            onSubmit={invite.onSubmit(async (values) => {
              try {
                const created = await unwrap(api.POST('/api/v1/workspace/invitations', { body: values }));
                setInviteLink(created.acceptUrl);
                invite.reset();
                refresh();
              } catch (caught) {
                onError(caught);
              }
            })}
          >
            <Group align="flex-end" gap="sm">
              <TextInput label="Email" type="email" style={{ flex: '1 1 200px' }} {...invite.getInputProps('email')} />
              <Select label="Role" data={roles} allowDeselect={false} w={130} {...invite.getInputProps('role')} />
              <Button type="submit" loading={invite.submitting}>
                Invite
              </Button>
            </Group>
          </form>
          {inviteLink && (
            <Alert color="green" mt="sm" title="Invitation created">
              <Text size="sm" mb={4}>
                Send this link; it is shown only now.
              </Text>
              <Group wrap="nowrap" gap="xs">
                <Code block style={{ flex: 1, overflowWrap: 'anywhere', whiteSpace: 'normal' }}>
                  {inviteLink}
                </Code>
                <CopyButton value={inviteLink}>
                  {({ copied, copy }) => (
                    <Tooltip label={copied ? 'Copied' : 'Copy'}>
                      <ActionIcon variant="default" onClick={copy} aria-label="Copy the invitation link">
                        {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                      </ActionIcon>
                    </Tooltip>
                  )}
                </CopyButton>
              </Group>
            </Alert>
          )}
        </Card>
      )}
      <QueryState query={members}>
        {(data) => (
          <Table.ScrollContainer minWidth={520}>
            <Table verticalSpacing="xs" aria-label="Members">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Member</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Joined</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((member) => {
                  const self = member.userId === session.user?.id;
                  return (
                    <Table.Tr key={member.userId}>
                      <Table.Td>
                        <Text size="sm" fw={500}>
                          {member.name}
                          {self ? ' (you)' : ''}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {member.email}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        {canManage && !self ? (
                          <Select
                            aria-label={`Role of ${member.name}`}
                            data={roles}
                            value={member.role}
                            allowDeselect={false}
                            w={130}
                            size="xs"
                            onChange={(role) => role && changeRole.mutate({ userId: member.userId, role: role as Role })}
                          />
                        ) : (
                          <Text size="sm">{member.role}</Text>
                        )}
                      </Table.Td>
                      <Table.Td>{formatDateTime(member.joinedAt)}</Table.Td>
                      <Table.Td ta="right">
                        {canManage && !self && (
                          <ActionIcon
                            color="red"
                            variant="subtle"
                            aria-label={`Remove ${member.name}`}
                            onClick={() =>
                              confirmAction({
                                title: `Remove ${member.name}?`,
                                message: 'They lose access to this workspace, and API keys they created stop working.',
                                confirm: 'Remove',
                                onConfirm: () => removeMember.mutate(member.userId),
                              })
                            }
                          >
                            <IconTrash size={16} />
                          </ActionIcon>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
      {canManage && (invitations.data?.items.length ?? 0) > 0 && (
        <Card withBorder>
          <Title order={2} size="h5" mb="sm">
            Pending invitations
          </Title>
          <Stack gap="xs">
            {invitations.data!.items.map((invitation) => (
              <Group key={invitation.id} justify="space-between">
                <Text size="sm">
                  {invitation.email} · {invitation.role} · expires {formatDateTime(invitation.expiresAt)}
                </Text>
                <Button size="xs" variant="subtle" color="red" onClick={() => cancelInvitation.mutate(invitation.id)}>
                  Withdraw
                </Button>
              </Group>
            ))}
          </Stack>
        </Card>
      )}
    </Stack>
  );
}
