import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { useSession } from '../../auth/session';
import { AuthCard } from './AuthCard';

export default function LoginPage() {
  const session = useSession();
  const [error, setError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: {
      email: (value) => (/^\S+@\S+$/.test(value) ? null : 'Enter an email address'),
      password: (value) => (value ? null : 'Enter your password'),
    },
  });
  return (
    <AuthCard title="Sign in" footer={{ text: 'No account yet?', link: 'Create one', to: '/register' }}>
      <form
        onSubmit={form.onSubmit(async (values) => {
          setError(null);
          try {
            await session.login(values.email, values.password);
          } catch (caught) {
            setError(errorMessage(caught));
          }
        })}
      >
        <Stack>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <TextInput label="Email" type="email" autoComplete="email" required {...form.getInputProps('email')} />
          <PasswordInput label="Password" autoComplete="current-password" required {...form.getInputProps('password')} />
          <Button type="submit" loading={form.submitting}>
            Sign in
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
