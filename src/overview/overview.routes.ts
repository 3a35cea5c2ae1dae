import { z } from 'zod';
import type { AppInstance } from '../http/app-instance.js';
import { problemResponses } from '../http/problem.js';
import type { WorkspaceOf } from '../http/route-context.js';
import type { OverviewService } from './overview.service.js';

const overviewResponse = z
  .object({
    sites: z.object({
      total: z.number().int(),
      ready: z.number().int(),
      analyzing: z.number().int(),
      failed: z.number().int(),
      healthy: z.number().int(),
      degraded: z.number().int(),
      down: z.number().int(),
    }),
    jobs: z.object({
      active: z.number().int().describe('Queued or running'),
      succeeded: z.number().int(),
      failed: z.number().int(),
      cancelled: z.number().int(),
      successRate: z.number().nullable().describe('Succeeded share of finished jobs (cancelled ones excluded); null before any finished'),
      averageSeconds: z.number().nullable().describe('Mean time from request to success'),
    }),
    llm: z.object({ costThisMonthUsd: z.number(), requestsThisMonth: z.number().int() }),
  })
  .meta({ id: 'Overview' });

export function registerOverviewRoutes(app: AppInstance, deps: { overview: OverviewService; workspaceOf: WorkspaceOf }): void {
  app.get(
    '/api/v1/overview',
    {
      config: { permission: 'sites:read' },
      schema: {
        tags: ['overview'],
        summary: "The workspace's totals: sites, top-level jobs (analyses, checks, batches) and this month's LLM cost",
        response: { 200: overviewResponse, ...problemResponses(401, 403) },
      },
    },
    async (request) => deps.overview.forWorkspace(deps.workspaceOf(request)),
  );
}
