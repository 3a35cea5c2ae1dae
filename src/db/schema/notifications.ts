import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { workspaces } from './workspaces.js';

/** Event types workspace members and endpoints can subscribe to. */
export const notificationEventTypes = [
  'analysis.succeeded',
  'analysis.failed',
  'site.health_changed',
  'blueprint.version_created',
  'blueprint.repair_failed',
  'job.failed',
  'llm.budget_threshold',
  'quota.threshold',
  'report.ready',
  'daily.summary',
] as const;
/**
 * `webhook.test` only ever goes to the endpoint it tests; `system.error` belongs to no workspace
 * and goes to the instance's system administrators (email and the bell), whatever workspace
 * they are in.
 */
export type NotificationEventType = (typeof notificationEventTypes)[number] | 'webhook.test' | 'system.error';
export const SYSTEM_ERROR = 'system.error';

/**
 * The transactional outbox: a row written in the same transaction as the change it reports.
 * The relay fans each event out into deliveries once (`dispatchedAt`); `dedupeKey` makes an
 * event that may be recorded twice (a re-run job, a summary slot) exist once.
 */
export const notificationEvents = pgTable(
  'notification_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Null for instance-wide events (`system.error`), which go to system administrators. */
    workspaceId: uuid('workspace_id').references(() => workspaces.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    /** Site the event is about, for links and the health cool-down. */
    siteId: uuid('site_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    dedupeKey: text('dedupe_key'),
    /** Only this webhook endpoint receives it (test events). */
    onlyEndpointId: uuid('only_endpoint_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    dispatchedAt: timestamp('dispatched_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('notification_events_dedupe_idx').on(table.dedupeKey),
    index('notification_events_pending_idx').on(table.dispatchedAt, table.createdAt),
    index('notification_events_workspace_idx').on(table.workspaceId, table.createdAt),
  ],
);

/** A workspace's webhook endpoint; the signing secret is kept to sign, and shown once. */
export const webhookEndpoints = pgTable('webhook_endpoints', {
  id: uuid('id').primaryKey().defaultRandom(),
  workspaceId: uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  url: text('url').notNull(),
  description: text('description').notNull().default(''),
  eventTypes: text('event_types').array().notNull(),
  secret: text('secret').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  disabledReason: text('disabled_reason'),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A Slack incoming webhook of a workspace. */
export const notificationChannels = pgTable('notification_channels', {
  id: uuid('id').primaryKey().defaultRandom(),
  workspaceId: uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  kind: text('kind', { enum: ['slack'] }).notNull(),
  name: text('name').notNull(),
  url: text('url').notNull(),
  eventTypes: text('event_types').array().notNull(),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const deliveryChannels = ['email', 'webhook', 'slack'] as const;
export const deliveryStatuses = ['pending', 'sending', 'retrying', 'delivered', 'failed'] as const;

/**
 * One (event, channel, recipient): the unit delivered once. `idempotencyKey` is unique, and is
 * what the receiver sees (webhook-id, Message-ID), so a resend after a crash is recognisable.
 */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => notificationEvents.id, { onDelete: 'cascade' }),
    /** An instance-wide event's email goes out in its recipient's personal workspace. */
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    channel: text('channel', { enum: deliveryChannels }).notNull(),
    /** User id (email), endpoint id (webhook) or channel id (slack). */
    targetId: uuid('target_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    status: text('status', { enum: deliveryStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** While `sending`: until when this attempt owns the delivery (a dead sender's claim lapses). */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    jobId: uuid('job_id'),
    responseStatus: integer('response_status'),
    latencyMs: integer('latency_ms'),
    responseExcerpt: text('response_excerpt'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('notification_deliveries_key_idx').on(table.idempotencyKey),
    index('notification_deliveries_target_idx').on(table.targetId, table.createdAt),
  ],
);

/**
 * Every attempt at a delivery, kept for the delivery log: the delivery row holds only the latest
 * outcome. An attempt whose process died mid-send leaves no row (its retry does).
 */
export const notificationDeliveryAttempts = pgTable(
  'notification_delivery_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => notificationDeliveries.id, { onDelete: 'cascade' }),
    /** 1 for the first try; counts on across redeliveries. */
    attempt: integer('attempt').notNull(),
    outcome: text('outcome', { enum: ['delivered', 'failed'] }).notNull(),
    responseStatus: integer('response_status'),
    latencyMs: integer('latency_ms'),
    responseExcerpt: text('response_excerpt'),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('notification_delivery_attempts_delivery_idx').on(table.deliveryId, table.attempt)],
);

/** In-app notifications (the bell), one per event and member. */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Null for an instance-wide event: shown in every workspace of its (system administrator) user. */
    workspaceId: uuid('workspace_id').references(() => workspaces.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    eventId: uuid('event_id')
      .notNull()
      .references(() => notificationEvents.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    title: text('title').notNull(),
    link: text('link'),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('notifications_event_user_idx').on(table.eventId, table.userId),
    index('notifications_user_idx').on(table.userId, table.workspaceId, table.createdAt),
  ],
);

export const emailModes = ['off', 'immediate', 'digest'] as const;

/** A user's choice for one event type in one workspace; absent rows take the defaults (preferences.ts). */
export const notificationPreferences = pgTable(
  'notification_preferences',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    eventType: text('event_type').notNull(),
    email: text('email', { enum: emailModes }).notNull(),
    inApp: boolean('in_app').notNull(),
  },
  (table) => [uniqueIndex('notification_preferences_idx').on(table.userId, table.workspaceId, table.eventType)],
);

/** Per-user switches that are not per event: the unsubscribe link turns all email off. */
export const notificationUserSettings = pgTable('notification_user_settings', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** The secret of the user's unsubscribe link (random, made when their first email is sent). */
  unsubscribeToken: text('unsubscribe_token').notNull().unique(),
  emailUnsubscribedAt: timestamp('email_unsubscribed_at', { withTimezone: true }),
});

/** When a workspace's daily summary goes out (its local hour) and whether quiet days get one. */
export const notificationWorkspaceSettings = pgTable('notification_workspace_settings', {
  workspaceId: uuid('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  summaryEnabled: boolean('summary_enabled').notNull().default(true),
  summaryHour: integer('summary_hour').notNull().default(8),
  timeZone: text('time_zone').notNull().default('UTC'),
  summaryWhenQuiet: boolean('summary_when_quiet').notNull().default(false),
});
