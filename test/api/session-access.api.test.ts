import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInstance } from '../../src/http/app-instance.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestApp } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';

// Each check first uses the credentials successfully, so whatever the auth hook remembers about them
// (on PGlite it remembers session lookups) is in place when the change happens.
describe.each(databaseTargets())('access changes take effect on the next request on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  let owner: TestUser;
  let team: string;

  beforeAll(async () => {
    database = await target.open();
    app = await createTestApp({ database });
    owner = await signUp(app, 'owner@example.com');
    team = (await app.inject({ method: 'POST', url: '/api/v1/workspaces', headers: owner.headers, payload: { name: 'Team' } })).json<{
      id: string;
    }>().id;
  });

  afterAll(async () => {
    await app.close();
    await database.close();
  });

  const inTeam = (user: TestUser) => ({ ...user.headers, 'x-workspace-id': team });
  const deleteSites = (user: TestUser) =>
    app.inject({ method: 'POST', url: '/api/v1/sites/batch-delete', headers: inTeam(user), payload: { ids: [randomUUID()] } });

  async function member(email: string): Promise<TestUser> {
    const user = await signUp(app, email);
    const invite = await app.inject({
      method: 'POST',
      url: '/api/v1/workspace/invitations',
      headers: inTeam(owner),
      payload: { email, role: 'member' },
    });
    const token = new URL(invite.json<{ acceptUrl: string }>().acceptUrl).searchParams.get('token')!;
    const accepted = await app.inject({ method: 'POST', url: '/api/v1/invitations/accept', headers: user.headers, payload: { token } });
    expect(accepted.statusCode, accepted.body).toBe(200);
    return user;
  }

  it('a logged-out session stops working at once', async () => {
    const user = await signUp(app, 'leaving@example.com');
    expect((await app.inject({ method: 'GET', url: '/api/v1/sites', headers: user.headers })).statusCode).toBe(200);
    const logout = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: user.headers,
      payload: { refreshToken: user.refreshToken },
    });
    expect(logout.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/v1/sites', headers: user.headers })).statusCode).toBe(401);
  });

  it('a lowered role and a removed membership apply at once', async () => {
    const user = await member('member@example.com');
    expect((await deleteSites(user)).statusCode).toBe(200);
    const lowered = await app.inject({
      method: 'PATCH',
      url: `/api/v1/workspace/members/${user.id}`,
      headers: inTeam(owner),
      payload: { role: 'viewer' },
    });
    expect(lowered.statusCode).toBe(204);
    expect((await deleteSites(user)).statusCode).toBe(403);

    expect((await app.inject({ method: 'GET', url: '/api/v1/sites', headers: inTeam(user) })).statusCode).toBe(200);
    const removed = await app.inject({ method: 'DELETE', url: `/api/v1/workspace/members/${user.id}`, headers: inTeam(owner) });
    expect(removed.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/v1/sites', headers: inTeam(user) })).statusCode).toBe(404);
    // The user's own workspace is untouched.
    expect((await app.inject({ method: 'GET', url: '/api/v1/sites', headers: user.headers })).statusCode).toBe(200);
  });

  it('a deleted workspace is gone for its members at once', async () => {
    const user = await member('another@example.com');
    expect((await app.inject({ method: 'GET', url: '/api/v1/sites', headers: inTeam(user) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/workspace', headers: inTeam(owner) })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/v1/sites', headers: inTeam(user) })).statusCode).toBe(404);
  });
});
