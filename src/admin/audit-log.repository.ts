import { and, count, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditLog } from '../db/schema/index.js';
import type { Cursor } from '../http/pagination.js';

export type AuditEntry = typeof auditLog.$inferSelect;

export interface AuditFilters {
  actorUserId?: string;
  /** An exact action (`login.failed`) or a prefix ending in a dot (`admin.`). */
  action?: string;
  target?: string;
  workspaceId?: string;
  from?: Date;
  to?: Date;
}

/** Reads the append-only audit log for system administrators, newest first. */
export class AuditLogReader {
  constructor(private readonly db: Db) {}

  async page(filters: AuditFilters, limit: number, after?: Cursor): Promise<{ rows: AuditEntry[]; total: number }> {
    const where = conditionsOf(filters);
    const position = after
      ? or(lt(auditLog.createdAt, new Date(after.value)), and(eq(auditLog.createdAt, new Date(after.value)), lt(auditLog.id, after.id)))
      : undefined;
    const [rows, [total]] = await Promise.all([
      this.db.select().from(auditLog).where(and(where, position)).orderBy(desc(auditLog.createdAt), desc(auditLog.id)).limit(limit),
      this.db.select({ total: count() }).from(auditLog).where(where),
    ]);
    return { rows, total: total!.total };
  }

  /** Every matching entry up to `max`, newest first (CSV export). */
  all(filters: AuditFilters, max: number): Promise<AuditEntry[]> {
    return this.db.select().from(auditLog).where(conditionsOf(filters)).orderBy(desc(auditLog.createdAt), desc(auditLog.id)).limit(max);
  }

  async get(id: string): Promise<AuditEntry | undefined> {
    const [row] = await this.db.select().from(auditLog).where(eq(auditLog.id, id));
    return row;
  }
}

function conditionsOf(filters: AuditFilters): SQL | undefined {
  const conditions: SQL[] = [];
  if (filters.actorUserId) conditions.push(eq(auditLog.actorUserId, filters.actorUserId));
  if (filters.action) {
    conditions.push(
      filters.action.endsWith('.') ? sql`starts_with(${auditLog.action}, ${filters.action})` : eq(auditLog.action, filters.action),
    );
  }
  if (filters.target) conditions.push(eq(auditLog.target, filters.target));
  if (filters.workspaceId) conditions.push(eq(auditLog.workspaceId, filters.workspaceId));
  if (filters.from) conditions.push(gte(auditLog.createdAt, filters.from));
  if (filters.to) conditions.push(lt(auditLog.createdAt, filters.to));
  return conditions.length ? and(...conditions) : undefined;
}
