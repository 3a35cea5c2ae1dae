import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { sites } from '../db/schema/index.js';
import { ANALYSIS_STEPS, ANALYZE_SITE, DELIVER_NOTIFICATION, REPAIR_BLUEPRINT } from '../pipeline/job-types.js';
import type { JobRecord } from '../queue/index.js';
import type { HealthListener } from '../sites/site-state.js';
import { recordNotificationEvent, type NotificationsRepository } from './notifications.repository.js';

/**
 * `site.health_changed` events, written in the transaction that stores the verdict. One event
 * per change of state, against the state last announced; within `cooldownMs` of the last
 * announcement a site stays quiet (a flapping site does not storm), and the first check after
 * the cool-down that still differs from what was announced reports it.
 */
export function healthChangeEvents(repository: NotificationsRepository, cooldownMs: number, now = () => new Date()): HealthListener {
  return async (tx, site, previous) => {
    const health = site.health;
    if (!health || health === 'unknown') return;
    const last = await repository.lastHealthEvent(tx, site.id);
    const announced = (last?.data.to as string | undefined) ?? previous;
    // A site's first verdict (from `unknown`) is not a change anyone needs telling about.
    if (!announced || announced === 'unknown' || announced === health) return;
    if (last && now().getTime() - last.createdAt.getTime() < cooldownMs) return;
    await recordNotificationEvent(tx, {
      workspaceId: site.workspaceId,
      type: 'site.health_changed',
      siteId: site.id,
      data: { siteId: site.id, siteName: site.name, siteUrl: site.url, from: announced, to: health },
    });
  };
}

/** `llm.budget_threshold`, written with the budget event row (once per workspace, month and threshold). */
export async function recordBudgetThreshold(
  tx: Db,
  event: { workspaceId: string; month: string; threshold: number; spentUsd: number; budgetUsd: number },
): Promise<void> {
  await recordNotificationEvent(tx, {
    workspaceId: event.workspaceId,
    type: 'llm.budget_threshold',
    data: { month: event.month, threshold: event.threshold, spentUsd: event.spentUsd, budgetUsd: event.budgetUsd },
    dedupeKey: `llm.budget_threshold:${event.workspaceId}:${event.month}:${event.threshold}`,
  });
}

/** `quota.threshold`, written in the transaction that consumes the quota (once per workspace, month, quota and threshold). */
export async function recordQuotaThreshold(
  tx: Db,
  event: { workspaceId: string; quota: string; month: string; threshold: number; used: number; limit: number; resetAt: Date | null },
): Promise<void> {
  await recordNotificationEvent(tx, {
    workspaceId: event.workspaceId,
    type: 'quota.threshold',
    data: {
      quota: event.quota,
      month: event.month,
      threshold: event.threshold,
      used: event.used,
      limit: event.limit,
      resetAt: event.resetAt?.toISOString() ?? null,
    },
    dedupeKey: `quota.threshold:${event.workspaceId}:${event.month}:${event.quota}:${event.threshold}`,
  });
}

/** Jobs whose failure is told by an event of their own, or not at all. */
const OWN_FAILURE_EVENT: ReadonlySet<string> = new Set([ANALYZE_SITE, REPAIR_BLUEPRINT, ...ANALYSIS_STEPS]);

/**
 * Events of a job's final state, written in the transaction that records it (JobsRepository
 * calls this once per job reaching it): `analysis.succeeded` / `analysis.failed` for an
 * analysis, `blueprint.repair_failed` for a repair, `job.failed` for any other job that failed
 * after its retries. A failing step is told by its analysis's `analysis.failed`, and a failed
 * notification delivery is not announced by another notification.
 */
export async function recordJobOutcome(tx: Db, job: JobRecord): Promise<void> {
  if (job.status === 'cancelled' || job.type === DELIVER_NOTIFICATION) return;
  const [site] = job.siteId ? await tx.select({ name: sites.name, url: sites.url }).from(sites).where(eq(sites.id, job.siteId)) : [];
  const about = { jobId: job.id, siteId: job.siteId, siteName: site?.name ?? null, siteUrl: site?.url ?? null };
  const failure = { ...about, error: job.error, attempts: job.attempts };
  const record = (type: string, data: Record<string, unknown>) =>
    recordNotificationEvent(tx, {
      workspaceId: job.workspaceId,
      type,
      siteId: job.siteId,
      data,
      dedupeKey: `${type}:${job.id}:${job.finishedAt?.toISOString()}`,
    });
  if (job.type === ANALYZE_SITE)
    return record(job.status === 'succeeded' ? 'analysis.succeeded' : 'analysis.failed', job.status === 'succeeded' ? about : failure);
  if (job.status !== 'failed') return;
  if (job.type === REPAIR_BLUEPRINT) return record('blueprint.repair_failed', failure);
  if (!OWN_FAILURE_EVENT.has(job.type)) return record('job.failed', { ...failure, jobType: job.type });
}

/** Blueprint versions are written by an analysis, a repair or a person's edit (`manual`). */
const VERSION_REASONS: Record<string, string> = { analysis: 'analysis', repair: 'repair', edit: 'manual' };

/** `blueprint.version_created`, written in the transaction that stores the version. */
export async function recordBlueprintVersion(
  tx: Db,
  version: { id: string; siteId: string; workspaceId: string; version: number; reason: string; createdByJob: string | null },
): Promise<void> {
  await recordNotificationEvent(tx, {
    workspaceId: version.workspaceId,
    type: 'blueprint.version_created',
    siteId: version.siteId,
    data: {
      siteId: version.siteId,
      blueprintVersionId: version.id,
      version: version.version,
      reason: VERSION_REASONS[version.reason] ?? version.reason,
      jobId: version.createdByJob,
    },
    dedupeKey: `blueprint.version_created:${version.id}`,
  });
}

/** `report.ready`, written in the transaction that marks the report succeeded. */
export async function recordReportReady(
  tx: Db,
  report: { id: string; workspaceId: string; type: string; format: string; fileName?: string | null },
): Promise<void> {
  await recordNotificationEvent(tx, {
    workspaceId: report.workspaceId,
    type: 'report.ready',
    data: { reportId: report.id, reportType: report.type, format: report.format, title: report.fileName ?? report.type },
    dedupeKey: `report.ready:${report.id}`,
  });
}
