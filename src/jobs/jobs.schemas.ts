import { z } from 'zod';
import type { Cursor } from '../http/pagination.js';
import { ANALYZE_SITE, JOB_TYPES } from '../pipeline/job-types.js';
import type { JobRecord } from '../queue/index.js';

export const jobStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);

/** The filters of the jobs list (REST and GraphQL alike). */
export const listJobsFilter = z.object({
  siteId: z.uuid().optional(),
  type: z.enum([ANALYZE_SITE, ...JOB_TYPES]).optional(),
  status: jobStatus.optional(),
});

export const jobSummary = z
  .object({
    id: z.uuid(),
    type: z.string(),
    status: jobStatus,
    siteId: z.uuid().nullable(),
    parentId: z.uuid().nullable(),
    step: z.string().nullable().describe('Current step of an analysis, or the last one reached'),
    progress: z.number().min(0).max(1),
    priority: z.number().int().describe('1 user-triggered, 2 scheduled, 3 batch'),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    error: z.string().nullable(),
    costUsd: z.number().describe('LLM cost of this job in US dollars'),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().nullable(),
  })
  .meta({ id: 'Job' });

export const jobDetail = jobSummary
  .extend({
    payload: z.record(z.string(), z.unknown()),
    result: z.unknown().nullable(),
    steps: z.array(jobSummary).describe('For an analysis: its step jobs in order'),
    llm: z
      .object({
        requests: z.number().int().describe('Calls to the LLM provider, failed ones included'),
        promptTokens: z.number().int(),
        completionTokens: z.number().int(),
        costUsd: z.number().describe('Provider-reported cost, else from the price table; calls of unknown price count 0'),
      })
      .describe('LLM calls made by this job (for an analysis: by its steps), summed from the LLM request log'),
  })
  .meta({ id: 'JobDetail' });

export const jobLogLine = z
  .object({
    id: z.number().int(),
    at: z.string(),
    level: z.enum(['debug', 'info', 'warn', 'error']),
    message: z.string(),
    data: z.unknown().nullable(),
  })
  .meta({ id: 'JobLogLine' });

export function toJobSummary(job: JobRecord): z.infer<typeof jobSummary> {
  return {
    id: job.id,
    type: job.type,
    status: job.status,
    siteId: job.siteId,
    parentId: job.parentId,
    step: job.step,
    progress: job.progress,
    priority: job.priority,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    error: job.error,
    costUsd: job.costUsd,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    durationMs: job.startedAt && job.finishedAt ? job.finishedAt.getTime() - job.startedAt.getTime() : null,
  };
}

/** Where a page of the jobs list (newest first) ends, for the next page's cursor. */
export function jobListCursor(job: JobRecord): Cursor {
  return { value: job.createdAt.toISOString(), id: job.id };
}
