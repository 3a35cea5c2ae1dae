import { Button } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconFileTypePdf } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { api, errorMessage, unwrap } from '../../api/client';
import { downloadReport } from './ReportsPage';

const WAIT_MS = 120_000;

/** Requests a site report PDF, waits for its job and downloads it; it also stays on the Reports page. */
export function DownloadSiteReport({ siteId }: { siteId: string }) {
  const download = useMutation({
    mutationFn: async () => {
      const created = await unwrap(api.POST('/api/v1/reports', { body: { type: 'site_report', format: 'pdf', siteId } }));
      for (const end = Date.now() + WAIT_MS; Date.now() < end;) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const report = await unwrap(api.GET('/api/v1/reports/{id}', { params: { path: { id: created.id } } }));
        if (report.status === 'succeeded') return downloadReport(report);
        if (report.status === 'failed') throw new Error(report.error ?? 'the report failed');
      }
      throw new Error('the report is taking long; it will be on the Reports page when ready');
    },
    onError: (error) => notifications.show({ color: 'red', title: 'Could not make the report', message: errorMessage(error) }),
  });
  return (
    <Button
      size="xs"
      variant="default"
      leftSection={<IconFileTypePdf size={14} />}
      loading={download.isPending}
      onClick={() => download.mutate()}
    >
      Download report
    </Button>
  );
}
