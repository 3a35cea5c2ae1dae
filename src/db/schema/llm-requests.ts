import { index, integer, pgTable, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces.js';

/** One call to the LLM provider, for cost tracking and budgets. Site and job are kept as ids: usage outlives them. */
export const llmRequests = pgTable(
  'llm_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    siteId: uuid('site_id'),
    jobId: uuid('job_id'),
    step: text('step').notNull(),
    model: text('model').notNull(),
    promptTokens: integer('prompt_tokens').notNull(),
    completionTokens: integer('completion_tokens').notNull(),
    /** Provider-reported when available, else from the price table; null when neither knows the price. */
    costUsd: real('cost_usd'),
    costSource: text('cost_source', { enum: ['provider', 'price-table', 'unknown'] }).notNull(),
    latencyMs: integer('latency_ms').notNull(),
    status: text('status', { enum: ['ok', 'error'] }).notNull(),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('llm_requests_workspace_created_idx').on(table.workspaceId, table.createdAt)],
);

/** Monthly budget thresholds crossed (80 %, 100 %), once per workspace and month; the notifications issue delivers them. */
export const llmBudgetEvents = pgTable(
  'llm_budget_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    /** Month of the spend, YYYY-MM (UTC). */
    month: text('month').notNull(),
    threshold: integer('threshold').notNull(),
    spentUsd: real('spent_usd').notNull(),
    budgetUsd: real('budget_usd').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (table) => [uniqueIndex('llm_budget_events_once_idx').on(table.workspaceId, table.month, table.threshold)],
);
