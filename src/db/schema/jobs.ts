import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, numeric, pgTable, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces.js';

/**
 * Every background job. In both queue modes this table is the source of truth the API reads;
 * the embedded queue also claims work from it directly.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    siteId: uuid('site_id'),
    parentId: uuid('parent_id'),
    type: text('type').notNull(),
    status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] })
      .notNull()
      .default('queued'),
    /** 1 runs first: user-triggered 1, scheduled 2, batch 3. */
    priority: integer('priority').notNull(),
    payload: jsonb('payload').notNull().$type<Record<string, unknown>>(),
    result: jsonb('result'),
    error: text('error'),
    step: text('step'),
    progress: real('progress').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(3),
    runAt: timestamp('run_at', { withTimezone: true }).notNull().defaultNow(),
    /** A running job whose lease lapses belonged to a worker that died; it is queued again. */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    lockedBy: text('locked_by'),
    /** The W3C `traceparent` of the context that queued the job (tracing on), continued by each attempt. */
    traceParent: text('trace_parent'),
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    costUsd: numeric('cost_usd', { precision: 14, scale: 6, mode: 'number' }).notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('jobs_claim_idx')
      .on(table.status, table.priority, table.runAt)
      .where(sql`${table.status} = 'queued'`),
    // Running jobs are few: the sweeps for stalled analyses and jobs lost from Redis read them often.
    index('jobs_running_idx')
      .on(table.type)
      .where(sql`${table.status} = 'running'`),
    index('jobs_workspace_idx').on(table.workspaceId, table.createdAt),
    index('jobs_site_idx').on(table.siteId),
    // A pipeline step exists once per analysis, so a retried step cannot start its successor twice.
    uniqueIndex('jobs_parent_type_idx')
      .on(table.parentId, table.type)
      .where(sql`${table.parentId} is not null`),
  ],
);

/** Structured log lines of a job, in order. */
export const jobLogs = pgTable(
  'job_logs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    jobId: uuid('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    level: text('level', { enum: ['debug', 'info', 'warn', 'error'] }).notNull(),
    message: text('message').notNull(),
    data: jsonb('data'),
  },
  (table) => [index('job_logs_job_idx').on(table.jobId, table.id)],
);
