import { BarChart } from '@mantine/charts';
import { Alert, Card, SimpleGrid, Table, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { formatUsd, humanize } from '../../components/format';
import { Stat } from '../../components/Stat';
import { EmptyState, QueryState } from '../../components/states';

/** LLM usage and budget this calendar month (the budget's period, whatever range the page shows). */
export function LlmUsage() {
  const usage = useQuery({ queryKey: ['llm-usage'], queryFn: () => unwrap(api.GET('/api/v1/llm/usage')) });
  return (
    <>
      <Title order={2} size="h4" mt="xl" mb="sm">
        LLM use this month
      </Title>
      <QueryState query={usage}>
        {(data) => (
          <>
            <SimpleGrid cols={{ base: 1, xs: 3 }} mb="lg">
              <Stat
                size="lg"
                label="Spent this month"
                value={formatUsd(data.budget.spentThisMonthUsd)}
                hint={`of a ${formatUsd(data.budget.monthlyUsd)} budget`}
              />
              <Stat size="lg" label="Requests" value={data.totals.requests} />
              <Stat size="lg" label="Tokens" value={(data.totals.promptTokens + data.totals.completionTokens).toLocaleString()} />
            </SimpleGrid>
            {data.budget.monthlyUsd > 0 && data.budget.spentThisMonthUsd >= data.budget.monthlyUsd && (
              <Alert color="orange" mb="lg">
                The monthly LLM budget is used up: analyses run on heuristics only until next month.
              </Alert>
            )}
            {data.totals.requests === 0 ? (
              <EmptyState title="No LLM calls this month">
                Analyses run on heuristics alone unless an LLM key is configured and needed.
              </EmptyState>
            ) : (
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                <Card withBorder>
                  <Title order={2} size="h5" mb="sm">
                    Cost by day (USD)
                  </Title>
                  <BarChart
                    h={220}
                    data={data.byDay.map((day) => ({ day: day.day.slice(5), cost: Number(day.costUsd.toFixed(4)) }))}
                    dataKey="day"
                    series={[{ name: 'cost', color: 'blue.7' }]}
                  />
                </Card>
                <Card withBorder>
                  <Title order={2} size="h5" mb="sm">
                    By step
                  </Title>
                  <Table>
                    <Table.Tbody>
                      {data.byStep.map((step) => (
                        <Table.Tr key={step.step}>
                          <Table.Td>{humanize(step.step)}</Table.Td>
                          <Table.Td>{step.requests} calls</Table.Td>
                          <Table.Td ta="right">{formatUsd(step.costUsd)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Card>
              </SimpleGrid>
            )}
          </>
        )}
      </QueryState>
    </>
  );
}
