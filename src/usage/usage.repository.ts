import { and, asc, count, eq, sql, sum } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { plans, sites, usageRecords, workspaces, type UsageMeter } from '../db/schema/index.js';
import type { QuotaLimits } from './quota-limits.js';

export type PlanRecord = typeof plans.$inferSelect;
export type NewPlan = Pick<typeof plans.$inferInsert, 'name' | 'limits' | 'priceMonthlyCents' | 'currency' | 'externalId'>;

export interface UsageEntry {
  workspaceId: string;
  meter: UsageMeter;
  quantity: number;
  periodStart: Date;
  sourceKey: string;
}

export interface WorkspaceQuotaRow {
  workspaceId: string;
  plan: PlanRecord | null;
  overrides: QuotaLimits | null;
}

/** What a quota counts: a meter of the ledger, or the workspace's sites. */
export type QuotaMeter = UsageMeter | 'sites';

export class UsageRepository {
  constructor(private readonly db: Db) {}

  /**
   * Runs `work` in one transaction that first takes a transaction-scoped advisory lock per
   * (workspace, meter), in a fixed order so two callers never wait on each other in a cycle.
   * Checks of a quota and the writes that consume it run inside, so two concurrent requests
   * cannot both pass a limit; the locks are released at commit or rollback.
   */
  async withMeterLocks<T>(workspaceId: string, meters: QuotaMeter[], work: (tx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      for (const meter of [...new Set(meters)].sort()) {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`quota:${workspaceId}:${meter}`}, 0))`);
      }
      return work(tx as unknown as Db);
    });
  }

  /** Adds an entry unless its source was counted already; true when this call counted it. */
  async record(entry: UsageEntry, db: Db = this.db): Promise<boolean> {
    const inserted = await db.insert(usageRecords).values(entry).onConflictDoNothing().returning({ id: usageRecords.id });
    return inserted.length > 0;
  }

  /** Sets an entry's quantity, adding it when its source was not counted yet (the reservation of an extraction job). */
  async settle(entry: UsageEntry, db: Db = this.db): Promise<void> {
    await db
      .insert(usageRecords)
      .values(entry)
      .onConflictDoUpdate({
        target: [usageRecords.workspaceId, usageRecords.meter, usageRecords.sourceKey],
        set: { quantity: entry.quantity, recordedAt: sql`now()` },
      });
  }

  /** Takes back an entry whose consuming work did not start (or, for a reservation, did not finish) after all. */
  async remove(workspaceId: string, meter: UsageMeter, sourceKey: string, db: Db = this.db): Promise<void> {
    await db
      .delete(usageRecords)
      .where(and(eq(usageRecords.workspaceId, workspaceId), eq(usageRecords.meter, meter), eq(usageRecords.sourceKey, sourceKey)));
  }

  async totals(workspaceId: string, periodStart: Date, db: Db = this.db): Promise<Partial<Record<UsageMeter, number>>> {
    const rows = await db
      .select({ meter: usageRecords.meter, quantity: sum(usageRecords.quantity).mapWith(Number) })
      .from(usageRecords)
      .where(and(eq(usageRecords.workspaceId, workspaceId), eq(usageRecords.periodStart, periodStart)))
      .groupBy(usageRecords.meter);
    return Object.fromEntries(rows.map((row) => [row.meter, row.quantity]));
  }

  async siteCount(workspaceId: string, db: Db = this.db): Promise<number> {
    const [row] = await db.select({ n: count() }).from(sites).where(eq(sites.workspaceId, workspaceId));
    return row?.n ?? 0;
  }

  /** The workspace's plan and overrides; undefined when the workspace does not exist. */
  async workspaceQuota(workspaceId: string): Promise<WorkspaceQuotaRow | undefined> {
    const [row] = await this.db
      .select({ workspaceId: workspaces.id, overrides: workspaces.quotaOverrides, plan: plans })
      .from(workspaces)
      .leftJoin(plans, eq(plans.id, workspaces.planId))
      .where(eq(workspaces.id, workspaceId));
    return row && { workspaceId: row.workspaceId, plan: row.plan, overrides: row.overrides as QuotaLimits | null };
  }

  /** Sets the plan and/or overrides; false when the workspace does not exist. */
  async setWorkspaceQuota(workspaceId: string, changes: { planId?: string | null; overrides?: QuotaLimits | null }): Promise<boolean> {
    const updated = await this.db
      .update(workspaces)
      .set({
        ...(changes.planId !== undefined ? { planId: changes.planId } : {}),
        ...(changes.overrides !== undefined ? { quotaOverrides: changes.overrides } : {}),
      })
      .where(eq(workspaces.id, workspaceId))
      .returning({ id: workspaces.id });
    return updated.length > 0;
  }

  listPlans(): Promise<PlanRecord[]> {
    return this.db.select().from(plans).orderBy(asc(plans.name));
  }

  async getPlan(id: string): Promise<PlanRecord | undefined> {
    const [row] = await this.db.select().from(plans).where(eq(plans.id, id));
    return row;
  }

  /** Inserts a plan; undefined when the name is taken. */
  async createPlan(plan: NewPlan): Promise<PlanRecord | undefined> {
    const [row] = await this.db.insert(plans).values(plan).onConflictDoNothing({ target: plans.name }).returning();
    return row;
  }

  async updatePlan(id: string, changes: Partial<NewPlan>): Promise<PlanRecord | undefined> {
    const [row] = await this.db
      .update(plans)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(plans.id, id))
      .returning();
    return row;
  }
}
