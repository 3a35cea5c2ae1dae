import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../../test/support/accounts.js';
import { createTestApp, LogCapture } from '../../test/support/app.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import type { AppInstance } from '../http/app-instance.js';

/** The token from the one log line that announces it, as an operator would read it. */
function announcedTokens(logs: LogCapture): string[] {
  return logs.lines.flatMap((line) => {
    const match = /give setup token (\S+) when registering/.exec(JSON.parse(line).msg ?? '');
    return match ? [match[1]!] : [];
  });
}

describe.each(databaseTargets())('claiming the first administrator on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  const logs = new LogCapture();
  let token: string;

  // From another machine: a request straight to loopback may claim the administrator without the token (tested below).
  const register = (email: string, setupToken?: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      remoteAddress: '203.0.113.7',
      payload: { email, name: email.split('@')[0], password: PASSWORD, ...(setupToken === undefined ? {} : { setupToken }) },
    });
  const me = async (email: string) => {
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: PASSWORD } });
    expect(login.statusCode, login.body).toBe(200);
    return login.json<{ user: { systemAdmin: boolean } }>().user;
  };

  beforeAll(async () => {
    database = await target.open();
    app = await createTestApp({ database, logs });
    await app.ready();
    const tokens = announcedTokens(logs);
    expect(tokens).toHaveLength(1);
    token = tokens[0]!;
  });

  afterAll(async () => {
    await app.close();
    await database.close();
  });

  it('prints a setup token at start with a link that fills it in on the dashboard', () => {
    const line = logs.lines.map((text) => JSON.parse(text)).find((entry) => entry.setupUrl);
    expect(line.setupUrl).toBe(`http://localhost:8080/register#setup-token=${token}`);
    expect(line.msg).toContain('siteprint admin create');
    expect(token).toMatch(/^[\w-]{40,}$/);
  });

  it('refuses the first registration without the token or with a wrong one, saying what is needed', async () => {
    const without = await register('stranger@example.com');
    expect(without.statusCode).toBe(403);
    expect(without.headers['content-type']).toContain('application/problem+json');
    expect(without.json()).toMatchObject({
      type: 'urn:siteprint:problem:setup-token-required',
      detail: expect.stringMatching(/no administrator yet.*setup token printed in the server log.*siteprint admin create/s),
    });
    const wrong = await register('stranger@example.com', 'x'.repeat(43));
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().type).toBe('urn:siteprint:problem:invalid-setup-token');
    // Nothing was created, and the refusals did not print the token again.
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'stranger@example.com', password: PASSWORD } }))
        .statusCode,
    ).toBe(401);
    expect(announcedTokens(logs)).toHaveLength(1);
  });

  it('makes exactly one administrator of simultaneous registrations with the token, and the token is spent', async () => {
    const results = await Promise.all(['owner-a@example.com', 'owner-b@example.com'].map((email) => register(email, token)));
    expect(results.map((response) => response.statusCode)).toEqual([201, 201]);
    const admins = results.filter((response) => response.json().systemAdmin);
    expect(admins).toHaveLength(1);
    // Later registrations need no token and never become administrators, with the old token or without.
    expect((await register('later@example.com')).json()).toMatchObject({ systemAdmin: false });
    expect((await register('again@example.com', token)).json()).toMatchObject({ systemAdmin: false });
    expect(await me(admins[0]!.json().email)).toMatchObject({ systemAdmin: true });
  });

  it('prints no token on the next start once an administrator exists', async () => {
    const restartLogs = new LogCapture();
    const restarted = await createTestApp({ database, logs: restartLogs });
    try {
      expect(announcedTokens(restartLogs)).toEqual([]);
      expect(restartLogs.text).not.toContain(token);
    } finally {
      await restarted.close();
    }
  });

  it('never logs the token other than in its announcement', async () => {
    expect(logs.lines.filter((line) => line.includes(token))).toHaveLength(1);
  });
});

describe.each(databaseTargets())("claiming the first administrator from the server's own machine on $name", (target) => {
  let database: TestDatabase;
  let app: AppInstance;

  beforeAll(async () => {
    database = await target.open();
    app = await createTestApp({ database });
  });

  afterAll(async () => {
    await app.close();
    await database.close();
  });

  const register = (email: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      remoteAddress: '127.0.0.1',
      headers,
      payload: { email, name: 'Local', password: PASSWORD },
    });

  it('needs the token when a proxy on this machine forwarded the request, and not when it came straight to loopback', async () => {
    const proxies: Record<string, string>[] = [
      { 'x-forwarded-for': '198.51.100.4' },
      { forwarded: 'for=198.51.100.4' },
      { 'x-real-ip': '198.51.100.4' },
    ];
    for (const headers of proxies) {
      const proxied = await register('proxied@example.com', headers);
      expect(proxied.statusCode, JSON.stringify(headers)).toBe(403);
      expect(proxied.json().type).toBe('urn:siteprint:problem:setup-token-required');
    }
    const local = await register('local@example.com');
    expect(local.statusCode, local.body).toBe(201);
    expect(local.json()).toMatchObject({ systemAdmin: true });
    expect((await register('second@example.com')).json()).toMatchObject({ systemAdmin: false });
  });
});
