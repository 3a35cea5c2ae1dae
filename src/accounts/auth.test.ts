import { sql } from 'drizzle-orm';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, signUp } from '../../test/support/accounts.js';
import { createTestApp, LogCapture } from '../../test/support/app.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import type { AppInstance } from '../http/app-instance.js';

const JWT_SECRET = 'test-secret-test-secret-test-secret-0123';

describe.each(databaseTargets())('accounts and sessions on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  const logs = new LogCapture();

  beforeAll(async () => {
    database = await target.open();
    app = await createTestApp({ database, logs, env: { JWT_SECRET } });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    await database.close();
  });

  it('runs register → login → refresh → logout, and the first user is system admin', async () => {
    const first = await signUp(app, 'first@example.com');
    const me = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: first.headers });
    expect(me.json()).toMatchObject({ email: 'first@example.com', systemAdmin: true, hasPassword: true });
    const second = await signUp(app, 'second@example.com');
    const secondMe = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: second.headers });
    expect(secondMe.json()).toMatchObject({ systemAdmin: false });

    const refreshed = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: first.refreshToken } });
    expect(refreshed.statusCode).toBe(200);
    const session = refreshed.json<{ accessToken: string; refreshToken: string }>();
    expect(session.refreshToken).not.toBe(first.refreshToken);
    const cookie = refreshed.cookies.find((c) => c.name === 'siteprint_refresh');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth', value: session.refreshToken });

    // The cookie alone refreshes too (browser clients never handle the token themselves).
    const viaCookie = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      cookies: { siteprint_refresh: session.refreshToken },
    });
    expect(viaCookie.statusCode).toBe(200);
    const latest = viaCookie.json<{ accessToken: string; refreshToken: string }>();

    const logout = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { authorization: `Bearer ${latest.accessToken}` },
      payload: { refreshToken: latest.refreshToken },
    });
    expect(logout.statusCode).toBe(204);
    const afterLogout = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: latest.refreshToken } });
    expect(afterLogout.statusCode).toBe(401);
    // Access tokens of the ended session stop working at once, not when they expire; other sessions go on.
    for (const token of [latest.accessToken, first.accessToken]) {
      expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(
        401,
      );
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: second.headers })).statusCode).toBe(200);
  });

  it('treats emails case-insensitively and refuses a second account', async () => {
    await signUp(app, 'Case@Example.com');
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: 'case@example.COM', name: 'x', password: PASSWORD },
    });
    expect(again.statusCode).toBe(409);
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'CASE@example.com', password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);
  });

  it('revokes the whole family when a rotated refresh token is used again', async () => {
    const user = await signUp(app, 'reuse@example.com');
    const rotated = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: user.refreshToken } });
    const current = rotated.json<{ refreshToken: string }>().refreshToken;
    const reuse = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: user.refreshToken } });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.headers['content-type']).toContain('application/problem+json');
    // The legitimate holder's newer token died with the family.
    const descendant = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: current } });
    expect(descendant.statusCode).toBe(401);
  });

  it('rejects expired, tampered, alg:none and foreign-secret JWTs', async () => {
    const user = await signUp(app, 'jwt@example.com');
    const key = new TextEncoder().encode(JWT_SECRET);
    const claims = { iss: 'siteprint', aud: 'siteprint-api', sub: user.id };
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key);
    const [header, payload, signature] = user.accessToken.split('.');
    const otherPayload = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: '00000000-0000-4000-8000-000000000000' }),
    ).toString('base64url');
    const tampered = `${header}.${otherPayload}.${signature}`;
    const unsigned = new UnsecuredJWT(claims).setIssuedAt().setExpirationTime('5m').encode();
    const foreign = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('another-secret-another-secret-another-1'));

    for (const token of [expired, tampered, unsigned, foreign, 'not-a-jwt']) {
      const response = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.json()).toMatchObject({ status: 401, type: 'urn:siteprint:problem:unauthenticated' });
    }
    const ok = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: user.headers });
    expect(ok.statusCode).toBe(200);
  });

  it('changes name and password only with the current password, and ends other sessions', async () => {
    const user = await signUp(app, 'change@example.com');
    const wrong = await app.inject({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      headers: user.headers,
      payload: { currentPassword: 'not my password', newPassword: 'a brand new password' },
    });
    expect(wrong.statusCode).toBe(403);
    const renamed = await app.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers: user.headers, payload: { name: 'Renamed' } });
    expect(renamed.json()).toMatchObject({ name: 'Renamed' });
    const elsewhere = (
      await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: PASSWORD } })
    ).json<{ accessToken: string; refreshToken: string }>();
    const changed = await app.inject({
      method: 'PATCH',
      url: '/api/v1/auth/me',
      headers: user.headers,
      payload: { currentPassword: PASSWORD, newPassword: 'a brand new password' },
    });
    expect(changed.statusCode).toBe(200);
    // The other device is signed out at once; the session that changed the password goes on.
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: elsewhere.refreshToken } })).statusCode,
    ).toBe(401);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${elsewhere.accessToken}` } }))
        .statusCode,
    ).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: user.headers })).statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: user.refreshToken } })).statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: PASSWORD } })).statusCode,
    ).toBe(401);
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: 'a brand new password' } }))
        .statusCode,
    ).toBe(200);
  });

  it('deletes the account with its personal workspace', async () => {
    const user = await signUp(app, 'leaver@example.com');
    const deleted = await app.inject({ method: 'DELETE', url: '/api/v1/auth/me', headers: user.headers });
    expect(deleted.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: user.headers })).statusCode).toBe(401);
    const rows = await database.query(sql`select count(*)::int as n from workspaces where id = ${user.workspaceId}`);
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('limits failed logins per account and address with 429 and Retry-After, answering unknown emails like wrong passwords', async () => {
    await signUp(app, 'target@example.com');
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'nobody@example.com', password: 'whatever-password' },
    });
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'target@example.com', password: 'whatever-password' },
    });
    expect(unknown.statusCode).toBe(401);
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });
    expect(strip(unknown.json())).toEqual(strip(wrong.json()));
    for (let attempt = 2; attempt <= 5; attempt += 1) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'target@example.com', password: 'whatever-password' },
      });
      expect(response.statusCode).toBe(401);
    }
    const limited = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'target@example.com', password: PASSWORD },
    });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    // A stranger's guesses cost the owner nothing elsewhere.
    const owner = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '192.0.2.77',
      payload: { email: 'target@example.com', password: PASSWORD },
    });
    expect(owner.statusCode).toBe(200);
  });

  it('limits failed logins per client address across accounts', async () => {
    const ip = '203.0.113.9';
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: ip,
        payload: { email: `spray${attempt}@example.com`, password: 'whatever-password' },
      });
      expect(response.statusCode).toBe(401);
    }
    const limited = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: ip,
      payload: { email: 'first@example.com', password: PASSWORD },
    });
    expect(limited.statusCode).toBe(429);
    const elsewhere = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '203.0.113.10',
      payload: { email: 'first@example.com', password: PASSWORD },
    });
    expect(elsewhere.statusCode).toBe(200);
  });

  it('answers malformed requests with clear problem+json', async () => {
    const short = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: 'not-an-email', name: '', password: 'short' },
    });
    expect(short.statusCode).toBe(400);
    expect(short.headers['content-type']).toContain('application/problem+json');
    expect(
      short
        .json<{ errors: Array<{ path: string }> }>()
        .errors.map((e) => e.path)
        .sort(),
    ).toEqual(['/email', '/name', '/password']);
    const badJson = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(badJson.statusCode).toBe(400);
    const badHeader = await app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: 'Basic abc' } });
    expect(badHeader.statusCode).toBe(401);
    const noToken = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh' });
    expect(noToken.statusCode).toBe(401);
  });

  it('writes login, logout and password events to the append-only audit log', async () => {
    const rows = await database.query<{ action: string }>(sql`select distinct action from audit_log`);
    expect(rows.map((row) => row.action)).toEqual(
      expect.arrayContaining(['login.succeeded', 'login.failed', 'logout', 'password.changed', 'account.deleted']),
    );
    // Drizzle wraps the database error; the trigger's message is its cause.
    const refused = { cause: expect.objectContaining({ message: expect.stringMatching(/append-only/) }) };
    await expect(database.query(sql`update audit_log set action = 'forged'`)).rejects.toMatchObject(refused);
    await expect(database.query(sql`delete from audit_log`)).rejects.toMatchObject(refused);
  });

  it('never logs passwords or tokens', async () => {
    const user = await signUp(app, 'quiet@example.com', 'very-secret-password-42');
    await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: user.refreshToken } });
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'quiet@example.com', password: 'wrong-secret-password-43' },
    });
    expect(logs.lines.length).toBeGreaterThan(0);
    for (const secret of ['very-secret-password-42', 'wrong-secret-password-43', user.accessToken, user.refreshToken, JWT_SECRET]) {
      expect(logs.text).not.toContain(secret);
    }
  });
});
