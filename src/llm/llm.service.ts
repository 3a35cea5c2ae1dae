import type { Config } from '../config/index.js';
import { LlmClient, type BudgetGuard, type LlmUsage, type UsageRecorder } from '../engine/llm/client.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import type { Actor } from '../workspaces/workspaces.service.js';
import type { LlmRepository, UsageGroup, UsageTotals } from './llm.repository.js';
import { metrics } from '../system/metrics.js';

/** Who a run of LLM calls is billed to. */
export interface LlmAttribution {
  workspaceId: string;
  siteId?: string;
  jobId?: string;
}

type LlmConfig = Pick<
  Config,
  | 'LLM_API_KEY'
  | 'LLM_BASE_URL'
  | 'LLM_MODEL'
  | 'LLM_TIMEOUT_MS'
  | 'LLM_MAX_RETRIES'
  | 'LLM_PRICES'
  | 'LLM_MONTHLY_BUDGET_USD'
  | 'LLM_ANALYSIS_CAP_USD'
>;

/** A workspace's monthly budget and where it comes from. */
export interface MonthlyBudget {
  monthlyUsd: number;
  source: 'workspace' | 'default';
}

/** Shares of the monthly budget that raise an event (for the notifications issue). */
const THRESHOLDS = [80, 100];

function monthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/**
 * Cost tracking and budgets around the engine's LLM client: every call becomes an llm_requests row,
 * the monthly budget is checked before each call, and crossing 80 % / 100 % records an llm_budget_events row.
 */
export class LlmService {
  private readonly now: () => Date;

  constructor(
    private readonly repository: LlmRepository,
    private readonly audit: AuditRepository,
    private readonly config: LlmConfig,
    now: () => Date = () => new Date(),
    /** Called in the transaction that records a threshold crossing (notifications record their event there). */
    private readonly onThreshold?: Parameters<LlmRepository['recordBudgetEvent']>[1],
    /** The default budget administrators set at runtime (null: LLM_MONTHLY_BUDGET_USD), read at each use. */
    private readonly runtimeDefault: () => Promise<number | null> = async () => null,
  ) {
    this.now = now;
  }

  get analysisCapUsd(): number {
    return this.config.LLM_ANALYSIS_CAP_USD;
  }

  get model(): string {
    return this.config.LLM_MODEL;
  }

  /** The instance default: what administrators set at runtime, else LLM_MONTHLY_BUDGET_USD. */
  async defaultMonthlyUsd(): Promise<number> {
    return (await this.runtimeDefault()) ?? this.config.LLM_MONTHLY_BUDGET_USD;
  }

  /** The workspace's own budget when its owners or admins set one, else the instance default. */
  async budgetFor(workspaceId: string): Promise<MonthlyBudget> {
    const own = await this.repository.workspaceBudget(workspaceId);
    return own === null ? { monthlyUsd: await this.defaultMonthlyUsd(), source: 'default' } : { monthlyUsd: own, source: 'workspace' };
  }

  /** Sets the workspace's monthly budget, or with null returns it to the instance default; audited, since it decides spending. */
  async setBudget(actor: Actor, monthlyUsd: number | null): Promise<void> {
    const before = await this.repository.workspaceBudget(actor.workspaceId);
    await this.repository.setWorkspaceBudget(actor.workspaceId, monthlyUsd);
    await this.audit.append({
      action: 'llm-budget.changed',
      actorUserId: actor.userId,
      workspaceId: actor.workspaceId,
      target: `workspace:${actor.workspaceId}`,
      details: { fromMonthlyUsd: before, toMonthlyUsd: monthlyUsd },
      ip: actor.ip,
      userAgent: actor.userAgent,
    });
  }

  /** The budget as the API shows it: effective amount, its source, the default and this month's spend. */
  async budget(workspaceId: string) {
    const [budget, spent, defaultMonthlyUsd] = await Promise.all([
      this.budgetFor(workspaceId),
      this.repository.spentSince(workspaceId, monthStart(this.now())),
      this.defaultMonthlyUsd(),
    ]);
    return {
      ...budget,
      defaultMonthlyUsd,
      spentThisMonthUsd: spent,
      analysisCapUsd: this.config.LLM_ANALYSIS_CAP_USD,
    };
  }

  /** LLM calls attributed to these jobs. */
  usageOfJobs(jobIds: string[]): Promise<UsageTotals> {
    return this.repository.totalsForJobs(jobIds);
  }

  /** A client billed to the attribution, or null without an API key (heuristics only). */
  clientFor(attribution: LlmAttribution): LlmClient | null {
    if (!this.config.LLM_API_KEY) return null;
    return new LlmClient({
      apiKey: this.config.LLM_API_KEY,
      baseUrl: this.config.LLM_BASE_URL,
      model: this.config.LLM_MODEL,
      timeoutMs: this.config.LLM_TIMEOUT_MS,
      maxRetries: this.config.LLM_MAX_RETRIES,
      prices: this.config.LLM_PRICES,
      recorder: this.recorder(attribution),
      budget: this.budgetGuard(attribution.workspaceId),
    });
  }

  recorder(attribution: LlmAttribution): UsageRecorder {
    return async (usage: LlmUsage) => {
      await this.repository.insert({
        workspaceId: attribution.workspaceId,
        siteId: attribution.siteId ?? null,
        jobId: attribution.jobId ?? null,
        step: usage.step,
        model: usage.model,
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        costUsd: usage.costUsd,
        costSource: usage.costSource,
        latencyMs: usage.latencyMs,
        status: usage.status,
        error: usage.error,
      });
      const labels = { model: usage.model, step: usage.step };
      metrics.llmRequests.inc({ ...labels, status: usage.status });
      metrics.llmTokens.inc({ ...labels, kind: 'prompt' }, usage.promptTokens);
      metrics.llmTokens.inc({ ...labels, kind: 'completion' }, usage.completionTokens);
      metrics.llmCost.inc(labels, usage.costUsd ?? 0);
      await this.#recordThresholds(attribution.workspaceId);
    };
  }

  budgetGuard(workspaceId: string): BudgetGuard {
    return {
      check: async () => {
        const { monthlyUsd: budget } = await this.budgetFor(workspaceId);
        const spent = await this.repository.spentSince(workspaceId, monthStart(this.now()));
        if (spent >= budget) return { allowed: false, reason: `monthly LLM budget of $${budget} reached ($${spent.toFixed(4)} spent)` };
        return { allowed: true };
      },
    };
  }

  async #recordThresholds(workspaceId: string): Promise<void> {
    const { monthlyUsd: budget } = await this.budgetFor(workspaceId);
    if (budget <= 0) return;
    const now = this.now();
    const spent = await this.repository.spentSince(workspaceId, monthStart(now));
    const month = now.toISOString().slice(0, 7);
    for (const threshold of THRESHOLDS) {
      if (spent * 100 >= budget * threshold)
        await this.repository.recordBudgetEvent({ workspaceId, month, threshold, spentUsd: spent, budgetUsd: budget }, this.onThreshold);
    }
  }

  async usage(workspaceId: string, range: { from?: Date; to?: Date }) {
    const now = this.now();
    const from = range.from ?? monthStart(now);
    const to = range.to ?? new Date(now.getTime() + 1);
    const groups: UsageGroup[] = ['day', 'model', 'site', 'step'];
    const [totals, budget, ...grouped] = await Promise.all([
      this.repository.totals(workspaceId, from, to),
      this.budget(workspaceId),
      ...groups.map((by) => this.repository.grouped(workspaceId, from, to, by)),
    ]);
    const [byDay, byModel, bySite, byStep] = grouped as Array<Array<UsageTotals & { key: string | null }>>;
    return {
      from,
      to,
      totals,
      budget,
      byDay: byDay!.map(({ key, ...rest }) => ({ day: key!, ...rest })),
      byModel: byModel!.map(({ key, ...rest }) => ({ model: key!, ...rest })),
      bySite: bySite!.map(({ key, ...rest }) => ({ siteId: key, ...rest })),
      byStep: byStep!.map(({ key, ...rest }) => ({ step: key!, ...rest })),
    };
  }
}
