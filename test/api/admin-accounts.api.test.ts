import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInstance } from '../../src/http/app-instance.js';
import { PASSWORD, signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';

const unknownId = '00000000-0000-4000-8000-000000000000';

/** Administrators deleting accounts and resetting passwords, over HTTP. */
describe.each(databaseTargets())('admin account deletion and password reset on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  let alice: TestUser; // the system administrator
  let bob: TestUser;

  beforeAll(async () => {
    database = await target.open();
    ({ app } = await createTestStack({ database, env: { ALLOW_PRIVATE_NETWORK: 'true' } }));
    await app.ready();
    alice = await signUp(app, 'alice@example.com');
    bob = await signUp(app, 'bob@example.com');
  });

  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  const as = (
    user: { headers: Record<string, string> } | null,
    method: 'GET' | 'POST' | 'DELETE' | 'PATCH',
    url: string,
    payload?: unknown,
  ) => app.inject({ method, url, headers: user ? user.headers : {}, ...(payload === undefined ? {} : { payload: payload as object }) });
  const login = (email: string, password: string) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });

  it('refuses non-administrators', async () => {
    for (const [method, url] of [
      ['DELETE', `/api/v1/admin/users/${alice.id}`],
      ['POST', `/api/v1/admin/users/${alice.id}/reset-password`],
    ] as const) {
      expect((await as(null, method, url)).statusCode).toBe(401);
      expect((await as(bob, method, url)).statusCode).toBe(403);
    }
    expect((await login(alice.email, PASSWORD)).statusCode).toBe(200);
  });

  it('resets a password: the old one and every session stop working, the one shown once signs in', async () => {
    const carol = await signUp(app, 'carol@example.com');
    const reset = await as(alice, 'POST', `/api/v1/admin/users/${carol.id}/reset-password`);
    expect(reset.statusCode, reset.body).toBe(200);
    expect(reset.headers['cache-control']).toBe('no-store');
    const { temporaryPassword } = reset.json();
    expect(temporaryPassword).toMatch(/^[\w-]{16}$/);
    expect((await as(carol, 'GET', '/api/v1/workspace')).statusCode).toBe(401);
    expect((await login(carol.email, PASSWORD)).statusCode).toBe(401);
    expect((await login(carol.email, temporaryPassword)).statusCode).toBe(200);

    const audit = (await as(alice, 'GET', `/api/v1/admin/audit?action=admin.password-reset-forced&target=user:${carol.id}`)).json();
    expect(audit.items).toHaveLength(1);
    expect(JSON.stringify(audit.items)).not.toContain(temporaryPassword);
    expect((await as(alice, 'POST', `/api/v1/admin/users/${unknownId}/reset-password`)).statusCode).toBe(404);
    expect((await as(alice, 'POST', '/api/v1/admin/users/nope/reset-password')).statusCode).toBe(400);
  });

  it('makes a reset password usable only to choose a new one at the next sign-in', async () => {
    const frank = await signUp(app, 'frank@example.com');
    const key = await as(frank, 'POST', '/api/v1/api-keys', { name: 'script', scopes: ['sites:read'] });
    expect(key.statusCode, key.body).toBe(201);
    expect((await login(frank.email, PASSWORD)).json().user.passwordChangeRequired).toBe(false);
    const { temporaryPassword } = (await as(alice, 'POST', `/api/v1/admin/users/${frank.id}/reset-password`)).json();

    // Signing in with the temporary password says a change is due; until then only the own account answers.
    const signedIn = await login(frank.email, temporaryPassword);
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    expect(signedIn.json().user.passwordChangeRequired).toBe(true);
    const session = { headers: { authorization: `Bearer ${signedIn.json().accessToken}` } };
    for (const [method, url] of [
      ['GET', '/api/v1/workspace'],
      ['GET', '/api/v1/sites'],
      ['POST', '/api/v1/api-keys'],
    ] as const) {
      const refused = await as(session, method, url, method === 'POST' ? { name: 'x', scopes: ['sites:read'] } : undefined);
      expect(refused.statusCode, url).toBe(403);
      expect(refused.headers['content-type']).toMatch(/problem\+json/);
      expect(refused.json().type).toBe('urn:siteprint:problem:password-change-required');
    }
    const me = await as(session, 'GET', '/api/v1/auth/me');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email: frank.email, passwordChangeRequired: true });
    // A refreshed session is still held to it.
    const refreshed = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: signedIn.json().refreshToken },
    });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.json().user.passwordChangeRequired).toBe(true);
    const refreshedSession = { headers: { authorization: `Bearer ${refreshed.json().accessToken}` } };
    expect((await as(refreshedSession, 'GET', '/api/v1/sites')).statusCode).toBe(403);
    // An API key is no password: the keys the user made before the reset keep working.
    expect((await app.inject({ method: 'GET', url: '/api/v1/sites', headers: { 'x-api-key': key.json().secret } })).statusCode).toBe(200);

    // The temporary password cannot be kept, and a wrong current password changes nothing.
    const same = await as(refreshedSession, 'PATCH', '/api/v1/auth/me', {
      currentPassword: temporaryPassword,
      newPassword: temporaryPassword,
    });
    expect(same.statusCode).toBe(400);
    expect(same.json().errors).toEqual([expect.objectContaining({ path: '/newPassword' })]);
    const wrong = await as(refreshedSession, 'PATCH', '/api/v1/auth/me', {
      currentPassword: 'not it at all',
      newPassword: 'a brand new secret',
    });
    expect(wrong.statusCode).toBe(403);
    expect((await as(refreshedSession, 'GET', '/api/v1/sites')).statusCode).toBe(403);

    const changed = await as(refreshedSession, 'PATCH', '/api/v1/auth/me', {
      currentPassword: temporaryPassword,
      newPassword: 'a brand new secret',
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().passwordChangeRequired).toBe(false);
    expect((await as(refreshedSession, 'GET', '/api/v1/sites')).statusCode).toBe(200);
    expect((await login(frank.email, temporaryPassword)).statusCode).toBe(401);
    const next = await login(frank.email, 'a brand new secret');
    expect(next.json().user.passwordChangeRequired).toBe(false);
    expect((await as({ headers: { authorization: `Bearer ${next.json().accessToken}` } }, 'GET', '/api/v1/workspace')).statusCode).toBe(
      200,
    );
  });

  it('deletes an account with its personal workspace, never a sole owner of a shared one or the last administrator', async () => {
    const dave = await signUp(app, 'dave@example.com');
    const erin = await signUp(app, 'erin@example.com');
    expect((await as(dave, 'POST', '/api/v1/sites', { url: 'https://dave.example' })).statusCode).toBe(201);
    const team = (await as(dave, 'POST', '/api/v1/workspaces', { name: 'Dave team' })).json();
    const inTeam = { headers: { ...dave.headers, 'x-workspace-id': team.id } };
    const invited = (await as(inTeam, 'POST', '/api/v1/workspace/invitations', { email: erin.email, role: 'member' })).json();
    const token = new URL(invited.acceptUrl).searchParams.get('token') ?? new URL(invited.acceptUrl).hash.split('token=')[1];
    expect((await as(erin, 'POST', '/api/v1/invitations/accept', { token })).statusCode).toBe(200);

    const refused = await as(alice, 'DELETE', `/api/v1/admin/users/${dave.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ type: 'urn:siteprint:problem:last-owner' });
    expect(refused.json().detail).toContain('"Dave team"');
    expect((await login(dave.email, PASSWORD)).statusCode).toBe(200);

    expect((await as(inTeam, 'PATCH', `/api/v1/workspace/members/${erin.id}`, { role: 'owner' })).statusCode).toBe(204);
    const deleted = await as(alice, 'DELETE', `/api/v1/admin/users/${dave.id}`);
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json()).toEqual({
      deletedWorkspaces: [{ id: dave.workspaceId, name: expect.any(String) }],
      leftWorkspaces: [{ id: team.id, name: 'Dave team' }],
    });
    expect((await login(dave.email, PASSWORD)).statusCode).toBe(401);
    expect((await as(dave, 'GET', '/api/v1/sites')).statusCode).toBe(401);
    expect((await as(alice, 'GET', `/api/v1/admin/users/${dave.id}`)).statusCode).toBe(404);
    expect((await as(alice, 'GET', `/api/v1/admin/workspaces/${dave.workspaceId}/members`)).statusCode).toBe(404);
    // The shared workspace stays with its remaining owner.
    const members = (await as({ headers: { ...erin.headers, 'x-workspace-id': team.id } }, 'GET', '/api/v1/workspace/members')).json();
    expect(members.items.map((member: { email: string }) => member.email)).toEqual([erin.email]);
    const audit = (await as(alice, 'GET', `/api/v1/admin/audit?action=admin.user-deleted&target=user:${dave.id}`)).json();
    expect(audit.items[0].details).toMatchObject({ leftWorkspaces: [{ name: 'Dave team' }] });

    const lastAdmin = await as(alice, 'DELETE', `/api/v1/admin/users/${alice.id}`);
    expect(lastAdmin.statusCode).toBe(409);
    expect(lastAdmin.json().type).toBe('urn:siteprint:problem:last-system-admin');
    expect((await as(alice, 'DELETE', `/api/v1/admin/users/${unknownId}`)).statusCode).toBe(404);
  });
});
