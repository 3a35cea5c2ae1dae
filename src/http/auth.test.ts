import SwaggerParser from '@apidevtools/swagger-parser';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type TestUser } from '../../test/support/accounts.js';
import { createTestApp, LogCapture } from '../../test/support/app.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import type { AppInstance } from './app-instance.js';
import { OPENAPI_PATH } from './openapi-contract.js';
import { permissions, type Permission } from './route-context.js';

type Role = 'owner' | 'admin' | 'member' | 'viewer';

/** Written out by hand, independently of src/http/permissions.ts, so a change to the table must change this too. */
const expected: Record<Role, Permission[]> = {
  viewer: ['sites:read', 'jobs:read', 'blueprints:read', 'llm:read', 'members:read', 'notifications:read'],
  member: [
    'sites:read',
    'jobs:read',
    'blueprints:read',
    'llm:read',
    'members:read',
    'notifications:read',
    'sites:write',
    'jobs:write',
    'blueprints:write',
  ],
  admin: [
    'sites:read',
    'jobs:read',
    'blueprints:read',
    'llm:read',
    'members:read',
    'notifications:read',
    'sites:write',
    'jobs:write',
    'blueprints:write',
    'members:manage',
    'api-keys:manage',
    'llm:manage',
    'notifications:manage',
  ],
  owner: [
    'sites:read',
    'jobs:read',
    'blueprints:read',
    'llm:read',
    'members:read',
    'notifications:read',
    'sites:write',
    'jobs:write',
    'blueprints:write',
    'members:manage',
    'api-keys:manage',
    'llm:manage',
    'notifications:manage',
    'workspace:delete',
  ],
};

const dummyUrl = (permission: Permission) => `/api/v1/test/${permission.replace(':', '-')}`;
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

describe.each(databaseTargets())('authorisation on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  const logs = new LogCapture();
  let root: TestUser;
  let team: string;
  const users = {} as Record<Role, TestUser>;

  const as = (user: TestUser, workspaceId = team) => ({ ...user.headers, 'x-workspace-id': workspaceId });

  /** Invites email into the current workspace of inviter and accepts with the token from the queued email. */
  async function join(inviter: Record<string, string>, user: TestUser, role: Role): Promise<void> {
    const invite = await app.inject({
      method: 'POST',
      url: '/api/v1/workspace/invitations',
      headers: inviter,
      payload: { email: user.email, role },
    });
    expect(invite.statusCode, invite.body).toBe(201);
    const [mail] = await database.query<{ body: string }>(
      sql`select body from email_outbox where "to" = ${user.email} order by created_at desc limit 1`,
    );
    // The inviter gets the same link the email carries, once.
    const { acceptUrl } = invite.json<{ acceptUrl: string }>();
    expect(mail!.body).toContain(acceptUrl);
    const token = new URL(acceptUrl).searchParams.get('token')!;
    const accept = await app.inject({ method: 'POST', url: '/api/v1/invitations/accept', headers: user.headers, payload: { token } });
    expect(accept.statusCode, accept.body).toBe(200);
    expect(accept.json()).toMatchObject({ role });
  }

  beforeAll(async () => {
    database = await target.open();
    app = await createTestApp({ database, logs });
    for (const permission of permissions) {
      app.get(dummyUrl(permission), { config: { permission } }, async () => ({ ok: true }));
    }
    // Neither public nor permission: authentication is still required.
    app.get('/api/v1/test/unannotated', async () => ({ ok: true }));
    await app.ready();

    root = await signUp(app, 'root@example.com');
    for (const role of ['owner', 'admin', 'member', 'viewer'] as const) users[role] = await signUp(app, `${role}@example.com`);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/workspaces',
      headers: users.owner.headers,
      payload: { name: 'Team' },
    });
    team = created.json<{ id: string }>().id;
    for (const role of ['admin', 'member', 'viewer'] as const) await join(as(users.owner), users[role], role);
  });

  afterAll(async () => {
    await app.close();
    await database.close();
  });

  it('enforces the role × permission matrix on a route per permission', async () => {
    for (const role of ['owner', 'admin', 'member', 'viewer'] as const) {
      for (const permission of permissions) {
        const response = await app.inject({ method: 'GET', url: dummyUrl(permission), headers: as(users[role]) });
        const allowed = expected[role].includes(permission);
        expect({ role, permission, status: response.statusCode }).toEqual({ role, permission, status: allowed ? 200 : 403 });
      }
    }
    // queues:manage comes with the system-admin flag (the instance's first user), not with a role.
    expect((await app.inject({ method: 'GET', url: dummyUrl('queues:manage'), headers: root.headers })).statusCode).toBe(200);
    const forbidden = await app.inject({ method: 'GET', url: dummyUrl('workspace:delete'), headers: as(users.admin) });
    expect(forbidden.headers['content-type']).toContain('application/problem+json');
    expect(forbidden.json()).toMatchObject({ status: 403 });
  });

  it('fails closed: unannotated /api/v1 routes need credentials, public ones do not', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/test/unannotated' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/test/unannotated', headers: as(users.viewer) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: dummyUrl('sites:read') })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/version' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: OPENAPI_PATH })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/test/unannotated', headers: { 'x-api-key': 'sp_unknown' } })).statusCode).toBe(
      401,
    );
    const badWorkspace = await app.inject({
      method: 'GET',
      url: '/api/v1/test/unannotated',
      headers: { ...users.viewer.headers, 'x-workspace-id': 'nope' },
    });
    expect(badWorkspace.statusCode).toBe(400);
  });

  it('enforces the matrix on the accounts routes themselves', async () => {
    // Allowed requests carry invalid bodies or unknown ids, so they stop at validation or lookup (never 403).
    const routes: Array<{ method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; permission: Permission; payload?: object }> = [
      { method: 'GET', url: '/api/v1/workspace', permission: 'members:read' },
      { method: 'GET', url: '/api/v1/workspace/members', permission: 'members:read' },
      { method: 'PATCH', url: '/api/v1/workspace', permission: 'members:manage', payload: {} },
      { method: 'PATCH', url: `/api/v1/workspace/members/${NO_SUCH_ID}`, permission: 'members:manage', payload: { role: 'viewer' } },
      { method: 'DELETE', url: `/api/v1/workspace/members/${NO_SUCH_ID}`, permission: 'members:manage' },
      { method: 'GET', url: '/api/v1/workspace/invitations', permission: 'members:manage' },
      { method: 'POST', url: '/api/v1/workspace/invitations', permission: 'members:manage', payload: { email: 'nope' } },
      { method: 'DELETE', url: `/api/v1/workspace/invitations/${NO_SUCH_ID}`, permission: 'members:manage' },
      { method: 'GET', url: '/api/v1/api-keys', permission: 'api-keys:manage' },
      { method: 'POST', url: '/api/v1/api-keys', permission: 'api-keys:manage', payload: { name: '' } },
      { method: 'DELETE', url: `/api/v1/api-keys/${NO_SUCH_ID}`, permission: 'api-keys:manage' },
      // Notifications: endpoints, channels and the workspace's summary settings are for owners and
      // admins; preferences and the bell are every member's own.
      { method: 'GET', url: '/api/v1/webhooks', permission: 'notifications:manage' },
      { method: 'POST', url: '/api/v1/webhooks', permission: 'notifications:manage', payload: { url: 'nope' } },
      { method: 'PATCH', url: `/api/v1/webhooks/${NO_SUCH_ID}`, permission: 'notifications:manage', payload: {} },
      { method: 'DELETE', url: `/api/v1/webhooks/${NO_SUCH_ID}`, permission: 'notifications:manage' },
      { method: 'GET', url: `/api/v1/webhooks/${NO_SUCH_ID}/deliveries`, permission: 'notifications:manage' },
      { method: 'POST', url: `/api/v1/webhooks/${NO_SUCH_ID}/test`, permission: 'notifications:manage' },
      { method: 'GET', url: '/api/v1/notification-channels', permission: 'notifications:manage' },
      { method: 'POST', url: '/api/v1/notification-channels', permission: 'notifications:manage', payload: { kind: 'slack' } },
      { method: 'DELETE', url: `/api/v1/notification-channels/${NO_SUCH_ID}`, permission: 'notifications:manage' },
      { method: 'PUT', url: '/api/v1/notification-settings', permission: 'notifications:manage', payload: { timeZone: 'Nowhere/Else' } },
      { method: 'GET', url: '/api/v1/notification-settings', permission: 'notifications:read' },
      { method: 'GET', url: '/api/v1/notification-preferences', permission: 'notifications:read' },
      { method: 'PUT', url: '/api/v1/notification-preferences', permission: 'notifications:read', payload: { items: [] } },
      { method: 'GET', url: '/api/v1/notifications', permission: 'notifications:read' },
      { method: 'POST', url: '/api/v1/notifications/read', permission: 'notifications:read', payload: { ids: [] } },
    ];
    for (const role of ['owner', 'admin', 'member', 'viewer'] as const) {
      for (const route of routes) {
        const response = await app.inject({
          method: route.method,
          url: route.url,
          headers: as(users[role]),
          ...(route.payload ? { payload: route.payload } : {}),
        });
        const allowed = expected[role].includes(route.permission);
        expect({ role, route: `${route.method} ${route.url}`, denied: response.statusCode === 403 }).toEqual({
          role,
          route: `${route.method} ${route.url}`,
          denied: !allowed,
        });
        expect(response.statusCode, `${route.method} ${route.url}: ${response.body}`).toBeLessThan(500);
      }
      expect((await app.inject({ method: 'GET', url: '/api/v1/workspace', headers: { 'x-workspace-id': team } })).statusCode).toBe(401);
    }
    // Only the owner may delete; admins are refused before anything happens.
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/workspace', headers: as(users.admin) })).statusCode).toBe(403);
  });

  it('manages roles: admins cannot grant ownership, the last owner stays, changes are audited', async () => {
    const promote = await app.inject({
      method: 'PATCH',
      url: `/api/v1/workspace/members/${users.member.id}`,
      headers: as(users.admin),
      payload: { role: 'owner' },
    });
    expect(promote.statusCode).toBe(403);
    const demoteLast = await app.inject({
      method: 'PATCH',
      url: `/api/v1/workspace/members/${users.owner.id}`,
      headers: as(users.owner),
      payload: { role: 'admin' },
    });
    expect(demoteLast.statusCode).toBe(409);
    const removeLast = await app.inject({ method: 'DELETE', url: `/api/v1/workspace/members/${users.owner.id}`, headers: as(users.owner) });
    expect(removeLast.statusCode).toBe(409);
    const toViewer = await app.inject({
      method: 'PATCH',
      url: `/api/v1/workspace/members/${users.member.id}`,
      headers: as(users.admin),
      payload: { role: 'viewer' },
    });
    expect(toViewer.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: dummyUrl('sites:write'), headers: as(users.member) })).statusCode).toBe(403);
    const back = await app.inject({
      method: 'PATCH',
      url: `/api/v1/workspace/members/${users.member.id}`,
      headers: as(users.owner),
      payload: { role: 'member' },
    });
    expect(back.statusCode).toBe(204);
    const actions = await database.query<{ action: string }>(sql`select action from audit_log where workspace_id = ${team}`);
    expect(actions.map((row) => row.action)).toEqual(expect.arrayContaining(['member.invited', 'member.role-changed']));
  });

  it('keeps workspaces apart: another workspace answers 404 by id, in lists and through API keys', async () => {
    const outsider = await signUp(app, 'outsider@example.com');
    const key = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: as(users.admin),
      payload: { name: 'ci', scopes: ['members:read'] },
    });
    expect(key.statusCode, key.body).toBe(201);
    const { id: keyId } = key.json<{ id: string }>();
    const invitation = await app.inject({
      method: 'POST',
      url: '/api/v1/workspace/invitations',
      headers: as(users.owner),
      payload: { email: 'later@example.com', role: 'viewer' },
    });
    const { id: invitationId } = invitation.json<{ id: string }>();

    expect((await app.inject({ method: 'GET', url: `/api/v1/workspaces/${team}`, headers: outsider.headers })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/v1/workspace/members', headers: as(outsider) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: as(outsider) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/workspace', headers: as(outsider) })).statusCode).toBe(404);
    // Acting in their own workspace, the outsider cannot reach the team's rows by id either.
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${keyId}`, headers: outsider.headers })).statusCode).toBe(404);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/workspace/invitations/${invitationId}`, headers: outsider.headers })).statusCode,
    ).toBe(404);
    expect(
      (
        await app.inject({
          method: 'PATCH',
          url: `/api/v1/workspace/members/${users.viewer.id}`,
          headers: outsider.headers,
          payload: { role: 'admin' },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/workspace/members/${users.viewer.id}`, headers: outsider.headers })).statusCode,
    ).toBe(404);

    const lists = await Promise.all([
      app.inject({ method: 'GET', url: '/api/v1/workspaces', headers: outsider.headers }),
      app.inject({ method: 'GET', url: '/api/v1/workspace/members', headers: outsider.headers }),
      app.inject({ method: 'GET', url: '/api/v1/workspace/invitations', headers: outsider.headers }),
      app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: outsider.headers }),
    ]);
    for (const list of lists) {
      expect(list.statusCode).toBe(200);
      expect(list.body).not.toContain(team);
      expect(list.body).not.toContain(keyId);
      expect(list.body).not.toContain(invitationId);
      expect(list.body).not.toContain('viewer@example.com');
    }

    // The team's key only ever reaches the team; the outsider's key never reaches the team.
    const secret = key.json<{ secret: string }>().secret;
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/api/v1/workspace/members',
          headers: { 'x-api-key': secret, 'x-workspace-id': outsider.workspaceId },
        })
      ).statusCode,
    ).toBe(404);
    const outsiderKey = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: outsider.headers,
      payload: { name: 'mine', scopes: ['members:read'] },
    });
    const outsiderSecret = outsiderKey.json<{ secret: string }>().secret;
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/api/v1/workspace/members',
          headers: { 'x-api-key': outsiderSecret, 'x-workspace-id': team },
        })
      ).statusCode,
    ).toBe(404);
    const own = await app.inject({
      method: 'GET',
      url: '/api/v1/workspace/members',
      headers: { authorization: `Bearer ${outsiderSecret}` },
    });
    expect(own.statusCode).toBe(200);
    expect(own.body).not.toContain('viewer@example.com');
  });

  it("narrows API keys to their scopes and their creator's role, and accepts both headers", async () => {
    logs.lines.length = 0;
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: as(users.admin),
      payload: { name: 'writer', scopes: ['sites:write', 'members:read'] },
    });
    expect(created.statusCode).toBe(201);
    const key = created.json<{ id: string; secret: string; prefix: string; scopes: string[] }>();
    expect(key.secret).toMatch(/^sp_[\w-]{40,}$/);
    expect(key.secret.startsWith(key.prefix)).toBe(true);
    expect(logs.text).not.toContain(key.secret);
    const stored = await database.query<{ key_hash: string }>(sql`select key_hash from api_keys where id = ${key.id}`);
    expect(stored[0]!.key_hash).not.toContain(key.secret);

    const byHeader = { 'x-api-key': key.secret };
    const byBearer = { authorization: `Bearer ${key.secret}` };
    expect((await app.inject({ method: 'GET', url: dummyUrl('sites:write'), headers: byHeader })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: dummyUrl('sites:write'), headers: byBearer })).statusCode).toBe(200);
    // Allowed by the admin role, but not among the key's scopes.
    expect((await app.inject({ method: 'GET', url: dummyUrl('sites:read'), headers: byHeader })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: byHeader })).statusCode).toBe(403);
    // Keys never manage the account of the person who made them.
    expect((await app.inject({ method: 'PATCH', url: '/api/v1/auth/me', headers: byHeader, payload: { name: 'x' } })).statusCode).toBe(403);

    const beyondRole = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: as(users.admin),
      payload: { name: 'greedy', scopes: ['workspace:delete'] },
    });
    expect(beyondRole.statusCode).toBe(403);
    const unknownScope = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: as(users.admin),
      payload: { name: 'odd', scopes: ['everything'] },
    });
    expect(unknownScope.statusCode).toBe(400);
    const past = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: as(users.admin),
      payload: { name: 'old', scopes: ['sites:read'], expiresAt: '2001-01-01T00:00:00Z' },
    });
    expect(past.statusCode).toBe(400);

    const list = await app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: as(users.admin) });
    const listed = list
      .json<{ items: Array<{ id: string; lastUsedAt: string | null; prefix: string }> }>()
      .items.find((item) => item.id === key.id)!;
    expect(listed.lastUsedAt).not.toBeNull();
    expect(list.body).not.toContain(key.secret);

    // A key whose creator loses the role loses it too.
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/workspace/members/${users.admin.id}`,
      headers: as(users.owner),
      payload: { role: 'viewer' },
    });
    expect((await app.inject({ method: 'GET', url: dummyUrl('sites:write'), headers: byHeader })).statusCode).toBe(403);
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/workspace/members/${users.admin.id}`,
      headers: as(users.owner),
      payload: { role: 'admin' },
    });

    await database.query(sql`update api_keys set expires_at = now() - interval '1 minute' where id = ${key.id}`);
    expect((await app.inject({ method: 'GET', url: dummyUrl('sites:write'), headers: byHeader })).statusCode).toBe(401);
    await database.query(sql`update api_keys set expires_at = null where id = ${key.id}`);
    const revoked = await app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${key.id}`, headers: as(users.admin) });
    expect(revoked.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: dummyUrl('sites:write'), headers: byHeader })).statusCode).toBe(401);
    const actions = await database.query<{ action: string }>(
      sql`select action from audit_log where target = ${`api-key:${key.id}`} order by created_at`,
    );
    expect(actions.map((row) => row.action)).toEqual(['api-key.created', 'api-key.revoked']);
  });

  it('accepts an invitation only for the address it was sent to, once', async () => {
    const invited = await signUp(app, 'invitee@example.com');
    const stranger = await signUp(app, 'stranger@example.com');
    const invite = await app.inject({
      method: 'POST',
      url: '/api/v1/workspace/invitations',
      headers: as(users.owner),
      payload: { email: 'Invitee@Example.com', role: 'viewer' },
    });
    expect(invite.statusCode).toBe(201);
    const [mail] = await database.query<{ body: string; subject: string }>(
      sql`select body, subject from email_outbox where "to" = 'Invitee@Example.com'`,
    );
    expect(mail!.subject).toBe('You are invited to Team on Siteprint');
    const token = /token=([\w-]+)/.exec(mail!.body)![1]!;
    const stored = await database.query<{ token_hash: string }>(
      sql`select token_hash from invitations where id = ${invite.json<{ id: string }>().id}`,
    );
    expect(stored[0]!.token_hash).not.toContain(token);
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/invitations/accept', headers: stranger.headers, payload: { token } })).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/invitations/accept', headers: invited.headers, payload: { token } })).statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/invitations/accept', headers: invited.headers, payload: { token } })).statusCode,
    ).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/v1/workspace', headers: as(invited) })).json()).toMatchObject({
      role: 'viewer',
      personal: false,
    });
  });

  it('removes members, and lets the owner delete a shared workspace', async () => {
    const removed = await app.inject({ method: 'DELETE', url: `/api/v1/workspace/members/${users.viewer.id}`, headers: as(users.admin) });
    expect(removed.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/v1/workspace', headers: as(users.viewer) })).statusCode).toBe(404);
    const personal = await app.inject({ method: 'DELETE', url: '/api/v1/workspace', headers: users.owner.headers });
    expect(personal.statusCode).toBe(409);
    const deleted = await app.inject({ method: 'DELETE', url: '/api/v1/workspace', headers: as(users.owner) });
    expect(deleted.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: `/api/v1/workspaces/${team}`, headers: users.owner.headers })).statusCode).toBe(404);
  });

  it('documents every route with security schemes in a valid OpenAPI document', async () => {
    const document = (await app.inject({ method: 'GET', url: OPENAPI_PATH })).json<{
      paths: Record<string, Record<string, { security?: unknown[] }>>;
      components: { securitySchemes: Record<string, unknown> };
    }>();
    await SwaggerParser.validate(structuredClone(document) as never);
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['apiKey', 'bearerAuth']);
    const publicPaths = [
      '/api/v1/auth/register',
      '/api/v1/auth/login',
      '/api/v1/auth/refresh',
      '/api/v1/auth/providers',
      '/api/v1/auth/oauth/{provider}',
      '/api/v1/auth/oauth/{provider}/callback',
      '/api/v1/version',
      // Opened from an email; its random token is the credential.
      '/api/v1/notifications/unsubscribe',
    ];
    for (const path of [
      '/api/v1/auth/me',
      '/api/v1/workspaces',
      '/api/v1/workspace/members',
      '/api/v1/api-keys',
      '/api/v1/invitations/accept',
      ...publicPaths,
    ]) {
      expect(document.paths[path], path).toBeDefined();
    }
    for (const [path, operations] of Object.entries(document.paths)) {
      if (!path.startsWith('/api/v1/')) continue;
      for (const operation of Object.values(operations)) {
        expect({ path, secured: Array.isArray(operation.security) }).toEqual({ path, secured: !publicPaths.includes(path) });
      }
    }
  });
});
