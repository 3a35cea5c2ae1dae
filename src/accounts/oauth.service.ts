import type { ApiKeysRepository } from '../api-keys/api-keys.repository.js';
import type { AuditRepository } from '../audit/audit.repository.js';
import { DomainError } from '../domain/errors.js';
import type { AccountsService, ClientInfo, Session } from './accounts.service.js';
import type { OAuthProfile, OAuthProviderName } from './oauth-providers.js';
import type { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { RegistrationRefusedError, registrationRefused } from './registration.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';
import type { UserRecord, UsersRepository } from './users.repository.js';

/** Turns a provider identity into a Siteprint session: known identity, verified-email link, or a new account. */
export class OAuthService {
  constructor(
    private readonly deps: {
      users: UsersRepository;
      accounts: AccountsService;
      audit: AuditRepository;
      refreshTokens: RefreshTokensRepository;
      apiKeys: ApiKeysRepository;
      settings: RuntimeSettings;
    },
  ) {}

  async signIn(provider: OAuthProviderName, profile: OAuthProfile, client: ClientInfo): Promise<Session> {
    const user = await this.resolveUser(provider, profile, client);
    await this.deps.audit.append({
      action: 'login.succeeded',
      actorUserId: user.id,
      target: `user:${user.id}`,
      details: { method: provider },
      ip: client.ip,
      userAgent: client.userAgent,
    });
    return this.deps.accounts.startSession(user);
  }

  private async resolveUser(provider: OAuthProviderName, profile: OAuthProfile, client: ClientInfo): Promise<UserRecord> {
    const linked = await this.deps.users.findByOAuth(provider, profile.providerUserId);
    if (linked) return linked;
    // Linking or creating by email is only safe when the provider vouches for the address.
    if (!profile.email || !profile.emailVerified) {
      throw new DomainError('forbidden', `Your ${provider} account has no verified email address`, { code: 'unverified-email' });
    }
    const existing = await this.deps.users.findByEmail(profile.email);
    const user =
      existing ??
      (await this.deps.users
        .createWithPersonalWorkspace({
          email: profile.email,
          name: profile.name,
          passwordHash: null,
          emailVerified: true,
          registration: await this.deps.settings.get('registrationMode'),
        })
        .catch((error: unknown) => {
          throw error instanceof RegistrationRefusedError ? registrationRefused(error) : error;
        }));
    if (!user) throw new DomainError('conflict', 'An account with this email was created at the same moment; try again');
    const owned = user.emailVerified ? user : await this.claim(user, provider, client);
    await this.deps.users.linkOAuth(owned.id, provider, profile.providerUserId);
    return owned;
  }

  /**
   * The provider proves this person owns the address; whoever registered it with a password never
   * did. Guards against account pre-hijacking (an attacker registering a victim's email first and
   * waiting for the victim to sign in with Google or GitHub): the unproven password, its sessions
   * and the keys made with it stop working. Access tokens already issued expire within 15 minutes.
   */
  private async claim(user: UserRecord, provider: OAuthProviderName, client: ClientInfo): Promise<UserRecord> {
    const claimed = await this.deps.users.update(user.id, { emailVerified: true, passwordHash: null });
    if (!claimed) throw new DomainError('conflict', 'The account was deleted while signing in; try again');
    await this.deps.refreshTokens.revokeAllForUser(user.id);
    await this.deps.apiKeys.revokeAllCreatedBy(user.id);
    await this.deps.audit.append({
      action: 'account.claimed',
      actorUserId: user.id,
      target: `user:${user.id}`,
      details: { provider },
      ip: client.ip,
      userAgent: client.userAgent,
    });
    return claimed;
  }
}
