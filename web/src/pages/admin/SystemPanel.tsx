import { Badge, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api, unwrap } from '../../api/client';
import { formatBytes, formatDateTime } from '../../components/format';
import { QueryState } from '../../components/states';

function formatUptime(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  return days ? `${days} d ${hours} h` : hours ? `${hours} h ${minutes} min` : `${minutes} min ${seconds % 60} s`;
}

function Health({ ok, label }: { ok: boolean | null; label?: string }) {
  return (
    <Badge color={ok === null ? 'gray' : ok ? 'green' : 'red'} variant="light">
      {label ?? (ok === null ? 'not configured' : ok ? 'ok' : 'failing')}
    </Badge>
  );
}

function Section({ title, status, children }: { title: string; status: ReactNode; children: ReactNode }) {
  return (
    <Card withBorder component="section" aria-label={title}>
      <Group justify="space-between" mb="xs" wrap="nowrap">
        <Title order={3} size="h5">
          {title}
        </Title>
        {status}
      </Group>
      <Stack gap={2}>{children}</Stack>
    </Card>
  );
}

function Line({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
      <Text span c="dimmed" size="sm">
        {label}:
      </Text>{' '}
      {children}
    </Text>
  );
}

/** Health of the database, queue and Redis, the data directory's size, versions and uptime (this API process). */
export function SystemPanel() {
  const status = useQuery({
    queryKey: ['admin', 'system'],
    queryFn: () => unwrap(api.GET('/api/v1/admin/system')),
    refetchInterval: 10_000,
  });
  return (
    <QueryState query={status}>
      {(data) => (
        <Stack>
          <Group gap="xs">
            <Text size="sm">Overall:</Text>
            <Health ok={data.status === 'ok'} label={data.status} />
          </Group>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
            <Section title="Database" status={<Health ok={data.database.ok} />}>
              <Line label="Kind">{data.database.kind === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL'}</Line>
              <Line label="Server version">{data.database.serverVersion ?? '—'}</Line>
              <Line label="Latency">{data.database.latencyMs} ms</Line>
              <Line label="Migrations">
                {data.database.migrations.applied} of {data.database.migrations.available} applied
                {data.database.migrations.current ? '' : ' (behind)'}
              </Line>
              {data.database.error && <Line label="Error">{data.database.error}</Line>}
            </Section>
            <Section title="Queue" status={<Health ok={data.queue.ok} />}>
              <Line label="Backend">{data.queue.backend === 'bullmq' ? 'BullMQ on Redis' : 'embedded'}</Line>
              <Line label="Queued">{data.queue.queued}</Line>
              <Line label="Running">{data.queue.running}</Line>
              <Line label="Failed">{data.queue.failed}</Line>
              <Line label="Stalled">{data.queue.stalled}</Line>
              {data.queue.error && <Line label="Error">{data.queue.error}</Line>}
            </Section>
            <Section title="Redis" status={<Health ok={data.redis.configured ? data.redis.ok : null} />}>
              {data.redis.configured ? (
                <Line label="Latency">{data.redis.latencyMs === null ? '—' : `${data.redis.latencyMs} ms`}</Line>
              ) : (
                <Text size="sm" c="dimmed">
                  REDIS_URL is not set: queue, events and counters run in this process.
                </Text>
              )}
              {data.redis.error && <Line label="Error">{data.redis.error}</Line>}
            </Section>
            <Section title="Data directory" status={null}>
              <Line label="Path">{data.dataDir.path}</Line>
              <Line label="Disk use">{formatBytes(data.dataDir.bytes)}</Line>
            </Section>
            <Section title="Versions and uptime" status={null}>
              <Line label="Siteprint">{data.versions.siteprint}</Line>
              <Line label="Node.js">{data.versions.node}</Line>
              <Line label="Started">{formatDateTime(data.startedAt)}</Line>
              <Line label="Uptime">{formatUptime(data.uptimeSeconds)}</Line>
            </Section>
          </SimpleGrid>
        </Stack>
      )}
    </QueryState>
  );
}
