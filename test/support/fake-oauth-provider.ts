import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOAuthUser {
  id: string;
  email: string;
  emailVerified: boolean;
  name: string;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  user: FakeOAuthUser;
}

/**
 * A loopback OAuth 2.0 provider speaking the real protocol: /authorize redirects back with a
 * code, /token checks client credentials (HTTP Basic), redirect_uri and the PKCE code_verifier
 * against the S256 challenge, and the profile endpoints answer like Google's userinfo or GitHub's
 * /user and /user/emails.
 */
export class FakeOAuthProvider {
  /** The identity the next /authorize call signs in, as if the person had logged in at the provider. */
  nextUser: FakeOAuthUser = { id: '1001', email: 'ada@example.com', emailVerified: true, name: 'Ada' };
  readonly tokenRequests: Array<{ codeVerifier: string | null }> = [];
  private readonly codes = new Map<string, PendingCode>();
  private readonly tokens = new Map<string, FakeOAuthUser>();
  private server?: Server;
  url = '';

  constructor(
    readonly kind: 'google' | 'github',
    readonly clientId = 'client-id',
    readonly clientSecret = 'client-secret',
  ) {}

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      this.handle(request)
        .then(({ status, headers, body }) => {
          response.writeHead(status, headers);
          response.end(body);
        })
        .catch((error: unknown) => {
          response.writeHead(500);
          response.end(String(error));
        });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Config variables pointing Siteprint at this provider. */
  env(): Record<string, string> {
    return this.kind === 'google'
      ? {
          GOOGLE_CLIENT_ID: this.clientId,
          GOOGLE_CLIENT_SECRET: this.clientSecret,
          OAUTH_GOOGLE_AUTHORIZE_URL: `${this.url}/authorize`,
          OAUTH_GOOGLE_TOKEN_URL: `${this.url}/token`,
          OAUTH_GOOGLE_USERINFO_URL: `${this.url}/userinfo`,
        }
      : {
          GITHUB_CLIENT_ID: this.clientId,
          GITHUB_CLIENT_SECRET: this.clientSecret,
          OAUTH_GITHUB_AUTHORIZE_URL: `${this.url}/authorize`,
          OAUTH_GITHUB_TOKEN_URL: `${this.url}/token`,
          OAUTH_GITHUB_API_URL: this.url,
        };
  }

  private async handle(request: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const url = new URL(request.url ?? '/', this.url);
    const json = (status: number, body: unknown) => ({
      status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

    if (request.method === 'GET' && url.pathname === '/authorize') {
      const params = url.searchParams;
      if (params.get('response_type') !== 'code' || params.get('client_id') !== this.clientId)
        return json(400, { error: 'invalid_request' });
      if (params.get('code_challenge_method') !== 'S256' || !params.get('code_challenge')) return json(400, { error: 'invalid_request' });
      const code = randomBytes(16).toString('hex');
      this.codes.set(code, {
        clientId: this.clientId,
        redirectUri: params.get('redirect_uri')!,
        codeChallenge: params.get('code_challenge')!,
        user: this.nextUser,
      });
      const back = new URL(params.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', params.get('state') ?? '');
      return { status: 302, headers: { location: back.toString() }, body: '' };
    }

    if (request.method === 'POST' && url.pathname === '/token') {
      const form = new URLSearchParams(await readBody(request));
      this.tokenRequests.push({ codeVerifier: form.get('code_verifier') });
      const expected = `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`;
      if (request.headers.authorization !== expected) return json(401, { error: 'invalid_client' });
      const pending = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (
        form.get('grant_type') !== 'authorization_code' ||
        !pending ||
        pending.redirectUri !== form.get('redirect_uri') ||
        pending.codeChallenge !== challenge
      ) {
        return json(400, { error: 'invalid_grant' });
      }
      const accessToken = randomBytes(16).toString('hex');
      this.tokens.set(accessToken, pending.user);
      return json(200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600 });
    }

    const user = this.tokens.get((request.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!user) return json(401, { error: 'invalid_token' });
    if (this.kind === 'google' && url.pathname === '/userinfo') {
      return json(200, { sub: user.id, email: user.email, email_verified: user.emailVerified, name: user.name });
    }
    if (this.kind === 'github' && url.pathname === '/user') {
      return json(200, { id: Number(user.id), login: user.name.toLowerCase(), name: user.name, email: null });
    }
    if (this.kind === 'github' && url.pathname === '/user/emails') {
      return json(200, [
        { email: `${user.id}@users.noreply.github.com`, primary: false, verified: true, visibility: null },
        { email: user.email, primary: true, verified: user.emailVerified, visibility: 'private' },
      ]);
    }
    return json(404, { error: 'not_found' });
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
