import type { AuditRepository } from '../audit/audit.repository.js';
import type { Db } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { DomainError, domainErrors } from '../domain/errors.js';
import type { SettingsRepository } from '../settings/settings.repository.js';
import { effectiveLimits, monthOf, quotaLimitsSchema, type EffectiveLimits, type QuotaLimits, type QuotaName } from './quota-limits.js';
import type { NewPlan, PlanRecord, QuotaMeter, UsageRepository } from './usage.repository.js';

/** The instance setting holding the default quotas of workspaces on no plan (or for quotas their plan leaves out). */
const DEFAULTS_KEY = 'quota-defaults';

export interface AdminActor {
  userId: string;
  ip: string;
  userAgent?: string;
}

export interface UsageReport {
  periodStart: Date;
  periodEnd: Date;
  plan: { id: string; name: string } | null;
  limits: EffectiveLimits;
  used: { sites: number; analyses: number; extractionPages: number; llmCostUsd: number };
}

export interface WorkspaceQuota {
  workspaceId: string;
  plan: PlanRecord | null;
  overrides: QuotaLimits | null;
  limits: EffectiveLimits;
}

/** Shares of a quota whose reaching is announced, in percent. */
export const QUOTA_THRESHOLDS = [80, 100] as const;

/** A quota's use reached a threshold: announced once per workspace, month, quota and threshold. */
export interface QuotaThresholdEvent {
  workspaceId: string;
  quota: QuotaName;
  /** YYYY-MM (UTC) of the consumption. */
  month: string;
  threshold: (typeof QUOTA_THRESHOLDS)[number];
  used: number;
  limit: number;
  /** When a monthly quota starts over; null for sites. */
  resetAt: Date | null;
}

/** Writes what a reached threshold causes (the notification event) in the consuming transaction. */
export type QuotaThresholdListener = (tx: Db, event: QuotaThresholdEvent) => Promise<void>;

function exceeded(name: QuotaName, what: string, limit: number, used: number, resetAt: Date | null): DomainError {
  const when = resetAt ? ` It resets at ${resetAt.toISOString()}.` : '';
  return new DomainError('forbidden', `The workspace has reached its quota of ${limit} ${what}.${when}`, {
    code: 'quota-exceeded',
    quota: { name, limit, used, resetAt: resetAt?.toISOString() ?? null },
  });
}

/**
 * Quotas (instance defaults, then the workspace's plan, then its overrides) checked before work is
 * admitted, and the usage ledger the consuming work writes. Monthly quotas count the ledger of the
 * current calendar month (UTC).
 */
export class QuotasService {
  constructor(
    private readonly usage: UsageRepository,
    private readonly settings: SettingsRepository,
    private readonly audit: AuditRepository,
    private readonly now: () => Date = () => new Date(),
    private readonly onThreshold?: QuotaThresholdListener,
  ) {}

  async defaults(): Promise<QuotaLimits> {
    const stored = await this.settings.get(DEFAULTS_KEY);
    const parsed = quotaLimitsSchema.safeParse(stored?.value ?? {});
    return parsed.success ? parsed.data : {};
  }

  async setDefaults(actor: AdminActor, limits: QuotaLimits): Promise<QuotaLimits> {
    await this.settings.set(DEFAULTS_KEY, limits);
    await this.record(actor, 'admin.quota-defaults-changed', 'quota-defaults', { limits });
    return limits;
  }

  async workspaceQuota(workspaceId: string): Promise<WorkspaceQuota> {
    const [row, defaults] = await Promise.all([this.usage.workspaceQuota(workspaceId), this.defaults()]);
    if (!row) throw domainErrors.notFound('Workspace');
    const planLimits = row.plan ? quotaLimitsSchema.safeParse(row.plan.limits) : undefined;
    return {
      workspaceId,
      plan: row.plan,
      overrides: row.overrides,
      limits: effectiveLimits(defaults, planLimits?.success ? planLimits.data : null, row.overrides),
    };
  }

  async limitsOf(workspaceId: string): Promise<EffectiveLimits> {
    return (await this.workspaceQuota(workspaceId)).limits;
  }

  /**
   * Admits a new site and the analysis it starts: under the workspace's sites and analyses
   * locks, checks both quotas, runs `insertSite` and counts the analysis (job `analysisJobId`,
   * whose job the caller creates next) in the ledger, all in one transaction. Two concurrent
   * requests cannot both pass a limit.
   */
  async admitNewSite<T>(workspaceId: string, analysisJobId: string, insertSite: (tx: Db) => Promise<T>): Promise<T> {
    const limits = await this.limitsOf(workspaceId);
    const period = monthOf(this.now());
    return this.usage.withMeterLocks(workspaceId, ['sites', 'analyses'], async (tx) => {
      const sites = await this.usage.siteCount(workspaceId, tx);
      if (limits.sites !== null && sites >= limits.sites) throw exceeded('sites', 'sites', limits.sites, sites, null);
      const analyses = await this.monthlyUsed(tx, workspaceId, limits, 'analysesPerMonth', 'analyses', 'analyses this month', 1);
      const site = await insertSite(tx);
      await this.usage.record(
        { workspaceId, meter: 'analyses', quantity: 1, periodStart: period.start, sourceKey: `job:${analysisJobId}` },
        tx,
      );
      await this.thresholds(tx, workspaceId, 'sites', sites + 1, limits.sites, null);
      await this.thresholds(tx, workspaceId, 'analysesPerMonth', analyses + 1, limits.analysesPerMonth, period.end);
      return site;
    });
  }

  /** Admits one analysis and counts it (job `jobId`, created by the caller next) under the workspace's analyses lock. */
  async admitAnalysis(workspaceId: string, jobId: string): Promise<void> {
    const limits = await this.limitsOf(workspaceId);
    const period = monthOf(this.now());
    await this.usage.withMeterLocks(workspaceId, ['analyses'], async (tx) => {
      const used = await this.monthlyUsed(tx, workspaceId, limits, 'analysesPerMonth', 'analyses', 'analyses this month', 1);
      await this.usage.record({ workspaceId, meter: 'analyses', quantity: 1, periodStart: period.start, sourceKey: `job:${jobId}` }, tx);
      await this.thresholds(tx, workspaceId, 'analysesPerMonth', used + 1, limits.analysesPerMonth, period.end);
    });
  }

  /** Takes back an admitted analysis whose job could not be created. */
  releaseAnalysis(workspaceId: string, jobId: string): Promise<void> {
    return this.usage.remove(workspaceId, 'analyses', `job:${jobId}`);
  }

  /**
   * Reserves an extraction batch's pages (job `jobId`, created by the caller next) in this month's
   * ledger under the workspace's extraction lock, refusing when they would go over the quota: two
   * concurrent batches cannot together pass it. The reservation counts as used until the job's
   * final state settles it (settleExtraction).
   */
  async reserveExtraction(workspaceId: string, jobId: string, pages: number): Promise<void> {
    const limits = await this.limitsOf(workspaceId);
    const period = monthOf(this.now());
    await this.usage.withMeterLocks(workspaceId, ['extraction_pages'], async (tx) => {
      const used = await this.monthlyUsed(
        tx,
        workspaceId,
        limits,
        'extractionPagesPerMonth',
        'extraction_pages',
        'extracted pages this month',
        pages,
      );
      await this.usage.record(
        { workspaceId, meter: 'extraction_pages', quantity: pages, periodStart: period.start, sourceKey: `job:${jobId}` },
        tx,
      );
      await this.thresholds(tx, workspaceId, 'extractionPagesPerMonth', used + pages, limits.extractionPagesPerMonth, period.end);
    });
  }

  /** Takes back a reservation whose job could not be created. */
  releaseExtraction(workspaceId: string, jobId: string): Promise<void> {
    return this.usage.remove(workspaceId, 'extraction_pages', `job:${jobId}`);
  }

  /**
   * Settles an extraction job's reservation in `tx`, the transaction recording its final state: to
   * the pages it extracted when it succeeded, released (`pages` null) when it failed or was
   * cancelled. Settling only ever lowers what was reserved, so it needs no lock; a job reserved
   * before reservations existed is counted here.
   */
  async settleExtraction(tx: Db, workspaceId: string, jobId: string, pages: number | null, at: Date): Promise<void> {
    const sourceKey = `job:${jobId}`;
    if (pages === null) return this.usage.remove(workspaceId, 'extraction_pages', sourceKey, tx);
    await this.usage.settle({ workspaceId, meter: 'extraction_pages', quantity: pages, periodStart: monthOf(at).start, sourceKey }, tx);
  }

  /** Counts one analysis in the ledger, once per analysis job however often it is called. */
  recordAnalysis(workspaceId: string, jobId: string, at: Date): Promise<boolean> {
    return this.usage.record({ workspaceId, meter: 'analyses', quantity: 1, periodStart: monthOf(at).start, sourceKey: `job:${jobId}` });
  }

  recordLlmCost(workspaceId: string, requestId: string, costUsd: number, at: Date): Promise<boolean> {
    return this.usage.record({
      workspaceId,
      meter: 'llm_cost_usd',
      quantity: costUsd,
      periodStart: monthOf(at).start,
      sourceKey: `llm:${requestId}`,
    });
  }

  /** The workspace's use of each quota in the month holding `at`, with the limits in force now. */
  async report(workspaceId: string, at: Date = this.now()): Promise<UsageReport> {
    const period = monthOf(at);
    const [quota, totals, sites] = await Promise.all([
      this.workspaceQuota(workspaceId),
      this.usage.totals(workspaceId, period.start),
      this.usage.siteCount(workspaceId),
    ]);
    return {
      periodStart: period.start,
      periodEnd: period.end,
      plan: quota.plan && { id: quota.plan.id, name: quota.plan.name },
      limits: quota.limits,
      used: {
        sites,
        analyses: totals.analyses ?? 0,
        extractionPages: totals.extraction_pages ?? 0,
        llmCostUsd: totals.llm_cost_usd ?? 0,
      },
    };
  }

  listPlans(): Promise<PlanRecord[]> {
    return this.usage.listPlans();
  }

  async createPlan(actor: AdminActor, plan: NewPlan): Promise<PlanRecord> {
    const created = await this.usage.createPlan(plan);
    if (!created) throw domainErrors.conflict(`A plan named "${plan.name}" exists already`, 'duplicate-plan');
    await this.record(actor, 'admin.plan-created', `plan:${created.id}`, { name: created.name, limits: created.limits });
    return created;
  }

  async updatePlan(actor: AdminActor, id: string, changes: Partial<NewPlan>): Promise<PlanRecord> {
    const updated = await this.usage.updatePlan(id, changes).catch((error: unknown) => {
      if (isUniqueViolation(error)) throw domainErrors.conflict(`A plan named "${changes.name}" exists already`, 'duplicate-plan');
      throw error;
    });
    if (!updated) throw domainErrors.notFound('Plan');
    await this.record(actor, 'admin.plan-updated', `plan:${id}`, { changes });
    return updated;
  }

  async setWorkspaceQuota(
    actor: AdminActor,
    workspaceId: string,
    changes: { planId?: string | null; overrides?: QuotaLimits | null },
  ): Promise<WorkspaceQuota> {
    if (changes.planId && !(await this.usage.getPlan(changes.planId))) {
      throw domainErrors.invalid('No such plan', [{ in: 'body', path: '/planId', message: 'no plan has this id' }]);
    }
    if (!(await this.usage.setWorkspaceQuota(workspaceId, changes))) throw domainErrors.notFound('Workspace');
    await this.record(actor, 'admin.workspace-quota-changed', `workspace:${workspaceId}`, changes, workspaceId);
    return this.workspaceQuota(workspaceId);
  }

  /** This month's use of a monthly quota (read in `db`, the repository's own connection when undefined), refusing when `wanted` more would go over its limit. */
  private async monthlyUsed(
    db: Db | undefined,
    workspaceId: string,
    limits: EffectiveLimits,
    name: QuotaName,
    meter: Extract<QuotaMeter, 'analyses' | 'extraction_pages'>,
    what: string,
    wanted: number,
  ): Promise<number> {
    const period = monthOf(this.now());
    const used = (await this.usage.totals(workspaceId, period.start, db))[meter] ?? 0;
    const limit = limits[name];
    if (limit !== null && used + wanted > limit) throw exceeded(name, what, limit, used, period.end);
    return used;
  }

  /** Announces each threshold `used` has reached; the listener's dedupe key keeps each single per month. */
  private async thresholds(
    tx: Db,
    workspaceId: string,
    quota: QuotaName,
    used: number,
    limit: number | null,
    resetAt: Date | null,
  ): Promise<void> {
    if (!this.onThreshold || limit === null || limit <= 0) return;
    const month = monthOf(this.now()).start.toISOString().slice(0, 7);
    for (const threshold of QUOTA_THRESHOLDS) {
      if (used * 100 >= limit * threshold) await this.onThreshold(tx, { workspaceId, quota, month, threshold, used, limit, resetAt });
    }
  }

  private record(
    actor: AdminActor,
    action: Parameters<AuditRepository['append']>[0]['action'],
    target: string,
    details: Record<string, unknown>,
    workspaceId?: string,
  ): Promise<void> {
    return this.audit.append({
      action,
      actorUserId: actor.userId,
      workspaceId: workspaceId ?? null,
      target,
      details,
      ip: actor.ip,
      userAgent: actor.userAgent ?? null,
    });
  }
}
