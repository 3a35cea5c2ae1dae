import type { Db } from '../db/client.js';
import { auditLog } from '../db/schema/index.js';

export type AuditAction =
  | 'login.succeeded'
  | 'login.failed'
  | 'logout'
  | 'password.changed'
  | 'account.deleted'
  | 'account.claimed'
  | 'api-key.created'
  | 'api-key.revoked'
  | 'member.invited'
  | 'member.joined'
  | 'member.removed'
  | 'member.role-changed'
  | 'workspace.deleted'
  | 'llm-budget.changed'
  // System administration (src/admin, src/backup).
  | 'admin.user-disabled'
  | 'admin.user-enabled'
  | 'admin.system-admin-granted'
  | 'admin.system-admin-revoked'
  | 'admin.audit-exported'
  | 'admin.user-deleted'
  | 'admin.password-reset-forced'
  | 'admin.plan-created'
  | 'admin.plan-updated'
  | 'admin.workspace-quota-changed'
  | 'admin.workspace-suspended'
  | 'admin.workspace-unsuspended'
  | 'admin.quota-defaults-changed'
  | 'admin.settings-changed'
  | 'admin.smtp-tested'
  | 'admin.cache-cleared'
  | 'backup.created'
  | 'backup.failed'
  | 'backup.downloaded';

export interface AuditEvent {
  action: AuditAction;
  actorUserId?: string | null;
  workspaceId?: string | null;
  target?: string | null;
  details?: Record<string, unknown>;
  ip?: string | null;
  userAgent?: string | null;
}

/** Append-only by design: there is deliberately no update or delete here (the database refuses both too). */
export class AuditRepository {
  constructor(private readonly db: Db) {}

  async append(event: AuditEvent): Promise<void> {
    await this.db.insert(auditLog).values({
      action: event.action,
      actorUserId: event.actorUserId ?? null,
      workspaceId: event.workspaceId ?? null,
      target: event.target ?? null,
      details: event.details ?? null,
      ip: event.ip ?? null,
      userAgent: event.userAgent ?? null,
    });
  }
}
