import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per process that runs jobs (`siteprint serve` in embedded mode, `siteprint worker` in
 * scaled mode), rewritten on every beat; the System page flags rows whose beats stopped.
 */
export const workerHeartbeats = pgTable('worker_heartbeats', {
  /** Chosen by the process at start; a restarted process is a new worker. */
  id: text('id').primaryKey(),
  queue: text('queue', { enum: ['embedded', 'bullmq'] }).notNull(),
  host: text('host').notNull(),
  pid: integer('pid').notNull(),
  version: text('version').notNull(),
  concurrency: integer('concurrency').notNull(),
  jobsRunning: integer('jobs_running').notNull().default(0),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  lastBeatAt: timestamp('last_beat_at', { withTimezone: true }).notNull(),
});
