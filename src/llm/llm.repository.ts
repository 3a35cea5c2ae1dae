import { and, asc, count, eq, gte, inArray, lt, sql, sum } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { llmBudgetEvents, llmRequests } from '../db/schema/llm-requests.js';
import { usageRecords } from '../db/schema/usage.js';
import { workspaces } from '../db/schema/workspaces.js';
import { monthOf } from '../usage/quota-limits.js';

export type NewLlmRequest = typeof llmRequests.$inferInsert;
export type LlmBudgetEventRecord = typeof llmBudgetEvents.$inferSelect;

export interface UsageTotals {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export type UsageGroup = 'day' | 'model' | 'site' | 'step';

export class LlmRepository {
  constructor(private readonly db: Db) {}

  /** Stores the request and, in the same transaction, its cost in the usage ledger billing reads. */
  async insert(row: NewLlmRequest): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [request] = await tx.insert(llmRequests).values(row).returning({ id: llmRequests.id, createdAt: llmRequests.createdAt });
      if (!row.costUsd) return;
      await tx
        .insert(usageRecords)
        .values({
          workspaceId: row.workspaceId,
          meter: 'llm_cost_usd',
          quantity: row.costUsd,
          periodStart: monthOf(request!.createdAt).start,
          sourceKey: `llm:${request!.id}`,
        })
        .onConflictDoNothing();
    });
  }

  /** USD spent by a workspace since `from`. */
  async spentSince(workspaceId: string, from: Date): Promise<number> {
    const [row] = await this.db
      .select({ cost: sum(llmRequests.costUsd).mapWith(Number) })
      .from(llmRequests)
      .where(and(eq(llmRequests.workspaceId, workspaceId), gte(llmRequests.createdAt, from)));
    return row?.cost ?? 0;
  }

  async totals(workspaceId: string, from: Date, to: Date): Promise<UsageTotals> {
    const [row] = await this.db
      .select(this.#measures())
      .from(llmRequests)
      .where(this.#scope(workspaceId, from, to));
    return row ?? { requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
  }

  /** Calls attributed to these jobs (an analysis's steps, or one job). */
  async totalsForJobs(jobIds: string[]): Promise<UsageTotals> {
    if (jobIds.length === 0) return { requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
    const [row] = await this.db.select(this.#measures()).from(llmRequests).where(inArray(llmRequests.jobId, jobIds));
    return row ?? { requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
  }

  /** The workspace's own monthly budget, or null when it uses the instance default. */
  async workspaceBudget(workspaceId: string): Promise<number | null> {
    const [row] = await this.db.select({ budget: workspaces.llmMonthlyBudgetUsd }).from(workspaces).where(eq(workspaces.id, workspaceId));
    return row?.budget ?? null;
  }

  async setWorkspaceBudget(workspaceId: string, budgetUsd: number | null): Promise<void> {
    await this.db.update(workspaces).set({ llmMonthlyBudgetUsd: budgetUsd }).where(eq(workspaces.id, workspaceId));
  }

  /** Totals per day (UTC, YYYY-MM-DD), model, site or step. */
  async grouped(workspaceId: string, from: Date, to: Date, by: UsageGroup): Promise<Array<UsageTotals & { key: string | null }>> {
    const key = {
      day: sql<string>`to_char(${llmRequests.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`,
      model: sql<string>`${llmRequests.model}`,
      site: sql<string | null>`${llmRequests.siteId}::text`,
      step: sql<string>`${llmRequests.step}`,
    }[by];
    return this.db
      .select({ key, ...this.#measures() })
      .from(llmRequests)
      .where(this.#scope(workspaceId, from, to))
      .groupBy(key)
      .orderBy(asc(key));
  }

  /** Records a crossed threshold once per workspace and month; true when this call recorded it. */
  /** Records a threshold crossing once; `onRecorded` writes what it causes in the same transaction. */
  async recordBudgetEvent(
    event: typeof llmBudgetEvents.$inferInsert,
    onRecorded?: (tx: Db, event: typeof llmBudgetEvents.$inferInsert) => Promise<void>,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx.insert(llmBudgetEvents).values(event).onConflictDoNothing().returning({ id: llmBudgetEvents.id });
      if (inserted.length && onRecorded) await onRecorded(tx as unknown as Db, event);
      return inserted.length > 0;
    });
  }

  budgetEvents(workspaceId: string): Promise<LlmBudgetEventRecord[]> {
    return this.db
      .select()
      .from(llmBudgetEvents)
      .where(eq(llmBudgetEvents.workspaceId, workspaceId))
      .orderBy(asc(llmBudgetEvents.threshold));
  }

  #measures() {
    return {
      requests: count().mapWith(Number),
      promptTokens: sql<number>`coalesce(sum(${llmRequests.promptTokens}), 0)`.mapWith(Number),
      completionTokens: sql<number>`coalesce(sum(${llmRequests.completionTokens}), 0)`.mapWith(Number),
      costUsd: sql<number>`coalesce(sum(${llmRequests.costUsd}), 0)`.mapWith(Number),
    };
  }

  #scope(workspaceId: string, from: Date, to: Date) {
    return and(eq(llmRequests.workspaceId, workspaceId), gte(llmRequests.createdAt, from), lt(llmRequests.createdAt, to));
  }
}
