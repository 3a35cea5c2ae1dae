import { randomBytes } from 'node:crypto';
import { and, asc, count, desc, eq, gte, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
  memberships,
  notificationChannels,
  notificationDeliveries,
  notificationDeliveryAttempts,
  notificationEvents,
  notificationPreferences,
  notifications,
  notificationUserSettings,
  notificationWorkspaceSettings,
  users,
  webhookEndpoints,
  workspaces,
} from '../db/schema/index.js';

export type NotificationEvent = typeof notificationEvents.$inferSelect;
export type NewNotificationEvent = Omit<typeof notificationEvents.$inferInsert, 'id' | 'dispatchedAt'>;
export type Delivery = typeof notificationDeliveries.$inferSelect;
export type DeliveryAttempt = typeof notificationDeliveryAttempts.$inferSelect;
export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type NotificationChannel = typeof notificationChannels.$inferSelect;
export type InAppNotification = typeof notifications.$inferSelect;
export type PreferenceRow = typeof notificationPreferences.$inferSelect;
export type WorkspaceNotificationSettings = typeof notificationWorkspaceSettings.$inferSelect;
export type NewDelivery = Pick<
  typeof notificationDeliveries.$inferInsert,
  'eventId' | 'workspaceId' | 'channel' | 'targetId' | 'idempotencyKey'
>;

/** A workspace without a settings row: a summary at 08:00 UTC on days something happened. */
const SUMMARY_DEFAULTS = { summaryEnabled: true, summaryHour: 8, timeZone: 'UTC', summaryWhenQuiet: false };

/** Writes an event into the outbox, in the caller's transaction when it passes one. */
export async function recordNotificationEvent(db: Pick<Db, 'insert'>, event: NewNotificationEvent): Promise<void> {
  await db.insert(notificationEvents).values(event).onConflictDoNothing();
}

/** A user's in-app items in a workspace: its own, and instance-wide ones (system errors), which show in every workspace. */
const inWorkspaceOrInstance = (workspaceId: string) => or(eq(notifications.workspaceId, workspaceId), isNull(notifications.workspaceId));

/** Every query of notifications: events, deliveries, endpoints, channels, in-app items and preferences. */
export class NotificationsRepository {
  constructor(readonly db: Db) {}

  // --- outbox and deliveries ---

  /**
   * Fans out up to `limit` undispatched events, each in one transaction that locks it (SKIP
   * LOCKED, so several relays share the work): `fanOut` writes its deliveries and in-app items,
   * then the event is marked dispatched.
   */
  async dispatchPending(limit: number, fanOut: (tx: Db, event: NotificationEvent) => Promise<void>): Promise<number> {
    let done = 0;
    for (let i = 0; i < limit; i++) {
      const handled = await this.db.transaction(async (tx) => {
        const [event] = await tx
          .select()
          .from(notificationEvents)
          .where(isNull(notificationEvents.dispatchedAt))
          .orderBy(asc(notificationEvents.createdAt))
          .limit(1)
          .for('update', { skipLocked: true });
        if (!event) return false;
        await fanOut(tx as unknown as Db, event);
        await tx.update(notificationEvents).set({ dispatchedAt: new Date() }).where(eq(notificationEvents.id, event.id));
        return true;
      });
      if (!handled) break;
      done += 1;
    }
    return done;
  }

  async addDeliveries(tx: Db, rows: NewDelivery[]): Promise<void> {
    if (rows.length) await tx.insert(notificationDeliveries).values(rows).onConflictDoNothing();
  }

  async addInApp(tx: Db, rows: Array<typeof notifications.$inferInsert>): Promise<void> {
    if (rows.length) await tx.insert(notifications).values(rows).onConflictDoNothing();
  }

  /** Deliveries no job has been queued for yet (a relay that died between the two steps leaves some). */
  unqueued(limit: number): Promise<Delivery[]> {
    return this.db
      .select()
      .from(notificationDeliveries)
      .where(and(isNull(notificationDeliveries.jobId), eq(notificationDeliveries.status, 'pending')))
      .limit(limit);
  }

  async setJob(id: string, jobId: string): Promise<void> {
    await this.db.update(notificationDeliveries).set({ jobId }).where(eq(notificationDeliveries.id, id));
  }

  /**
   * Takes a delivery for one attempt: only one sender holds it at a time, and a sender that died
   * mid-send releases it when its lease lapses. Undefined when it is delivered, failed for good
   * or held by a live attempt.
   */
  async claim(id: string, now: Date, leaseMs: number): Promise<Delivery | undefined> {
    const [row] = await this.db
      .update(notificationDeliveries)
      .set({
        status: 'sending',
        attempts: sql`${notificationDeliveries.attempts} + 1`,
        leaseUntil: new Date(now.getTime() + leaseMs),
        lastAttemptAt: now,
      })
      .where(
        and(
          eq(notificationDeliveries.id, id),
          or(
            inArray(notificationDeliveries.status, ['pending', 'retrying']),
            and(eq(notificationDeliveries.status, 'sending'), lt(notificationDeliveries.leaseUntil, now)),
          ),
        ),
      )
      .returning();
    return row;
  }

  async delivery(id: string): Promise<Delivery | undefined> {
    const [row] = await this.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.id, id));
    return row;
  }

  /** Records how the claimed attempt ended: on the delivery (its latest outcome) and in its attempt log. */
  async finishAttempt(
    delivery: Pick<Delivery, 'id' | 'attempts' | 'lastAttemptAt'>,
    outcome: {
      status: 'delivered' | 'retrying' | 'failed';
      responseStatus?: number | null;
      latencyMs?: number | null;
      responseExcerpt?: string | null;
      error?: string | null;
    },
  ): Promise<void> {
    const result = {
      responseStatus: outcome.responseStatus ?? null,
      latencyMs: outcome.latencyMs ?? null,
      responseExcerpt: outcome.responseExcerpt ?? null,
    };
    await this.db.transaction(async (tx) => {
      await tx
        .update(notificationDeliveries)
        .set({
          status: outcome.status,
          leaseUntil: null,
          ...result,
          lastError: outcome.error ?? null,
          ...(outcome.status === 'delivered' ? { deliveredAt: new Date() } : {}),
        })
        .where(eq(notificationDeliveries.id, delivery.id));
      await tx.insert(notificationDeliveryAttempts).values({
        deliveryId: delivery.id,
        attempt: delivery.attempts,
        outcome: outcome.status === 'delivered' ? 'delivered' : 'failed',
        ...result,
        error: outcome.error ?? null,
        startedAt: delivery.lastAttemptAt ?? new Date(),
      });
    });
  }

  /** The attempts of the given deliveries, oldest first. */
  async attempts(deliveryIds: string[]): Promise<DeliveryAttempt[]> {
    if (!deliveryIds.length) return [];
    return this.db
      .select()
      .from(notificationDeliveryAttempts)
      .where(inArray(notificationDeliveryAttempts.deliveryId, deliveryIds))
      .orderBy(asc(notificationDeliveryAttempts.startedAt), asc(notificationDeliveryAttempts.attempt));
  }

  /** Puts a finished delivery back to be sent again (redeliver), keeping its idempotency key. */
  async reopen(id: string): Promise<Delivery | undefined> {
    const [row] = await this.db
      .update(notificationDeliveries)
      .set({ status: 'pending', jobId: null, leaseUntil: null })
      .where(and(eq(notificationDeliveries.id, id), inArray(notificationDeliveries.status, ['delivered', 'failed'])))
      .returning();
    return row;
  }

  async event(id: string): Promise<NotificationEvent | undefined> {
    const [row] = await this.db.select().from(notificationEvents).where(eq(notificationEvents.id, id));
    return row;
  }

  /** The last health-change event of a site, for the cool-down. */
  async lastHealthEvent(db: Db, siteId: string): Promise<NotificationEvent | undefined> {
    const [row] = await db
      .select()
      .from(notificationEvents)
      .where(and(eq(notificationEvents.siteId, siteId), eq(notificationEvents.type, 'site.health_changed')))
      .orderBy(desc(notificationEvents.createdAt))
      .limit(1);
    return row;
  }

  /**
   * Writes an instance-wide event unless one with the same `key` (in its data) was written after
   * `since`: the cool-down of system errors. A transaction-scoped advisory lock on the key makes
   * processes reporting the same trouble at once write one event.
   */
  async recordUnlessRecent(event: Omit<NewNotificationEvent, 'workspaceId'>, key: string, since: Date): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`notification:${key}`}))`);
      const [recent] = await tx
        .select({ id: notificationEvents.id })
        .from(notificationEvents)
        .where(
          and(
            isNull(notificationEvents.workspaceId),
            eq(notificationEvents.type, event.type),
            gte(notificationEvents.createdAt, since),
            sql`${notificationEvents.data}->>'key' = ${key}`,
          ),
        )
        .limit(1);
      if (recent) return false;
      await tx.insert(notificationEvents).values({ ...event, workspaceId: null, data: { ...event.data, key } });
      return true;
    });
  }

  /** Counts of a workspace's events by type in [from, to), for the daily summary. */
  async eventCounts(workspaceId: string, from: Date, to: Date): Promise<Record<string, number>> {
    const rows = await this.db
      .select({ type: notificationEvents.type, n: count().mapWith(Number) })
      .from(notificationEvents)
      .where(
        and(eq(notificationEvents.workspaceId, workspaceId), gte(notificationEvents.createdAt, from), lt(notificationEvents.createdAt, to)),
      )
      .groupBy(notificationEvents.type);
    return Object.fromEntries(rows.map((row) => [row.type, row.n]));
  }

  /** A workspace's events of the given types in [from, to), oldest first: a daily summary's digest items. */
  eventsOfTypes(workspaceId: string, types: string[], from: Date, to: Date, limit: number): Promise<NotificationEvent[]> {
    return this.db
      .select()
      .from(notificationEvents)
      .where(
        and(
          eq(notificationEvents.workspaceId, workspaceId),
          inArray(notificationEvents.type, types),
          gte(notificationEvents.createdAt, from),
          lt(notificationEvents.createdAt, to),
        ),
      )
      .orderBy(asc(notificationEvents.createdAt))
      .limit(limit);
  }

  // --- recipients ---

  /** Active members of a workspace with their role. */
  members(db: Db, workspaceId: string) {
    return db
      .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.workspaceId, workspaceId), isNull(users.disabledAt)));
  }

  /**
   * Active system administrators, each with the workspace their instance-wide emails are sent
   * in: their personal one, or else the first they belong to.
   */
  async systemAdmins(db: Db): Promise<Array<{ userId: string; email: string; workspaceId: string | null }>> {
    const rows = await db
      .select({
        userId: users.id,
        email: users.email,
        workspaceId: sql<string | null>`coalesce(
          (select ${workspaces.id} from ${workspaces} where ${workspaces.personalOwnerId} = ${users.id} limit 1),
          (select ${memberships.workspaceId} from ${memberships} where ${memberships.userId} = ${users.id} order by ${memberships.workspaceId} limit 1)
        )`,
      })
      .from(users)
      .where(and(eq(users.systemAdmin, true), isNull(users.disabledAt)));
    return rows;
  }

  async member(workspaceId: string, userId: string) {
    const [row] = await this.members(this.db, workspaceId).then((rows) => rows.filter((member) => member.userId === userId));
    return row;
  }

  preferences(db: Db, workspaceId: string, userIds?: string[]): Promise<PreferenceRow[]> {
    return db
      .select()
      .from(notificationPreferences)
      .where(
        and(
          eq(notificationPreferences.workspaceId, workspaceId),
          userIds
            ? inArray(notificationPreferences.userId, userIds.length ? userIds : ['00000000-0000-0000-0000-000000000000'])
            : undefined,
        ),
      );
  }

  async setPreferences(
    userId: string,
    workspaceId: string,
    rows: Array<Pick<PreferenceRow, 'eventType' | 'email' | 'inApp'>>,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const row of rows) {
        await tx
          .insert(notificationPreferences)
          .values({ userId, workspaceId, ...row })
          .onConflictDoUpdate({
            target: [notificationPreferences.userId, notificationPreferences.workspaceId, notificationPreferences.eventType],
            set: { email: row.email, inApp: row.inApp },
          });
      }
    });
  }

  async unsubscribedUsers(db: Db, userIds: string[]): Promise<Set<string>> {
    if (!userIds.length) return new Set();
    const rows = await db
      .select({ userId: notificationUserSettings.userId })
      .from(notificationUserSettings)
      .where(and(inArray(notificationUserSettings.userId, userIds), sql`${notificationUserSettings.emailUnsubscribedAt} is not null`));
    return new Set(rows.map((row) => row.userId));
  }

  /** The user's unsubscribe secret, made on first use. */
  async unsubscribeToken(userId: string): Promise<string> {
    await this.db
      .insert(notificationUserSettings)
      .values({ userId, unsubscribeToken: randomBytes(24).toString('base64url') })
      .onConflictDoNothing();
    const [row] = await this.db.select().from(notificationUserSettings).where(eq(notificationUserSettings.userId, userId));
    return row!.unsubscribeToken;
  }

  async unsubscribe(token: string, at: Date): Promise<boolean> {
    const rows = await this.db
      .update(notificationUserSettings)
      .set({ emailUnsubscribedAt: at })
      .where(eq(notificationUserSettings.unsubscribeToken, token))
      .returning({ userId: notificationUserSettings.userId });
    return rows.length > 0;
  }

  // --- endpoints and channels ---

  endpoints(workspaceId: string, db: Db = this.db): Promise<WebhookEndpoint[]> {
    return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.workspaceId, workspaceId)).orderBy(asc(webhookEndpoints.createdAt));
  }

  async endpoint(workspaceId: string, id: string): Promise<WebhookEndpoint | undefined> {
    const [row] = await this.db
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.workspaceId, workspaceId), eq(webhookEndpoints.id, id)));
    return row;
  }

  async endpointById(id: string): Promise<WebhookEndpoint | undefined> {
    const [row] = await this.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    return row;
  }

  async createEndpoint(values: typeof webhookEndpoints.$inferInsert): Promise<WebhookEndpoint> {
    const [row] = await this.db.insert(webhookEndpoints).values(values).returning();
    return row!;
  }

  async updateEndpoint(
    workspaceId: string,
    id: string,
    changes: Partial<Pick<WebhookEndpoint, 'url' | 'description' | 'eventTypes' | 'enabled' | 'disabledReason'>>,
  ): Promise<WebhookEndpoint | undefined> {
    const [row] = await this.db
      .update(webhookEndpoints)
      .set(changes)
      .where(and(eq(webhookEndpoints.workspaceId, workspaceId), eq(webhookEndpoints.id, id)))
      .returning();
    return row;
  }

  async deleteEndpoint(workspaceId: string, id: string): Promise<boolean> {
    const rows = await this.db
      .delete(webhookEndpoints)
      .where(and(eq(webhookEndpoints.workspaceId, workspaceId), eq(webhookEndpoints.id, id)))
      .returning({ id: webhookEndpoints.id });
    return rows.length > 0;
  }

  /** A webhook endpoint's deliveries, newest first. */
  endpointDeliveries(endpointId: string, limit: number) {
    return this.db
      .select({ delivery: notificationDeliveries, eventType: notificationEvents.type })
      .from(notificationDeliveries)
      .innerJoin(notificationEvents, eq(notificationEvents.id, notificationDeliveries.eventId))
      .where(and(eq(notificationDeliveries.targetId, endpointId), eq(notificationDeliveries.channel, 'webhook')))
      .orderBy(desc(notificationDeliveries.createdAt))
      .limit(limit);
  }

  /**
   * Switches an enabled endpoint off; undefined when it was already off (or is gone), so of several
   * deliveries failing for good at once only one goes on to tell the owners.
   */
  async disableEndpoint(db: Db, id: string, reason: string): Promise<WebhookEndpoint | undefined> {
    const [row] = await db
      .update(webhookEndpoints)
      .set({ enabled: false, disabledReason: reason })
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.enabled, true)))
      .returning();
    return row;
  }

  channels(workspaceId: string, db: Db = this.db): Promise<NotificationChannel[]> {
    return db
      .select()
      .from(notificationChannels)
      .where(eq(notificationChannels.workspaceId, workspaceId))
      .orderBy(asc(notificationChannels.createdAt));
  }

  async channelById(id: string): Promise<NotificationChannel | undefined> {
    const [row] = await this.db.select().from(notificationChannels).where(eq(notificationChannels.id, id));
    return row;
  }

  async createChannel(values: typeof notificationChannels.$inferInsert): Promise<NotificationChannel> {
    const [row] = await this.db.insert(notificationChannels).values(values).returning();
    return row!;
  }

  async deleteChannel(workspaceId: string, id: string): Promise<boolean> {
    const rows = await this.db
      .delete(notificationChannels)
      .where(and(eq(notificationChannels.workspaceId, workspaceId), eq(notificationChannels.id, id)))
      .returning({ id: notificationChannels.id });
    return rows.length > 0;
  }

  // --- in-app ---

  inApp(workspaceId: string, userId: string, options: { unreadOnly: boolean; limit: number }): Promise<InAppNotification[]> {
    return this.db
      .select()
      .from(notifications)
      .where(
        and(
          inWorkspaceOrInstance(workspaceId),
          eq(notifications.userId, userId),
          options.unreadOnly ? isNull(notifications.readAt) : undefined,
        ),
      )
      .orderBy(desc(notifications.createdAt))
      .limit(options.limit);
  }

  async unreadCount(workspaceId: string, userId: string): Promise<number> {
    const [row] = await this.db
      .select({ n: count().mapWith(Number) })
      .from(notifications)
      .where(and(inWorkspaceOrInstance(workspaceId), eq(notifications.userId, userId), isNull(notifications.readAt)));
    return row?.n ?? 0;
  }

  /** Marks the given notifications (or all, without ids) read; returns how many changed. */
  async markRead(workspaceId: string, userId: string, ids: string[] | undefined, at: Date): Promise<number> {
    const rows = await this.db
      .update(notifications)
      .set({ readAt: at })
      .where(
        and(
          inWorkspaceOrInstance(workspaceId),
          eq(notifications.userId, userId),
          isNull(notifications.readAt),
          ids ? inArray(notifications.id, ids) : undefined,
        ),
      )
      .returning({ id: notifications.id });
    return rows.length;
  }

  // --- daily summary ---

  /** A workspace's summary settings (the defaults where it has none). */
  async workspaceSettings(workspaceId: string): Promise<WorkspaceNotificationSettings> {
    const [row] = await this.db
      .select()
      .from(notificationWorkspaceSettings)
      .where(eq(notificationWorkspaceSettings.workspaceId, workspaceId));
    return row ?? { workspaceId, ...SUMMARY_DEFAULTS };
  }

  async setWorkspaceSettings(workspaceId: string, changes: Partial<Omit<WorkspaceNotificationSettings, 'workspaceId'>>) {
    const [row] = await this.db
      .insert(notificationWorkspaceSettings)
      .values({ workspaceId, ...SUMMARY_DEFAULTS, ...changes })
      .onConflictDoUpdate({ target: notificationWorkspaceSettings.workspaceId, set: changes })
      .returning();
    return row!;
  }

  /** Every workspace with its summary settings (defaults where it has none). */
  async summarySettings(): Promise<Array<Omit<WorkspaceNotificationSettings, 'workspaceId'> & { workspaceId: string }>> {
    const rows = await this.db
      .select({ workspaceId: workspaces.id, settings: notificationWorkspaceSettings })
      .from(workspaces)
      .leftJoin(notificationWorkspaceSettings, eq(notificationWorkspaceSettings.workspaceId, workspaces.id));
    return rows.map((row) => ({
      ...SUMMARY_DEFAULTS,
      ...(row.settings ?? {}),
      workspaceId: row.workspaceId,
    }));
  }
}
