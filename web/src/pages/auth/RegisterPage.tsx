import { Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { useSession } from '../../auth/session';
import { FormError, useFormError } from '../../components/form-error';
import { AuthCard } from './AuthCard';

const SETUP_TOKEN_PROBLEMS = new Set(['urn:siteprint:problem:setup-token-required', 'urn:siteprint:problem:invalid-setup-token']);

/**
 * The setup token from the link the server prints at start (`/register#setup-token=…`). It
 * travels in the fragment, which browsers never send, so it stays out of request logs; it is
 * taken off the address bar at once.
 */
function setupTokenFromLink(): string {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('setup-token') ?? '';
  if (token) window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
  return token;
}

export default function RegisterPage() {
  const session = useSession();
  const { error, capture } = useFormError();
  const [initialToken] = useState(setupTokenFromLink);
  // Shown when the link carried a token or the server says the first account needs one.
  const [askForToken, setAskForToken] = useState(initialToken !== '');
  const form = useForm({
    initialValues: { name: '', email: '', password: '', setupToken: initialToken },
    validate: {
      name: (value) => (value.trim() ? null : 'Enter your name'),
      email: (value) => (/^\S+@\S+$/.test(value) ? null : 'Enter an email address'),
      password: (value) => (value.length >= 10 ? null : 'Use at least 10 characters'),
      setupToken: (value) => (askForToken && !value.trim() ? 'Enter the setup token from the server log' : null),
    },
  });
  const submit = (values: typeof form.values) =>
    capture(async () => {
      try {
        await session.register(values.name.trim(), values.email, values.password, askForToken ? values.setupToken.trim() : undefined);
      } catch (caught) {
        if (caught instanceof ApiError && SETUP_TOKEN_PROBLEMS.has(caught.problem.type ?? '')) setAskForToken(true);
        throw caught;
      }
    });
  return (
    <AuthCard title="Create your account" footer={{ text: 'Already have an account?', link: 'Sign in', to: '/login' }}>
      <form onSubmit={form.onSubmit(submit)}>
        <Stack>
          <FormError error={error} />
          <TextInput label="Name" autoComplete="name" required {...form.getInputProps('name')} />
          <TextInput label="Email" type="email" autoComplete="email" required {...form.getInputProps('email')} />
          <PasswordInput
            label="Password"
            description="At least 10 characters"
            autoComplete="new-password"
            required
            {...form.getInputProps('password')}
          />
          {askForToken && (
            <TextInput
              label="Setup token"
              description="This instance has no administrator yet: the first account becomes it. Copy the token from the server's log (the line starting “No administrator yet”)."
              autoComplete="off"
              spellCheck={false}
              required
              {...form.getInputProps('setupToken')}
            />
          )}
          <Button type="submit" loading={form.submitting}>
            Create account
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
