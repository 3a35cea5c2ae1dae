import { Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useSession } from '../../auth/session';
import { FormError, useFormError } from '../../components/form-error';
import { AuthCard } from './AuthCard';

export default function RegisterPage() {
  const session = useSession();
  const { error, capture } = useFormError();
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
        onSubmit={form.onSubmit((values) => capture(() => session.register(values.name.trim(), values.email, values.password)))}
      >
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
          <Button type="submit" loading={form.submitting}>
            Create account
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
