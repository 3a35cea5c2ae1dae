import { integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * A limit per quota; null means unlimited. Kept as JSON so a limit added later needs no schema
 * change, and read through `quotaLimitsSchema` (src/usage/quota-limits.ts).
 */
export type QuotaLimitValues = Partial<Record<string, number | null>>;

/**
 * Plans: named sets of quota limits a workspace is put on. The price columns are placeholders a
 * billing provider fills in later; nothing charges from them today.
 */
export const plans = pgTable('plans', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  limits: jsonb('limits').$type<QuotaLimitValues>().notNull(),
  priceMonthlyCents: integer('price_monthly_cents'),
  currency: text('currency'),
  /** The identifier of the plan at a billing provider, once one is attached. */
  externalId: text('external_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
