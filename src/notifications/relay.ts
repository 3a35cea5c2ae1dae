import type { Config } from '../config/index.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logging/logger.js';
import { DELIVER_NOTIFICATION } from '../pipeline/job-types.js';
import { Priority, type JobQueue } from '../queue/index.js';
import { describeEvent } from './messages.js';
import type { NotificationsRepository } from './notifications.repository.js';
import { recordNotificationEvent, type NewDelivery, type NotificationEvent } from './notifications.repository.js';
import { effectivePreferences } from './preferences.js';

/** How many times each channel is tried, with the queue's exponential backoff from `deliveryBackoffBaseMs`. */
export const MAX_ATTEMPTS = { email: 8, webhook: 16, slack: 8 } as const;

/**
 * The first retry's delay of a `deliver_notification` job such that a webhook's last try comes
 * `windowMs` (NOTIFY_WEBHOOK_RETRY_WINDOW_MS, a day by default) after its first: each next delay
 * doubles (the queue adds up to 10 % jitter), so email's and Slack's 8th try comes 127/32767 of
 * the window after their first (about 6 minutes of a day).
 */
export function deliveryBackoffBaseMs(windowMs: number): number {
  return windowMs / (2 ** (MAX_ATTEMPTS.webhook - 1) - 1);
}

/** When each try of a channel's delivery starts, in ms after the first, before jitter. */
export function retrySchedule(channel: keyof typeof MAX_ATTEMPTS, baseMs: number): number[] {
  const starts = [0];
  for (let attempt = 1; attempt < MAX_ATTEMPTS[channel]; attempt++) starts.push(starts.at(-1)! + baseMs * 2 ** (attempt - 1));
  return starts;
}

export interface RelayOptions {
  repository: NotificationsRepository;
  queue: JobQueue;
  config: Pick<Config, 'PUBLIC_URL' | 'SMTP_URL'>;
  logger: Logger;
  /** LLM spend of a workspace in a period, for the daily summary. */
  llmSpend(workspaceId: string, from: Date, to: Date): Promise<number>;
  now?: () => Date;
}

/**
 * Moves the outbox forward: fans each new event out into its deliveries (email per member by
 * their preferences, each subscribed webhook endpoint and Slack channel) and in-app items, in
 * the event's own transaction, then queues one `deliver_notification` job per delivery. Also
 * records each workspace's daily summary when its local hour comes. Every step is idempotent,
 * so any number of relays (one per API process) may run at once.
 */
export class NotificationRelay {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(private readonly options: RelayOptions) {}

  start(intervalMs: number): void {
    this.#timer ??= setInterval(() => void this.tick(), intervalMs);
    this.#timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  async tick(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = this.#work()
      .catch((err: unknown) => this.options.logger.error({ err }, 'notification relay tick failed'))
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  async #work(): Promise<void> {
    const { repository, queue } = this.options;
    await this.recordDailySummaries();
    await repository.dispatchPending(100, (tx, event) => this.#fanOut(tx, event));
    for (const delivery of await repository.unqueued(500)) {
      const job = await queue.enqueue({
        workspaceId: delivery.workspaceId,
        type: DELIVER_NOTIFICATION,
        payload: { deliveryId: delivery.id },
        priority: Priority.user,
        maxAttempts: MAX_ATTEMPTS[delivery.channel],
      });
      await repository.setJob(delivery.id, job.id);
    }
  }

  async #fanOut(tx: Db, event: NotificationEvent): Promise<void> {
    if (event.workspaceId === null) return this.#fanOutToSystemAdmins(tx, event);
    const { repository, config } = this.options;
    const workspaceId = event.workspaceId;
    const key = (channel: string, target: string) => `${event.id}:${channel}:${target}`;
    const deliveries: NewDelivery[] = [];
    const add = (channel: NewDelivery['channel'], targetId: string) =>
      deliveries.push({ eventId: event.id, workspaceId, channel, targetId, idempotencyKey: key(channel, targetId) });

    const subscribed = (types: string[]) => types.includes(event.type) || types.includes('*');
    for (const endpoint of await repository.endpoints(workspaceId, tx)) {
      if (!endpoint.enabled) continue;
      if (event.onlyEndpointId ? endpoint.id === event.onlyEndpointId : subscribed(endpoint.eventTypes)) add('webhook', endpoint.id);
    }
    if (event.onlyEndpointId) return repository.addDeliveries(tx, deliveries);
    for (const channel of await repository.channels(workspaceId, tx)) {
      if (channel.enabled && subscribed(channel.eventTypes)) add('slack', channel.id);
    }

    const members = await repository.members(tx, workspaceId);
    const own = await repository.preferences(tx, workspaceId);
    const unsubscribed = await repository.unsubscribedUsers(
      tx,
      members.map((member) => member.userId),
    );
    const message = describeEvent(event, config.PUBLIC_URL);
    const inApp = [];
    for (const member of members) {
      const preferences = effectivePreferences(
        member.role,
        own.filter((row) => row.userId === member.userId),
      );
      const preference = preferences.find((candidate) => candidate.eventType === event.type);
      // The summary also goes to whoever chose to receive some event type as a digest.
      const wantsSummary = event.type === 'daily.summary' && preferences.some((candidate) => candidate.email === 'digest');
      if (config.SMTP_URL && !unsubscribed.has(member.userId) && (preference?.email === 'immediate' || wantsSummary))
        add('email', member.userId);
      if (preference?.inApp)
        inApp.push({
          workspaceId,
          userId: member.userId,
          eventId: event.id,
          type: event.type,
          title: message.title,
          link: message.link,
        });
    }
    await repository.addDeliveries(tx, deliveries);
    await repository.addInApp(tx, inApp);
  }

  /**
   * An instance-wide event (`system.error`) goes to every active system administrator: in the bell
   * of whichever workspace they look at, and by email (sent in their personal workspace) unless
   * they used the unsubscribe link. Workspace preferences, endpoints and Slack channels are the
   * workspaces' own and do not apply.
   */
  async #fanOutToSystemAdmins(tx: Db, event: NotificationEvent): Promise<void> {
    const { repository, config } = this.options;
    const admins = await repository.systemAdmins(tx);
    const unsubscribed = await repository.unsubscribedUsers(
      tx,
      admins.map((admin) => admin.userId),
    );
    const message = describeEvent(event, config.PUBLIC_URL);
    await repository.addDeliveries(
      tx,
      admins
        .filter((admin) => config.SMTP_URL && admin.workspaceId && !unsubscribed.has(admin.userId))
        .map((admin) => ({
          eventId: event.id,
          workspaceId: admin.workspaceId!,
          channel: 'email' as const,
          targetId: admin.userId,
          idempotencyKey: `${event.id}:email:${admin.userId}`,
        })),
    );
    await repository.addInApp(
      tx,
      admins.map((admin) => ({
        workspaceId: null,
        userId: admin.userId,
        eventId: event.id,
        type: event.type,
        title: message.title,
        link: message.link,
      })),
    );
  }

  /**
   * Records the daily summary of every workspace whose local summary hour is now, covering the
   * 24 hours before; once per workspace and local date (the dedupe key), and only when something
   * happened unless the workspace asked for quiet days too.
   */
  async recordDailySummaries(): Promise<void> {
    const { repository } = this.options;
    const now = this.options.now?.() ?? new Date();
    for (const settings of await repository.summarySettings()) {
      if (!settings.summaryEnabled) continue;
      const local = localClock(now, settings.timeZone);
      if (local.hour !== settings.summaryHour) continue;
      const from = new Date(now.getTime() - 86_400_000);
      const counts = await repository.eventCounts(settings.workspaceId, from, now);
      delete counts['daily.summary'];
      delete counts['webhook.test'];
      const llmSpendUsd = await this.options.llmSpend(settings.workspaceId, from, now);
      const happened = Object.values(counts).some((n) => n > 0) || llmSpendUsd > 0;
      if (!happened && !settings.summaryWhenQuiet) continue;
      await recordNotificationEvent(repository.db, {
        workspaceId: settings.workspaceId,
        type: 'daily.summary',
        data: { date: local.date, timeZone: settings.timeZone, from: from.toISOString(), to: now.toISOString(), counts, llmSpendUsd },
        dedupeKey: `daily.summary:${settings.workspaceId}:${local.date}`,
      });
    }
  }
}

/** The date (YYYY-MM-DD) and hour of an instant on a time zone's clock. */
export function localClock(at: Date, timeZone: string): { date: string; hour: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) };
}
