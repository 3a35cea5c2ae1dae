import { z } from 'zod';
import type { AppInstance } from '../http/app-instance.js';
import { decodeCursor, pageSchema, paginationQuery, toPage } from '../http/pagination.js';
import { problemResponses } from '../http/problem.js';
import type { WorkspaceOf } from '../http/route-context.js';
import { jobDetail, jobListCursor, jobLogLine, jobSummary, listJobsFilter, toJobSummary } from './jobs.schemas.js';
import type { JobsService } from './jobs.service.js';

export interface JobRoutesDeps {
  service: JobsService;
  workspaceOf: WorkspaceOf;
}

const jobIdParams = z.object({ id: z.uuid() });

const queueStats = z
  .object({
    mode: z.enum(['embedded', 'bullmq']),
    paused: z.boolean(),
    queues: z.array(
      z.object({
        name: z.string(),
        waiting: z.record(z.string(), z.number().int()).describe('Queued jobs by priority (1 user, 2 scheduled, 3 batch)'),
        running: z.number().int(),
        failed: z.number().int(),
        succeeded: z.number().int(),
        finishedLastHour: z.number().int().describe('Throughput: jobs finished in the last hour'),
      }),
    ),
  })
  .meta({ id: 'QueueStats' });

export function registerJobRoutes(app: AppInstance, deps: JobRoutesDeps): void {
  const { service, workspaceOf } = deps;

  app.get(
    '/api/v1/jobs',
    {
      config: { permission: 'jobs:read' },
      schema: {
        tags: ['jobs'],
        summary: 'List jobs, newest first',
        querystring: listJobsFilter
          .extend({
            topLevel: z
              .enum(['true', 'false'])
              .transform((value) => value === 'true')
              .optional()
              .describe('true: analyses and standalone jobs only, without pipeline steps'),
          })
          .extend(paginationQuery),
        response: { 200: pageSchema(jobSummary) },
      },
    },
    async (request) => {
      const { cursor, ...filter } = request.query;
      const { rows, total } = await service.list(workspaceOf(request), { ...filter, before: decodeCursor(cursor) });
      return toPage(rows, total, request.query.limit, toJobSummary, jobListCursor);
    },
  );

  app.get(
    '/api/v1/jobs/:id',
    {
      config: { permission: 'jobs:read' },
      schema: {
        tags: ['jobs'],
        summary: 'A job with its timings, error, cost and steps',
        params: jobIdParams,
        response: { 200: jobDetail },
      },
    },
    async (request) => {
      const job = await service.get(workspaceOf(request), request.params.id);
      const steps = await service.steps(job);
      const llm = await service.llmUsage(job, steps);
      return { ...toJobSummary(job), payload: job.payload, result: job.result ?? null, steps: steps.map(toJobSummary), llm };
    },
  );

  app.get(
    '/api/v1/jobs/:id/logs',
    {
      config: { permission: 'jobs:read' },
      schema: {
        tags: ['jobs'],
        summary: 'Structured log lines of a job (and of its steps), oldest first',
        params: jobIdParams,
        querystring: z.object({
          after: z.coerce.number().int().min(0).default(0).describe('Return lines after this id (the last id seen)'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ items: z.array(jobLogLine), nextAfter: z.number().int().nullable() }) },
      },
    },
    async (request) => {
      const { after, limit } = request.query;
      const lines = await service.logs(workspaceOf(request), request.params.id, after, limit);
      return {
        items: lines.map((line) => ({
          id: line.id,
          at: line.at.toISOString(),
          level: line.level,
          message: line.message,
          data: line.data ?? null,
        })),
        nextAfter: lines.length === limit ? lines.at(-1)!.id : null,
      };
    },
  );

  app.post(
    '/api/v1/jobs/:id/cancel',
    {
      config: { permission: 'jobs:write' },
      schema: {
        tags: ['jobs'],
        summary: 'Cancel a job; a running one stops at its next checkpoint',
        params: jobIdParams,
        response: { 200: jobSummary, ...problemResponses(409) },
      },
    },
    async (request) => toJobSummary(await service.cancel(workspaceOf(request), request.params.id)),
  );

  app.post(
    '/api/v1/jobs/:id/retry',
    {
      config: { permission: 'jobs:write' },
      schema: {
        tags: ['jobs'],
        summary: 'Run a failed or cancelled job again',
        params: jobIdParams,
        response: { 200: jobSummary, ...problemResponses(409) },
      },
    },
    async (request) => toJobSummary(await service.retry(workspaceOf(request), request.params.id)),
  );

  app.get(
    '/api/v1/queues',
    {
      config: { permission: 'queues:manage' },
      schema: {
        tags: ['jobs'],
        summary: 'Queue depth by job type and priority, running, failed, throughput (admin)',
        response: { 200: queueStats },
      },
    },
    async () => service.queues(),
  );

  for (const action of ['pause', 'resume'] as const) {
    app.post(
      `/api/v1/queues/${action}`,
      {
        config: { permission: 'queues:manage' },
        schema: {
          tags: ['jobs'],
          summary: action === 'pause' ? 'Stop starting jobs (running ones finish) (admin)' : 'Start jobs again (admin)',
          response: { 200: z.object({ paused: z.boolean() }) },
        },
      },
      async () => ({ paused: await service.setPaused(action === 'pause') }),
    );
  }
}
