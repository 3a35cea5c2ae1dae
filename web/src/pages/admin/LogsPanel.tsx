import { Badge, Code, Group, Select, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap, type QueryOf } from '../../api/client';
import { EmptyState, QueryState } from '../../components/states';

type Level = NonNullable<QueryOf<'/api/v1/admin/logs'>['level']>;
const levels: Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const levelColors: Record<string, string> = { trace: 'gray', debug: 'gray', info: 'blue', warn: 'orange', error: 'red', fatal: 'red' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The recent log lines this API process keeps (a bounded ring), searched by level, request id, job id or text. */
export function LogsPanel() {
  const [level, setLevel] = useState<Level | null>(null);
  const [inputs, setInputs] = useState({ requestId: '', jobId: '', q: '' });
  const [debounced] = useDebouncedValue(inputs, 300);
  const jobId = debounced.jobId.trim();
  const query = {
    level: level ?? undefined,
    requestId: debounced.requestId.trim() || undefined,
    // Only a whole job id is searched; a partial one would be refused by the API.
    jobId: UUID.test(jobId) ? jobId : undefined,
    q: debounced.q.trim() || undefined,
  };
  const logs = useQuery({
    queryKey: ['admin', 'logs', query],
    queryFn: () => unwrap(api.GET('/api/v1/admin/logs', { params: { query: { ...query, limit: 200 } } })),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
  const input = (name: keyof typeof inputs) => ({
    value: inputs[name],
    onChange: (event: React.ChangeEvent<HTMLInputElement>) => {
      const value = event.currentTarget.value;
      setInputs((current) => ({ ...current, [name]: value }));
    },
  });
  return (
    <>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm" mb="md">
        <Select
          label="Level"
          placeholder="Any"
          clearable
          data={levels.map((value) => ({ value, label: `${value} and above` }))}
          value={level}
          onChange={(value) => setLevel(value as Level | null)}
        />
        <TextInput label="Request id" {...input('requestId')} />
        <TextInput label="Job id" {...input('jobId')} error={jobId && !UUID.test(jobId) ? 'A whole job id' : undefined} />
        <TextInput label="Message contains" {...input('q')} />
      </SimpleGrid>
      <QueryState query={logs}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState title="No log lines match">This process keeps its last {data.capacity} lines.</EmptyState>
          ) : (
            <>
              <Text size="xs" c="dimmed" mb="xs">
                Newest first, from this API process&apos;s last {data.capacity} lines; credentials are redacted before lines are kept.
              </Text>
              <Table.ScrollContainer minWidth={640}>
                <Table verticalSpacing={4} aria-label="Log lines">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Time</Table.Th>
                      <Table.Th>Level</Table.Th>
                      <Table.Th>Message</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.map((line, index) => (
                      <Table.Tr key={`${line.time}-${index}`}>
                        <Table.Td>
                          <Text size="xs" style={{ whiteSpace: 'nowrap' }}>
                            {line.time ? new Date(line.time).toLocaleTimeString() : '—'}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Badge size="sm" variant="light" color={levelColors[line.level] ?? 'gray'}>
                            {line.level}
                          </Badge>
                        </Table.Td>
                        <Table.Td>
                          <Stack gap={2}>
                            <Text size="sm">{line.msg ?? '—'}</Text>
                            <Group gap="xs">
                              {line.requestId && (
                                <Text size="xs" c="dimmed">
                                  request {line.requestId}
                                </Text>
                              )}
                              {line.jobId && (
                                <Text size="xs" c="dimmed">
                                  job {line.jobId}
                                </Text>
                              )}
                            </Group>
                            <details>
                              <summary style={{ fontSize: 'var(--mantine-font-size-xs)', cursor: 'pointer' }}>Whole line</summary>
                              <Code block>{JSON.stringify(line.line, null, 2)}</Code>
                            </details>
                          </Stack>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </>
          )
        }
      </QueryState>
    </>
  );
}
