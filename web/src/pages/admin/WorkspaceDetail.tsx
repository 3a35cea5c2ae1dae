import { Alert, Badge, Button, Group, Select, SimpleGrid, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { confirmAction } from '../../components/confirm';
import { FormError, useFormError } from '../../components/form-error';
import { formatDateTime, formatUsd } from '../../components/format';
import { Stat } from '../../components/Stat';
import { QueryState } from '../../components/states';
import { DetailDrawer } from './DetailDrawer';
import { formatLimit, QuotaLimitsEditor } from './QuotaLimitsEditor';

/** A workspace's suspension, members, this month's usage against its limits, and its plan and quota overrides. */
export function WorkspaceDetail({ workspace, onClose }: { workspace: Schemas['AdminWorkspace'] | null; onClose: () => void }) {
  return (
    <DetailDrawer opened={workspace !== null} onClose={onClose} title={workspace?.name ?? 'Workspace'}>
      {workspace && (
        <Stack>
          <Suspension workspace={workspace} />
          <Members workspaceId={workspace.id} />
          <Usage workspaceId={workspace.id} />
          <Quota workspaceId={workspace.id} />
        </Stack>
      )}
    </DetailDrawer>
  );
}

/** Suspends the workspace with a reason its members see, or lifts the suspension; both ask first. */
function Suspension({ workspace }: { workspace: Schemas['AdminWorkspace'] }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const { error, capture } = useFormError();
  const path = { params: { path: { id: workspace.id } } };
  const done = (message: string) => {
    void queryClient.invalidateQueries({ queryKey: ['admin', 'workspaces'] });
    notifications.show({ color: 'green', message });
  };
  const suspend = () =>
    confirmAction({
      title: `Suspend ${workspace.name}?`,
      message:
        'Its members can then only read why; its API keys are refused, its scheduled checks and reports do not run, and its jobs are cancelled when a worker reaches them. Unsuspending brings all but the cancelled jobs back.',
      confirm: 'Suspend',
      onConfirm: () =>
        capture(async () => {
          await unwrap(api.POST('/api/v1/admin/workspaces/{id}/suspend', { ...path, body: { reason: reason.trim() } }));
          setReason('');
          done(`${workspace.name} is suspended`);
        }),
    });
  const unsuspend = () =>
    confirmAction({
      title: `Unsuspend ${workspace.name}?`,
      message: 'Its members, API keys and schedules work again at once.',
      confirm: 'Unsuspend',
      destructive: false,
      onConfirm: () =>
        capture(async () => {
          await unwrap(api.POST('/api/v1/admin/workspaces/{id}/unsuspend', path));
          done(`${workspace.name} is no longer suspended`);
        }),
    });
  return (
    <section aria-label="Suspension">
      <Title order={3} size="h5" mb="xs">
        Suspension
      </Title>
      {workspace.suspendedAt ? (
        <Stack gap="xs" align="flex-start">
          <Alert color="red" variant="light" title={`Suspended since ${formatDateTime(workspace.suspendedAt)}`} w="100%">
            {workspace.suspendedReason}
          </Alert>
          <Button size="xs" variant="default" onClick={unsuspend}>
            Unsuspend
          </Button>
        </Stack>
      ) : (
        <Stack gap="xs" align="flex-start">
          <Textarea
            label="Reason"
            description="Shown to its members and kept in the audit log"
            value={reason}
            onChange={(event) => setReason(event.currentTarget.value)}
            maxLength={500}
            autosize
            minRows={2}
            w="100%"
          />
          <Button size="xs" color="red" variant="light" disabled={!reason.trim()} onClick={suspend}>
            Suspend workspace
          </Button>
        </Stack>
      )}
      <FormError error={error} />
    </section>
  );
}

function Members({ workspaceId }: { workspaceId: string }) {
  const members = useQuery({
    queryKey: ['admin', 'workspace-members', workspaceId],
    queryFn: () => unwrap(api.GET('/api/v1/admin/workspaces/{id}/members', { params: { path: { id: workspaceId } } })),
  });
  return (
    <section aria-label="Members">
      <Title order={3} size="h5" mb="xs">
        Members
      </Title>
      <QueryState query={members}>
        {(data) => (
          <Table.ScrollContainer minWidth={400}>
            <Table aria-label="Members of the workspace">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Member</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Joined</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((member) => (
                  <Table.Tr key={member.userId}>
                    <Table.Td>
                      <Text size="sm">{member.email}</Text>
                      {member.disabled && (
                        <Badge color="red" variant="light" size="xs">
                          disabled
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{member.role}</Table.Td>
                    <Table.Td>{formatDateTime(member.joinedAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
    </section>
  );
}

function Usage({ workspaceId }: { workspaceId: string }) {
  const usage = useQuery({
    queryKey: ['admin', 'workspace-usage', workspaceId],
    queryFn: () => unwrap(api.GET('/api/v1/admin/workspaces/{id}/usage', { params: { path: { id: workspaceId } } })),
  });
  return (
    <section aria-label="Usage this month">
      <Title order={3} size="h5" mb="xs">
        Usage this month
      </Title>
      <QueryState query={usage}>
        {(data) => (
          <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="xs">
            <Stat size="sm" label="Sites" value={`${data.used.sites} of ${formatLimit(data.limits.sites)}`} />
            <Stat size="sm" label="Analyses" value={`${data.used.analyses} of ${formatLimit(data.limits.analysesPerMonth)}`} />
            <Stat
              size="sm"
              label="Extraction pages"
              value={`${data.used.extractionPages} of ${formatLimit(data.limits.extractionPagesPerMonth)}`}
            />
            <Stat size="sm" label="LLM cost" value={formatUsd(data.used.llmCostUsd)} hint={`resets ${formatDateTime(data.periodEnd)}`} />
          </SimpleGrid>
        )}
      </QueryState>
    </section>
  );
}

function Quota({ workspaceId }: { workspaceId: string }) {
  const queryClient = useQueryClient();
  const quota = useQuery({
    queryKey: ['admin', 'workspace-quota', workspaceId],
    queryFn: () => unwrap(api.GET('/api/v1/admin/workspaces/{id}/quota', { params: { path: { id: workspaceId } } })),
  });
  const plans = useQuery({ queryKey: ['admin', 'plans'], queryFn: () => unwrap(api.GET('/api/v1/admin/plans')) });
  const save = async (body: { planId?: string | null; overrides?: Schemas['QuotaLimits'] | null }) => {
    const updated = await unwrap(api.PUT('/api/v1/admin/workspaces/{id}/quota', { params: { path: { id: workspaceId } }, body }));
    queryClient.setQueryData(['admin', 'workspace-quota', workspaceId], updated);
    void queryClient.invalidateQueries({ queryKey: ['admin', 'workspace-usage', workspaceId] });
    notifications.show({ color: 'green', message: 'Quotas saved' });
  };
  return (
    <section aria-label="Plan and quota overrides">
      <Title order={3} size="h5" mb="xs">
        Plan and quota overrides
      </Title>
      <QueryState query={quota}>
        {(data) => (
          <Stack gap="sm">
            <PlanPicker current={data.plan?.id ?? null} plans={plans.data?.items ?? []} onSave={(planId) => save({ planId })} />
            <Text size="sm" c="dimmed">
              Overrides replace the plan&apos;s and the instance defaults&apos; limits for this workspace only.
            </Text>
            <QuotaLimitsEditor
              key={JSON.stringify(data.overrides)}
              value={data.overrides ?? {}}
              inheritLabel="From plan or defaults"
              saveLabel="Save overrides"
              onSave={(overrides) => save({ overrides: Object.keys(overrides).length ? overrides : null })}
            />
          </Stack>
        )}
      </QueryState>
    </section>
  );
}

function PlanPicker({
  current,
  plans,
  onSave,
}: {
  current: string | null;
  plans: Schemas['Plan'][];
  onSave: (planId: string | null) => Promise<unknown>;
}) {
  const [planId, setPlanId] = useState(current ?? '');
  const { error, capture } = useFormError();
  return (
    <Stack gap="xs">
      <Group align="flex-end" gap="xs">
        <Select
          label="Plan"
          data={[{ value: '', label: 'No plan (instance defaults)' }, ...plans.map((plan) => ({ value: plan.id, label: plan.name }))]}
          value={planId}
          allowDeselect={false}
          onChange={(value) => setPlanId(value ?? '')}
          w={{ base: '100%', xs: 260 }}
          comboboxProps={{ withinPortal: true }}
        />
        <Button
          size="xs"
          variant="default"
          disabled={planId === (current ?? '')}
          onClick={() => void capture(() => onSave(planId || null))}
        >
          Change plan
        </Button>
      </Group>
      <FormError error={error} />
    </Stack>
  );
}
