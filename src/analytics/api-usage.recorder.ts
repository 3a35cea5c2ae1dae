import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiUsageMinutes } from '../db/schema/index.js';
import type { Logger } from '../logging/logger.js';

export interface ApiRequestSample {
  at: Date;
  workspaceId?: string;
  method: string;
  route: string;
  status: number;
  apiKeyId?: string;
  userId?: string;
  durationMs: number;
}

type UsageRow = typeof apiUsageMinutes.$inferInsert;

/** Adds counts onto their minute's rows (inserting the missing ones), so every process's flushes sum. */
export async function addApiUsageRows(db: Db, rows: UsageRow[]): Promise<void> {
  await db
    .insert(apiUsageMinutes)
    .values(rows)
    .onConflictDoUpdate({
      target: [
        apiUsageMinutes.minute,
        apiUsageMinutes.workspaceId,
        apiUsageMinutes.method,
        apiUsageMinutes.route,
        apiUsageMinutes.statusClass,
        apiUsageMinutes.apiKeyId,
        apiUsageMinutes.userId,
      ],
      set: {
        requests: sql`${apiUsageMinutes.requests} + excluded.requests`,
        totalMs: sql`${apiUsageMinutes.totalMs} + excluded.total_ms`,
      },
    });
}

/**
 * Counts API requests in memory per minute and dimensions, and adds the counts to
 * `api_usage_minutes` on a timer and at close: one upsert per distinct key and flush instead of a
 * write per request. Every API process adds its own counts onto the same rows, so scaled mode
 * sums them; what a crash loses is at most one flush interval of counts.
 */
export class ApiUsageRecorder {
  readonly #pending = new Map<string, UsageRow>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly flushIntervalMs: number,
  ) {}

  start(): void {
    this.#timer ??= setInterval(() => void this.flush(), this.flushIntervalMs);
    this.#timer.unref();
  }

  record(sample: ApiRequestSample): void {
    const minute = new Date(Math.floor(sample.at.getTime() / 60_000) * 60_000);
    const row: UsageRow = {
      minute,
      workspaceId: sample.workspaceId ?? '',
      method: sample.method,
      route: sample.route,
      statusClass: `${Math.floor(sample.status / 100)}xx`,
      apiKeyId: sample.apiKeyId ?? '',
      userId: sample.userId ?? '',
      requests: 1,
      totalMs: sample.durationMs,
    };
    this.#add(row);
  }

  #add(row: UsageRow): void {
    const key = [row.minute.getTime(), row.workspaceId, row.method, row.route, row.statusClass, row.apiKeyId, row.userId].join('\u0000');
    const pending = this.#pending.get(key);
    if (!pending) this.#pending.set(key, { ...row });
    else {
      pending.requests += row.requests;
      pending.totalMs += row.totalMs;
    }
  }

  /** Writes what has been counted since the last flush; flushes never overlap. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  async #write(): Promise<void> {
    if (this.#pending.size === 0) return;
    const rows = [...this.#pending.values()];
    this.#pending.clear();
    try {
      await addApiUsageRows(this.db, rows);
    } catch (error) {
      // Counts are put back and go with the next flush rather than lost to a passing database error.
      for (const row of rows) this.#add(row);
      this.logger.warn({ err: error, rows: rows.length }, 'API usage could not be written; retrying with the next flush');
    }
  }
}
