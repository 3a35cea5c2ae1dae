import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, signUp } from '../../test/support/accounts.js';
import { createTestApp, LogCapture } from '../../test/support/app.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { FakeOAuthProvider } from '../../test/support/fake-oauth-provider.js';
import type { AppInstance } from '../http/app-instance.js';

describe.each(databaseTargets())('OAuth sign-in on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  const logs = new LogCapture();
  const google = new FakeOAuthProvider('google', 'google-client', 'google-secret');
  const github = new FakeOAuthProvider('github', 'github-client', 'github-secret');

  beforeAll(async () => {
    await Promise.all([google.start(), github.start()]);
    database = await target.open();
    app = await createTestApp({ database, logs, env: { ...google.env(), ...github.env(), PUBLIC_URL: 'http://siteprint.test' } });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    await database.close();
    await Promise.all([google.stop(), github.stop()]);
  });

  /** Follows the redirect to the fake provider and returns its redirect back to Siteprint's callback. */
  async function authorize(provider: 'google' | 'github') {
    const start = await app.inject({ method: 'GET', url: `/api/v1/auth/oauth/${provider}` });
    expect(start.statusCode, start.body).toBe(302);
    const cookie = start.cookies.find((c) => c.name === 'siteprint_oauth')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const atProvider = await fetch(start.headers.location!, { redirect: 'manual' });
    expect(atProvider.status).toBe(302);
    const callback = new URL(atProvider.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe(`http://siteprint.test/api/v1/auth/oauth/${provider}/callback`);
    return { callback, cookie: cookie.value };
  }

  async function complete(provider: 'google' | 'github') {
    const { callback, cookie } = await authorize(provider);
    const response = await app.inject({ method: 'GET', url: callback.pathname + callback.search, cookies: { siteprint_oauth: cookie } });
    return Object.assign(response, {
      replay: () => app.inject({ method: 'GET', url: callback.pathname + callback.search, cookies: { siteprint_oauth: cookie } }),
    });
  }

  it('signs a new person in with Google (PKCE verified by the provider) and again as the same account', async () => {
    google.nextUser = { id: 'g-1', email: 'grace@example.com', emailVerified: true, name: 'Grace' };
    const first = await complete('google');
    expect(first.statusCode, first.body + logs.lines.filter((line) => line.includes('oauth provider')).join('\n')).toBe(200);
    const session = first.json<{ accessToken: string; user: { id: string; email: string; hasPassword: boolean } }>();
    expect(session.user).toMatchObject({ email: 'grace@example.com', hasPassword: false });
    expect(google.tokenRequests.at(-1)?.codeVerifier).toMatch(/^[\w-]{43,}$/);
    const me = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${session.accessToken}` } });
    expect(me.statusCode).toBe(200);
    const again = await complete('google');
    expect(again.json<{ user: { id: string } }>().user.id).toBe(session.user.id);
    // Codes and state travel in the callback URL; the request log masks them.
    expect(logs.text).toContain('/callback?code=%5Bredacted%5D&state=%5Bredacted%5D');
    expect(logs.text).not.toMatch(/[?&]code=(?!%5Bredacted%5D)/);
    // The provider accepts a code once; a replayed callback is refused by it, and so by us.
    const replayed = await again.replay();
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json()).toMatchObject({ type: 'urn:siteprint:problem:oauth-denied' });
  });

  it('signs in with GitHub using the verified primary email from /user/emails', async () => {
    github.nextUser = { id: '4242', email: 'linus@example.com', emailVerified: true, name: 'Linus' };
    const response = await complete('github');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ user: { email: 'linus@example.com', emailVerified: true } });
  });

  it('links a provider account to an existing user only through a verified email', async () => {
    const existing = await signUp(app, 'margaret@example.com');
    google.nextUser = { id: 'g-unverified', email: 'margaret@example.com', emailVerified: false, name: 'Mallory' };
    const refused = await complete('google');
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');

    github.nextUser = { id: '777', email: 'margaret@example.com', emailVerified: true, name: 'Margaret' };
    const linked = await complete('github');
    expect(linked.statusCode).toBe(200);
    expect(linked.json<{ user: { id: string } }>().user.id).toBe(existing.id);
    const identities = await database.query(sql`select provider from oauth_accounts where user_id = ${existing.id}`);
    expect(identities).toEqual([{ provider: 'github' }]);
  });

  it('takes an unverified password account away from whoever registered the address (pre-hijacking)', async () => {
    // Mallory registers Victoria's address with a password and keeps a session and an API key.
    const mallory = await signUp(app, 'victoria@example.com');
    const key = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: mallory.headers,
      payload: { name: 'backdoor', scopes: ['members:read'] },
    });
    expect(key.statusCode).toBe(201);
    const backdoor = { 'x-api-key': key.json<{ secret: string }>().secret };

    github.nextUser = { id: '5151', email: 'victoria@example.com', emailVerified: true, name: 'Victoria' };
    const victoria = await complete('github');
    expect(victoria.statusCode, victoria.body).toBe(200);
    expect(victoria.json()).toMatchObject({ user: { id: mallory.id, emailVerified: true, hasPassword: false } });
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'victoria@example.com', password: PASSWORD } }))
        .statusCode,
    ).toBe(401);
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: mallory.refreshToken } })).statusCode,
    ).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/workspace/members', headers: backdoor })).statusCode).toBe(401);
    const audit = await database.query(
      sql`select action, details from audit_log where actor_user_id = ${mallory.id} and action = 'account.claimed'`,
    );
    expect(audit).toEqual([{ action: 'account.claimed', details: { provider: 'github' } }]);

    // Once the address is proven, Victoria's own password and further providers leave each other alone.
    const headers = { authorization: `Bearer ${victoria.json<{ accessToken: string }>().accessToken}` };
    const setPassword = await app.inject({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      headers,
      payload: { newPassword: 'victoria-own-password' },
    });
    expect(setPassword.statusCode).toBe(200);
    google.nextUser = { id: 'g-victoria', email: 'victoria@example.com', emailVerified: true, name: 'Victoria' };
    expect((await complete('google')).json()).toMatchObject({ user: { id: mallory.id, hasPassword: true } });
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 'victoria@example.com', password: 'victoria-own-password' },
        })
      ).statusCode,
    ).toBe(200);
  });

  it('rejects a callback with a wrong state, a missing or forged cookie, or a provider error', async () => {
    const { callback, cookie } = await authorize('google');
    const wrongState = new URL(callback);
    wrongState.searchParams.set('state', 'attacker-state');
    const wrong = await app.inject({ method: 'GET', url: wrongState.pathname + wrongState.search, cookies: { siteprint_oauth: cookie } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ type: 'urn:siteprint:problem:oauth-state' });

    const noCookie = await app.inject({ method: 'GET', url: callback.pathname + callback.search });
    expect(noCookie.statusCode).toBe(400);

    const state = callback.searchParams.get('state');
    const forged = JSON.stringify({ provider: 'google', state, verifier: 'x'.repeat(43) });
    const unsigned = await app.inject({ method: 'GET', url: callback.pathname + callback.search, cookies: { siteprint_oauth: forged } });
    expect(unsigned.statusCode).toBe(400);

    const denied = await app.inject({ method: 'GET', url: '/api/v1/auth/oauth/github/callback?error=access_denied' });
    expect(denied.statusCode).toBe(401);
  });

  it('sends a browser back to the dashboard with the refresh cookie set, instead of showing JSON', async () => {
    const { callback, cookie } = await authorize('github');
    const response = await app.inject({
      method: 'GET',
      url: callback.pathname + callback.search,
      cookies: { siteprint_oauth: cookie },
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/auth/complete');
    const refresh = response.cookies.find((set) => set.name === 'siteprint_refresh');
    expect(refresh).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth' });
    const session = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', cookies: { siteprint_refresh: refresh!.value } });
    expect(session.statusCode, session.body).toBe(200);
  });

  it('lists the configured providers for the sign-in page', async () => {
    const listed = await app.inject({ method: 'GET', url: '/api/v1/auth/providers' });
    expect(listed.json<{ providers: string[] }>().providers.sort()).toEqual(['github', 'google']);
  });

  it('answers 404 for a provider without credentials and 400 for an unknown one', async () => {
    const bare = await createTestApp({ database });
    try {
      expect((await bare.inject({ method: 'GET', url: '/api/v1/auth/providers' })).json()).toEqual({ providers: [] });
      expect((await bare.inject({ method: 'GET', url: '/api/v1/auth/oauth/google' })).statusCode).toBe(404);
      expect((await bare.inject({ method: 'GET', url: '/api/v1/auth/oauth/myspace' })).statusCode).toBe(400);
    } finally {
      await bare.close();
    }
  });
});
