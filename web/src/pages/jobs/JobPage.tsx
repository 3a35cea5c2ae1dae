import { Anchor, Badge, Button, Card, Code, Group, Progress, ScrollArea, SimpleGrid, Stack, Text, Timeline, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconClock, IconLoader2, IconPlayerStop, IconRefresh, IconX } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, errorMessage, unwrap, type Schemas } from '../../api/client';
import { JobStatusBadge } from '../../components/badges';
import { formatDateTime, formatDuration, formatUsd, humanize } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { Stat } from '../../components/Stat';
import { QueryState } from '../../components/states';

const stepIcons: Record<Schemas['Job']['status'], typeof IconCheck> = {
  queued: IconClock,
  running: IconLoader2,
  succeeded: IconCheck,
  failed: IconX,
  cancelled: IconPlayerStop,
};
const levelColors = { debug: 'gray', info: 'blue', warn: 'orange', error: 'red' } as const;

function StepTimeline({ steps }: { steps: Schemas['Job'][] }) {
  const reached = steps.filter((step) => step.status !== 'queued').length - 1;
  return (
    <Timeline active={reached} bulletSize={24} lineWidth={2}>
      {steps.map((step) => {
        const Icon = stepIcons[step.status];
        return (
          <Timeline.Item key={step.id} bullet={<Icon size={14} aria-hidden />} title={humanize(step.type)}>
            <Group gap="xs">
              <JobStatusBadge status={step.status} />
              <Text size="xs" c="dimmed">
                {formatDuration(step.durationMs)}
              </Text>
              <Anchor component={Link} to={`/jobs/${step.id}`} size="xs">
                details
              </Anchor>
            </Group>
            {step.error && (
              <Text size="xs" c="red.8">
                {step.error}
              </Text>
            )}
          </Timeline.Item>
        );
      })}
    </Timeline>
  );
}

/** The job's log lines; a job.log event refreshes them, so they stream while the job runs. */
function JobLogs({ jobId }: { jobId: string }) {
  const logs = useQuery({
    queryKey: ['job-logs', jobId],
    queryFn: () => unwrap(api.GET('/api/v1/jobs/{id}/logs', { params: { path: { id: jobId }, query: { limit: 500 } } })),
  });
  return (
    <QueryState query={logs}>
      {(data) =>
        data.items.length === 0 ? (
          <Text size="sm" c="dimmed">
            No log lines yet.
          </Text>
        ) : (
          <ScrollArea.Autosize mah={420} type="auto">
            <Stack gap={4} role="log" aria-label="Job log">
              {data.items.map((line) => (
                <Group key={line.id} gap="xs" wrap="nowrap" align="flex-start">
                  <Text size="xs" c="dimmed" ff="monospace" style={{ flexShrink: 0 }}>
                    {new Date(line.at).toLocaleTimeString()}
                  </Text>
                  <Badge size="xs" color={levelColors[line.level]} variant="light" style={{ flexShrink: 0 }}>
                    {line.level}
                  </Badge>
                  <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                    {line.message}
                  </Text>
                </Group>
              ))}
            </Stack>
          </ScrollArea.Autosize>
        )
      }
    </QueryState>
  );
}

export default function JobPage() {
  const { jobId = '' } = useParams();
  const queryClient = useQueryClient();
  const job = useQuery({
    queryKey: ['job', jobId],
    queryFn: () => unwrap(api.GET('/api/v1/jobs/{id}', { params: { path: { id: jobId } } })),
  });
  const act = useMutation({
    mutationFn: (action: 'cancel' | 'retry') =>
      unwrap(
        action === 'cancel'
          ? api.POST('/api/v1/jobs/{id}/cancel', { params: { path: { id: jobId } } })
          : api.POST('/api/v1/jobs/{id}/retry', { params: { path: { id: jobId } } }),
      ),
    onSuccess: (_, action) => {
      notifications.show({ color: 'blue', message: action === 'cancel' ? 'Cancelling at the next checkpoint' : 'Job queued again' });
      void queryClient.invalidateQueries({ queryKey: ['job', jobId] });
      void queryClient.invalidateQueries({ queryKey: ['jobs'] });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Action failed', message: errorMessage(error) }),
  });
  return (
    <QueryState query={job}>
      {(data) => {
        const active = data.status === 'queued' || data.status === 'running';
        return (
          <>
            <PageHeader
              title={humanize(data.type)}
              description={`Job ${data.id}`}
              actions={
                <>
                  <JobStatusBadge status={data.status} />
                  {active && (
                    <Button
                      size="xs"
                      color="red"
                      variant="light"
                      leftSection={<IconPlayerStop size={14} />}
                      loading={act.isPending}
                      onClick={() => act.mutate('cancel')}
                    >
                      Cancel
                    </Button>
                  )}
                  {(data.status === 'failed' || data.status === 'cancelled') && (
                    <Button
                      size="xs"
                      variant="default"
                      leftSection={<IconRefresh size={14} />}
                      loading={act.isPending}
                      onClick={() => act.mutate('retry')}
                    >
                      Retry
                    </Button>
                  )}
                </>
              }
            />
            <Progress
              value={data.progress * 100}
              size="lg"
              mb="md"
              animated={data.status === 'running'}
              aria-label={`${Math.round(data.progress * 100)} % done`}
            />
            <SimpleGrid cols={{ base: 2, sm: 4 }} mb="md">
              <Stat size="sm" label="Started" value={formatDateTime(data.startedAt ?? data.createdAt)} />
              <Stat size="sm" label="Duration" value={formatDuration(data.durationMs)} />
              <Stat size="sm" label="Attempts" value={`${data.attempts} of ${data.maxAttempts}`} />
              <Stat size="sm" label="LLM cost" value={`${formatUsd(data.llm.costUsd)} · ${data.llm.requests} calls`} />
            </SimpleGrid>
            {data.error && (
              <Card withBorder padding="sm" mb="md" style={{ borderColor: 'var(--mantine-color-red-6)' }} role="alert">
                <Text size="sm" fw={500}>
                  Error
                </Text>
                <Code block>{data.error}</Code>
              </Card>
            )}
            {data.siteId && (
              <Text size="sm" mb="md">
                <Anchor component={Link} to={`/sites/${data.siteId}`}>
                  Open the site
                </Anchor>
                {data.parentId && (
                  <>
                    {' · '}
                    <Anchor component={Link} to={`/jobs/${data.parentId}`}>
                      Open the whole analysis
                    </Anchor>
                  </>
                )}
              </Text>
            )}
            <SimpleGrid cols={{ base: 1, md: data.steps.length ? 2 : 1 }}>
              {data.steps.length > 0 && (
                <Card withBorder padding="sm">
                  <Title order={2} size="h5" mb="sm">
                    Steps
                  </Title>
                  <StepTimeline steps={data.steps} />
                </Card>
              )}
              <Card withBorder padding="sm">
                <Title order={2} size="h5" mb="sm">
                  Log
                </Title>
                <JobLogs jobId={data.id} />
              </Card>
            </SimpleGrid>
          </>
        );
      }}
    </QueryState>
  );
}
