import { ActionIcon, Badge, Button, Card, Group, Select, SimpleGrid, Table, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDownload, IconTrash } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, unwrap, type Schemas } from '../../api/client';
import { downloadFile } from '../../components/download';
import { formatDateTime, humanize } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { EmptyState, QueryState } from '../../components/states';

type ReportType = Schemas['Report']['type'];
const FORMATS: Record<ReportType, string[]> = {
  workspace_summary: ['pdf', 'json'],
  site_report: ['pdf', 'json'],
  extraction_export: ['csv', 'json', 'ndjson'],
};
const STATUS_COLORS: Record<Schemas['Report']['status'], string> = { queued: 'blue', running: 'blue', succeeded: 'teal', failed: 'red' };

export function downloadReport(report: Schemas['Report']) {
  return downloadFile(report.downloadUrl!, report.fileName ?? `${report.id}.${report.format}`);
}

/** What to report on: type, format and (for site reports and exports) the site. */
function useReportChoice() {
  const [type, setType] = useState<ReportType>('workspace_summary');
  const [format, setFormat] = useState('pdf');
  const [siteId, setSiteId] = useState<string | null>(null);
  const sites = useQuery({
    queryKey: ['sites', 'report-picker'],
    queryFn: () => unwrap(api.GET('/api/v1/sites', { params: { query: { limit: 100 } } })),
  });
  const needsSite = type !== 'workspace_summary';
  const fields = (
    <>
      <Select
        label="Report"
        value={type}
        allowDeselect={false}
        onChange={(value) => {
          setType(value as ReportType);
          setFormat(FORMATS[value as ReportType][0]!);
        }}
        data={Object.keys(FORMATS).map((value) => ({ value, label: humanize(value) }))}
      />
      <Select
        label="Format"
        value={format}
        allowDeselect={false}
        onChange={(value) => setFormat(value!)}
        data={FORMATS[type].map((value) => ({ value, label: value.toUpperCase() }))}
      />
      {needsSite && (
        <Select
          label="Site"
          placeholder="Choose a site"
          value={siteId}
          onChange={setSiteId}
          data={(sites.data?.items ?? []).map((site) => ({ value: site.id, label: site.name }))}
        />
      )}
    </>
  );
  const body = { type, format, ...(needsSite && siteId ? { siteId } : {}) } as Schemas['ReportRequest'];
  return { fields, body, ready: !needsSite || Boolean(siteId) };
}

function CreateReport() {
  const queryClient = useQueryClient();
  const choice = useReportChoice();
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/reports', { body: choice.body })),
    onSuccess: () => {
      notifications.show({ color: 'blue', message: 'Report requested: it appears below when it is ready' });
      void queryClient.invalidateQueries({ queryKey: ['reports'] });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Could not request the report', message: errorMessage(error) }),
  });
  return (
    <Card withBorder>
      <Title order={2} size="h5" mb="sm">
        New report
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>{choice.fields}</SimpleGrid>
      <Button mt="md" onClick={() => create.mutate()} loading={create.isPending} disabled={!choice.ready}>
        Create report
      </Button>
    </Card>
  );
}

function ReportList() {
  const reports = useQuery({
    queryKey: ['reports'],
    queryFn: () => unwrap(api.GET('/api/v1/reports')),
    // While a report is being written, look again shortly.
    refetchInterval: (query) =>
      query.state.data?.items.some((report) => report.status === 'queued' || report.status === 'running') ? 2_000 : false,
  });
  return (
    <QueryState query={reports}>
      {(data) =>
        data.items.length === 0 ? (
          <EmptyState title="No reports yet">
            Create one above, or schedule one below: workspace summaries and site reports as PDF, extraction exports as CSV, JSON or NDJSON.
          </EmptyState>
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Report</Table.Th>
                  <Table.Th>Format</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Requested</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((report) => (
                  <Table.Tr key={report.id}>
                    <Table.Td>{humanize(report.type)}</Table.Td>
                    <Table.Td>{report.format.toUpperCase()}</Table.Td>
                    <Table.Td>
                      <Badge color={STATUS_COLORS[report.status]} variant="light" title={report.error ?? undefined}>
                        {report.status}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{formatDateTime(report.createdAt)}</Table.Td>
                    <Table.Td ta="right">
                      {report.downloadUrl && (
                        <Button
                          size="xs"
                          variant="light"
                          leftSection={<IconDownload size={14} />}
                          onClick={() => void downloadReport(report)}
                        >
                          Download
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )
      }
    </QueryState>
  );
}

function Schedules() {
  const queryClient = useQueryClient();
  const choice = useReportChoice();
  const [name, setName] = useState('');
  const [frequency, setFrequency] = useState<'daily' | 'weekly' | 'monthly'>('weekly');
  const [time, setTime] = useState('08:00');
  const [timeZone, setTimeZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [recipients, setRecipients] = useState<string[]>([]);
  const schedules = useQuery({ queryKey: ['report-schedules'], queryFn: () => unwrap(api.GET('/api/v1/report-schedules')) });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['report-schedules'] });
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/report-schedules', {
          body: { name, report: choice.body as Schemas['ScheduledReport'], frequency, time, timeZone, recipients },
        }),
      ),
    onSuccess: () => {
      notifications.show({ color: 'teal', message: 'Report scheduled' });
      setName('');
      refresh();
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Could not schedule the report', message: errorMessage(error) }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/report-schedules/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
    onError: (error) => notifications.show({ color: 'red', title: 'Could not delete the schedule', message: errorMessage(error) }),
  });
  return (
    <Card withBorder mt="lg">
      <Title order={2} size="h5" mb="sm">
        Scheduled reports
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Each run is stored here and emailed to its recipients with the file attached.
      </Text>
      <QueryState query={schedules}>
        {(data) =>
          data.items.length === 0 ? (
            <Text size="sm" c="dimmed" mb="md">
              No schedules yet.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={560} mb="md">
              <Table>
                <Table.Tbody>
                  {data.items.map((schedule) => (
                    <Table.Tr key={schedule.id}>
                      <Table.Td>{schedule.name}</Table.Td>
                      <Table.Td>{humanize(schedule.type)}</Table.Td>
                      <Table.Td>
                        <code>{schedule.cron}</code> {schedule.timeZone}
                      </Table.Td>
                      <Table.Td>next {formatDateTime(schedule.nextRunAt)}</Table.Td>
                      <Table.Td>{schedule.recipients.join(', ')}</Table.Td>
                      <Table.Td ta="right">
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          aria-label={`Delete schedule ${schedule.name}`}
                          onClick={() => remove.mutate(schedule.id)}
                        >
                          <IconTrash size={16} />
                        </ActionIcon>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TextInput label="Name" value={name} onChange={(event) => setName(event.currentTarget.value)} placeholder="Weekly digest" />
        {choice.fields}
        <Select
          label="Every"
          value={frequency}
          allowDeselect={false}
          onChange={(value) => setFrequency(value as typeof frequency)}
          data={['daily', 'weekly', 'monthly']}
        />
        <TextInput label="At (HH:MM)" value={time} onChange={(event) => setTime(event.currentTarget.value)} />
        <TextInput label="Time zone" value={timeZone} onChange={(event) => setTimeZone(event.currentTarget.value)} />
      </SimpleGrid>
      <TagsInput mt="sm" label="Recipients" placeholder="Email addresses, Enter after each" value={recipients} onChange={setRecipients} />
      <Group mt="md">
        <Button
          onClick={() => create.mutate()}
          loading={create.isPending}
          disabled={!choice.ready || !name.trim() || recipients.length === 0}
        >
          Schedule
        </Button>
      </Group>
    </Card>
  );
}

/** Reports on demand and on a schedule: list, create, download. */
export default function ReportsPage() {
  return (
    <>
      <PageHeader title="Reports" description="Workspace summaries and site reports as PDF, extraction exports as CSV, JSON or NDJSON." />
      <CreateReport />
      <Card withBorder mt="lg">
        <Title order={2} size="h5" mb="sm">
          Reports
        </Title>
        <ReportList />
      </Card>
      <Schedules />
    </>
  );
}
