import { doublePrecision, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces.js';

export const usageMeters = ['analyses', 'extraction_pages', 'llm_cost_usd'] as const;
export type UsageMeter = (typeof usageMeters)[number];

/**
 * The usage ledger billing reads: one row per consuming event (an analysis started, an extraction
 * job's pages, an LLM call's cost). `source_key` names the event (`job:<id>`, `llm:<id>`), and
 * the unique index makes every write idempotent: a retried job or a replayed hook counts once.
 */
export const usageRecords = pgTable(
  'usage_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    meter: text('meter', { enum: usageMeters }).notNull(),
    quantity: doublePrecision('quantity').notNull(),
    /** Start of the calendar month (UTC) the usage belongs to. */
    periodStart: timestamp('period_start', { withTimezone: true }).notNull(),
    sourceKey: text('source_key').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('usage_records_source_idx').on(table.workspaceId, table.meter, table.sourceKey),
    index('usage_records_period_idx').on(table.workspaceId, table.periodStart, table.meter),
  ],
);
