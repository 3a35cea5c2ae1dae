import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Every process that runs jobs (a `siteprint worker`, or `siteprint serve` in embedded mode),
 * from its start to its clean stop. A live one keeps `lastSeenAt` fresh; a row that stopped
 * being refreshed without `stoppedAt` is a process that died, and several of those on one host
 * in a short while are a crash loop (src/system/process-watch.ts).
 */
export const workerProcesses = pgTable(
  'worker_processes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    role: text('role', { enum: ['worker', 'server'] }).notNull(),
    host: text('host').notNull(),
    pid: integer('pid').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    stoppedAt: timestamp('stopped_at', { withTimezone: true }),
  },
  (table) => [index('worker_processes_host_idx').on(table.host, table.role, table.startedAt)],
);
