import { Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';
import { FormError, useFormError } from '../../components/form-error';

/**
 * Shown instead of the dashboard while an administrator's password reset is pending: the API
 * answers nothing else until the user has chosen a password of their own.
 */
export function ChangePasswordRequired() {
  const session = useSession();
  const { error, capture } = useFormError();
  const form = useForm({
    initialValues: { currentPassword: '', newPassword: '', confirm: '' },
    validate: {
      currentPassword: (value) => (value ? null : 'Enter the password you were given'),
      newPassword: (value) => (value.length >= 10 ? null : 'Use at least 10 characters'),
      confirm: (value, values) => (value === values.newPassword ? null : 'The passwords differ'),
    },
  });
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={420}>
        <form
          onSubmit={form.onSubmit((values) =>
            capture(async () => {
              session.setUser(
                await unwrap(
                  api.PATCH('/api/v1/auth/me', { body: { currentPassword: values.currentPassword, newPassword: values.newPassword } }),
                ),
              );
            }),
          )}
        >
          <Stack>
            <div>
              <Text fw={700} c="blue.8">
                Siteprint
              </Text>
              <Title order={1} size="h2">
                Choose a new password
              </Title>
            </div>
            <Text size="sm">An administrator reset your password. Choose a password of your own to continue, {session.user?.email}.</Text>
            <FormError error={error} />
            <PasswordInput label="Password you were given" autoComplete="current-password" {...form.getInputProps('currentPassword')} />
            <PasswordInput label="New password" autoComplete="new-password" {...form.getInputProps('newPassword')} />
            <PasswordInput label="Repeat the new password" autoComplete="new-password" {...form.getInputProps('confirm')} />
            <Button type="submit" loading={form.submitting}>
              Change password
            </Button>
            <Button variant="subtle" onClick={() => void session.logout()}>
              Sign out
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
