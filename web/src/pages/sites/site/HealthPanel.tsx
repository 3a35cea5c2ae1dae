import '@mantine/charts/styles.css';
import { LineChart } from '@mantine/charts';
import { Card, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../../api/client';
import { HealthBadge } from '../../../components/badges';
import { formatDateTime, formatPercent } from '../../../components/format';
import { EmptyState, QueryState } from '../../../components/states';
import { HealthHistory } from './HealthHistory';

/** Scheduled checks over time: response time and field coverage against the blueprint's baseline. */
export function HealthPanel({ site }: { site: Schemas['SiteDetail'] }) {
  const checks = useQuery({
    queryKey: ['site', site.id, 'checks'],
    queryFn: () => unwrap(api.GET('/api/v1/sites/{id}/checks', { params: { path: { id: site.id }, query: { limit: 100 } } })),
  });
  return (
    <QueryState query={checks}>
      {(data) => {
        if (!data.items.length) {
          return (
            <EmptyState title="No checks yet">
              {site.schedule
                ? `Checks run on the schedule "${site.schedule}"${site.nextCheckAt ? `; the next one is due ${formatDateTime(site.nextCheckAt)}` : ''}.`
                : 'This site has no check schedule; set one in its settings.'}
            </EmptyState>
          );
        }
        const points = [...data.items].reverse().map((check) => ({
          at: new Date(check.checkedAt).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }),
          'Response (ms)': check.responseMs,
          'Coverage (%)': check.coverage === null ? null : Math.round(check.coverage * 100),
        }));
        return (
          <Stack>
            <HealthHistory siteId={site.id} />
            <Card withBorder padding="sm">
              <Title order={2} size="h5" mb="xs">
                Latest checks: response time and coverage
              </Title>
              <LineChart
                h={240}
                data={points}
                dataKey="at"
                withLegend
                withRightYAxis
                rightYAxisProps={{ domain: [0, 100] }}
                series={[
                  { name: 'Response (ms)', color: 'blue.7' },
                  { name: 'Coverage (%)', color: 'teal.7', yAxisId: 'right' },
                ]}
                connectNulls
                curveType="monotone"
              />
            </Card>
            <Table.ScrollContainer minWidth={480}>
              <Table verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Checked</Table.Th>
                    <Table.Th>Health</Table.Th>
                    <Table.Th>HTTP</Table.Th>
                    <Table.Th>Response</Table.Th>
                    <Table.Th>Coverage (baseline)</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.slice(0, 20).map((check) => (
                    <Table.Tr key={check.checkedAt}>
                      <Table.Td>{formatDateTime(check.checkedAt)}</Table.Td>
                      <Table.Td>
                        <HealthBadge health={check.health} />
                      </Table.Td>
                      <Table.Td>{check.httpStatus ?? '—'}</Table.Td>
                      <Table.Td>{check.responseMs === null ? '—' : `${check.responseMs} ms`}</Table.Td>
                      <Table.Td>
                        <Text size="sm">
                          {formatPercent(check.coverage)} ({formatPercent(check.baselineCoverage)})
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Stack>
        );
      }}
    </QueryState>
  );
}
