import { Alert, Button, Card, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { api, errorMessage, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';

export function ProfileSettings() {
  const session = useSession();
  const [error, setError] = useState<string | null>(null);
  const profile = useForm({ initialValues: { name: session.user?.name ?? '' }, validate: { name: (value) => (value.trim() ? null : 'Enter your name') } });
  const password = useForm({
    initialValues: { currentPassword: '', newPassword: '', confirm: '' },
    validate: {
      newPassword: (value) => (value.length >= 10 ? null : 'Use at least 10 characters'),
      confirm: (value, values) => (value === values.newPassword ? null : 'The passwords differ'),
    },
  });
  return (
    <Stack maw={520}>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      <Card withBorder>
        <Title order={2} size="h5" mb="sm">
          Profile
        </Title>
        <form
          onSubmit={profile.onSubmit(async (values) => {
            setError(null);
            try {
              session.setUser(await unwrap(api.PATCH('/api/v1/auth/me', { body: { name: values.name.trim() } })));
              notifications.show({ color: 'green', message: 'Profile saved' });
            } catch (caught) {
              setError(errorMessage(caught));
            }
          })}
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
          onSubmit={password.onSubmit(async (values) => {
            setError(null);
            try {
              await unwrap(api.PATCH('/api/v1/auth/me', { body: { currentPassword: values.currentPassword, newPassword: values.newPassword } }));
              password.reset();
              notifications.show({ color: 'green', message: 'Password changed; your other sessions were signed out' });
            } catch (caught) {
              setError(errorMessage(caught));
            }
          })}
        >
          <Stack>
            {session.user?.hasPassword && <PasswordInput label="Current password" autoComplete="current-password" {...password.getInputProps('currentPassword')} />}
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
