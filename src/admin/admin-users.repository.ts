import { and, asc, count, desc, eq, ilike, isNotNull, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiKeys, auditLog, memberships, refreshTokens, users, workspaces, type WorkspaceRole } from '../db/schema/index.js';

export interface UserFilters {
  /** Part of the email or name, any case. */
  q?: string;
  status?: 'active' | 'disabled';
  systemAdmin?: boolean;
  limit: number;
  offset: number;
}

export interface AdminUserRow {
  id: string;
  email: string;
  name: string;
  systemAdmin: boolean;
  emailVerified: boolean;
  disabledAt: Date | null;
  createdAt: Date;
  lastSignInAt: Date | null;
}

export interface AdminUserDetail extends AdminUserRow {
  workspaces: Array<{ id: string; name: string; role: WorkspaceRole; personal: boolean }>;
  sessions: Array<{ id: string; startedAt: Date; lastRefreshedAt: Date; expiresAt: Date }>;
  apiKeys: Array<{
    id: string;
    name: string;
    prefix: string;
    workspaceId: string;
    scopes: string[];
    lastUsedAt: Date | null;
    revokedAt: Date | null;
    createdAt: Date;
  }>;
}

/**
 * The last successful sign-in is what the audit log recorded for it. Drizzle leaves columns in a
 * select's sql unqualified, so the correlation names both tables itself.
 */
const lastSignIn =
  sql<Date | null>`(select max(al.created_at) from ${auditLog} al where al.actor_user_id = ${sql.identifier('users')}.id and al.action = 'login.succeeded')`.mapWith(
    (value: string | Date | null) => (value === null ? null : new Date(value)),
  );

const rowColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  systemAdmin: users.systemAdmin,
  emailVerified: users.emailVerified,
  disabledAt: users.disabledAt,
  createdAt: users.createdAt,
  lastSignInAt: lastSignIn,
};

/** Every account of the instance, for system administrators: no workspace scoping by design. */
export class AdminUsersRepository {
  constructor(
    private readonly db: Db,
    /** Called after a change that can end access (see SessionAccessCache). */
    private readonly changed: () => void,
  ) {}

  async list(filters: UserFilters): Promise<{ items: AdminUserRow[]; total: number }> {
    const conditions: SQL[] = [];
    if (filters.q) {
      const pattern = `%${filters.q.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
      conditions.push(or(ilike(users.email, pattern), ilike(users.name, pattern))!);
    }
    if (filters.status) conditions.push(filters.status === 'disabled' ? isNotNull(users.disabledAt) : isNull(users.disabledAt));
    if (filters.systemAdmin !== undefined) conditions.push(eq(users.systemAdmin, filters.systemAdmin));
    const where = conditions.length ? and(...conditions) : undefined;
    const [items, [total]] = await Promise.all([
      this.db
        .select(rowColumns)
        .from(users)
        .where(where)
        .orderBy(asc(users.email), asc(users.id))
        .limit(filters.limit)
        .offset(filters.offset),
      this.db.select({ total: count() }).from(users).where(where),
    ]);
    return { items, total: total!.total };
  }

  async get(id: string): Promise<AdminUserRow | undefined> {
    const [row] = await this.db.select(rowColumns).from(users).where(eq(users.id, id));
    return row;
  }

  async detail(id: string): Promise<AdminUserDetail | undefined> {
    const user = await this.get(id);
    if (!user) return undefined;
    const [memberOf, families, keys] = await Promise.all([
      this.db
        .select({
          id: workspaces.id,
          name: workspaces.name,
          role: memberships.role,
          personal: sql<boolean>`${workspaces.personalOwnerId} is not null`,
        })
        .from(memberships)
        .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
        .where(eq(memberships.userId, id))
        .orderBy(asc(workspaces.name)),
      // A session is a refresh-token family; it is live while its newest token is neither revoked nor expired.
      this.db
        .select({
          id: refreshTokens.familyId,
          startedAt: sql<Date>`min(${refreshTokens.createdAt})`.mapWith((value: string | Date) => new Date(value)),
          lastRefreshedAt: sql<Date>`max(${refreshTokens.createdAt})`.mapWith((value: string | Date) => new Date(value)),
          expiresAt: sql<Date>`max(${refreshTokens.expiresAt})`.mapWith((value: string | Date) => new Date(value)),
        })
        .from(refreshTokens)
        .where(eq(refreshTokens.userId, id))
        .groupBy(refreshTokens.familyId)
        .having(sql`bool_and(${refreshTokens.revokedAt} is null) and max(${refreshTokens.expiresAt}) > now()`)
        .orderBy(desc(sql`max(${refreshTokens.createdAt})`)),
      this.db
        .select({
          id: apiKeys.id,
          name: apiKeys.name,
          prefix: apiKeys.prefix,
          workspaceId: apiKeys.workspaceId,
          scopes: apiKeys.scopes,
          lastUsedAt: apiKeys.lastUsedAt,
          revokedAt: apiKeys.revokedAt,
          createdAt: apiKeys.createdAt,
        })
        .from(apiKeys)
        .where(eq(apiKeys.createdBy, id))
        .orderBy(desc(apiKeys.createdAt)),
    ]);
    return { ...user, workspaces: memberOf, sessions: families, apiKeys: keys };
  }

  /**
   * Disables the account and, in the same transaction, ends its sessions and revokes its API keys.
   * Refused (returns 'last-admin') when it is the last active system administrator.
   */
  async disable(id: string): Promise<'disabled' | 'already' | 'last-admin' | 'not-found'> {
    const outcome = await this.db.transaction(async (tx) => {
      const [user] = await tx
        .select({ disabledAt: users.disabledAt, systemAdmin: users.systemAdmin })
        .from(users)
        .where(eq(users.id, id))
        .for('update');
      if (!user) return 'not-found' as const;
      if (user.disabledAt) return 'already' as const;
      if (user.systemAdmin && !(await otherActiveAdmins(tx, id))) return 'last-admin' as const;
      const now = new Date();
      await tx.update(users).set({ disabledAt: now, updatedAt: now }).where(eq(users.id, id));
      await tx
        .update(refreshTokens)
        .set({ revokedAt: now })
        .where(and(eq(refreshTokens.userId, id), isNull(refreshTokens.revokedAt)));
      await tx
        .update(apiKeys)
        .set({ revokedAt: now })
        .where(and(eq(apiKeys.createdBy, id), isNull(apiKeys.revokedAt)));
      return 'disabled' as const;
    });
    if (outcome === 'disabled') this.changed();
    return outcome;
  }

  /**
   * Deletes the account with its personal workspace (and that workspace's sites, jobs and keys, by
   * cascade); its memberships of shared workspaces end. Refused while it is the only owner of a
   * shared workspace (those are returned, so the administrator can hand them over first) or the last
   * active administrator.
   */
  async delete(
    id: string,
  ): Promise<
    | { outcome: 'deleted'; personalWorkspaces: Array<{ id: string; name: string }>; leftWorkspaces: Array<{ id: string; name: string }> }
    | { outcome: 'last-owner'; workspaces: Array<{ id: string; name: string }> }
    | { outcome: 'last-admin' }
    | { outcome: 'not-found' }
  > {
    const result = await this.db.transaction(async (tx) => {
      const [user] = await tx.select({ systemAdmin: users.systemAdmin }).from(users).where(eq(users.id, id)).for('update');
      if (!user) return { outcome: 'not-found' as const };
      if (user.systemAdmin && !(await otherActiveAdmins(tx, id))) return { outcome: 'last-admin' as const };
      const owned = await tx
        .select({ id: workspaces.id, name: workspaces.name, personalOwnerId: workspaces.personalOwnerId, role: memberships.role })
        .from(memberships)
        .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
        .where(eq(memberships.userId, id))
        .orderBy(asc(workspaces.name));
      const shared = owned.filter((workspace) => workspace.personalOwnerId !== id);
      const soleOwner = [];
      for (const workspace of shared.filter((candidate) => candidate.role === 'owner')) {
        const [owners] = await tx
          .select({ n: count() })
          .from(memberships)
          .where(and(eq(memberships.workspaceId, workspace.id), eq(memberships.role, 'owner')));
        if ((owners?.n ?? 0) <= 1) soleOwner.push({ id: workspace.id, name: workspace.name });
      }
      if (soleOwner.length) return { outcome: 'last-owner' as const, workspaces: soleOwner };
      await tx.delete(users).where(eq(users.id, id));
      const pick = ({ id: workspaceId, name }: { id: string; name: string }) => ({ id: workspaceId, name });
      return {
        outcome: 'deleted' as const,
        personalWorkspaces: owned.filter((workspace) => workspace.personalOwnerId === id).map(pick),
        leftWorkspaces: shared.map(pick),
      };
    });
    if (result.outcome === 'deleted') this.changed();
    return result;
  }

  /** Replaces the password hash, requires a new one at the next sign-in and ends every session; false when there is no such account. */
  async resetPassword(id: string, passwordHash: string): Promise<boolean> {
    const changed = await this.db.transaction(async (tx) => {
      const now = new Date();
      const rows = await tx
        .update(users)
        .set({ passwordHash, passwordChangeRequired: true, updatedAt: now })
        .where(eq(users.id, id))
        .returning({ id: users.id });
      if (rows.length === 0) return false;
      await tx
        .update(refreshTokens)
        .set({ revokedAt: now })
        .where(and(eq(refreshTokens.userId, id), isNull(refreshTokens.revokedAt)));
      return true;
    });
    if (changed) this.changed();
    return changed;
  }

  /** Lets the account sign in again; its ended sessions and revoked keys stay ended. */
  async enable(id: string): Promise<boolean> {
    const rows = await this.db
      .update(users)
      .set({ disabledAt: null, updatedAt: new Date() })
      .where(and(eq(users.id, id), isNotNull(users.disabledAt)))
      .returning({ id: users.id });
    return rows.length > 0;
  }

  /** Grants or revokes the system-administrator flag; revoking the last active administrator is refused. */
  async setSystemAdmin(id: string, systemAdmin: boolean): Promise<'changed' | 'unchanged' | 'last-admin' | 'not-found'> {
    const outcome = await this.db.transaction(async (tx) => {
      const [user] = await tx.select({ systemAdmin: users.systemAdmin }).from(users).where(eq(users.id, id)).for('update');
      if (!user) return 'not-found' as const;
      if (user.systemAdmin === systemAdmin) return 'unchanged' as const;
      if (!systemAdmin && !(await otherActiveAdmins(tx, id))) return 'last-admin' as const;
      await tx.update(users).set({ systemAdmin, updatedAt: new Date() }).where(eq(users.id, id));
      return 'changed' as const;
    });
    if (outcome === 'changed') this.changed();
    return outcome;
  }
}

/**
 * Whether an administrator other than `id` can still sign in. The other administrators' rows are
 * locked, so two concurrent revocations cannot each see the other as the one that remains.
 */
async function otherActiveAdmins(tx: Pick<Db, 'select'>, id: string): Promise<boolean> {
  const others = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.systemAdmin, true), isNull(users.disabledAt), ne(users.id, id)))
    .for('update');
  return others.length > 0;
}
