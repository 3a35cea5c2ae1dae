import { and, asc, count, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { invitations, memberships, users, workspaces, type WorkspaceRole } from '../db/schema/index.js';

export type WorkspaceRecord = typeof workspaces.$inferSelect;
export type InvitationRecord = typeof invitations.$inferSelect;

export interface MemberRecord {
  userId: string;
  email: string;
  name: string;
  role: WorkspaceRole;
  joinedAt: Date;
}

export interface WorkspaceWithRole extends WorkspaceRecord {
  role: WorkspaceRole;
}

/** Every read here is keyed by workspace id, so callers cannot reach another tenant's rows by id alone. */
export class WorkspacesRepository {
  /** `changed` is called after every write to workspaces or memberships (see SessionAccessCache). */
  constructor(
    private readonly db: Db,
    private readonly changed: () => void = () => {},
  ) {}

  async create(name: string, ownerId: string): Promise<WorkspaceWithRole> {
    const created = await this.db.transaction(async (tx) => {
      const [workspace] = await tx.insert(workspaces).values({ name }).returning();
      await tx.insert(memberships).values({ workspaceId: workspace!.id, userId: ownerId, role: 'owner' });
      return { ...workspace!, role: 'owner' as const };
    });
    this.changed();
    return created;
  }

  /** The workspace with the user's role in it; undefined when they are not a member. */
  async forMember(workspaceId: string, userId: string): Promise<WorkspaceWithRole | undefined> {
    const [row] = await this.db
      .select({ workspace: workspaces, role: memberships.role })
      .from(memberships)
      .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    return row && { ...row.workspace, role: row.role };
  }

  /** The personal workspace first, then the others the user joined, oldest first. */
  async listForUser(userId: string): Promise<WorkspaceWithRole[]> {
    const rows = await this.db
      .select({ workspace: workspaces, role: memberships.role })
      .from(memberships)
      .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
      .where(eq(memberships.userId, userId))
      .orderBy(asc(memberships.createdAt), asc(workspaces.id));
    const all = rows.map((row) => ({ ...row.workspace, role: row.role }));
    return [...all.filter((w) => w.personalOwnerId === userId), ...all.filter((w) => w.personalOwnerId !== userId)];
  }

  async rename(workspaceId: string, name: string): Promise<void> {
    await this.db.update(workspaces).set({ name }).where(eq(workspaces.id, workspaceId));
  }

  async delete(workspaceId: string): Promise<void> {
    await this.db.delete(workspaces).where(eq(workspaces.id, workspaceId));
    this.changed();
  }

  async members(workspaceId: string): Promise<MemberRecord[]> {
    return this.db
      .select({
        userId: users.id,
        email: users.email,
        name: users.name,
        role: memberships.role,
        joinedAt: memberships.createdAt,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.workspaceId, workspaceId))
      .orderBy(asc(memberships.createdAt), asc(users.id));
  }

  /** The user's role in the workspace and whether the workspace is suspended; undefined when they are not a member. */
  async membershipOf(workspaceId: string, userId: string): Promise<{ role: WorkspaceRole; suspended: boolean } | undefined> {
    const [row] = await this.db
      .select({ role: memberships.role, suspended: sql<boolean>`${workspaces.suspendedAt} is not null` })
      .from(memberships)
      .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    return row;
  }

  async roleOf(workspaceId: string, userId: string): Promise<WorkspaceRole | undefined> {
    const [row] = await this.db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    return row?.role;
  }

  async countOwners(workspaceId: string): Promise<number> {
    const [row] = await this.db
      .select({ owners: count() })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, 'owner')));
    return row?.owners ?? 0;
  }

  async setRole(workspaceId: string, userId: string, role: WorkspaceRole): Promise<void> {
    await this.db
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    this.changed();
  }

  async removeMember(workspaceId: string, userId: string): Promise<void> {
    await this.db.delete(memberships).where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    this.changed();
  }

  async createInvitation(invitation: {
    workspaceId: string;
    email: string;
    role: WorkspaceRole;
    tokenHash: string;
    invitedBy: string;
    expiresAt: Date;
  }): Promise<InvitationRecord> {
    const [row] = await this.db.insert(invitations).values(invitation).returning();
    return row!;
  }

  async pendingInvitations(workspaceId: string): Promise<InvitationRecord[]> {
    return this.db
      .select()
      .from(invitations)
      .where(and(eq(invitations.workspaceId, workspaceId), isNull(invitations.acceptedAt)))
      .orderBy(asc(invitations.createdAt));
  }

  /** True when a pending invitation of this workspace was deleted. */
  async deleteInvitation(workspaceId: string, invitationId: string): Promise<boolean> {
    const rows = await this.db
      .delete(invitations)
      .where(and(eq(invitations.workspaceId, workspaceId), eq(invitations.id, invitationId)))
      .returning({ id: invitations.id });
    return rows.length > 0;
  }

  /**
   * Accepts an unexpired invitation addressed to this user's email: marks it used and adds the
   * membership in one transaction, so a forwarded or leaked link is useless to anyone else.
   * Undefined when the token is unknown, used, expired or for another address. An existing
   * membership keeps its role.
   */
  async acceptInvitation(tokenHash: string, userId: string): Promise<InvitationRecord | undefined> {
    const accepted = await this.db.transaction(async (tx) => {
      const [invitation] = await tx
        .update(invitations)
        .set({ acceptedAt: new Date() })
        .where(
          and(
            eq(invitations.tokenHash, tokenHash),
            isNull(invitations.acceptedAt),
            gt(invitations.expiresAt, new Date()),
            sql`lower(${invitations.email}) = (select lower(${users.email}) from ${users} where ${users.id} = ${userId})`,
          ),
        )
        .returning();
      if (!invitation) return undefined;
      await tx.insert(memberships).values({ workspaceId: invitation.workspaceId, userId, role: invitation.role }).onConflictDoNothing();
      return invitation;
    });
    this.changed();
    return accepted;
  }
}
