import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/** People who sign in. Email uniqueness ignores case, so "A@x.io" and "a@x.io" are one account. */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** Null for accounts created through OAuth that never set a password. */
    passwordHash: text('password_hash'),
    emailVerified: boolean('email_verified').notNull().default(false),
    systemAdmin: boolean('system_admin').notNull().default(false),
    /** Set by a system administrator: the account cannot sign in, and its sessions and keys were ended. */
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    /** Set by an administrator's password reset: until the user picks a new password, signed-in calls are refused. */
    passwordChangeRequired: boolean('password_change_required').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('users_email_lower_idx').on(sql`lower(${table.email})`)],
);

/** A provider identity (Google, GitHub) bound to a user. */
export const oauthAccounts = pgTable(
  'oauth_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: ['google', 'github'] }).notNull(),
    providerUserId: text('provider_user_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('oauth_accounts_provider_idx').on(table.provider, table.providerUserId)],
);

/**
 * Opaque refresh tokens, stored as sha256 hashes. Every rotation adds a row to the same family;
 * presenting a rotated (replaced) token again revokes the whole family.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: uuid('family_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    replacedAt: timestamp('replaced_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('refresh_tokens_hash_idx').on(table.tokenHash), index('refresh_tokens_family_idx').on(table.familyId)],
);

/**
 * Outgoing email, written here and delivered by the notifications worker (SMTP delivery belongs
 * to the notifications issue); keeping the text in the database means no message is lost when
 * mail is not configured yet.
 */
export const emailOutbox = pgTable(
  'email_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    metadata: jsonb('metadata').$type<Record<string, unknown>>(),
    /** Files to attach, read from disk when the message is sent (reports under DATA_DIR). */
    attachments: jsonb('attachments').$type<EmailAttachment[]>(),
    /** Sending attempts so far; a failed one is tried again after a backoff. */
    attempts: integer('attempts').notNull().default(0),
    /** When a sender may next claim it (a claim pushes it forward, so a sender that dies releases it). */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('email_outbox_due_idx')
      .on(table.nextAttemptAt)
      .where(sql`${table.sentAt} is null`),
  ],
);

export interface EmailAttachment {
  filename: string;
  path: string;
  contentType: string;
}
