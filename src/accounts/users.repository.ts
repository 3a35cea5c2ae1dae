import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { memberships, oauthAccounts, users, workspaces } from '../db/schema/index.js';

export type UserRecord = typeof users.$inferSelect;

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string | null;
  emailVerified: boolean;
  /** Forces the system-admin flag (CLI); otherwise only the instance's first user gets it. */
  systemAdmin?: boolean;
}

export class UsersRepository {
  /** `changed` is called after every change to an existing user (see SessionAccessCache). */
  constructor(
    private readonly db: Db,
    private readonly changed: () => void = () => {},
  ) {}

  /**
   * Creates the user, their personal workspace and their owner membership in one transaction.
   * Undefined when the email is taken.
   */
  async createWithPersonalWorkspace(user: NewUser): Promise<UserRecord | undefined> {
    return this.db.transaction(async (tx) => {
      // Serialises first-user detection, so two simultaneous first registrations cannot both become admin.
      await tx.execute(sql`lock table ${users} in share row exclusive mode`);
      const [existing] = await tx.select({ id: users.id }).from(users).limit(1);
      const [created] = await tx
        .insert(users)
        .values({
          email: user.email,
          name: user.name,
          passwordHash: user.passwordHash,
          emailVerified: user.emailVerified,
          systemAdmin: user.systemAdmin === true || !existing,
        })
        .onConflictDoNothing()
        .returning();
      if (!created) return undefined;
      const [workspace] = await tx
        .insert(workspaces)
        .values({ name: `${user.name}'s workspace`, personalOwnerId: created.id })
        .returning();
      await tx.insert(memberships).values({ workspaceId: workspace!.id, userId: created.id, role: 'owner' });
      return created;
    });
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.id, id));
    return row;
  }

  async findByEmail(email: string): Promise<UserRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
    return row;
  }

  async update(
    id: string,
    changes: Partial<Pick<UserRecord, 'name' | 'passwordHash' | 'systemAdmin' | 'emailVerified'>>,
  ): Promise<UserRecord | undefined> {
    const [row] = await this.db
      .update(users)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(users.id, id))
      .returning();
    this.changed();
    return row;
  }

  async delete(id: string): Promise<void> {
    await this.db.delete(users).where(eq(users.id, id));
    this.changed();
  }

  async findByOAuth(provider: 'google' | 'github', providerUserId: string): Promise<UserRecord | undefined> {
    const [row] = await this.db
      .select({ user: users })
      .from(oauthAccounts)
      .innerJoin(users, eq(users.id, oauthAccounts.userId))
      .where(and(eq(oauthAccounts.provider, provider), eq(oauthAccounts.providerUserId, providerUserId)));
    return row?.user;
  }

  async linkOAuth(userId: string, provider: 'google' | 'github', providerUserId: string): Promise<void> {
    await this.db.insert(oauthAccounts).values({ userId, provider, providerUserId }).onConflictDoNothing();
  }
}
