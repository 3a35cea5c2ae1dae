import { and, asc, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { memberships, refreshTokens, users, workspaces, type WorkspaceRole } from '../db/schema/index.js';

export type RefreshTokenRecord = typeof refreshTokens.$inferSelect;

/** What a request signed in with an access token may act as: its user, and the workspace it acts in. */
export interface SessionAccess {
  userId: string;
  systemAdmin: boolean;
  /** The session is live at least until then (unless revoked). */
  sessionExpiresAt: Date;
  /** The user must choose a new password before anything but changing it (an administrator reset it). */
  passwordChangeRequired: boolean;
  /** Absent when the user is no member of the requested workspace (or, without one, of any). */
  workspace?: { id: string; role: WorkspaceRole; suspended: boolean };
}

export class RefreshTokensRepository {
  /** `changed` is called after every write that can end a session (see SessionAccessCache). */
  constructor(
    private readonly db: Db,
    private readonly changed: () => void = () => {},
  ) {}

  async insert(token: { userId: string; familyId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
    await this.db.insert(refreshTokens).values(token);
  }

  async findByHash(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const [row] = await this.db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
    return row;
  }

  /** Marks the token rotated; false when another request rotated it first. */
  async markReplaced(id: string): Promise<boolean> {
    const rows = await this.db
      .update(refreshTokens)
      .set({ replacedAt: new Date() })
      .where(and(eq(refreshTokens.id, id), isNull(refreshTokens.replacedAt), isNull(refreshTokens.revokedAt)))
      .returning({ id: refreshTokens.id });
    return rows.length === 1;
  }

  /**
   * One round trip for every request with an access token: the user, provided the session is live
   * (as `sessionLive`), and the membership it acts through: in `workspaceId`, or by default the
   * personal workspace, else the oldest joined (as WorkspacesRepository.listForUser orders them).
   */
  async sessionAccess(familyId: string, userId: string, workspaceId: string | undefined): Promise<SessionAccess | undefined> {
    const [row] = workspaceId
      ? await (this.sessionAccessIn ??= this.prepareSessionAccess(true)).execute({ familyId, userId, workspaceId })
      : await (this.sessionAccessDefault ??= this.prepareSessionAccess(false)).execute({ familyId, userId });
    if (!row) return undefined;
    return {
      userId: row.userId,
      systemAdmin: row.systemAdmin,
      sessionExpiresAt: row.sessionExpiresAt,
      passwordChangeRequired: row.passwordChangeRequired,
      ...(row.workspaceId && row.role ? { workspace: { id: row.workspaceId, role: row.role, suspended: row.suspended === true } } : {}),
    };
  }

  // The query every authenticated request runs, built once and prepared on each connection
  // (building the SQL and planning it cost more than running it).
  private sessionAccessIn?: ReturnType<RefreshTokensRepository['prepareSessionAccess']>;
  private sessionAccessDefault?: ReturnType<RefreshTokensRepository['prepareSessionAccess']>;

  private prepareSessionAccess(inWorkspace: boolean) {
    const membership = this.db
      .select({
        workspaceId: memberships.workspaceId,
        role: memberships.role,
        suspended: sql<boolean>`${workspaces.suspendedAt} is not null`.as('suspended'),
      })
      .from(memberships)
      .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
      .where(and(eq(memberships.userId, users.id), inWorkspace ? eq(memberships.workspaceId, sql.placeholder('workspaceId')) : undefined))
      .orderBy(desc(sql`${workspaces.personalOwnerId} is not distinct from ${users.id}`), asc(memberships.createdAt), asc(workspaces.id))
      .limit(1)
      .as('membership');
    return this.db
      .select({
        userId: users.id,
        systemAdmin: users.systemAdmin,
        passwordChangeRequired: users.passwordChangeRequired,
        sessionExpiresAt: refreshTokens.expiresAt,
        workspaceId: membership.workspaceId,
        role: membership.role,
        suspended: membership.suspended,
      })
      .from(refreshTokens)
      .innerJoin(users, eq(users.id, refreshTokens.userId))
      .leftJoinLateral(membership, sql`true`)
      .where(
        and(
          eq(refreshTokens.familyId, sql.placeholder('familyId')),
          eq(refreshTokens.userId, sql.placeholder('userId')),
          isNull(refreshTokens.revokedAt),
          gt(refreshTokens.expiresAt, sql`now()`),
        ),
      )
      .limit(1)
      .prepare(inWorkspace ? 'session_access_in_workspace' : 'session_access');
  }

  /** Whether the session (refresh-token family) of the user can still be refreshed: not logged out, revoked or expired. */
  async sessionLive(familyId: string, userId: string): Promise<boolean> {
    const [row] = await this.db
      .select({ id: refreshTokens.id })
      .from(refreshTokens)
      .where(
        and(
          eq(refreshTokens.familyId, familyId),
          eq(refreshTokens.userId, userId),
          isNull(refreshTokens.revokedAt),
          gt(refreshTokens.expiresAt, new Date()),
        ),
      )
      .limit(1);
    return row !== undefined;
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.db
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
    this.changed();
  }

  /** Ends every session of the user, except `keep` when given (the session asking). */
  async revokeAllForUser(userId: string, keep?: string): Promise<void> {
    await this.db
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt), keep ? ne(refreshTokens.familyId, keep) : undefined));
    this.changed();
  }
}
