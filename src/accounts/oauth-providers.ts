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

/** The provider refused the code (RFC 6749 §5.2 error), as opposed to being unreachable. */
export class OAuthGrantError extends Error {
  constructor(readonly code: string) {
    super(`the provider rejected the authorization code: ${code}`);
    this.name = 'OAuthGrantError';
  }
}

/**
 * One OAuth 2.0 provider. arctic's Google and GitHub classes hard-code their endpoints, so the
 * authorization URL (state, PKCE S256 challenge) comes from arctic's generic OAuth2Client with
 * endpoints from config (tests point them at a loopback fake). The two back-channel calls (token
 * exchange, profile) are made with undici directly: arctic uses the global fetch and sets its own
 * Content-Length, which the undici 7 global dispatcher the rest of the app installs rejects.
 */
export class OAuthProvider {
  private readonly client: OAuth2Client;
  private readonly credentials: { clientId: string; clientSecret: string; redirectUri: string };

  constructor(
    readonly name: OAuthProviderName,
    clientId: string,
    clientSecret: string,
    redirectUri: string,
    private readonly endpoints: { authorize: string; token: string; profile: string },
    private readonly scopes: string[],
  ) {
    this.client = new OAuth2Client(clientId, clientSecret, redirectUri);
    this.credentials = { clientId, clientSecret, redirectUri };
  }

  authorizationUrl(state: string, codeVerifier: string): URL {
    return this.client.createAuthorizationURLWithPKCE(this.endpoints.authorize, state, CodeChallengeMethod.S256, codeVerifier, this.scopes);
  }

  async profile(code: string, codeVerifier: string): Promise<OAuthProfile> {
    const accessToken = await this.exchange(code, codeVerifier);
    return this.name === 'google' ? this.googleProfile(accessToken) : this.githubProfile(accessToken);
  }

  /** RFC 6749 §4.1.3 with the PKCE verifier (RFC 7636) and client_secret_basic authentication. */
  private async exchange(code: string, codeVerifier: string): Promise<string> {
    const { clientId, clientSecret, redirectUri } = this.credentials;
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
    const response = await (
      await import('undici')
    ).request(this.endpoints.token, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        'user-agent': 'siteprint',
        authorization: `Basic ${basic}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: codeVerifier,
        client_id: clientId,
      }).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.body.json().catch(() => ({}))) as { access_token?: unknown; error?: unknown };
    // GitHub reports grant errors with status 200, so the error field decides, not the status.
    if (typeof body.error === 'string') throw new OAuthGrantError(body.error);
    if (response.statusCode !== 200 || typeof body.access_token !== 'string') {
      throw new Error(`token endpoint answered ${response.statusCode} without an access token`);
    }
    return body.access_token;
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
  const response = await (
    await import('undici')
  ).request(url, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', 'user-agent': 'siteprint' },
    signal: AbortSignal.timeout(10_000),
  });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new Error(`${new URL(url).pathname} answered ${response.statusCode}`);
  }
  return response.body.json();
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
        {
          authorize: config.OAUTH_GITHUB_AUTHORIZE_URL,
          token: config.OAUTH_GITHUB_TOKEN_URL,
          profile: config.OAUTH_GITHUB_API_URL.replace(/\/$/, ''),
        },
        ['read:user', 'user:email'],
      ),
    );
  }
  return providers;
}
