import type { AuditRepository } from '../audit/audit.repository.js';
import { HttpProblem } from '../http/problem.js';
import type { AccountsService, ClientInfo, Session } from './accounts.service.js';
import type { OAuthProfile, OAuthProviderName } from './oauth-providers.js';
import type { UserRecord, UsersRepository } from './users.repository.js';

/** Turns a provider identity into a Siteprint session: known identity, verified-email link, or a new account. */
export class OAuthService {
  constructor(private readonly deps: { users: UsersRepository; accounts: AccountsService; audit: AuditRepository }) {}

  async signIn(provider: OAuthProviderName, profile: OAuthProfile, client: ClientInfo): Promise<Session> {
    const user = await this.resolveUser(provider, profile);
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

  private async resolveUser(provider: OAuthProviderName, profile: OAuthProfile): Promise<UserRecord> {
    const linked = await this.deps.users.findByOAuth(provider, profile.providerUserId);
    if (linked) return linked;
    // Linking or creating by email is only safe when the provider vouches for the address.
    if (!profile.email || !profile.emailVerified) {
      throw new HttpProblem(403, `Your ${provider} account has no verified email address`, { slug: 'unverified-email' });
    }
    const existing = await this.deps.users.findByEmail(profile.email);
    const user =
      existing ??
      (await this.deps.users.createWithPersonalWorkspace({
        email: profile.email,
        name: profile.name,
        passwordHash: null,
        emailVerified: true,
      }));
    if (!user) throw new HttpProblem(409, 'An account with this email was created at the same moment; try again');
    await this.deps.users.linkOAuth(user.id, provider, profile.providerUserId);
    if (!user.emailVerified) await this.deps.users.update(user.id, { emailVerified: true });
    return user;
  }
}
