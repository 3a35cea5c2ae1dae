import { fetchEventSource } from '@microsoft/fetch-event-source';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { credentials } from './client';

interface JobEvent {
  id?: string;
  jobId?: string;
  parentId?: string | null;
  siteId?: string | null;
}

/** Analytics charts aggregate many rows: a burst of job events refreshes them once, this long after its first event. */
const ANALYTICS_REFRESH_MS = 2_000;

/**
 * Follows the workspace's live events (GET /api/v1/events) and refreshes what they touch:
 * job lists and pages, job logs, the site a job works on, the overview totals and the analytics charts.
 * fetch-event-source is used instead of EventSource because the stream needs the
 * Authorization header; it reconnects by itself after network errors.
 */
export function useLiveUpdates(workspaceId: string | null): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!workspaceId) return;
    const controller = new AbortController();
    let analyticsTimer: ReturnType<typeof setTimeout> | undefined;
    const refreshAnalytics = () => {
      analyticsTimer ??= setTimeout(() => {
        analyticsTimer = undefined;
        void queryClient.invalidateQueries({ queryKey: ['analytics'] });
      }, ANALYTICS_REFRESH_MS);
    };
    void fetchEventSource('/api/v1/events', {
      signal: controller.signal,
      openWhenHidden: true,
      headers: { 'x-workspace-id': workspaceId },
      // Reconnects must carry the token current at that moment, not the one of the first connect.
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${credentials.accessToken ?? ''}` },
        }),
      async onopen(response) {
        if (response.status === 401) await credentials.refresh?.();
        if (!response.ok) throw new Error(`live updates refused (${response.status})`);
      },
      onmessage(message) {
        const data = JSON.parse(message.data || '{}') as JobEvent;
        if (message.event === 'job.log') {
          for (const id of [data.jobId, data.parentId]) if (id) void queryClient.invalidateQueries({ queryKey: ['job-logs', id] });
          return;
        }
        if (message.event === 'job.updated') {
          void queryClient.invalidateQueries({ queryKey: ['jobs'] });
          void queryClient.invalidateQueries({ queryKey: ['overview'] });
          refreshAnalytics();
          for (const id of [data.id, data.parentId]) if (id) void queryClient.invalidateQueries({ queryKey: ['job', id] });
          if (data.siteId) {
            void queryClient.invalidateQueries({ queryKey: ['site', data.siteId] });
            void queryClient.invalidateQueries({ queryKey: ['sites'] });
          }
        }
      },
      onerror() {
        // Keep retrying (the library backs off); a signed-out session aborts through cleanup.
        return 5_000;
      },
    });
    return () => {
      controller.abort();
      clearTimeout(analyticsTimer);
    };
  }, [workspaceId, queryClient]);
}
