import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArchive, scratchDirectory } from '../../src/backup/archive.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import { PASSWORD, signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';

/** System administration over HTTP: accounts, audit log, role matrix, system status and backups. */
describe.each(databaseTargets())('admin API on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  const backupDir = mkdtempSync(path.join(tmpdir(), 'siteprint-admin-backups-'));

  beforeAll(async () => {
    database = await target.open();
    ({ app } = await createTestStack({
      database,
      env: { BACKUP_DIR: backupDir, BACKUP_RETENTION: '2', DATABASE_URL: database.url ?? '' },
    }));
    await app.ready();
    alice = await signUp(app, 'alice@example.com'); // the first account: system administrator
    bob = await signUp(app, 'bob@example.com');
    carol = await signUp(app, 'carol@example.org');
  });

  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  const as = (user: TestUser | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: user ? user.headers : {}, ...(payload === undefined ? {} : { payload: payload as object }) });

  it('refuses everyone but signed-in system administrators', async () => {
    for (const url of [
      '/api/v1/admin/users',
      '/api/v1/admin/audit',
      '/api/v1/admin/roles',
      '/api/v1/admin/system',
      '/api/v1/admin/backups',
    ]) {
      expect((await as(null, 'GET', url)).statusCode, url).toBe(401);
      const forbidden = await as(bob, 'GET', url);
      expect(forbidden.statusCode, url).toBe(403);
      expect(forbidden.headers['content-type']).toMatch(/problem\+json/);
      expect((await as(alice, 'GET', url)).statusCode, url).toBe(200);
    }
    expect((await as(bob, 'POST', `/api/v1/admin/users/${alice.id}/disable`)).statusCode).toBe(403);
    expect((await as(bob, 'POST', '/api/v1/admin/backups')).statusCode).toBe(403);
    // An administrator's API key cannot administer the instance either.
    const key = await as(alice, 'POST', '/api/v1/api-keys', { name: 'ops', scopes: ['sites:read'] });
    const withKey = await app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: { 'x-api-key': key.json().secret } });
    expect(withKey.statusCode).toBe(403);
  });

  it('lists, searches, filters and pages accounts, and shows one in detail', async () => {
    const all = (await as(alice, 'GET', '/api/v1/admin/users')).json();
    expect(all.total).toBe(3);
    expect(all.items.map((user: { email: string }) => user.email)).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.org']);
    expect(all.items[0]).toMatchObject({ systemAdmin: true, disabled: false, lastSignInAt: expect.any(String) });
    expect((await as(alice, 'GET', '/api/v1/admin/users?q=EXAMPLE.ORG')).json()).toMatchObject({
      total: 1,
      items: [{ email: 'carol@example.org' }],
    });
    expect((await as(alice, 'GET', '/api/v1/admin/users?systemAdmin=true')).json().total).toBe(1);
    expect((await as(alice, 'GET', '/api/v1/admin/users?q=%25')).json().total).toBe(0);
    const second = (await as(alice, 'GET', '/api/v1/admin/users?limit=1&offset=1')).json();
    expect(second).toMatchObject({ total: 3, items: [{ email: 'bob@example.com' }] });
    expect((await as(alice, 'GET', '/api/v1/admin/users?limit=0')).statusCode).toBe(400);
    expect((await as(alice, 'GET', '/api/v1/admin/users/not-a-uuid')).statusCode).toBe(400);
    expect((await as(alice, 'GET', '/api/v1/admin/users/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);

    await as(bob, 'POST', '/api/v1/api-keys', { name: 'bob script', scopes: ['sites:read'] });
    const detail = (await as(alice, 'GET', `/api/v1/admin/users/${bob.id}`)).json();
    expect(detail).toMatchObject({
      email: 'bob@example.com',
      workspaces: [{ id: bob.workspaceId, role: 'owner', personal: true }],
      apiKeys: [{ name: 'bob script', workspaceId: bob.workspaceId, revokedAt: null }],
    });
    expect(detail.sessions).toHaveLength(1);
  });

  it('disabling ends sessions and keys at once and blocks sign-in; enabling lets the account sign in again', async () => {
    const key = (await as(carol, 'POST', '/api/v1/api-keys', { name: 'carol script', scopes: ['sites:read'] })).json().secret as string;
    const byKey = () => app.inject({ method: 'GET', url: '/api/v1/sites', headers: { 'x-api-key': key } });
    expect((await byKey()).statusCode).toBe(200);
    expect((await as(carol, 'GET', '/api/v1/sites')).statusCode).toBe(200);

    const disabled = await as(alice, 'POST', `/api/v1/admin/users/${carol.id}/disable`);
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(disabled.json()).toMatchObject({ disabled: true, sessions: [], apiKeys: [{ revokedAt: expect.any(String) }] });
    expect((await as(carol, 'GET', '/api/v1/sites')).statusCode).toBe(401);
    expect((await byKey()).statusCode).toBe(401);
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: carol.email, password: PASSWORD } });
    expect(login.statusCode).toBe(403);
    expect(login.json()).toMatchObject({ type: 'urn:siteprint:problem:account-disabled' });
    const refresh = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: carol.refreshToken } });
    expect(refresh.statusCode).toBe(401);
    expect((await as(alice, 'GET', '/api/v1/admin/users?status=disabled')).json()).toMatchObject({
      total: 1,
      items: [{ email: carol.email }],
    });

    const enabled = await as(alice, 'POST', `/api/v1/admin/users/${carol.id}/enable`);
    expect(enabled.json()).toMatchObject({ disabled: false });
    const again = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: carol.email, password: PASSWORD } });
    expect(again.statusCode).toBe(200);
    // A revoked key stays revoked.
    expect((await byKey()).statusCode).toBe(401);
  });

  it('never removes or disables the last active system administrator', async () => {
    const lastRevoke = await as(alice, 'PUT', `/api/v1/admin/users/${alice.id}/system-admin`, { systemAdmin: false });
    expect(lastRevoke.statusCode).toBe(409);
    expect(lastRevoke.json().type).toBe('urn:siteprint:problem:last-system-admin');
    expect((await as(alice, 'POST', `/api/v1/admin/users/${alice.id}/disable`)).statusCode).toBe(409);
    expect((await as(alice, 'PUT', `/api/v1/admin/users/${alice.id}/system-admin`, { systemAdmin: 'no' })).statusCode).toBe(400);

    // A disabled administrator does not count as the one that remains.
    expect((await as(alice, 'PUT', `/api/v1/admin/users/${bob.id}/system-admin`, { systemAdmin: true })).json()).toMatchObject({
      systemAdmin: true,
    });
    await as(alice, 'POST', `/api/v1/admin/users/${bob.id}/disable`);
    expect((await as(alice, 'PUT', `/api/v1/admin/users/${alice.id}/system-admin`, { systemAdmin: false })).statusCode).toBe(409);
    await as(alice, 'POST', `/api/v1/admin/users/${bob.id}/enable`);
    const bobAgain = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: bob.email, password: PASSWORD } });
    bob = { ...bob, headers: { authorization: `Bearer ${bobAgain.json().accessToken}` } };

    // With bob an active administrator, alice may step down, and loses access on her next request.
    expect((await as(alice, 'PUT', `/api/v1/admin/users/${alice.id}/system-admin`, { systemAdmin: false })).statusCode).toBe(200);
    expect((await as(alice, 'GET', '/api/v1/admin/users')).statusCode).toBe(403);
    expect((await as(bob, 'PUT', `/api/v1/admin/users/${alice.id}/system-admin`, { systemAdmin: true })).statusCode).toBe(200);
    expect((await as(alice, 'GET', '/api/v1/admin/users')).statusCode).toBe(200);
  });

  it('lists every workspace with usage and members, and every API key with a revoke that works at once', async () => {
    const workspaces = (await as(alice, 'GET', '/api/v1/admin/workspaces')).json();
    expect(workspaces.total).toBe(3);
    expect(workspaces.items[0]).toMatchObject({ personal: true, members: 1, sites: 0, jobsThisMonth: 0, llmCostThisMonthUsd: 0 });
    await as(bob, 'POST', '/api/v1/sites', { url: 'https://shop.example/' });
    const bobs = (await as(alice, 'GET', '/api/v1/admin/workspaces?q=bob')).json();
    expect(bobs).toMatchObject({ total: 1, items: [{ id: bob.workspaceId, sites: 1, jobsThisMonth: 1 }] });
    const members = (await as(alice, 'GET', `/api/v1/admin/workspaces/${bob.workspaceId}/members`)).json();
    expect(members.items).toEqual([expect.objectContaining({ userId: bob.id, email: bob.email, role: 'owner', disabled: false })]);
    expect((await as(alice, 'GET', '/api/v1/admin/workspaces/00000000-0000-4000-8000-000000000000/members')).statusCode).toBe(404);

    const created = (await as(bob, 'POST', '/api/v1/api-keys', { name: 'to revoke', scopes: ['sites:read'] })).json();
    const byKey = () => app.inject({ method: 'GET', url: '/api/v1/sites', headers: { 'x-api-key': created.secret } });
    expect((await byKey()).statusCode).toBe(200);
    const keys = (await as(alice, 'GET', '/api/v1/admin/api-keys?status=active')).json();
    const listed = keys.items.find((key: { id: string }) => key.id === created.id);
    expect(listed).toMatchObject({
      name: 'to revoke',
      owner: { id: bob.id, email: bob.email },
      workspace: { id: bob.workspaceId },
      revokedAt: null,
      lastUsedAt: expect.any(String),
    });
    expect(JSON.stringify(keys)).not.toContain(created.secret);
    expect((await as(alice, 'POST', `/api/v1/admin/api-keys/${created.id}/revoke`)).statusCode).toBe(204);
    expect((await byKey()).statusCode).toBe(401);
    expect((await as(alice, 'POST', `/api/v1/admin/api-keys/${created.id}/revoke`)).statusCode).toBe(404);
    const revoked = (await as(alice, 'GET', '/api/v1/admin/api-keys?status=revoked')).json();
    expect(revoked.items.map((key: { id: string }) => key.id)).toContain(created.id);
    const audited = (await as(alice, 'GET', `/api/v1/admin/audit?action=api-key.revoked&target=api-key:${created.id}`)).json();
    expect(audited.items).toEqual([
      expect.objectContaining({ action: 'api-key.revoked', actorUserId: alice.id, workspaceId: bob.workspaceId }),
    ]);
  });

  it('shows the audit log with filters, one entry, and a CSV export that is itself audited', async () => {
    const adminActions = (await as(alice, 'GET', '/api/v1/admin/audit?action=admin.&limit=100')).json();
    const actions = adminActions.items.map((entry: { action: string }) => entry.action);
    expect(actions).toContain('admin.user-disabled');
    expect(actions).toContain('admin.system-admin-granted');
    expect(actions.every((action: string) => action.startsWith('admin.'))).toBe(true);
    const disabledCarol = (await as(alice, 'GET', `/api/v1/admin/audit?action=admin.user-disabled&target=user:${carol.id}`)).json();
    expect(disabledCarol).toMatchObject({ total: 1, items: [{ actorUserId: alice.id, target: `user:${carol.id}` }] });
    expect((await as(alice, 'GET', `/api/v1/admin/audit/${disabledCarol.items[0].id}`)).json()).toEqual(disabledCarol.items[0]);

    const first = (await as(alice, 'GET', '/api/v1/admin/audit?limit=2')).json();
    const next = (await as(alice, 'GET', `/api/v1/admin/audit?limit=2&cursor=${first.nextCursor}`)).json();
    expect(next.items[0].id).not.toBe(first.items[0].id);
    expect(Date.parse(next.items[0].createdAt)).toBeLessThanOrEqual(Date.parse(first.items[1].createdAt));
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await as(alice, 'GET', `/api/v1/admin/audit?from=${encodeURIComponent(future)}`)).json().total).toBe(0);
    expect((await as(alice, 'GET', '/api/v1/admin/audit?from=yesterday')).statusCode).toBe(400);

    const csv = await as(alice, 'GET', '/api/v1/admin/audit/export?action=login.succeeded');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parse(csv.body, { columns: true }) as Array<Record<string, string>>;
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.every((row) => row.action === 'login.succeeded')).toBe(true);
    expect(Object.keys(rows[0]!)).toEqual([
      'time',
      'action',
      'actor_user_id',
      'workspace_id',
      'target',
      'details',
      'ip',
      'user_agent',
      'id',
    ]);
    const exported = (await as(alice, 'GET', '/api/v1/admin/audit?action=admin.audit-exported')).json();
    expect(exported.items[0]).toMatchObject({ actorUserId: alice.id, details: { rows: rows.length } });
  });

  it('shows the role matrix from the role table and the system status', async () => {
    const matrix = (await as(alice, 'GET', '/api/v1/admin/roles')).json();
    const of = (role: string) => matrix.roles.find((entry: { role: string }) => entry.role === role).permissions as string[];
    expect(of('owner')).toContain('workspace:delete');
    expect(of('admin')).not.toContain('workspace:delete');
    expect(of('viewer')).toContain('sites:read');
    expect(of('viewer')).not.toContain('sites:write');
    expect(matrix.systemAdmin).toEqual(['queues:manage', 'system:admin']);

    const system = (await as(alice, 'GET', '/api/v1/admin/system')).json();
    expect(system).toMatchObject({
      status: 'ok',
      database: { kind: target.name, ok: true, migrations: { current: true } },
      queue: { backend: 'embedded', ok: true, stalled: 0 },
      redis: { configured: false },
      versions: { node: process.version },
    });
    expect(system.database.serverVersion).toMatch(/^\d+/);
    expect(system.dataDir.bytes).toBeGreaterThan(0);
  });

  it('searches the recent log lines of the process by request id, level and text, with credentials redacted', async () => {
    // The ring is the process's: both database targets of this file log into it, so the id names the target.
    const requestId = `trace-me-${target.name}`;
    const traced = await app.inject({ method: 'GET', url: '/api/v1/sites', headers: { ...bob.headers, 'x-request-id': requestId } });
    expect(traced.statusCode).toBe(200);
    const byRequest = (await as(alice, 'GET', `/api/v1/admin/logs?requestId=${requestId}`)).json();
    expect(byRequest.items).toEqual([expect.objectContaining({ level: 'info', msg: 'request completed', requestId })]);
    expect(JSON.stringify(byRequest)).not.toContain(bob.accessToken);
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'nobody@example.com', password: 'wrong password here' },
    });
    const text = (await as(alice, 'GET', '/api/v1/admin/logs?q=REQUEST%20completed&limit=3')).json();
    expect(text.items).toHaveLength(3);
    expect(JSON.stringify(await as(alice, 'GET', '/api/v1/admin/logs?limit=500').then((response) => response.json()))).not.toContain(
      'wrong password here',
    );
    expect(
      (await as(alice, 'GET', '/api/v1/admin/logs?level=error'))
        .json()
        .items.every((line: { level: string }) => ['error', 'fatal'].includes(line.level)),
    ).toBe(true);
    expect((await as(alice, 'GET', '/api/v1/admin/logs?level=loud')).statusCode).toBe(400);
  });

  it('takes backups on demand, keeps the retention count, serves them for download, and audits each', async () => {
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const taken = await as(alice, 'POST', '/api/v1/admin/backups');
      expect(taken.statusCode, taken.body).toBe(201);
      names.push(taken.json().name);
    }
    const listed = (await as(alice, 'GET', '/api/v1/admin/backups')).json();
    expect(listed).toMatchObject({ schedule: null, nextRunAt: null, retention: 2 });
    expect(listed.items.map((backup: { name: string }) => backup.name)).toEqual([names[2], names[1]]);

    const download = await as(alice, 'GET', `/api/v1/admin/backups/${names[2]}`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/gzip');
    const scratch = await scratchDirectory();
    try {
      const file = path.join(scratch.dir, 'download.tar.gz');
      await writeFile(file, download.rawPayload);
      const manifest = await readArchive(file, path.join(scratch.dir));
      expect(manifest).toMatchObject({ format: 'siteprint-backup', database: target.name, files: ['jwt-secret'] });
    } finally {
      await scratch.dispose();
    }
    expect((await as(alice, 'GET', `/api/v1/admin/backups/${names[0]}`)).statusCode).toBe(404);
    expect((await as(alice, 'GET', '/api/v1/admin/backups/..%2F..%2Fetc%2Fpasswd')).statusCode).toBe(404);

    const audited = (await as(alice, 'GET', '/api/v1/admin/audit?action=backup.&limit=10')).json().items;
    expect(audited.map((entry: { action: string }) => entry.action)).toEqual([
      'backup.downloaded',
      'backup.created',
      'backup.created',
      'backup.created',
    ]);
    expect(audited[1]).toMatchObject({
      actorUserId: alice.id,
      target: `backup:${names[2]}`,
      details: { trigger: 'manual', pruned: [names[0]] },
    });
  });
});
