import { Button, Card, Group, MultiSelect, NumberInput, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { formatUsd, humanize } from '../../components/format';
import { FormError, useFormError } from '../../components/form-error';
import { QueryState } from '../../components/states';

type Settings = Schemas['InstanceSettings'];
type Draft = Pick<Settings, 'registrationMode' | 'allowedOAuthProviders' | 'llmDefaultMonthlyBudgetUsd'>;

const registrationModes: Array<{ value: Settings['registrationMode']; label: string }> = [
  { value: 'open', label: 'Open: anyone may sign up' },
  { value: 'invite-only', label: 'Invite-only: invited addresses only' },
  { value: 'closed', label: 'Closed: nobody signs up' },
];

/** Runtime settings of the instance (system administrators): registration, OAuth providers, LLM budget, and an SMTP test. */
export function SettingsPanel() {
  const settings = useQuery({ queryKey: ['admin', 'settings'], queryFn: () => unwrap(api.GET('/api/v1/admin/settings')) });
  return <QueryState query={settings}>{(data) => <SettingsForm settings={data} />}</QueryState>;
}

/** The editable part: the answer also carries what the environment decides, which the PUT refuses. */
const draftOf = ({ registrationMode, allowedOAuthProviders, llmDefaultMonthlyBudgetUsd }: Settings): Draft => ({
  registrationMode,
  allowedOAuthProviders,
  llmDefaultMonthlyBudgetUsd,
});

function SettingsForm({ settings }: { settings: Settings }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(settings));
  useEffect(() => setDraft(draftOf(settings)), [settings]);
  const save = useFormError();
  const update = useMutation({
    mutationFn: (body: Draft) => unwrap(api.PUT('/api/v1/admin/settings', { body })),
    onSuccess: (saved) => {
      queryClient.setQueryData(['admin', 'settings'], saved);
      notifications.show({ color: 'green', message: 'Settings saved; every process uses them now' });
    },
  });
  const configured = settings.environment.configuredOAuthProviders;
  // null (every configured provider) shows as all of them ticked; saving what is ticked stores a list.
  const allowed = draft.allowedOAuthProviders ?? configured;
  return (
    <Stack gap="lg">
      <Card
        withBorder
        component="form"
        onSubmit={(event) => {
          event.preventDefault();
          void save.capture(() => update.mutateAsync(draft));
        }}
      >
        <Stack gap="sm">
          <Title order={3} size="h4">
            Sign-up and sign-in
          </Title>
          <Select
            label="Registration"
            description="The first administrator can always register"
            data={registrationModes}
            value={draft.registrationMode}
            allowDeselect={false}
            onChange={(value) => value && setDraft({ ...draft, registrationMode: value as Settings['registrationMode'] })}
          />
          <MultiSelect
            label="Allowed OAuth providers"
            description={
              configured.length
                ? 'Of those whose client id and secret are set in the environment'
                : 'None configured: set GOOGLE_CLIENT_ID/SECRET or GITHUB_CLIENT_ID/SECRET'
            }
            data={configured.map((name) => ({ value: name, label: humanize(name) }))}
            value={allowed}
            disabled={!configured.length}
            onChange={(value) => setDraft({ ...draft, allowedOAuthProviders: value as Draft['allowedOAuthProviders'] })}
          />
          <NumberInput
            label="Default monthly LLM budget (USD)"
            description={`For workspaces that set none; empty uses LLM_MONTHLY_BUDGET_USD (${formatUsd(settings.environment.llmMonthlyBudgetUsd)})`}
            min={0}
            decimalScale={2}
            value={draft.llmDefaultMonthlyBudgetUsd ?? ''}
            onChange={(value) => setDraft({ ...draft, llmDefaultMonthlyBudgetUsd: value === '' ? null : Number(value) })}
          />
          <Text size="sm" c="dimmed">
            Default quotas are edited with plans and quotas.
          </Text>
          <FormError error={save.error} />
          <Group>
            <Button type="submit" loading={update.isPending}>
              Save settings
            </Button>
          </Group>
        </Stack>
      </Card>
      <SmtpTest configured={settings.environment.smtpConfigured} mailFrom={settings.environment.mailFrom} />
    </Stack>
  );
}

function SmtpTest({ configured, mailFrom }: { configured: boolean; mailFrom: string }) {
  const [to, setTo] = useState('');
  const test = useFormError();
  const send = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/admin/settings/smtp-test', { body: to ? { to } : {} })),
    onSuccess: (result) => notifications.show({ color: 'green', title: `Test email sent to ${result.to}`, message: result.response }),
  });
  return (
    <Card
      withBorder
      component="form"
      onSubmit={(event) => {
        event.preventDefault();
        void test.capture(() => send.mutateAsync());
      }}
    >
      <Stack gap="sm">
        <Title order={3} size="h4">
          Email
        </Title>
        <Text size="sm" c="dimmed">
          {configured ? `Sent through SMTP_URL from ${mailFrom}.` : 'SMTP_URL is not set: emails wait in the outbox until it is.'}
        </Text>
        <TextInput
          label="Send a test email to"
          placeholder="you (leave empty)"
          type="email"
          value={to}
          onChange={(event) => setTo(event.currentTarget.value)}
        />
        <FormError error={test.error} />
        <Group>
          <Button type="submit" variant="default" loading={send.isPending} disabled={!configured}>
            Send test email
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
