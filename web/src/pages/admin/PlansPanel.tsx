import { Button, Card, Group, NumberInput, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconPlus } from '@tabler/icons-react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { FormError, useFormError } from '../../components/form-error';
import { EmptyState, QueryState } from '../../components/states';
import { DetailDrawer } from './DetailDrawer';
import { formatLimit, QuotaLimitsEditor, quotaLabels } from './QuotaLimitsEditor';

const quotaNames = Object.keys(quotaLabels) as Array<keyof Schemas['QuotaLimits']>;

function formatPrice(plan: Schemas['Plan']): string {
  if (plan.priceMonthlyCents === null) return '—';
  return `${(plan.priceMonthlyCents / 100).toFixed(2)} ${plan.currency ?? ''} / month`.trim();
}

/** The instance's default quotas and its plans (limits and price placeholders for a later billing provider). */
export function PlansPanel() {
  const queryClient = useQueryClient();
  const defaults = useQuery({ queryKey: ['admin', 'quota-defaults'], queryFn: () => unwrap(api.GET('/api/v1/admin/quota-defaults')) });
  const plans = useQuery({ queryKey: ['admin', 'plans'], queryFn: () => unwrap(api.GET('/api/v1/admin/plans')) });
  const [editing, setEditing] = useState<Schemas['Plan'] | null>(null);
  const saved = (message: string) => {
    notifications.show({ color: 'green', message });
    void queryClient.invalidateQueries({ queryKey: ['admin'] });
  };
  return (
    <Stack>
      <Card withBorder component="section" aria-label="Default quotas">
        <Title order={2} size="h5" mb={4}>
          Default quotas
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          Every workspace has these limits for what its plan and overrides leave out.
        </Text>
        <QueryState query={defaults}>
          {(data) => (
            <QuotaLimitsEditor
              key={JSON.stringify(data)}
              value={data}
              inheritLabel="Not set (unlimited)"
              saveLabel="Save defaults"
              onSave={async (limits) => {
                queryClient.setQueryData(
                  ['admin', 'quota-defaults'],
                  await unwrap(api.PUT('/api/v1/admin/quota-defaults', { body: limits })),
                );
                saved('Default quotas saved');
              }}
            />
          )}
        </QueryState>
      </Card>
      <Card withBorder component="section" aria-label="Plans">
        <Title order={2} size="h5" mb="sm">
          Plans
        </Title>
        <QueryState query={plans}>
          {(data) =>
            data.items.length === 0 ? (
              <EmptyState title="No plans">A plan gives the workspaces put on it a set of limits.</EmptyState>
            ) : (
              <Table.ScrollContainer minWidth={720}>
                <Table verticalSpacing="xs" aria-label="Plans">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Plan</Table.Th>
                      {quotaNames.map((name) => (
                        <Table.Th key={name}>{quotaLabels[name].label}</Table.Th>
                      ))}
                      <Table.Th>Price</Table.Th>
                      <Table.Th />
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.map((plan) => (
                      <Table.Tr key={plan.id}>
                        <Table.Td fw={500}>{plan.name}</Table.Td>
                        {quotaNames.map((name) => (
                          <Table.Td key={name}>{plan.limits[name] === undefined ? 'default' : formatLimit(plan.limits[name])}</Table.Td>
                        ))}
                        <Table.Td>{formatPrice(plan)}</Table.Td>
                        <Table.Td ta="right">
                          <Button size="xs" variant="default" aria-label={`Edit ${plan.name}`} onClick={() => setEditing(plan)}>
                            Edit
                          </Button>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )
          }
        </QueryState>
        <NewPlan onCreated={(plan) => saved(`Plan ${plan.name} created`)} />
      </Card>
      <DetailDrawer opened={editing !== null} onClose={() => setEditing(null)} title={editing ? `Plan ${editing.name}` : 'Plan'}>
        {editing && (
          <QuotaLimitsEditor
            value={editing.limits}
            inheritLabel="From defaults"
            saveLabel="Save plan limits"
            onSave={async (limits) => {
              await unwrap(api.PATCH('/api/v1/admin/plans/{id}', { params: { path: { id: editing.id } }, body: { limits } }));
              saved(`Plan ${editing.name} saved`);
              setEditing(null);
            }}
          />
        )}
      </DetailDrawer>
    </Stack>
  );
}

/** A new plan starts with no limits of its own (the defaults apply) and can be given some with Edit. */
function NewPlan({ onCreated }: { onCreated: (plan: Schemas['Plan']) => void }) {
  const { error, capture } = useFormError();
  const form = useForm({
    initialValues: { name: '', price: '' as number | string, currency: '' },
    validate: {
      name: (value) => (value.trim() ? null : 'Name the plan'),
      currency: (value, values) =>
        values.price !== '' && !/^[A-Z]{3}$/.test(value) ? 'A price needs an ISO 4217 currency such as EUR' : null,
    },
  });
  return (
    <form
      onSubmit={form.onSubmit((values) =>
        capture(async () => {
          const price = typeof values.price === 'number' ? Math.round(values.price * 100) : null;
          const plan = await unwrap(
            api.POST('/api/v1/admin/plans', {
              body: { name: values.name.trim(), limits: {}, priceMonthlyCents: price, currency: price === null ? null : values.currency },
            }),
          );
          form.reset();
          onCreated(plan);
        }),
      )}
    >
      <Group align="flex-end" gap="sm" mt="md">
        <TextInput label="New plan name" style={{ flex: '2 1 160px' }} {...form.getInputProps('name')} />
        <NumberInput label="Monthly price" min={0} decimalScale={2} style={{ flex: '1 1 110px' }} {...form.getInputProps('price')} />
        <TextInput label="Currency" placeholder="EUR" maxLength={3} style={{ flex: '1 1 80px' }} {...form.getInputProps('currency')} />
        <Button type="submit" leftSection={<IconPlus size={16} />} loading={form.submitting}>
          Create plan
        </Button>
      </Group>
      <FormError error={error} />
    </form>
  );
}
