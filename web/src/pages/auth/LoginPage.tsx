import { Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useSession } from '../../auth/session';
import { FormError, useFormError } from '../../components/form-error';
import { AuthCard } from './AuthCard';

export default function LoginPage() {
  const session = useSession();
  const { error, capture } = useFormError();
  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: {
      email: (value) => (/^\S+@\S+$/.test(value) ? null : 'Enter an email address'),
      password: (value) => (value ? null : 'Enter your password'),
    },
  });
  return (
    <AuthCard title="Sign in" footer={{ text: 'No account yet?', link: 'Create one', to: '/register' }}>
      <form onSubmit={form.onSubmit((values) => capture(() => session.login(values.email, values.password)))}>
        <Stack>
          <FormError error={error} />
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
