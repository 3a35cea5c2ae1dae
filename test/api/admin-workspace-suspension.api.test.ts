import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app/platform.js';
import { jobs, sites } from '../../src/db/schema/index.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';

/**
 * A system administrator suspends a workspace (audited, with a reason): its members may only read
 * why, its API keys are refused, its scheduled checks are not claimed and its jobs are cancelled
 * when a worker reaches them; other workspaces go on as before; unsuspending lifts it all.
 */
describe.each(databaseTargets())('workspace suspension on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  let platform: Platform;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;

  beforeAll(async () => {
    database = await target.open();
    ({ app, platform } = await createTestStack({ database, env: { ALLOW_PRIVATE_NETWORK: 'true' } }));
    await app.ready();
    alice = await signUp(app, 'alice@example.com'); // the first account: system administrator
    bob = await signUp(app, 'bob@example.com');
    carol = await signUp(app, 'carol@example.com');
  });

  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  const as = (user: TestUser | { headers: Record<string, string> }, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: user.headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  const listed = async (workspaceId: string) =>
    ((await as(alice, 'GET', '/api/v1/admin/workspaces?limit=100')).json().items as Array<Record<string, unknown>>).find(
      (row) => row.id === workspaceId,
    );

  it('suspends and unsuspends a workspace for system administrators only, audited', async () => {
    const url = `/api/v1/admin/workspaces/${bob.workspaceId}/suspend`;
    const refused = await as(bob, 'POST', url, { reason: 'mine' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().type).toBe('urn:siteprint:problem:forbidden');
    expect((await as(carol, 'POST', `/api/v1/admin/workspaces/${bob.workspaceId}/unsuspend`)).statusCode).toBe(403);
    expect((await as(alice, 'POST', url, {})).statusCode).toBe(400);
    expect((await as(alice, 'POST', url, { reason: '  ' })).statusCode).toBe(400);
    expect(
      (await as(alice, 'POST', '/api/v1/admin/workspaces/00000000-0000-4000-8000-000000000000/suspend', { reason: 'x' })).statusCode,
    ).toBe(404);
    expect((await as(alice, 'POST', `/api/v1/admin/workspaces/${bob.workspaceId}/unsuspend`)).statusCode).toBe(409);
    expect(await listed(bob.workspaceId)).toMatchObject({ suspendedAt: null, suspendedReason: null });

    expect((await as(alice, 'POST', url, { reason: 'Unpaid invoice' })).statusCode).toBe(204);
    expect(await listed(bob.workspaceId)).toMatchObject({ suspendedAt: expect.any(String), suspendedReason: 'Unpaid invoice' });
    expect(await listed(carol.workspaceId)).toMatchObject({ suspendedAt: null });
    expect((await as(alice, 'POST', `/api/v1/admin/workspaces/${bob.workspaceId}/unsuspend`)).statusCode).toBe(204);
    expect(await listed(bob.workspaceId)).toMatchObject({ suspendedAt: null, suspendedReason: null });

    const audit = (await as(alice, 'GET', `/api/v1/admin/audit?target=workspace:${bob.workspaceId}`)).json().items as Array<{
      action: string;
      details: Record<string, unknown>;
    }>;
    expect(audit.map((entry) => entry.action).filter((action) => action.startsWith('admin.workspace-'))).toEqual([
      'admin.workspace-unsuspended',
      'admin.workspace-suspended',
    ]);
    expect(audit.find((entry) => entry.action === 'admin.workspace-suspended')!.details).toMatchObject({ reason: 'Unpaid invoice' });
  });

  it('leaves members only what tells them why, refuses its API keys, and holds back its schedules and jobs', async () => {
    const key = (await as(bob, 'POST', '/api/v1/api-keys', { name: 'script', scopes: ['sites:read', 'sites:write'] })).json()
      .secret as string;
    const byKey = { headers: { 'x-api-key': key } };
    const created = await as(bob, 'POST', '/api/v1/sites', { url: 'http://127.0.0.1:9/' });
    expect(created.statusCode, created.body).toBe(201);
    const siteId = created.json().site.id as string;
    // A scheduled check that is due now.
    await database.db
      .update(sites)
      .set({ status: 'ready', schedule: 'every 6h', nextCheckAt: new Date(Date.now() - 60_000) })
      .where(eq(sites.id, siteId));
    const carolSite = (await as(carol, 'POST', '/api/v1/sites', { url: 'http://127.0.0.1:9/carol' })).json().site.id as string;
    await database.db
      .update(sites)
      .set({ status: 'ready', schedule: 'every 6h', nextCheckAt: new Date(Date.now() - 60_000) })
      .where(eq(sites.id, carolSite));

    expect(
      (await as(alice, 'POST', `/api/v1/admin/workspaces/${bob.workspaceId}/suspend`, { reason: 'Abuse report #12' })).statusCode,
    ).toBe(204);

    const blocked = await as(bob, 'GET', '/api/v1/sites');
    expect(blocked.statusCode).toBe(403);
    expect(blocked.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(blocked.json()).toMatchObject({ type: 'urn:siteprint:problem:workspace-suspended', status: 403 });
    expect((await as(bob, 'POST', '/api/v1/sites', { url: 'http://127.0.0.1:9/more' })).json().type).toBe(
      'urn:siteprint:problem:workspace-suspended',
    );
    // What they may still read: the workspace (when and why), their workspaces and their account.
    const workspace = await as(bob, 'GET', '/api/v1/workspace');
    expect(workspace.statusCode).toBe(200);
    expect(workspace.json()).toMatchObject({ suspendedAt: expect.any(String), suspendedReason: 'Abuse report #12' });
    expect((await as(bob, 'GET', '/api/v1/workspaces')).json().items[0]).toMatchObject({ suspendedReason: 'Abuse report #12' });
    expect((await as(bob, 'GET', '/api/v1/auth/me')).statusCode).toBe(200);
    // Its API keys are refused, reads included.
    for (const url of ['/api/v1/sites', '/api/v1/workspace']) {
      const refused = await as(byKey, 'GET', url);
      expect(refused.statusCode, url).toBe(403);
      expect(refused.json().type).toBe('urn:siteprint:problem:workspace-suspended');
    }
    // Another tenant goes on as before.
    expect((await as(carol, 'GET', '/api/v1/sites')).statusCode).toBe(200);
    expect((await as(carol, 'GET', `/api/v1/sites/${siteId}`)).statusCode).toBe(404);

    // The scheduler claims carol's due check and not bob's.
    await platform.scheduler.tick();
    const checks = await database.db.select({ siteId: jobs.siteId }).from(jobs).where(eq(jobs.type, 'check_site'));
    expect(checks.map((job) => job.siteId)).toEqual([carolSite]);

    // Bob's queued analysis is cancelled when a worker reaches it, not run.
    await platform.runJobs('server');
    const deadline = Date.now() + 30_000;
    const bobJobs = () =>
      database.db
        .select({ type: jobs.type, status: jobs.status })
        .from(jobs)
        .where(and(eq(jobs.workspaceId, bob.workspaceId), eq(jobs.type, 'fingerprint_site')));
    while (Date.now() < deadline && !(await bobJobs()).every((job) => job.status === 'cancelled')) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await bobJobs()).toEqual([{ type: 'fingerprint_site', status: 'cancelled' }]);

    // Unsuspended, the workspace, its key and its schedule work again.
    expect((await as(alice, 'POST', `/api/v1/admin/workspaces/${bob.workspaceId}/unsuspend`)).statusCode).toBe(204);
    expect((await as(bob, 'GET', '/api/v1/sites')).statusCode).toBe(200);
    expect((await as(byKey, 'GET', '/api/v1/sites')).statusCode).toBe(200);
    expect((await as(bob, 'GET', '/api/v1/workspace')).json()).toMatchObject({ suspendedAt: null, suspendedReason: null });
    // (The cancelled analysis left the site unanalysed; as a ready site its due check is claimed now.)
    await database.db.update(sites).set({ status: 'ready' }).where(eq(sites.id, siteId));
    await platform.scheduler.tick();
    const after = await database.db.select({ siteId: jobs.siteId }).from(jobs).where(eq(jobs.type, 'check_site'));
    expect(after.map((job) => job.siteId).sort()).toEqual([carolSite, siteId].sort());
  });
});
