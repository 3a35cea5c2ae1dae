import { z } from 'zod';
import { authOf } from '../http/auth.js';
import type { AppInstance } from '../http/app-instance.js';
import { problemResponses } from '../http/problem.js';
import type { ReportRecord, ReportScheduleRecord } from './reports.repository.js';
import type { ReportSchedulesService } from './report-schedules.service.js';
import type { ReportsService } from './reports.service.js';

const period = {
  from: z.iso.datetime({ offset: true }).optional().describe('Start of the period; default 30 days before `to`'),
  to: z.iso.datetime({ offset: true }).optional().describe('End of the period; default when the report is requested'),
};

export const reportRequest = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('workspace_summary'), format: z.enum(['pdf', 'json']).default('pdf'), ...period }).strict(),
    z.object({ type: z.literal('site_report'), format: z.enum(['pdf', 'json']).default('pdf'), siteId: z.uuid() }).strict(),
    z
      .object({ type: z.literal('extraction_export'), format: z.enum(['csv', 'json', 'ndjson']).default('csv'), siteId: z.uuid() })
      .strict()
      .describe("Every record of the site's succeeded extraction jobs"),
  ])
  .meta({ id: 'ReportRequest' });

const reportSchema = z
  .object({
    id: z.uuid(),
    type: z.enum(['workspace_summary', 'site_report', 'extraction_export']),
    format: z.enum(['pdf', 'csv', 'json', 'ndjson']),
    params: z.record(z.string(), z.unknown()).describe('siteId for site reports and exports; from and to for summaries'),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    jobId: z.uuid().nullable().describe('The generate_report job'),
    fileName: z.string().nullable(),
    contentType: z.string().nullable(),
    sizeBytes: z.number().int().nullable(),
    error: z.string().nullable(),
    createdAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
    downloadUrl: z.string().nullable().describe('Where to download the file once the report has succeeded'),
  })
  .meta({ id: 'Report' });

export function toReport(report: ReportRecord): z.infer<typeof reportSchema> {
  return {
    id: report.id,
    type: report.type,
    format: report.format,
    params: report.params,
    status: report.status,
    jobId: report.jobId,
    fileName: report.fileName,
    contentType: report.contentType,
    sizeBytes: report.sizeBytes,
    error: report.error,
    createdAt: report.createdAt.toISOString(),
    finishedAt: report.finishedAt?.toISOString() ?? null,
    downloadUrl: report.status === 'succeeded' ? `/api/v1/reports/${report.id}/download` : null,
  };
}

const idParams = z.object({ id: z.uuid() });

export function registerReportRoutes(
  app: AppInstance,
  { service, schedules }: { service: ReportsService; schedules: ReportSchedulesService },
): void {
  const tags = ['reports'];
  app.post(
    '/api/v1/reports',
    {
      config: { permission: 'jobs:write' },
      schema: {
        tags,
        summary: 'Request a report (workspace summary, site report or extraction export); a generate_report job writes it',
        body: reportRequest,
        response: { 202: reportSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const report = await service.create(auth.workspaceId, auth.userId, request.body);
      return reply.status(202).send(toReport(report));
    },
  );

  app.get(
    '/api/v1/reports',
    {
      config: { permission: 'jobs:read' },
      schema: {
        tags,
        summary: "The workspace's reports, newest first",
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict(),
        response: { 200: z.object({ items: z.array(reportSchema) }), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => ({ items: (await service.list(authOf(request).workspaceId, request.query.limit)).map(toReport) }),
  );

  app.get(
    '/api/v1/reports/:id',
    {
      config: { permission: 'jobs:read' },
      schema: {
        tags,
        summary: 'One report and its status',
        params: idParams,
        response: { 200: reportSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => toReport(await service.get(authOf(request).workspaceId, request.params.id)),
  );

  app.get(
    '/api/v1/reports/:id/download',
    {
      config: { permission: 'jobs:read' },
      schema: {
        tags,
        summary: 'The report file (Content-Disposition: attachment), streamed',
        params: idParams,
        response: {
          200: {
            description: 'The file in the report’s format',
            content: {
              'application/pdf': { schema: z.string().describe('PDF') },
              'text/csv': { schema: z.string() },
              'application/json': { schema: z.unknown() },
              'application/x-ndjson': { schema: z.string().describe('One JSON record per line') },
            },
          },
          ...problemResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const file = await service.download(authOf(request).workspaceId, request.params.id);
      reply.header('content-disposition', `attachment; filename="${file.fileName}"`);
      return reply.type(file.contentType).send(file.stream);
    },
  );

  registerScheduleRoutes(app, schedules);
}

const scheduledReport = z
  .discriminatedUnion('type', [
    z
      .object({
        type: z.literal('workspace_summary'),
        format: z.enum(['pdf', 'json']).default('pdf'),
        periodDays: z
          .number()
          .int()
          .min(1)
          .max(366)
          .optional()
          .describe('Days each run covers, up to the run; default 1, 7 or 30 by frequency (7 for cron)'),
      })
      .strict(),
    z.object({ type: z.literal('site_report'), format: z.enum(['pdf', 'json']).default('pdf'), siteId: z.uuid() }).strict(),
    z.object({ type: z.literal('extraction_export'), format: z.enum(['csv', 'json', 'ndjson']).default('csv'), siteId: z.uuid() }).strict(),
  ])
  .meta({ id: 'ScheduledReport' });

const scheduleRequest = z
  .object({
    name: z.string().trim().min(1).max(200),
    report: scheduledReport,
    cron: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .describe('Cron expression (minute hour day month weekday) in timeZone; or give frequency'),
    frequency: z.enum(['daily', 'weekly', 'monthly']).optional(),
    time: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'expected HH:MM' })
      .default('08:00')
      .describe('Time of day for frequency, HH:MM in timeZone'),
    dayOfWeek: z.number().int().min(0).max(6).default(1).describe('For weekly: 0 Sunday … 6 Saturday'),
    dayOfMonth: z.number().int().min(1).max(28).default(1).describe('For monthly'),
    timeZone: z.string().min(1).max(64).default('UTC').describe('IANA time zone, e.g. Europe/Paris'),
    recipients: z.array(z.email()).min(1).max(20),
  })
  .strict()
  .refine((body) => Boolean(body.cron) !== Boolean(body.frequency), { message: 'give either cron or frequency', path: ['frequency'] });

const scheduleSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    type: z.enum(['workspace_summary', 'site_report', 'extraction_export']),
    format: z.enum(['pdf', 'csv', 'json', 'ndjson']),
    params: z.record(z.string(), z.unknown()),
    cron: z.string(),
    timeZone: z.string(),
    recipients: z.array(z.string()),
    enabled: z.boolean(),
    nextRunAt: z.iso.datetime().nullable(),
    lastRunAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'ReportSchedule' });

function toSchedule(schedule: ReportScheduleRecord): z.infer<typeof scheduleSchema> {
  return {
    id: schedule.id,
    name: schedule.name,
    type: schedule.type,
    format: schedule.format,
    params: schedule.params,
    cron: schedule.cron,
    timeZone: schedule.timeZone,
    recipients: schedule.recipients,
    enabled: schedule.enabled,
    nextRunAt: schedule.nextRunAt?.toISOString() ?? null,
    lastRunAt: schedule.lastRunAt?.toISOString() ?? null,
    createdAt: schedule.createdAt.toISOString(),
  };
}

function registerScheduleRoutes(app: AppInstance, schedules: ReportSchedulesService): void {
  const tags = ['reports'];
  app.post(
    '/api/v1/report-schedules',
    {
      config: { permission: 'jobs:write' },
      schema: {
        tags,
        summary: 'Schedule a report (cron, or daily/weekly/monthly at a time in a time zone), emailed to its recipients on every run',
        body: scheduleRequest,
        response: { 201: scheduleSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      return reply.status(201).send(toSchedule(await schedules.create(auth.workspaceId, auth.userId, request.body)));
    },
  );

  app.get(
    '/api/v1/report-schedules',
    {
      config: { permission: 'jobs:read' },
      schema: {
        tags,
        summary: "The workspace's report schedules",
        response: { 200: z.object({ items: z.array(scheduleSchema) }), ...problemResponses(401, 403) },
      },
    },
    async (request) => ({ items: (await schedules.list(authOf(request).workspaceId)).map(toSchedule) }),
  );

  app.delete(
    '/api/v1/report-schedules/:id',
    {
      config: { permission: 'jobs:write' },
      schema: {
        tags,
        summary: 'Stop a report schedule (its reports stay)',
        params: idParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await schedules.delete(authOf(request).workspaceId, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
