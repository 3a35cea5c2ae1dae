import { notificationEventTypes, type WorkspaceRole } from '../db/schema/index.js';

type EventType = (typeof notificationEventTypes)[number];
import type { PreferenceRow } from './notifications.repository.js';

export type EmailMode = PreferenceRow['email'];
export interface Preference {
  eventType: EventType;
  email: EmailMode;
  inApp: boolean;
}

/** Events an owner or admin is emailed about unless they say otherwise: what needs someone to act. */
const ADMIN_EMAIL = new Set([
  'analysis.failed',
  'site.health_changed',
  'blueprint.repair_failed',
  'job.failed',
  'llm.budget_threshold',
  'quota.threshold',
  'daily.summary',
]);

/** Everyone sees every event in the app; owners and admins are emailed failures (analyses, repairs, jobs), health changes, budget and quota alerts and the daily summary. */
export function defaultPreference(role: WorkspaceRole, eventType: EventType): Preference {
  const email: EmailMode = (role === 'owner' || role === 'admin') && ADMIN_EMAIL.has(eventType) ? 'immediate' : 'off';
  return { eventType, email, inApp: eventType !== 'daily.summary' };
}

/** A member's preferences for every event type: their own rows over the defaults of their role. */
export function effectivePreferences(role: WorkspaceRole, own: PreferenceRow[]): Preference[] {
  return notificationEventTypes.map((eventType) => {
    const row = own.find((candidate) => candidate.eventType === eventType);
    return row ? { eventType, email: row.email, inApp: row.inApp } : defaultPreference(role, eventType);
  });
}
