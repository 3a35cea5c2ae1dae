import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { jobs } from './jobs.js';
import { workspaces } from './workspaces.js';

/**
 * API requests counted per minute and (workspace, method, route pattern, status class, API key,
 * user): each API process aggregates in memory and adds its counts here, so a busy instance
 * writes a handful of rows a minute rather than one per request. Absent dimensions are '' (not
 * null) so the unique key, which flushes add onto, treats them as equal.
 */
export const apiUsageMinutes = pgTable(
  'api_usage_minutes',
  {
    minute: timestamp('minute', { withTimezone: true }).notNull(),
    workspaceId: text('workspace_id').notNull(),
    method: text('method').notNull(),
    route: text('route').notNull(),
    statusClass: text('status_class').notNull(),
    apiKeyId: text('api_key_id').notNull(),
    userId: text('user_id').notNull(),
    requests: integer('requests').notNull(),
    totalMs: real('total_ms').notNull(),
  },
  (table) => [
    uniqueIndex('api_usage_minutes_key_idx').on(
      table.minute,
      table.workspaceId,
      table.method,
      table.route,
      table.statusClass,
      table.apiKeyId,
      table.userId,
    ),
    index('api_usage_minutes_workspace_idx').on(table.workspaceId, table.minute),
  ],
);

export type ReportType = 'workspace_summary' | 'site_report' | 'extraction_export';
export type ReportFormat = 'pdf' | 'csv' | 'json' | 'ndjson';

/** A report made on a schedule and emailed to its recipients. */
export const reportSchedules = pgTable(
  'report_schedules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    type: text('type').$type<ReportType>().notNull(),
    format: text('format').$type<ReportFormat>().notNull(),
    /** siteId, or periodDays for a workspace summary. */
    params: jsonb('params').notNull().$type<Record<string, unknown>>(),
    /** Cron expression, evaluated in timeZone; daily/weekly/monthly requests are stored as one. */
    cron: text('cron').notNull(),
    timeZone: text('time_zone').notNull(),
    recipients: jsonb('recipients').notNull().$type<string[]>(),
    enabled: boolean('enabled').notNull().default(true),
    nextRunAt: timestamp('next_run_at', { withTimezone: true }),
    lastRunAt: timestamp('last_run_at', { withTimezone: true }),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('report_schedules_workspace_idx').on(table.workspaceId, table.createdAt),
    index('report_schedules_due_idx')
      .on(table.nextRunAt)
      .where(sql`${table.enabled}`),
  ],
);

/** A generated (or generating) report; its file lives under DATA_DIR/reports. */
export const reports = pgTable(
  'reports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    type: text('type').$type<ReportType>().notNull(),
    format: text('format').$type<ReportFormat>().notNull(),
    /** The report's parameters: period, site, extraction job. */
    params: jsonb('params').notNull().$type<Record<string, unknown>>(),
    status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed'] })
      .notNull()
      .default('queued'),
    jobId: uuid('job_id').references(() => jobs.id, { onDelete: 'set null' }),
    /** The schedule whose run this is; its recipients get the file by email. */
    scheduleId: uuid('schedule_id').references(() => reportSchedules.id, { onDelete: 'set null' }),
    createdBy: uuid('created_by'),
    fileName: text('file_name'),
    contentType: text('content_type'),
    sizeBytes: integer('size_bytes'),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (table) => [
    index('reports_workspace_created_idx').on(table.workspaceId, table.createdAt, table.id),
    index('reports_created_idx')
      .on(table.createdAt)
      .where(sql`${table.status} in ('succeeded', 'failed')`),
  ],
);
