import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type TestUser } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import type { AppInstance } from '../http/app-instance.js';

const PUBLIC_URL = 'https://siteprint.example';
const SOME_ID = '00000000-0000-4000-8000-000000000000';

describe.each(databaseTargets())('workspaces and invitations on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  let owner: TestUser;
  let team: string;

  const inTeam = (user: TestUser) => ({ ...user.headers, 'x-workspace-id': team, 'user-agent': 'workspaces-test' });

  /** The token of the latest invitation email queued for this address. */
  async function mailedToken(email: string): Promise<string> {
    const [mail] = await database.query<{ body: string }>(
      sql`select body from email_outbox where "to" = ${email} order by created_at desc limit 1`,
    );
    return /token=([\w-]+)/.exec(mail!.body)![1]!;
  }

  function invite(email: string, role = 'member') {
    return app.inject({ method: 'POST', url: '/api/v1/workspace/invitations', headers: inTeam(owner), payload: { email, role } });
  }

  function accept(user: TestUser, token: string) {
    return app.inject({ method: 'POST', url: '/api/v1/invitations/accept', headers: user.headers, payload: { token } });
  }

  beforeAll(async () => {
    database = await target.open();
    app = await createTestApp({ database, env: { PUBLIC_URL } });
    await app.ready();
    owner = await signUp(app, 'owner@example.com');
    const created = await app.inject({ method: 'POST', url: '/api/v1/workspaces', headers: owner.headers, payload: { name: 'Research' } });
    expect(created.statusCode, created.body).toBe(201);
    team = created.json<{ id: string }>().id;
  });

  afterAll(async () => {
    await app.close();
    await database.close();
  });

  it('queues the invitation email in the outbox with a link under PUBLIC_URL, unsent, and returns the link once', async () => {
    const invited = await invite('ada@example.com', 'viewer');
    expect(invited.statusCode, invited.body).toBe(201);
    expect(invited.json()).toMatchObject({ email: 'ada@example.com', role: 'viewer' });
    const [mail] = await database.query<{ subject: string; body: string; sent_at: Date | null }>(
      sql`select subject, body, sent_at from email_outbox where "to" = 'ada@example.com'`,
    );
    expect(mail).toMatchObject({ subject: 'You are invited to Research on Siteprint', sent_at: null });
    expect(mail!.body).toMatch(new RegExp(`${PUBLIC_URL}/invitations/accept\\?token=[\\w-]{32,}`));
    // The inviter sees the link once, in the creation response; never again in lists.
    expect(mail!.body).toContain(invited.json<{ acceptUrl: string }>().acceptUrl);

    const pending = await app.inject({ method: 'GET', url: '/api/v1/workspace/invitations', headers: inTeam(owner) });
    expect(pending.json<{ items: Array<{ email: string }> }>().items.map((item) => item.email)).toContain('ada@example.com');
    expect(pending.body).not.toContain(await mailedToken('ada@example.com'));
  });

  it('refuses withdrawn and expired invitations', async () => {
    const withdrawnUser = await signUp(app, 'withdrawn@example.com');
    const withdrawn = await invite('withdrawn@example.com');
    const withdrawnToken = await mailedToken('withdrawn@example.com');
    const id = withdrawn.json<{ id: string }>().id;
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/workspace/invitations/${id}`, headers: inTeam(owner) })).statusCode).toBe(
      204,
    );
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/workspace/invitations/${id}`, headers: inTeam(owner) })).statusCode).toBe(
      404,
    );
    const refused = await accept(withdrawnUser, withdrawnToken);
    expect(refused.statusCode).toBe(404);
    expect(refused.headers['content-type']).toContain('application/problem+json');

    const lateUser = await signUp(app, 'late@example.com');
    const late = await invite('late@example.com');
    await database.query(sql`update invitations set expires_at = now() - interval '1 second' where id = ${late.json<{ id: string }>().id}`);
    expect((await accept(lateUser, await mailedToken('late@example.com'))).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/api/v1/workspaces/${team}`, headers: lateUser.headers })).statusCode).toBe(404);
  });

  it('audits invitation, joining and removal with actor, workspace, address and user agent', async () => {
    const grace = await signUp(app, 'grace@example.com');
    await invite('grace@example.com');
    expect((await accept(grace, await mailedToken('grace@example.com'))).statusCode).toBe(200);
    const removed = await app.inject({ method: 'DELETE', url: `/api/v1/workspace/members/${grace.id}`, headers: inTeam(owner) });
    expect(removed.statusCode).toBe(204);
    const rows = await database.query<{
      action: string;
      actor_user_id: string;
      workspace_id: string;
      target: string;
      ip: string;
      user_agent: string | null;
    }>(
      sql`select action, actor_user_id, workspace_id, target, ip, user_agent from audit_log where workspace_id = ${team} and action in ('member.joined', 'member.removed') order by created_at`,
    );
    expect(rows).toEqual([
      expect.objectContaining({ action: 'member.joined', actor_user_id: grace.id, workspace_id: team, ip: '127.0.0.1' }),
      expect.objectContaining({
        action: 'member.removed',
        actor_user_id: owner.id,
        target: `user:${grace.id}`,
        ip: '127.0.0.1',
        user_agent: 'workspaces-test',
      }),
    ]);
  });

  it('answers every malformed request with a 400 problem+json naming the field', async () => {
    const cases: Array<{ method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; payload?: object; path: string }> = [
      { method: 'GET', url: '/api/v1/workspaces/not-a-uuid', path: '/workspaceId' },
      { method: 'POST', url: '/api/v1/workspaces', payload: { name: '   ' }, path: '/name' },
      { method: 'POST', url: '/api/v1/workspaces', payload: { name: 'x', plan: 'gold' }, path: '/' },
      { method: 'PATCH', url: '/api/v1/workspace', payload: { name: '' }, path: '/name' },
      { method: 'PATCH', url: '/api/v1/workspace/members/42', payload: { role: 'viewer' }, path: '/userId' },
      { method: 'PATCH', url: `/api/v1/workspace/members/${SOME_ID}`, payload: { role: 'king' }, path: '/role' },
      { method: 'DELETE', url: '/api/v1/workspace/members/42', path: '/userId' },
      { method: 'POST', url: '/api/v1/workspace/invitations', payload: { email: 'not-an-email' }, path: '/email' },
      { method: 'POST', url: '/api/v1/workspace/invitations', payload: { email: 'a@example.com', role: 'king' }, path: '/role' },
      { method: 'DELETE', url: '/api/v1/workspace/invitations/abc', path: '/invitationId' },
      { method: 'POST', url: '/api/v1/invitations/accept', payload: { token: '' }, path: '/token' },
      { method: 'POST', url: '/api/v1/api-keys', payload: { name: 'k', scopes: [] }, path: '/scopes' },
      {
        method: 'POST',
        url: '/api/v1/api-keys',
        payload: { name: 'k', scopes: ['sites:read'], expiresAt: 'tomorrow' },
        path: '/expiresAt',
      },
      { method: 'DELETE', url: '/api/v1/api-keys/abc', path: '/keyId' },
    ];
    for (const { method, url, payload, path } of cases) {
      const response = await app.inject({ method, url, headers: inTeam(owner), ...(payload ? { payload } : {}) });
      const label = `${method} ${url} ${JSON.stringify(payload ?? null)}`;
      expect({ label, status: response.statusCode }).toEqual({ label, status: 400 });
      expect(response.headers['content-type'], label).toContain('application/problem+json');
      const problem = response.json<{ status: number; detail: string; errors: Array<{ path: string; message: string }> }>();
      expect(problem.detail, label).toBeTruthy();
      expect(
        problem.errors.map((error) => error.path),
        label,
      ).toContain(path);
    }
  });
});
