import type { FastifyInstance } from 'fastify';
import type { Transporter } from 'nodemailer';
import type { Config } from '../config/index.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logging/logger.js';
import { EmailOutboxRepository, type OutboxMessage } from './email-outbox.repository.js';
import { metrics } from '../system/metrics.js';

export interface EmailSenderOptions {
  outbox: EmailOutboxRepository;
  logger: Logger;
  /** smtp:// or smtps:// URL with credentials if the server needs them. */
  smtpUrl: string;
  from: string;
  intervalMs: number;
  batchSize?: number;
  /** How long a claimed message stays with this sender before another may take it. */
  leaseMs?: number;
  maxAttempts?: number;
}

const BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 3_600_000;

/**
 * Delivers the email outbox over SMTP (nodemailer): claims due messages, sends each, marks it
 * sent; a failure is tried again with exponential backoff up to `maxAttempts`. Delivery is at
 * least once: a process that dies between sending and marking sends that message again.
 */
export class EmailSender {
  /** Made with the first message: nodemailer loads only when there is mail to send. */
  #transport: Transporter | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(private readonly options: EmailSenderOptions) {}

  start(): void {
    this.#timer ??= setInterval(() => void this.tick(), this.options.intervalMs);
    this.#timer.unref();
    void this.tick();
  }

  /** Sends what is due now; returns how many were sent. */
  async tick(now = new Date()): Promise<number> {
    if (this.#running) return 0;
    let sent = 0;
    this.#running = (async () => {
      const { outbox, batchSize = 20, leaseMs = 120_000 } = this.options;
      for (const message of await outbox.claimDue(now, batchSize, leaseMs)) {
        if (await this.#send(message)) sent += 1;
      }
    })()
      .catch((err: unknown) => this.options.logger.error({ err }, 'email outbox tick failed'))
      .finally(() => {
        this.#running = undefined;
      });
    await this.#running;
    return sent;
  }

  async #send(message: OutboxMessage): Promise<boolean> {
    const { outbox, logger, from, maxAttempts = 8 } = this.options;
    try {
      this.#transport ??= (await import('nodemailer')).default.createTransport(this.options.smtpUrl);
      await this.#transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.body,
        attachments: (message.attachments ?? []).map((file) => ({
          filename: file.filename,
          path: file.path,
          contentType: file.contentType,
        })),
      });
      await outbox.markSent(message.id, new Date());
      metrics.emailDeliveries.inc({ outcome: 'sent' });
      return true;
    } catch (error) {
      const reason = (error as Error).message;
      metrics.emailDeliveries.inc({ outcome: 'failed' });
      // After the last attempt the message stays unsent with its error, pushed out of reach, for an operator to see.
      const retryAt =
        message.attempts >= maxAttempts
          ? new Date(8.64e15)
          : new Date(Date.now() + Math.min(MAX_BACKOFF_MS, BACKOFF_MS * 2 ** (message.attempts - 1)));
      await outbox.markFailed(message.id, reason, retryAt);
      logger.warn({ emailId: message.id, attempts: message.attempts, reason }, 'email not sent; will retry');
      return false;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
    this.#transport?.close();
  }
}

/**
 * Sends the outbox from this API process while the app runs, when SMTP_URL is set; several
 * processes share the work through the outbox's claims.
 */
export function registerEmailDelivery(app: FastifyInstance, deps: { config: Config; db: Db; logger: Logger }): void {
  const { config } = deps;
  if (!config.SMTP_URL) return;
  const sender = new EmailSender({
    outbox: new EmailOutboxRepository(deps.db),
    logger: deps.logger,
    smtpUrl: config.SMTP_URL,
    from: config.MAIL_FROM,
    intervalMs: config.EMAIL_SEND_INTERVAL_MS,
  });
  app.addHook('onReady', async () => sender.start());
  app.addHook('onClose', () => sender.stop());
}
