import type { Db } from '../db/client.js';
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
