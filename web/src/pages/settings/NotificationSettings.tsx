import { Badge, Button, Card, Code, Group, Modal, MultiSelect, Select, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import {} from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, errorMessage, unwrap, type Schemas } from '../../api/client';
import type { paths } from '../../api/schema';
import { useCurrentWorkspace } from '../../auth/workspace';
import { DestructiveButton } from '../../components/confirm';
import { SecretShownOnce } from '../../components/SecretShownOnce';
import { formatDateTime } from '../../components/format';
import { EmptyState, QueryState } from '../../components/states';

type Preference = Schemas['NotificationPreference'];
type EventType = Preference['eventType'];
/** An event type or `*` (every event), as endpoints and channels subscribe. */
type Subscribed = paths['/api/v1/webhooks']['post']['requestBody']['content']['application/json']['eventTypes'][number];

const eventLabels: Record<EventType, string> = {
  'analysis.succeeded': 'Analysis succeeded',
  'analysis.failed': 'Analysis failed',
  'site.health_changed': 'Site health changed',
  'blueprint.version_created': 'Blueprint version created',
  'blueprint.repair_failed': 'Blueprint repair failed',
  'job.failed': 'Job failed',
  'llm.budget_threshold': 'LLM budget threshold',
  'quota.threshold': 'Quota threshold',
  'report.ready': 'Report ready',
  'daily.summary': 'Daily summary',
};
const eventOptions = [
  { value: '*', label: 'Every event' },
  ...Object.entries(eventLabels).map(([value, label]) => ({ value, label: `${label} (${value})` })),
];
const emailModes = [
  { value: 'off', label: 'Off' },
  { value: 'immediate', label: 'Immediately' },
  { value: 'digest', label: 'In the daily summary' },
];
const hours = Array.from({ length: 24 }, (_, hour) => ({ value: String(hour), label: `${String(hour).padStart(2, '0')}:00` }));
const timeZones = (() => {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
})();

const toast = {
  ok: (message: string) => notifications.show({ color: 'green', message }),
  failed: (title: string) => (error: unknown) => notifications.show({ color: 'red', title, message: errorMessage(error) }),
};

function Preferences() {
  const queryClient = useQueryClient();
  const preferences = useQuery({
    queryKey: ['notification-preferences'],
    queryFn: () => unwrap(api.GET('/api/v1/notification-preferences')),
  });
  const save = useMutation({
    mutationFn: (item: Preference) => unwrap(api.PUT('/api/v1/notification-preferences', { body: { items: [item] } })),
    onSuccess: (data) => queryClient.setQueryData(['notification-preferences'], data),
    onError: toast.failed('Could not save the preference'),
  });
  return (
    <Card withBorder>
      <Title order={2} size="h5">
        Your notifications
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Which events reach you by email and in the bell, in this workspace.
      </Text>
      <QueryState query={preferences}>
        {(data) => (
          <Table.ScrollContainer minWidth={420}>
            <Table verticalSpacing="xs" aria-label="Notification preferences">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Event</Table.Th>
                  <Table.Th>Email</Table.Th>
                  <Table.Th>In the app</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((item) => (
                  <Table.Tr key={item.eventType}>
                    <Table.Td>
                      <Text size="sm">{eventLabels[item.eventType]}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Select
                        aria-label={`Email for ${eventLabels[item.eventType]}`}
                        data={emailModes}
                        value={item.email}
                        allowDeselect={false}
                        size="xs"
                        w={180}
                        onChange={(email) => email && save.mutate({ ...item, email: email as Preference['email'] })}
                      />
                    </Table.Td>
                    <Table.Td>
                      <Switch
                        aria-label={`In the app for ${eventLabels[item.eventType]}`}
                        checked={item.inApp}
                        onChange={(event) => save.mutate({ ...item, inApp: event.currentTarget.checked })}
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
    </Card>
  );
}

function DailySummary({ canManage }: { canManage: boolean }) {
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: ['notification-settings'], queryFn: () => unwrap(api.GET('/api/v1/notification-settings')) });
  const form = useForm({ initialValues: { summaryEnabled: true, summaryHour: '8', timeZone: 'UTC', summaryWhenQuiet: false } });
  const { setValues, resetDirty } = form;
  useEffect(() => {
    if (!settings.data) return;
    const values = { ...settings.data, summaryHour: String(settings.data.summaryHour) };
    setValues(values);
    resetDirty(values);
    // Load the saved values once they arrive; the form functions are stable.
  }, [settings.data]);
  return (
    <Card withBorder>
      <Title order={2} size="h5">
        Daily summary
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Analyses, failures, health changes, repairs and LLM spend of the last 24 hours, sent at this hour to whoever receives it.
      </Text>
      <QueryState query={settings}>
        {() => (
          <form
            onSubmit={form.onSubmit(async (values) => {
              try {
                const saved = await unwrap(
                  api.PUT('/api/v1/notification-settings', { body: { ...values, summaryHour: Number(values.summaryHour) } }),
                );
                queryClient.setQueryData(['notification-settings'], saved);
                toast.ok('Daily summary settings saved');
              } catch (error) {
                toast.failed('Could not save the summary settings')(error);
              }
            })}
          >
            <Stack gap="sm">
              <Switch label="Send a daily summary" disabled={!canManage} {...form.getInputProps('summaryEnabled', { type: 'checkbox' })} />
              <Group gap="sm" align="flex-end">
                <Select
                  label="Hour"
                  data={hours}
                  allowDeselect={false}
                  w={110}
                  disabled={!canManage}
                  {...form.getInputProps('summaryHour')}
                />
                <Select
                  label="Time zone"
                  data={timeZones}
                  searchable
                  allowDeselect={false}
                  style={{ flex: '1 1 200px' }}
                  maw={320}
                  disabled={!canManage}
                  {...form.getInputProps('timeZone')}
                />
              </Group>
              <Switch
                label="Also on days nothing happened"
                disabled={!canManage}
                {...form.getInputProps('summaryWhenQuiet', { type: 'checkbox' })}
              />
              {canManage ? (
                <Group>
                  <Button type="submit" loading={form.submitting}>
                    Save summary settings
                  </Button>
                </Group>
              ) : (
                <Text size="xs" c="dimmed">
                  Owners and admins change these.
                </Text>
              )}
            </Stack>
          </form>
        )}
      </QueryState>
    </Card>
  );
}

/** A webhook's signing secret, shown once after creation. */
function CreatedSecret({ endpoint, onClose }: { endpoint: Schemas['CreatedWebhookEndpoint'] | null; onClose: () => void }) {
  return (
    <SecretShownOnce
      secret={endpoint?.secret ?? null}
      title="Webhook endpoint added"
      what="the signing secret"
      testId="webhook-secret"
      onClose={onClose}
    >
      Check each delivery&apos;s <Code>webhook-signature</Code> with it, the Standard Webhooks way (see the README).
    </SecretShownOnce>
  );
}

const statusColor: Record<string, string> = { delivered: 'green', failed: 'red', retrying: 'orange', sending: 'blue', pending: 'gray' };

function DeliveryLog({ endpoint, onClose }: { endpoint: Schemas['WebhookEndpoint'] | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const deliveries = useQuery({
    queryKey: ['webhook-deliveries', endpoint?.id],
    queryFn: () =>
      unwrap(api.GET('/api/v1/webhooks/{endpointId}/deliveries', { params: { path: { endpointId: endpoint!.id }, query: { limit: 50 } } })),
    enabled: endpoint !== null,
    refetchInterval: 5_000,
  });
  const redeliver = useMutation({
    mutationFn: (deliveryId: string) =>
      unwrap(
        api.POST('/api/v1/webhooks/{endpointId}/deliveries/{deliveryId}/redeliver', {
          params: { path: { endpointId: endpoint!.id, deliveryId } },
        }),
      ),
    onSuccess: () => {
      toast.ok('Queued for redelivery');
      void queryClient.invalidateQueries({ queryKey: ['webhook-deliveries'] });
    },
    onError: toast.failed('Could not redeliver'),
  });
  return (
    <Modal opened={endpoint !== null} onClose={onClose} title={`Deliveries to ${endpoint?.url ?? ''}`} size="xl">
      <QueryState query={deliveries}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState title="No deliveries yet">Send a test event to see one here.</EmptyState>
          ) : (
            <Stack gap="sm">
              {data.items.map((delivery) => (
                <Card withBorder key={delivery.id} p="sm" aria-label={`Delivery ${delivery.eventType}`}>
                  <Group justify="space-between" gap="xs">
                    <Group gap="xs">
                      <Badge color={statusColor[delivery.status]} variant="light">
                        {delivery.status}
                      </Badge>
                      <Code>{delivery.eventType}</Code>
                      <Text size="xs" c="dimmed">
                        {formatDateTime(delivery.createdAt)}
                      </Text>
                    </Group>
                    {(delivery.status === 'delivered' || delivery.status === 'failed') && (
                      <Button size="compact-xs" variant="light" onClick={() => redeliver.mutate(delivery.id)} disabled={!endpoint?.enabled}>
                        Redeliver
                      </Button>
                    )}
                  </Group>
                  <Table.ScrollContainer minWidth={420} mt="xs">
                    <Table fz="xs" verticalSpacing={4} aria-label="Attempts">
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>#</Table.Th>
                          <Table.Th>When</Table.Th>
                          <Table.Th>Outcome</Table.Th>
                          <Table.Th>Latency</Table.Th>
                          <Table.Th>Response</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {delivery.attemptLog.map((attempt) => (
                          <Table.Tr key={attempt.attempt}>
                            <Table.Td>{attempt.attempt}</Table.Td>
                            <Table.Td>{formatDateTime(attempt.startedAt)}</Table.Td>
                            <Table.Td>
                              {attempt.outcome}
                              {attempt.responseStatus !== null ? ` (${attempt.responseStatus})` : ''}
                            </Table.Td>
                            <Table.Td>{attempt.latencyMs !== null ? `${attempt.latencyMs} ms` : '—'}</Table.Td>
                            <Table.Td style={{ overflowWrap: 'anywhere' }}>{attempt.error ?? attempt.responseExcerpt ?? ''}</Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  </Table.ScrollContainer>
                </Card>
              ))}
            </Stack>
          )
        }
      </QueryState>
    </Modal>
  );
}

function Webhooks() {
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<Schemas['CreatedWebhookEndpoint'] | null>(null);
  const [logOf, setLogOf] = useState<Schemas['WebhookEndpoint'] | null>(null);
  const endpoints = useQuery({ queryKey: ['webhooks'], queryFn: () => unwrap(api.GET('/api/v1/webhooks')) });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['webhooks'] });
  const form = useForm({
    initialValues: { url: '', description: '', eventTypes: ['*'] as string[] },
    validate: {
      url: (value) => (URL.canParse(value.trim()) ? null : 'Enter the http(s) URL that receives the POSTs'),
      eventTypes: (value) => (value.length ? null : 'Pick at least one event'),
    },
  });
  const test = useMutation({
    mutationFn: (endpointId: string) => unwrap(api.POST('/api/v1/webhooks/{endpointId}/test', { params: { path: { endpointId } } })),
    onSuccess: () => toast.ok('Test event queued'),
    onError: toast.failed('Could not send the test event'),
  });
  const setEnabled = useMutation({
    mutationFn: ({ endpointId, enabled }: { endpointId: string; enabled: boolean }) =>
      unwrap(api.PATCH('/api/v1/webhooks/{endpointId}', { params: { path: { endpointId } }, body: { enabled } })),
    onSuccess: refresh,
    onError: toast.failed('Could not change the endpoint'),
  });
  const remove = useMutation({
    mutationFn: (endpointId: string) => unwrap(api.DELETE('/api/v1/webhooks/{endpointId}', { params: { path: { endpointId } } })),
    onSuccess: () => {
      toast.ok('Webhook endpoint removed');
      refresh();
    },
    onError: toast.failed('Could not remove the endpoint'),
  });
  return (
    <Card withBorder>
      <Title order={2} size="h5">
        Webhook endpoints
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Signed POSTs (Standard Webhooks) for the events you choose, retried for about a day.
      </Text>
      <form
        onSubmit={form.onSubmit(async (values) => {
          try {
            const description = values.description.trim();
            const body = { url: values.url.trim(), eventTypes: values.eventTypes as Subscribed[], ...(description ? { description } : {}) };
            setCreated(await unwrap(api.POST('/api/v1/webhooks', { body })));
            form.reset();
            refresh();
          } catch (error) {
            toast.failed('Could not add the endpoint')(error);
          }
        })}
      >
        <Group align="flex-end" gap="sm" mb="md">
          <TextInput
            label="Endpoint URL"
            placeholder="https://hooks.example.com/siteprint"
            style={{ flex: '2 1 240px' }}
            {...form.getInputProps('url')}
          />
          <TextInput label="Description" placeholder="Ops alerts" style={{ flex: '1 1 160px' }} {...form.getInputProps('description')} />
          <MultiSelect label="Events" data={eventOptions} style={{ flex: '2 1 240px' }} {...form.getInputProps('eventTypes')} />
          <Button type="submit" loading={form.submitting}>
            Add endpoint
          </Button>
        </Group>
      </form>
      <QueryState query={endpoints}>
        {(data) =>
          data.items.length === 0 ? (
            <Text size="sm" c="dimmed">
              No webhook endpoints yet.
            </Text>
          ) : (
            <Stack gap="xs">
              {data.items.map((endpoint) => (
                <Card withBorder p="sm" key={endpoint.id} aria-label={`Webhook ${endpoint.url}`}>
                  <Stack gap={4}>
                    <Group gap="xs" justify="space-between">
                      <Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>
                        {endpoint.url}
                      </Text>
                      <Badge color={endpoint.enabled ? 'green' : 'red'} variant="light">
                        {endpoint.enabled ? 'enabled' : 'disabled'}
                      </Badge>
                    </Group>
                    {endpoint.description && (
                      <Text size="xs" c="dimmed">
                        {endpoint.description}
                      </Text>
                    )}
                    {endpoint.disabledReason && (
                      <Text size="xs" c="red">
                        Disabled: {endpoint.disabledReason}
                      </Text>
                    )}
                    <Group gap={4}>
                      {endpoint.eventTypes.map((type) => (
                        <Badge key={type} size="xs" variant="default" tt="none">
                          {type === '*' ? 'every event' : type}
                        </Badge>
                      ))}
                    </Group>
                    <Group gap="xs" mt={4}>
                      <Button size="compact-sm" variant="light" onClick={() => test.mutate(endpoint.id)} disabled={!endpoint.enabled}>
                        Send test event
                      </Button>
                      <Button size="compact-sm" variant="light" onClick={() => setLogOf(endpoint)}>
                        Delivery log
                      </Button>
                      <Button
                        size="compact-sm"
                        variant="default"
                        onClick={() => setEnabled.mutate({ endpointId: endpoint.id, enabled: !endpoint.enabled })}
                      >
                        {endpoint.enabled ? 'Disable' : 'Enable'}
                      </Button>
                      <DestructiveButton
                        size="compact-sm"
                        action="Remove"
                        title="Remove this endpoint?"
                        message={`${endpoint.url} stops receiving events, and its delivery log goes with it.`}
                        onConfirm={() => remove.mutate(endpoint.id)}
                      />
                    </Group>
                  </Stack>
                </Card>
              ))}
            </Stack>
          )
        }
      </QueryState>
      <CreatedSecret endpoint={created} onClose={() => setCreated(null)} />
      <DeliveryLog endpoint={logOf} onClose={() => setLogOf(null)} />
    </Card>
  );
}

function SlackChannels() {
  const queryClient = useQueryClient();
  const channels = useQuery({ queryKey: ['notification-channels'], queryFn: () => unwrap(api.GET('/api/v1/notification-channels')) });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['notification-channels'] });
  const form = useForm({
    initialValues: { name: '', url: '', eventTypes: ['site.health_changed', 'analysis.failed'] as string[] },
    validate: {
      name: (value) => (value.trim() ? null : 'Name the channel'),
      url: (value) => (URL.canParse(value.trim()) ? null : 'Paste the incoming-webhook URL from Slack'),
      eventTypes: (value) => (value.length ? null : 'Pick at least one event'),
    },
  });
  const remove = useMutation({
    mutationFn: (channelId: string) => unwrap(api.DELETE('/api/v1/notification-channels/{channelId}', { params: { path: { channelId } } })),
    onSuccess: () => {
      toast.ok('Slack channel removed');
      refresh();
    },
    onError: toast.failed('Could not remove the channel'),
  });
  return (
    <Card withBorder>
      <Title order={2} size="h5">
        Slack channels
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Messages with links back to the dashboard, through a Slack incoming webhook.
      </Text>
      <form
        onSubmit={form.onSubmit(async (values) => {
          try {
            await unwrap(
              api.POST('/api/v1/notification-channels', {
                body: {
                  kind: 'slack',
                  name: values.name.trim(),
                  url: values.url.trim(),
                  eventTypes: values.eventTypes as Subscribed[],
                },
              }),
            );
            toast.ok('Slack channel added');
            form.reset();
            refresh();
          } catch (error) {
            toast.failed('Could not add the channel')(error);
          }
        })}
      >
        <Group align="flex-end" gap="sm" mb="md">
          <TextInput label="Channel name" placeholder="#ops" style={{ flex: '1 1 140px' }} {...form.getInputProps('name')} />
          <TextInput
            label="Incoming webhook URL"
            placeholder="https://hooks.slack.com/services/…"
            style={{ flex: '2 1 240px' }}
            {...form.getInputProps('url')}
          />
          <MultiSelect label="Slack events" data={eventOptions} style={{ flex: '2 1 240px' }} {...form.getInputProps('eventTypes')} />
          <Button type="submit" loading={form.submitting}>
            Add channel
          </Button>
        </Group>
      </form>
      <QueryState query={channels}>
        {(data) =>
          data.items.length === 0 ? (
            <Text size="sm" c="dimmed">
              No Slack channels yet.
            </Text>
          ) : (
            <Stack gap="xs">
              {data.items.map((channel) => (
                <Group key={channel.id} justify="space-between" gap="xs" wrap="nowrap" aria-label={`Slack channel ${channel.name}`}>
                  <div style={{ minWidth: 0 }}>
                    <Text size="sm" fw={500}>
                      {channel.name}
                    </Text>
                    <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                      {channel.eventTypes.map((type) => (type === '*' ? 'every event' : type)).join(', ')}
                    </Text>
                  </div>
                  <DestructiveButton
                    size="compact-sm"
                    action="Remove"
                    ariaLabel={`Remove ${channel.name}`}
                    title={`Remove ${channel.name}?`}
                    message="Slack stops receiving events from this workspace there."
                    onConfirm={() => remove.mutate(channel.id)}
                  />
                </Group>
              ))}
            </Stack>
          )
        }
      </QueryState>
    </Card>
  );
}

/**
 * Settings → Notifications: your own preferences, and the workspace's summary, webhooks and Slack
 * (with their event pickers) for whoever the workspace grants `notifications:manage` (owners and admins).
 */
export function NotificationSettings() {
  const canManage = useCurrentWorkspace().data?.permissions.includes('notifications:manage') ?? false;
  return (
    <Stack maw={960}>
      <Preferences />
      <DailySummary canManage={canManage} />
      {canManage && <Webhooks />}
      {canManage && <SlackChannels />}
    </Stack>
  );
}
