import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The one registry of processes that run jobs (a `siteprint worker`, or `siteprint serve` in
 * embedded mode), from their start to their clean stop. A live one rewrites `lastSeenAt` and
 * `jobsRunning` on every heartbeat: the admin Workers panel lists the unstopped ones and flags
 * those whose beats stopped. A row that stopped being refreshed without `stoppedAt` is a process
 * that died, and several of those on one host in a short while are a crash loop
 * (src/system/process-watch.ts).
 */
export const workerProcesses = pgTable(
  'worker_processes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    role: text('role', { enum: ['worker', 'server'] }).notNull(),
    /** The queue backend it takes jobs from. */
    queue: text('queue', { enum: ['embedded', 'bullmq'] }).notNull(),
    host: text('host').notNull(),
    pid: integer('pid').notNull(),
    version: text('version').notNull(),
    concurrency: integer('concurrency').notNull(),
    jobsRunning: integer('jobs_running').notNull().default(0),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    stoppedAt: timestamp('stopped_at', { withTimezone: true }),
  },
  (table) => [index('worker_processes_host_idx').on(table.host, table.role, table.startedAt)],
);
