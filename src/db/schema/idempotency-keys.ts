import { integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/** Responses of creating requests sent with an Idempotency-Key, replayed when the key comes again. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    /** Whose key it is (a workspace), so callers never see each other's responses. */
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    /** Hash of method, path and body: the same key with another request is an error. */
    fingerprint: text('fingerprint').notNull(),
    statusCode: integer('status_code'),
    body: jsonb('body'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.scope, table.key] })],
);
