import { and, asc, eq, isNull, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { emailOutbox, type EmailAttachment } from '../db/schema/index.js';

export type OutboxMessage = typeof emailOutbox.$inferSelect;
export interface NewOutboxMessage {
  to: string;
  subject: string;
  body: string;
  metadata?: Record<string, unknown>;
  attachments?: EmailAttachment[];
}

/**
 * The durable email outbox: callers queue messages (in their own transaction when they pass
 * one), and the email sender claims and delivers them; a message is never lost to a process
 * that dies or an SMTP server that is down.
 */
export class EmailOutboxRepository {
  constructor(private readonly db: Db) {}

  async enqueue(message: NewOutboxMessage, db: Pick<Db, 'insert'> = this.db): Promise<void> {
    await db.insert(emailOutbox).values(message);
  }

  /**
   * Claims up to `limit` unsent messages that are due, moving each one's next attempt `leaseMs`
   * ahead in the same statement (SKIP LOCKED): with several senders each message goes to one,
   * and a sender that dies mid-send releases it when the lease lapses.
   */
  async claimDue(now: Date, limit: number, leaseMs: number): Promise<OutboxMessage[]> {
    return this.db.transaction(async (tx) => {
      const due = await tx
        .select({ id: emailOutbox.id })
        .from(emailOutbox)
        .where(and(isNull(emailOutbox.sentAt), lte(emailOutbox.nextAttemptAt, now)))
        .orderBy(asc(emailOutbox.nextAttemptAt))
        .limit(limit)
        .for('update', { skipLocked: true });
      const claimed: OutboxMessage[] = [];
      for (const { id } of due) {
        const [row] = await tx
          .update(emailOutbox)
          .set({ attempts: sql`${emailOutbox.attempts} + 1`, nextAttemptAt: new Date(now.getTime() + leaseMs) })
          .where(eq(emailOutbox.id, id))
          .returning();
        claimed.push(row!);
      }
      return claimed;
    });
  }

  async markSent(id: string, at: Date): Promise<void> {
    await this.db.update(emailOutbox).set({ sentAt: at, lastError: null }).where(eq(emailOutbox.id, id));
  }

  async markFailed(id: string, error: string, retryAt: Date): Promise<void> {
    await this.db.update(emailOutbox).set({ lastError: error, nextAttemptAt: retryAt }).where(eq(emailOutbox.id, id));
  }
}
