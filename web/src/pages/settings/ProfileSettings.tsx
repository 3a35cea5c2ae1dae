import { Button, Card, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';
import { FormError, useFormError } from '../../components/form-error';

export function ProfileSettings() {
  const session = useSession();
  const { error, capture } = useFormError();
  const profile = useForm({
    initialValues: { name: session.user?.name ?? '' },
    validate: { name: (value) => (value.trim() ? null : 'Enter your name') },
  });
  const password = useForm({
    initialValues: { currentPassword: '', newPassword: '', confirm: '' },
    validate: {
      newPassword: (value) => (value.length >= 10 ? null : 'Use at least 10 characters'),
      confirm: (value, values) => (value === values.newPassword ? null : 'The passwords differ'),
    },
  });
  return (
    <Stack maw={520}>
      <FormError error={error} />
      <Card withBorder>
        <Title order={2} size="h5" mb="sm">
          Profile
        </Title>
        <form
          onSubmit={profile.onSubmit((values) =>
            capture(async () => {
              session.setUser(await unwrap(api.PATCH('/api/v1/auth/me', { body: { name: values.name.trim() } })));
              notifications.show({ color: 'green', message: 'Profile saved' });
            }),
          )}
        >
          <Stack>
            <TextInput label="Email" value={session.user?.email ?? ''} readOnly />
            <TextInput label="Name" autoComplete="name" {...profile.getInputProps('name')} />
            <Button type="submit" w="fit-content" loading={profile.submitting}>
              Save profile
            </Button>
          </Stack>
        </form>
      </Card>
      <Card withBorder>
        <Title order={2} size="h5" mb="sm">
          Password
        </Title>
        <form
          onSubmit={password.onSubmit((values) =>
            capture(async () => {
              await unwrap(
                api.PATCH('/api/v1/auth/me', { body: { currentPassword: values.currentPassword, newPassword: values.newPassword } }),
              );
              password.reset();
              notifications.show({ color: 'green', message: 'Password changed; your other sessions were signed out' });
            }),
          )}
        >
          <Stack>
            {session.user?.hasPassword && (
              <PasswordInput label="Current password" autoComplete="current-password" {...password.getInputProps('currentPassword')} />
            )}
            <PasswordInput label="New password" autoComplete="new-password" {...password.getInputProps('newPassword')} />
            <PasswordInput label="Repeat the new password" autoComplete="new-password" {...password.getInputProps('confirm')} />
            <Button type="submit" w="fit-content" loading={password.submitting}>
              Change password
            </Button>
          </Stack>
        </form>
      </Card>
    </Stack>
  );
}
