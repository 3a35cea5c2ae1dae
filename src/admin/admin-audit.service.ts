import type { AuditRepository } from '../audit/audit.repository.js';
import { domainErrors } from '../domain/errors.js';
import type { Cursor } from '../http/pagination.js';
import type { AdminActor } from './admin-users.service.js';
import type { AuditEntry, AuditFilters, AuditLogReader } from './audit-log.repository.js';

/** Most rows one export of the audit log carries; narrow the filters for more. */
export const AUDIT_EXPORT_MAX = 50_000;

/** The instance's audit log for system administrators; an export is itself audited. */
export class AdminAuditService {
  constructor(
    private readonly reader: AuditLogReader,
    private readonly audit: AuditRepository,
  ) {}

  page(filters: AuditFilters, limit: number, after?: Cursor): Promise<{ rows: AuditEntry[]; total: number }> {
    return this.reader.page(filters, limit, after);
  }

  async get(id: string): Promise<AuditEntry> {
    const row = await this.reader.get(id);
    if (!row) throw domainErrors.notFound('Audit entry');
    return row;
  }

  /** The filtered entries (at most AUDIT_EXPORT_MAX, newest first), recording the export with the filters as asked. */
  async export(actor: AdminActor, filters: AuditFilters, asked: Record<string, unknown>): Promise<AuditEntry[]> {
    const rows = await this.reader.all(filters, AUDIT_EXPORT_MAX);
    await this.audit.append({
      action: 'admin.audit-exported',
      actorUserId: actor.userId,
      ip: actor.ip,
      userAgent: actor.userAgent ?? null,
      details: { rows: rows.length, filters: asked },
    });
    return rows;
  }
}
