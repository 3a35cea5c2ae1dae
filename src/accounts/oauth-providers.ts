import { CodeChallengeMethod, OAuth2Client } from 'arctic';
import type { Config } from '../config/index.js';

export type OAuthProviderName = 'google' | 'github';
export const oauthProviderNames = ['google', 'github'] as const;

/** What a provider tells us about the person who signed in. */
export interface OAuthProfile {
  providerUserId: string;
  email: string | undefined;
  emailVerified: boolean;
  name: string;
}

/**
 * One OAuth 2.0 provider. arctic's Google and GitHub classes hard-code their endpoints, so the
 * exchange uses arctic's generic OAuth2Client with endpoints from config (tests point them at a
 * loopback fake); the profile calls are plain fetches against the provider's documented APIs.
 */
export class OAuthProvider {
  private readonly client: OAuth2Client;

  constructor(
    readonly name: OAuthProviderName,
    clientId: string,
    clientSecret: string,
    redirectUri: string,
    private readonly endpoints: { authorize: string; token: string; profile: string },
    private readonly scopes: string[],
  ) {
    this.client = new OAuth2Client(clientId, clientSecret, redirectUri);
  }

  authorizationUrl(state: string, codeVerifier: string): URL {
    return this.client.createAuthorizationURLWithPKCE(
      this.endpoints.authorize,
      state,
      CodeChallengeMethod.S256,
      codeVerifier,
      this.scopes,
    );
  }

  async profile(code: string, codeVerifier: string): Promise<OAuthProfile> {
    const tokens = await this.client.validateAuthorizationCode(this.endpoints.token, code, codeVerifier);
    const accessToken = tokens.accessToken();
    return this.name === 'google' ? this.googleProfile(accessToken) : this.githubProfile(accessToken);
  }

  private async googleProfile(accessToken: string): Promise<OAuthProfile> {
    const info = (await getJson(this.endpoints.profile, accessToken)) as {
      sub?: string;
      email?: string;
      email_verified?: boolean;
      name?: string;
    };
    if (!info.sub) throw new Error('Google userinfo has no subject');
    return {
      providerUserId: info.sub,
      email: info.email,
      emailVerified: info.email_verified === true,
      name: info.name || info.email || 'Google user',
    };
  }

  private async githubProfile(accessToken: string): Promise<OAuthProfile> {
    const user = (await getJson(`${this.endpoints.profile}/user`, accessToken)) as { id?: number; login?: string; name?: string | null };
    if (user.id === undefined) throw new Error('GitHub user has no id');
    // The public profile email is unverified by definition; only /user/emails says which are verified.
    const emails = (await getJson(`${this.endpoints.profile}/user/emails`, accessToken)) as Array<{
      email: string;
      primary: boolean;
      verified: boolean;
    }>;
    const chosen = emails.find((entry) => entry.primary && entry.verified) ?? emails.find((entry) => entry.verified);
    return {
      providerUserId: String(user.id),
      email: chosen?.email,
      emailVerified: chosen !== undefined,
      name: user.name || user.login || 'GitHub user',
    };
  }
}

async function getJson(url: string, accessToken: string): Promise<unknown> {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', 'user-agent': 'siteprint' },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`${new URL(url).pathname} answered ${response.status}`);
  return response.json();
}

/** The providers that have client credentials configured. */
export function configuredProviders(config: Config): Map<OAuthProviderName, OAuthProvider> {
  const providers = new Map<OAuthProviderName, OAuthProvider>();
  const redirect = (name: OAuthProviderName) => new URL(`/api/v1/auth/oauth/${name}/callback`, config.PUBLIC_URL).toString();
  if (config.GOOGLE_CLIENT_ID && config.GOOGLE_CLIENT_SECRET) {
    providers.set(
      'google',
      new OAuthProvider(
        'google',
        config.GOOGLE_CLIENT_ID,
        config.GOOGLE_CLIENT_SECRET,
        redirect('google'),
        { authorize: config.OAUTH_GOOGLE_AUTHORIZE_URL, token: config.OAUTH_GOOGLE_TOKEN_URL, profile: config.OAUTH_GOOGLE_USERINFO_URL },
        ['openid', 'email', 'profile'],
      ),
    );
  }
  if (config.GITHUB_CLIENT_ID && config.GITHUB_CLIENT_SECRET) {
    providers.set(
      'github',
      new OAuthProvider(
        'github',
        config.GITHUB_CLIENT_ID,
        config.GITHUB_CLIENT_SECRET,
        redirect('github'),
        { authorize: config.OAUTH_GITHUB_AUTHORIZE_URL, token: config.OAUTH_GITHUB_TOKEN_URL, profile: config.OAUTH_GITHUB_API_URL.replace(/\/$/, '') },
        ['read:user', 'user:email'],
      ),
    );
  }
  return providers;
}
