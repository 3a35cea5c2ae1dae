import { Anchor, Button, Card, Group, Progress, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconRefresh } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, errorMessage, unwrap, type Schemas } from '../../api/client';
import { HealthBadge, SiteStatusBadge } from '../../components/badges';
import { humanize } from '../../components/format';
import { JobsTable } from '../../components/JobsTable';
import { PageHeader } from '../../components/PageHeader';
import { DownloadSiteReport } from '../reports/DownloadSiteReport';
import { RoutedTabs } from '../../components/RoutedTabs';
import { EmptyState, QueryState } from '../../components/states';
import { BlueprintPanel } from './site/BlueprintPanel';
import { FingerprintPanel } from './site/FingerprintPanel';
import { HealthPanel } from './site/HealthPanel';
import { SettingsPanel } from './site/SettingsPanel';
import { TryItPanel } from './site/TryItPanel';
import { VersionsPanel } from './site/VersionsPanel';

const tabs = [
  { value: 'overview', label: 'Overview', Panel: FingerprintPanel },
  { value: 'blueprint', label: 'Blueprint', Panel: BlueprintPanel },
  { value: 'try', label: 'Try it', Panel: TryItPanel },
  { value: 'versions', label: 'Versions', Panel: VersionsPanel },
  { value: 'health', label: 'Health', Panel: HealthPanel },
  { value: 'jobs', label: 'Jobs', Panel: SiteJobs },
  { value: 'settings', label: 'Settings', Panel: SettingsPanel },
] as const;

function SiteJobs({ site }: { site: Schemas['SiteDetail'] }) {
  const jobs = useQuery({
    queryKey: ['jobs', 'site', site.id],
    queryFn: () => unwrap(api.GET('/api/v1/jobs', { params: { query: { siteId: site.id, topLevel: 'true', limit: 50 } } })),
  });
  return (
    <QueryState query={jobs}>
      {(data) => (data.items.length ? <JobsTable jobs={data.items} /> : <EmptyState title="No jobs for this site" />)}
    </QueryState>
  );
}

/** The analysis in flight, with its step and progress, updated live. */
function RunningAnalysis({ siteId }: { siteId: string }) {
  const running = useQuery({
    queryKey: ['jobs', 'site', siteId, 'active'],
    queryFn: async () => {
      const [runningJobs, queuedJobs] = await Promise.all(
        (['running', 'queued'] as const).map((status) =>
          unwrap(api.GET('/api/v1/jobs', { params: { query: { siteId, topLevel: 'true', status, limit: 1 } } })),
        ),
      );
      return runningJobs!.items[0] ?? queuedJobs!.items[0] ?? null;
    },
  });
  const job = running.data;
  if (!job) return null;
  return (
    <Card withBorder padding="sm" mb="md" role="status" aria-live="polite">
      <Group justify="space-between" mb={6}>
        <Text size="sm">
          {humanize(job.type)} {job.status === 'queued' ? 'is queued' : `is running${job.step ? `: ${humanize(job.step)}` : ''}`}
        </Text>
        <Anchor component={Link} to={`/jobs/${job.id}`} size="sm">
          Follow the job
        </Anchor>
      </Group>
      <Progress value={job.progress * 100} animated aria-label={`Analysis ${Math.round(job.progress * 100)} % done`} />
    </Card>
  );
}

export default function SitePage() {
  const { siteId = '', tab = 'overview' } = useParams();
  const queryClient = useQueryClient();
  const site = useQuery({
    queryKey: ['site', siteId],
    queryFn: () => unwrap(api.GET('/api/v1/sites/{id}', { params: { path: { id: siteId } } })),
  });
  const analyze = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/sites/{id}/analyze', { params: { path: { id: siteId } } })),
    onSuccess: () => {
      notifications.show({ color: 'blue', message: 'Analysis started' });
      void queryClient.invalidateQueries({ queryKey: ['site', siteId] });
      void queryClient.invalidateQueries({ queryKey: ['jobs'] });
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Could not start the analysis', message: errorMessage(error) }),
  });
  return (
    <QueryState query={site}>
      {(data) => (
        <>
          <PageHeader
            title={data.name}
            description={
              <Anchor href={data.url} target="_blank" rel="noreferrer noopener" size="sm">
                {data.url}
              </Anchor>
            }
            actions={
              <>
                <SiteStatusBadge status={data.status} />
                <HealthBadge health={data.health} />
                <Button
                  size="xs"
                  variant="default"
                  leftSection={<IconRefresh size={14} />}
                  loading={analyze.isPending}
                  onClick={() => analyze.mutate()}
                  disabled={data.status === 'analyzing'}
                >
                  Re-analyse
                </Button>
                <DownloadSiteReport siteId={data.id} />
              </>
            }
          />
          {data.status === 'analyzing' && <RunningAnalysis siteId={data.id} />}
          <RoutedTabs base={`/sites/${siteId}`} current={tab} tabs={tabs} props={{ site: data }} />
        </>
      )}
    </QueryState>
  );
}
