import { z } from 'zod';
import { authOf } from '../http/auth.js';
import type { AppInstance } from '../http/app-instance.js';
import { problemResponses } from '../http/problem.js';
import { TIMESERIES_METRICS } from './analytics.repository.js';
import type { AnalyticsService } from './analytics.service.js';

const count = z.number().int();
const rate = z.number().nullable().describe('Succeeded share of finished (succeeded or failed) jobs; null before any finished');
const usage = { requests: count, promptTokens: count, completionTokens: count, costUsd: z.number() };

/** The period arguments of both analytics reads (REST query strings and GraphQL arguments alike). */
export const periodQuery = {
  from: z.iso.datetime({ offset: true }).optional().describe('Start of the period (inclusive); default 30 days before `to`'),
  to: z.iso.datetime({ offset: true }).optional().describe('End of the period (exclusive); default now'),
  scope: z.enum(['workspace', 'all']).default('workspace').describe('all: every workspace of the instance (system administrators only)'),
};

export const timeseriesQuery = {
  metric: z.enum(TIMESERIES_METRICS),
  interval: z.enum(['hour', 'day']).default('day'),
  siteId: z.uuid().optional().describe('Only this site (every metric but api_requests)'),
  ...periodQuery,
};

const summaryResponse = z
  .object({
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    scope: z.enum(['workspace', 'all']),
    sites: z.object({
      total: count.describe('Sites now (not limited to the period)'),
      analysed: count.describe('Distinct sites whose analysis succeeded in the period'),
      healthy: count,
      degraded: count,
      down: count,
      unknown: count,
    }),
    analyses: z
      .object({ total: count, succeeded: count, failed: count, cancelled: count, successRate: rate })
      .describe('analyze_site jobs requested in the period'),
    jobs: z
      .array(
        z.object({
          type: z.string(),
          total: count,
          queued: count,
          running: count,
          succeeded: count,
          failed: count,
          cancelled: count,
          successRate: rate,
          meanSeconds: z.number().nullable().describe('Mean processing time (start to end) of the succeeded ones'),
          p95Seconds: z.number().nullable().describe('95th percentile of the same'),
        }),
      )
      .describe('Jobs requested in the period by type, pipeline steps included'),
    extraction: z
      .object({ jobs: count, pages: count, pagesWithRecord: count, pagesWithError: count })
      .describe('Extraction batches requested in the period'),
    blueprintVersions: z.object({
      total: count,
      analysis: count,
      automaticRepairs: count.describe('Versions written by repair_blueprint'),
      manualEdits: count.describe('Versions saved from a person’s edit'),
    }),
    health: z.object({
      checks: count,
      changes: count.describe("Checks whose health differs from the site's previous check (the first differs from unknown)"),
      toHealthy: count,
      toDegraded: count,
      toDown: count,
    }),
    llm: z.object({
      ...usage,
      byModel: z.array(z.object({ model: z.string(), ...usage })),
      byStep: z.array(z.object({ step: z.string(), ...usage })),
    }),
    api: z
      .object({
        requests: count,
        byRoute: z.array(
          z.object({ method: z.string(), route: z.string().describe('Route pattern'), requests: count, meanMs: z.number() }),
        ),
        byStatusClass: z.array(z.object({ statusClass: z.string().describe('2xx, 4xx, 5xx…'), requests: count })),
        byApiKey: z.array(z.object({ apiKeyId: z.string(), requests: count })),
        byUser: z.array(z.object({ userId: z.string(), requests: count })),
      })
      .describe('API requests counted per minute (written every API_USAGE_FLUSH_MS)'),
  })
  .meta({ id: 'AnalyticsSummary' });

const timeseriesResponse = z
  .object({
    metric: z.enum(TIMESERIES_METRICS),
    interval: z.enum(['hour', 'day']),
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    keys: z.array(z.string()).describe('The series: job statuses, models, version reasons, health states, status classes…'),
    points: z.array(
      z.object({
        at: z.iso.datetime().describe('Start of the UTC bucket'),
        values: z
          .record(z.string(), z.number().nullable())
          .describe('Value of each series in the bucket; null where a mean has nothing to average'),
      }),
    ),
  })
  .meta({ id: 'AnalyticsTimeseries' });

const METRIC_HELP =
  'jobs: top-level jobs requested, by status; job_duration: mean and p95 seconds of top-level jobs that succeeded; extraction_pages: pages extracted (records, errors); blueprint_versions: by reason (analysis, repair, edit); site_checks: by health; site_coverage: mean field coverage of checks and of their blueprint baseline (0–1); llm_cost (USD), llm_requests: by model; llm_tokens: prompt and completion; api_requests: by status class';

export function registerAnalyticsRoutes(app: AppInstance, { service }: { service: AnalyticsService }): void {
  const viewerOf = (request: Parameters<typeof authOf>[0]) => {
    const auth = authOf(request);
    return { workspaceId: auth.workspaceId, systemAdmin: auth.systemAdmin };
  };

  app.get(
    '/api/v1/analytics/summary',
    {
      config: { permission: 'jobs:read' },
      schema: {
        tags: ['analytics'],
        summary:
          'Figures for a period: sites, analyses, jobs by type with timings, extraction, blueprint versions, health changes, LLM use and API use',
        querystring: z.object(periodQuery).strict(),
        response: { 200: summaryResponse, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => service.summary(viewerOf(request), request.query),
  );

  app.get(
    '/api/v1/analytics/timeseries',
    {
      config: { permission: 'jobs:read' },
      schema: {
        tags: ['analytics'],
        summary: 'One metric per hour or day (UTC) over a period, every bucket present',
        description: METRIC_HELP,
        querystring: z.object(timeseriesQuery).strict(),
        response: { 200: timeseriesResponse, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => service.timeseries(viewerOf(request), request.query),
  );
}
