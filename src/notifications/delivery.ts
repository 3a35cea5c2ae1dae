import type { Transporter } from 'nodemailer';
import { Webhook } from 'standardwebhooks';
import type { Agent } from 'undici';
import type { EmailOutboxRepository } from '../accounts/email-outbox.repository.js';
import type { Config } from '../config/index.js';
import type { Db } from '../db/client.js';
import type { WorkspaceRole } from '../db/schema/index.js';
import { guardedLookup } from '../engine/fetch/index.js';
import type { Logger } from '../logging/logger.js';
import type { JobContext } from '../queue/index.js';
import { PermanentJobError } from '../queue/index.js';
import { metrics } from '../system/metrics.js';
import { describeEvent, emailFor, slackMessageFor, type EventMessage } from './messages.js';
import { effectivePreferences } from './preferences.js';
import type { Delivery, NotificationEvent, NotificationsRepository } from './notifications.repository.js';

/** How long one attempt may hold a delivery, in send timeouts: longer than any send can take (HTTP and SMTP time out first). */
const LEASE_TIMEOUTS = 4;
const EXCERPT_CHARS = 500;
/** How many digest events a daily summary email lists by name; the rest are counted ("and N more"). */
export const DIGEST_ITEMS = 10;

export interface DeliveryDeps {
  repository: NotificationsRepository;
  outbox: EmailOutboxRepository;
  config: Pick<Config, 'PUBLIC_URL' | 'SMTP_URL' | 'MAIL_FROM' | 'ALLOW_PRIVATE_NETWORK' | 'NOTIFY_SEND_TIMEOUT_MS'>;
  logger: Logger;
}

interface AttemptResult {
  responseStatus?: number;
  latencyMs?: number;
  responseExcerpt?: string;
}

class DeliveryError extends Error {
  constructor(
    message: string,
    readonly result: AttemptResult = {},
  ) {
    super(message);
  }
}

/** The Standard Webhooks body of an event: type, timestamp and data. */
export function webhookBody(event: NotificationEvent): string {
  return JSON.stringify({
    type: event.type,
    timestamp: event.createdAt.toISOString(),
    data: { ...event.data, eventId: event.id, workspaceId: event.workspaceId, siteId: event.siteId },
  });
}

/**
 * Sends one (event, channel, recipient) per `deliver_notification` job. The delivery row is
 * claimed before sending (one attempt at a time; a dead worker's claim lapses after LEASE_TIMEOUTS
 * send timeouts)
 * and marked delivered after, so a delivered row is never sent again. The idempotency key goes
 * with every send (webhook-id, Message-ID): if a worker dies between the receiver's acceptance
 * and the mark, the resend carries the same id for the receiver to recognise. A failed attempt
 * throws, and the queue retries the job with its exponential backoff and jitter; the last one
 * marks the delivery failed and disables a webhook endpoint, telling its owners by email; a
 * disabled endpoint's other deliveries fail at their next try without sending.
 */
export class NotificationDelivery {
  // The HTTP client and the SMTP transport load with the first delivery that needs them, not at start.
  #agent: Agent | undefined;
  #transport: Transporter | undefined;

  constructor(private readonly deps: DeliveryDeps) {}

  async handle(context: JobContext): Promise<{ deliveryId: string; status: string }> {
    const { repository } = this.deps;
    const deliveryId = String(context.job.payload.deliveryId);
    const delivery = await repository.claim(deliveryId, new Date(), LEASE_TIMEOUTS * this.deps.config.NOTIFY_SEND_TIMEOUT_MS);
    if (!delivery) {
      const current = await repository.delivery(deliveryId);
      if (!current) throw new PermanentJobError(`delivery ${deliveryId} no longer exists`);
      // Another attempt holds it: try again after the backoff, when its lease has ended or it has finished.
      if (current.status === 'sending') throw new Error(`delivery ${deliveryId} is being sent by another attempt`);
      return { deliveryId, status: current.status };
    }
    const last = context.job.attempts >= context.job.maxAttempts;
    try {
      const result = await this.#send(delivery);
      await repository.finishAttempt(delivery, { status: 'delivered', ...result });
      metrics.notificationDeliveries.inc({ channel: delivery.channel, outcome: 'delivered' });
      return { deliveryId, status: 'delivered' };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const result = error instanceof DeliveryError ? error.result : {};
      const permanent = error instanceof PermanentJobError;
      const outcome = last || permanent ? 'failed' : 'retrying';
      await repository.finishAttempt(delivery, { status: outcome, error: reason, ...result });
      metrics.notificationDeliveries.inc({ channel: delivery.channel, outcome });
      // Only the receiver's own persistent failure disables it: a permanent error (the event or endpoint gone, the endpoint off) is not its doing.
      if (last && !permanent && delivery.channel === 'webhook') await this.#disableEndpoint(delivery, reason);
      throw error;
    }
  }

  async #send(delivery: Delivery): Promise<AttemptResult> {
    const { repository } = this.deps;
    const event = await repository.event(delivery.eventId);
    if (!event) throw new PermanentJobError('the event is gone');
    if (delivery.channel === 'email') return this.#email(delivery, event);
    if (delivery.channel === 'webhook') {
      const endpoint = await repository.endpointById(delivery.targetId);
      if (!endpoint) throw new PermanentJobError('the webhook endpoint was deleted');
      // Its other deliveries still retrying stop here: a disabled endpoint is sent nothing until it is enabled again.
      if (!endpoint.enabled) throw new PermanentJobError('the webhook endpoint is disabled');
      const body = webhookBody(event);
      const timestamp = new Date();
      // The delivery id is the message id: the same across retries and redeliveries, so receivers can deduplicate.
      const signature = new Webhook(endpoint.secret).sign(delivery.id, timestamp, body);
      return this.#post(endpoint.url, body, {
        'webhook-id': delivery.id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
      });
    }
    const channel = await repository.channelById(delivery.targetId);
    if (!channel) throw new PermanentJobError('the Slack channel was deleted');
    return this.#post(channel.url, JSON.stringify(slackMessageFor(describeEvent(event, this.deps.config.PUBLIC_URL))), {});
  }

  async #post(url: string, body: string, headers: Record<string, string>): Promise<AttemptResult> {
    const { Agent, request } = await import('undici');
    // Endpoint and Slack URLs are someone else's: they pass the same address guard as analysis fetches.
    const timeout = this.deps.config.NOTIFY_SEND_TIMEOUT_MS;
    this.#agent ??= new Agent({
      connect: { timeout, ...(this.deps.config.ALLOW_PRIVATE_NETWORK ? {} : { lookup: guardedLookup() }) },
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    const started = performance.now();
    let response;
    try {
      response = await request(url, {
        method: 'POST',
        dispatcher: this.#agent,
        headers: { 'content-type': 'application/json', 'user-agent': 'Siteprint-Webhooks/1', ...headers },
        body,
      });
    } catch (error) {
      throw new DeliveryError(`request failed: ${(error as Error).message}`, { latencyMs: Math.round(performance.now() - started) });
    }
    const text = await response.body.text().catch(() => '');
    const result = {
      responseStatus: response.statusCode,
      latencyMs: Math.round(performance.now() - started),
      responseExcerpt: text.slice(0, EXCERPT_CHARS),
    };
    if (response.statusCode < 200 || response.statusCode >= 300)
      throw new DeliveryError(`receiver answered ${response.statusCode}`, result);
    return result;
  }

  async #email(delivery: Delivery, event: NotificationEvent): Promise<AttemptResult> {
    const { config, repository } = this.deps;
    if (!config.SMTP_URL) throw new Error('SMTP_URL is not set');
    const member = await repository.member(delivery.workspaceId, delivery.targetId);
    if (!member) throw new PermanentJobError('the recipient is no longer a member');
    const token = await repository.unsubscribeToken(member.userId);
    const unsubscribeUrl = `${config.PUBLIC_URL.replace(/\/$/, '')}/api/v1/notifications/unsubscribe?token=${token}`;
    const message = describeEvent(event, config.PUBLIC_URL);
    if (event.type === 'daily.summary') message.digest = await this.#digest(event, member);
    const mail = emailFor(message, unsubscribeUrl);
    const { default: nodemailer } = await import('nodemailer');
    const started = performance.now();
    const timeout = config.NOTIFY_SEND_TIMEOUT_MS;
    this.#transport ??= nodemailer.createTransport({
      url: config.SMTP_URL,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    } as Parameters<typeof nodemailer.createTransport>[0]);
    const info = await this.#transport.sendMail({
      from: config.MAIL_FROM,
      to: member.email,
      ...mail,
      messageId: `<${delivery.id}@siteprint>`,
      headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>` },
    });
    return { latencyMs: Math.round(performance.now() - started), responseExcerpt: String(info.response ?? '').slice(0, EXCERPT_CHARS) };
  }

  /**
   * A summary recipient's digest: the summary's events (its 24 hours) of the types they chose to
   * get "in the daily summary", the first DIGEST_ITEMS by title and link, and a count of the rest
   * from the summary's own counts. Undefined when they chose no such type.
   */
  async #digest(summary: NotificationEvent, member: { userId: string; role: WorkspaceRole }): Promise<EventMessage['digest']> {
    const { repository, config } = this.deps;
    const workspaceId = summary.workspaceId!;
    const own = await repository.preferences(repository.db, workspaceId, [member.userId]);
    const types = effectivePreferences(member.role, own)
      .filter((preference) => preference.email === 'digest' && preference.eventType !== 'daily.summary')
      .map((preference) => preference.eventType);
    if (!types.length) return undefined;
    const counts = (summary.data.counts ?? {}) as Record<string, number>;
    const total = types.reduce((sum, type) => sum + (counts[type] ?? 0), 0);
    const events = await repository.eventsOfTypes(
      workspaceId,
      types,
      new Date(String(summary.data.from)),
      new Date(String(summary.data.to)),
      DIGEST_ITEMS,
    );
    const items = events.map((event) => {
      const { title, link } = describeEvent(event, config.PUBLIC_URL);
      return { title, link };
    });
    return { items, more: Math.max(0, total - items.length) };
  }

  /**
   * An endpoint that failed a delivery for good is switched off, and whoever can fix it (the
   * workspace's owners and admins) is told by email, queued in the same transaction.
   */
  async #disableEndpoint(delivery: Delivery, reason: string): Promise<void> {
    const { repository, outbox, config } = this.deps;
    const endpoint = await repository.db.transaction(async (tx) => {
      const disabled = await repository.disableEndpoint(tx as unknown as Db, delivery.targetId, reason);
      if (!disabled) return undefined;
      const admins = (await repository.members(tx as unknown as Db, disabled.workspaceId)).filter(
        (member) => member.role === 'owner' || member.role === 'admin',
      );
      for (const admin of admins) {
        await outbox.enqueue(
          {
            to: admin.email,
            subject: 'Siteprint disabled a webhook endpoint',
            body: [
              `Deliveries to ${disabled.url} kept failing, so the endpoint was disabled.`,
              `Last error: ${reason}`,
              '',
              `Fix the receiver, then enable the endpoint again in Settings → Notifications: ${config.PUBLIC_URL.replace(/\/$/, '')}/settings/notifications`,
            ].join('\n'),
            metadata: { kind: 'webhook-disabled', endpointId: disabled.id },
          },
          tx,
        );
      }
      return disabled;
    });
    if (endpoint) this.deps.logger.warn({ endpointId: endpoint.id, reason }, 'webhook endpoint disabled after persistent failure');
  }

  async close(): Promise<void> {
    this.#transport?.close();
    await this.#agent?.close();
  }
}
