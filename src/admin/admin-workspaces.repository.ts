import { and, asc, count, desc, eq, ilike, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiKeys, jobs, llmRequests, memberships, sites, users, workspaces, type WorkspaceRole } from '../db/schema/index.js';

export interface AdminWorkspaceRow {
  id: string;
  name: string;
  personal: boolean;
  createdAt: Date;
  suspendedAt: Date | null;
  suspendedReason: string | null;
  members: number;
  sites: number;
  /** Top-level jobs (analyses, checks, extraction batches) started this calendar month (UTC). */
  jobsThisMonth: number;
  llmCostThisMonthUsd: number;
}

export interface AdminApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  workspaceId: string;
  workspaceName: string;
  ownerId: string;
  ownerEmail: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

const monthStart = sql`date_trunc('month', now() at time zone 'UTC') at time zone 'UTC'`;
// Correlated counts; drizzle leaves columns unqualified inside sql, so the outer table is named explicitly.
const outerId = sql`${sql.identifier('workspaces')}.id`;

/** Workspaces and API keys across every tenant, for system administrators. */
export class AdminWorkspacesRepository {
  /** `changed` is called after a suspension changes, so this process's session cache forgets at once (see SessionAccessCache). */
  constructor(
    private readonly db: Db,
    private readonly changed: () => void = () => {},
  ) {}

  async list(filters: { q?: string; limit: number; offset: number }): Promise<{ items: AdminWorkspaceRow[]; total: number }> {
    const where = filters.q ? ilike(workspaces.name, `%${filters.q.replace(/[\\%_]/g, (char) => `\\${char}`)}%`) : undefined;
    const [items, [total]] = await Promise.all([
      this.db
        .select({
          id: workspaces.id,
          name: workspaces.name,
          personal: sql<boolean>`${workspaces.personalOwnerId} is not null`,
          createdAt: workspaces.createdAt,
          suspendedAt: workspaces.suspendedAt,
          suspendedReason: workspaces.suspendedReason,
          members: sql<number>`(select count(*)::int from ${memberships} m where m.workspace_id = ${outerId})`,
          sites: sql<number>`(select count(*)::int from ${sites} s where s.workspace_id = ${outerId})`,
          jobsThisMonth: sql<number>`(select count(*)::int from ${jobs} j where j.workspace_id = ${outerId} and j.parent_id is null and j.created_at >= ${monthStart})`,
          llmCostThisMonthUsd: sql<number>`(select coalesce(sum(l.cost_usd), 0)::float8 from ${llmRequests} l where l.workspace_id = ${outerId} and l.created_at >= ${monthStart})`,
        })
        .from(workspaces)
        .where(where)
        .orderBy(asc(workspaces.name), asc(workspaces.id))
        .limit(filters.limit)
        .offset(filters.offset),
      this.db.select({ total: count() }).from(workspaces).where(where),
    ]);
    return { items, total: total!.total };
  }

  async exists(id: string): Promise<boolean> {
    const [row] = await this.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, id));
    return row !== undefined;
  }

  /**
   * Suspends the workspace with `reason` (null: unsuspends it); undefined when it does not exist,
   * else whether it was suspended before. The database announces the change, so every other API
   * process's session cache forgets the workspace's access too.
   */
  async setSuspended(id: string, reason: string | null): Promise<{ wasSuspended: boolean } | undefined> {
    const result = await this.db.transaction(async (tx) => {
      const [before] = await tx.select({ suspendedAt: workspaces.suspendedAt }).from(workspaces).where(eq(workspaces.id, id)).for('update');
      if (!before) return undefined;
      await tx
        .update(workspaces)
        .set(
          reason === null
            ? { suspendedAt: null, suspendedReason: null }
            : { suspendedAt: sql`coalesce(${workspaces.suspendedAt}, now())`, suspendedReason: reason },
        )
        .where(eq(workspaces.id, id));
      return { wasSuspended: before.suspendedAt !== null };
    });
    this.changed();
    return result;
  }

  members(
    workspaceId: string,
  ): Promise<Array<{ userId: string; email: string; name: string; role: WorkspaceRole; joinedAt: Date; disabledAt: Date | null }>> {
    return this.db
      .select({
        userId: users.id,
        email: users.email,
        name: users.name,
        role: memberships.role,
        joinedAt: memberships.createdAt,
        disabledAt: users.disabledAt,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.workspaceId, workspaceId))
      .orderBy(asc(users.email));
  }

  async apiKeys(filters: {
    status?: 'active' | 'revoked';
    limit: number;
    offset: number;
  }): Promise<{ items: AdminApiKeyRow[]; total: number }> {
    const where =
      filters.status === 'active'
        ? isNull(apiKeys.revokedAt)
        : filters.status === 'revoked'
          ? sql`${apiKeys.revokedAt} is not null`
          : undefined;
    const [items, [total]] = await Promise.all([
      this.db
        .select({
          id: apiKeys.id,
          name: apiKeys.name,
          prefix: apiKeys.prefix,
          scopes: apiKeys.scopes,
          workspaceId: apiKeys.workspaceId,
          workspaceName: workspaces.name,
          ownerId: users.id,
          ownerEmail: users.email,
          createdAt: apiKeys.createdAt,
          lastUsedAt: apiKeys.lastUsedAt,
          expiresAt: apiKeys.expiresAt,
          revokedAt: apiKeys.revokedAt,
        })
        .from(apiKeys)
        .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
        .innerJoin(users, eq(users.id, apiKeys.createdBy))
        .where(where)
        .orderBy(desc(apiKeys.createdAt), asc(apiKeys.id))
        .limit(filters.limit)
        .offset(filters.offset),
      this.db.select({ total: count() }).from(apiKeys).where(where),
    ]);
    return { items, total: total!.total };
  }

  /** Revokes an active key of any workspace; returns its workspace, or undefined when there was none to revoke. */
  async revokeApiKey(id: string): Promise<{ workspaceId: string } | undefined> {
    const [row] = await this.db
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning({ workspaceId: apiKeys.workspaceId });
    return row;
  }
}
