import { randomUUID } from 'node:crypto';
import type { AuditRepository } from '../audit/audit.repository.js';
import { DomainError, domainErrors } from '../domain/errors.js';
import type { AccessTokens } from './access-tokens.js';
import type { FirstAdminSetup } from './first-admin.js';
import type { LoginLimiter } from './login-limiter.js';
import { hashPassword, verifyDummyPassword, verifyPassword } from './passwords.js';
import type { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { randomToken, sha256 } from './secrets.js';
import { RegistrationRefusedError, registrationRefused } from './registration.js';
import { SetupTokenError } from './setup-token.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';
import type { UserRecord, UsersRepository } from './users.repository.js';
import type { WorkspacesRepository } from '../workspaces/workspaces.repository.js';
import { metrics } from '../system/metrics.js';

export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600_000;

/** Who is asking, for throttling and the audit log. */
export interface ClientInfo {
  ip: string;
  userAgent?: string;
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  refreshExpiresAt: Date;
  user: UserRecord;
}

function refuseDisabled(user: UserRecord): void {
  if (user.disabledAt) throw new DomainError('forbidden', 'This account is disabled; ask an administrator', { code: 'account-disabled' });
}
/** The same body for unknown emails and wrong passwords, so responses never reveal which accounts exist. */
const invalidCredentials = () => new DomainError('unauthenticated', 'Email or password is incorrect', { code: 'invalid-credentials' });
const invalidRefresh = () => new DomainError('unauthenticated', 'The refresh token is invalid or expired', { code: 'invalid-token' });

const SETUP_TOKEN_HELP =
  'printed in the server log at start (the line "No administrator yet …"), or create the administrator with: siteprint admin create';

function setupTokenProblem(reason: SetupTokenError['reason']): DomainError {
  return reason === 'required'
    ? new DomainError(
        'forbidden',
        `This instance has no administrator yet; the first account becomes it. Give the setup token ${SETUP_TOKEN_HELP}`,
        {
          code: 'setup-token-required',
        },
      )
    : new DomainError('forbidden', `This is not the setup token the server printed. Copy the token ${SETUP_TOKEN_HELP}`, {
        code: 'invalid-setup-token',
      });
}

export class AccountsService {
  constructor(
    private readonly deps: {
      users: UsersRepository;
      refreshTokens: RefreshTokensRepository;
      audit: AuditRepository;
      accessTokens: AccessTokens;
      limiter: LoginLimiter;
      workspaces: WorkspacesRepository;
      firstAdmin: FirstAdminSetup;
      settings: RuntimeSettings;
    },
  ) {}

  /**
   * While the instance has no administrator, only a registration with the setup token is accepted,
   * and it becomes the administrator; after that the registration mode (a runtime setting) decides.
   */
  async register(input: { email: string; name: string; password: string; setupToken?: string; local?: boolean }): Promise<UserRecord> {
    const user = await this.deps.users
      .createWithPersonalWorkspace({
        email: input.email,
        name: input.name,
        passwordHash: await hashPassword(input.password),
        emailVerified: false,
        adminClaim: { setupToken: input.setupToken, local: input.local === true },
        registration: await this.deps.settings.get('registrationMode'),
      })
      .catch(async (error: unknown) => {
        if (error instanceof RegistrationRefusedError) throw registrationRefused(error);
        if (!(error instanceof SetupTokenError)) throw error;
        await this.deps.firstAdmin.ensureAnnounced();
        throw setupTokenProblem(error.reason);
      });
    if (!user) throw domainErrors.conflict('An account with this email already exists');
    return user;
  }

  async login(input: { email: string; password: string }, client: ClientInfo): Promise<Session> {
    const attempt = await this.deps.limiter.begin(input.email, client.ip);
    if ('retryAfter' in attempt) {
      throw new DomainError('rate_limited', 'Too many failed sign-in attempts; try again later', {
        retryAfterSeconds: attempt.retryAfter,
      });
    }
    const user = await this.deps.users.findByEmail(input.email);
    const valid = user?.passwordHash
      ? await verifyPassword(user.passwordHash, input.password)
      : await verifyDummyPassword(input.password).then(() => false);
    if (!user || !valid) {
      metrics.loginFailures.inc();
      await this.deps.audit.append({
        action: 'login.failed',
        actorUserId: user?.id,
        target: user ? `user:${user.id}` : null,
        ip: client.ip,
        userAgent: client.userAgent,
      });
      throw invalidCredentials();
    }
    await attempt.succeeded();
    refuseDisabled(user);
    await this.audit('login.succeeded', user.id, client, { method: 'password' });
    return this.startSession(user);
  }

  /** A new session (new refresh-token family) for a user who just proved who they are. */
  async startSession(user: UserRecord, familyId: string = randomUUID()): Promise<Session> {
    // Covers password and OAuth sign-in and refresh alike (src/admin disables accounts).
    refuseDisabled(user);
    const refreshToken = randomToken();
    const refreshExpiresAt = new Date(Date.now() + REFRESH_TOKEN_TTL_MS);
    await this.deps.refreshTokens.insert({ userId: user.id, familyId, tokenHash: sha256(refreshToken), expiresAt: refreshExpiresAt });
    return {
      accessToken: await this.deps.accessTokens.sign({ userId: user.id, sessionId: familyId }),
      refreshToken,
      refreshExpiresAt,
      user,
    };
  }

  /** Rotates a refresh token; presenting one that was already rotated revokes its whole family. */
  async refresh(refreshToken: string): Promise<Session> {
    const stored = await this.deps.refreshTokens.findByHash(sha256(refreshToken));
    if (!stored || stored.revokedAt || stored.expiresAt <= new Date()) throw invalidRefresh();
    // Losing the race against a concurrent rotation counts as reuse: someone else holds this token too.
    if (stored.replacedAt || !(await this.deps.refreshTokens.markReplaced(stored.id))) {
      await this.deps.refreshTokens.revokeFamily(stored.familyId);
      throw invalidRefresh();
    }
    const user = await this.deps.users.findById(stored.userId);
    if (!user) throw invalidRefresh();
    return this.startSession(user, stored.familyId);
  }

  /** Ends the session the refresh token belongs to; unknown tokens are ignored so logout always succeeds. */
  async logout(refreshToken: string | undefined, userId: string, client: ClientInfo): Promise<void> {
    if (refreshToken) {
      const stored = await this.deps.refreshTokens.findByHash(sha256(refreshToken));
      if (stored && stored.userId === userId) await this.deps.refreshTokens.revokeFamily(stored.familyId);
    }
    await this.audit('logout', userId, client);
  }

  async me(userId: string): Promise<UserRecord> {
    const user = await this.deps.users.findById(userId);
    if (!user) throw domainErrors.notFound('User');
    return user;
  }

  /** Changes name or password; a new password ends every session but the one that changed it. */
  async updateMe(
    { userId, sessionId }: { userId: string; sessionId?: string },
    changes: { name?: string; currentPassword?: string; newPassword?: string },
    client: ClientInfo,
  ): Promise<UserRecord> {
    const user = await this.me(userId);
    let passwordHash: string | undefined;
    if (changes.newPassword !== undefined) {
      // Accounts created through OAuth have no password yet and may set one without a current one.
      if (user.passwordHash && !(changes.currentPassword && (await verifyPassword(user.passwordHash, changes.currentPassword)))) {
        throw new DomainError('forbidden', 'The current password is incorrect', { code: 'invalid-credentials' });
      }
      // A password an administrator handed out must be replaced by one only the user knows.
      if (user.passwordChangeRequired && user.passwordHash && (await verifyPassword(user.passwordHash, changes.newPassword))) {
        throw new DomainError('invalid', 'Choose a new password, not the one you were given', {
          code: 'validation',
          issues: [{ in: 'body', path: '/newPassword', message: 'must differ from the temporary password' }],
        });
      }
      passwordHash = await hashPassword(changes.newPassword);
    }
    const updated = await this.deps.users.update(userId, {
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(passwordHash ? { passwordHash, passwordChangeRequired: false } : {}),
    });
    if (passwordHash) {
      // Other devices must sign in again with the new password.
      await this.deps.refreshTokens.revokeAllForUser(userId, sessionId);
      await this.audit('password.changed', userId, client);
    }
    return updated!;
  }

  async deleteMe(userId: string, client: ClientInfo): Promise<void> {
    // Shared workspaces must not be left without an owner; the personal one goes with the account.
    for (const workspace of await this.deps.workspaces.listForUser(userId)) {
      if (workspace.role !== 'owner' || workspace.personalOwnerId === userId) continue;
      if ((await this.deps.workspaces.countOwners(workspace.id)) <= 1) {
        throw new DomainError('conflict', `Make someone else owner of "${workspace.name}" before deleting your account`, {
          code: 'last-owner',
        });
      }
    }
    await this.deps.users.delete(userId);
    await this.audit('account.deleted', userId, client);
  }

  private audit(
    action: 'login.succeeded' | 'logout' | 'password.changed' | 'account.deleted',
    userId: string,
    client: ClientInfo,
    details?: Record<string, unknown>,
  ) {
    return this.deps.audit.append({
      action,
      actorUserId: userId,
      target: `user:${userId}`,
      ip: client.ip,
      userAgent: client.userAgent,
      details,
    });
  }
}
