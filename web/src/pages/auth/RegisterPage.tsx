import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { useSession } from '../../auth/session';
import { AuthCard } from './AuthCard';

export default function RegisterPage() {
  const session = useSession();
  const [error, setError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { name: '', email: '', password: '' },
    validate: {
      name: (value) => (value.trim() ? null : 'Enter your name'),
      email: (value) => (/^\S+@\S+$/.test(value) ? null : 'Enter an email address'),
      password: (value) => (value.length >= 10 ? null : 'Use at least 10 characters'),
    },
  });
  return (
    <AuthCard title="Create your account" footer={{ text: 'Already have an account?', link: 'Sign in', to: '/login' }}>
      <form
        onSubmit={form.onSubmit(async (values) => {
          setError(null);
          try {
            await session.register(values.name.trim(), values.email, values.password);
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
          <TextInput label="Name" autoComplete="name" required {...form.getInputProps('name')} />
          <TextInput label="Email" type="email" autoComplete="email" required {...form.getInputProps('email')} />
          <PasswordInput
            label="Password"
            description="At least 10 characters"
            autoComplete="new-password"
            required
            {...form.getInputProps('password')}
          />
          <Button type="submit" loading={form.submitting}>
            Create account
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
