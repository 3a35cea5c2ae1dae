import type { Db } from '../db/client.js';
import { emailOutbox } from '../db/schema/index.js';

/** Queues email for the notifications worker; nothing here talks to SMTP. */
export class EmailOutboxRepository {
  constructor(private readonly db: Db) {}

  async enqueue(message: { to: string; subject: string; body: string; metadata?: Record<string, unknown> }): Promise<void> {
    await this.db.insert(emailOutbox).values(message);
  }
}
