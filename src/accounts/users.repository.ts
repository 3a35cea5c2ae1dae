import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { instanceSettings, invitations, memberships, oauthAccounts, users, workspaces } from '../db/schema/index.js';
import type { RegistrationMode } from '../settings/runtime-settings.js';
import { RegistrationRefusedError } from './registration.js';
import { SETUP_TOKEN_SETTING, SetupTokenError, setupTokenMatches } from './setup-token.js';

export type UserRecord = typeof users.$inferSelect;

export interface NewUser {
  email: string;
  name: string;
  passwordHash: string | null;
  emailVerified: boolean;
  /** Makes the user a system administrator (the CLI, run by whoever operates the instance). */
  systemAdmin?: boolean;
  /**
   * A registration that may claim the first-administrator role: while no system administrator
   * exists it must carry the setup token (else SetupTokenError) and becomes the administrator.
   * Without it (OAuth sign-ups) a user never becomes administrator by arriving first.
   */
  /** Present for a registration that may claim the first administrator; `local` ones need no token. */
  adminClaim?: { setupToken?: string; local?: boolean };
  /**
   * The registration mode in force for a self-service sign-up (password or OAuth): `closed` refuses
   * it and `invite-only` admits only an address with a pending invitation (else
   * RegistrationRefusedError). The first administrator's registration is admitted in every mode.
   * Left out for accounts an operator creates (the CLI).
   */
  registration?: RegistrationMode;
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
      // Serialises the first-administrator claim, so two simultaneous registrations cannot both win it.
      await tx.execute(sql`lock table ${users} in share row exclusive mode`);
      let systemAdmin = user.systemAdmin === true;
      if (!systemAdmin && user.adminClaim) {
        const [admin] = await tx.select({ id: users.id }).from(users).where(eq(users.systemAdmin, true)).limit(1);
        if (!admin) {
          const given = user.adminClaim.setupToken;
          if (!user.adminClaim.local) {
            if (!given) throw new SetupTokenError('required');
            const [stored] = await tx
              .select({ value: instanceSettings.value })
              .from(instanceSettings)
              .where(eq(instanceSettings.key, SETUP_TOKEN_SETTING));
            if (!setupTokenMatches(stored?.value, given)) throw new SetupTokenError('invalid');
          }
          systemAdmin = true;
        }
      }
      if (!systemAdmin && user.registration === 'closed') throw new RegistrationRefusedError('closed');
      if (!systemAdmin && user.registration === 'invite-only') {
        const [invited] = await tx
          .select({ id: invitations.id })
          .from(invitations)
          .where(
            and(
              sql`lower(${invitations.email}) = lower(${user.email})`,
              isNull(invitations.acceptedAt),
              gt(invitations.expiresAt, new Date()),
            ),
          )
          .limit(1);
        if (!invited) throw new RegistrationRefusedError('invite-only');
      }
      const [created] = await tx
        .insert(users)
        .values({
          email: user.email,
          name: user.name,
          passwordHash: user.passwordHash,
          emailVerified: user.emailVerified,
          systemAdmin,
        })
        .onConflictDoNothing()
        .returning();
      if (!created) return undefined;
      // One-time: once an administrator exists, the token is spent.
      if (systemAdmin) await tx.delete(instanceSettings).where(eq(instanceSettings.key, SETUP_TOKEN_SETTING));
      const [workspace] = await tx
        .insert(workspaces)
        .values({ name: `${user.name}'s workspace`, personalOwnerId: created.id })
        .returning();
      await tx.insert(memberships).values({ workspaceId: workspace!.id, userId: created.id, role: 'owner' });
      return created;
    });
  }

  async hasSystemAdmin(): Promise<boolean> {
    const [admin] = await this.db.select({ id: users.id }).from(users).where(eq(users.systemAdmin, true)).limit(1);
    return admin !== undefined;
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
    changes: Partial<Pick<UserRecord, 'name' | 'passwordHash' | 'passwordChangeRequired' | 'systemAdmin' | 'emailVerified'>>,
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
