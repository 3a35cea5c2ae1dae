import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInstance } from '../../src/http/app-instance.js';
import { LlmRepository } from '../../src/llm/index.js';
import type { Platform } from '../../src/app/platform.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { serviceUrl } from '../support/services.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';

/** Plans, quotas, the usage ledger and the API rate limits, over HTTP. */
describe.each(databaseTargets())('quotas, usage and rate limits on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  let platform: Platform;
  let alice: TestUser; // system administrator
  let bob: TestUser;
  let carol: TestUser;

  beforeAll(async () => {
    database = await target.open();
    ({ app, platform } = await createTestStack({ database, env: { ALLOW_PRIVATE_NETWORK: 'true' } }));
    await app.ready();
    alice = await signUp(app, 'alice@example.com');
    bob = await signUp(app, 'bob@example.com');
    carol = await signUp(app, 'carol@example.com');
  });

  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  const as = (user: TestUser | null, method: Method, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method,
      url,
      headers: { ...(user?.headers ?? {}), ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  it('lets only signed-in system administrators manage plans and quotas', async () => {
    const routes: Array<[Method, string, unknown?]> = [
      ['GET', '/api/v1/admin/plans'],
      ['POST', '/api/v1/admin/plans', { name: 'x', limits: {} }],
      ['PATCH', `/api/v1/admin/plans/${randomUUID()}`, { name: 'y' }],
      ['GET', '/api/v1/admin/quota-defaults'],
      ['PUT', '/api/v1/admin/quota-defaults', {}],
      ['GET', `/api/v1/admin/workspaces/${bob.workspaceId}/quota`],
      ['PUT', `/api/v1/admin/workspaces/${bob.workspaceId}/quota`, { overrides: { sites: 100 } }],
    ];
    for (const [method, url, body] of routes) {
      expect((await as(null, method, url, body)).statusCode, url).toBe(401);
      const refused = await as(bob, method, url, body);
      expect(refused.statusCode, url).toBe(403);
      expect(refused.headers['content-type']).toMatch(/problem\+json/);
    }
    expect((await as(bob, 'GET', `/api/v1/admin/workspaces/${bob.workspaceId}/quota`)).statusCode).toBe(403);
    expect((await as(alice, 'GET', `/api/v1/admin/workspaces/${bob.workspaceId}/quota`)).json()).toMatchObject({
      plan: null,
      overrides: null,
      limits: { sites: null, analysesPerMonth: null },
    });
  });

  it('refuses bad plans and quota changes with 4xx problems', async () => {
    for (const body of [
      { name: '', limits: {} },
      { name: 'neg', limits: { sites: -1 } },
      { name: 'frac', limits: { sites: 1.5 } },
      { name: 'unknown', limits: { seats: 3 } },
      { name: 'zero-rate', limits: { apiRequestsPerMinute: 0 } },
      { name: 'cur', limits: {}, currency: 'eur' },
    ]) {
      const response = await as(alice, 'POST', '/api/v1/admin/plans', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().type).toBe('urn:siteprint:problem:validation');
    }
    const unknownPlan = await as(alice, 'PUT', `/api/v1/admin/workspaces/${bob.workspaceId}/quota`, { planId: randomUUID() });
    expect(unknownPlan.statusCode).toBe(400);
    expect(unknownPlan.json().errors).toEqual([expect.objectContaining({ path: '/planId' })]);
    expect((await as(alice, 'PUT', `/api/v1/admin/workspaces/${randomUUID()}/quota`, { overrides: {} })).statusCode).toBe(404);
    expect((await as(alice, 'PATCH', `/api/v1/admin/plans/${randomUUID()}`, { name: 'nothing' })).statusCode).toBe(404);
    expect((await as(bob, 'GET', '/api/v1/usage?month=2026-13')).statusCode).toBe(400);
  });

  it('enforces the sites and monthly analyses quotas at the boundary, counting analyses once in the ledger', async () => {
    const created = await as(alice, 'POST', '/api/v1/admin/plans', {
      name: 'Starter',
      limits: { sites: 2, analysesPerMonth: 5 },
      priceMonthlyCents: 1900,
      currency: 'EUR',
    });
    expect(created.statusCode, created.body).toBe(201);
    const plan = created.json();
    expect(plan).toMatchObject({ name: 'Starter', limits: { sites: 2, analysesPerMonth: 5 }, priceMonthlyCents: 1900, externalId: null });
    const duplicate = await as(alice, 'POST', '/api/v1/admin/plans', { name: 'Starter', limits: {} });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().type).toBe('urn:siteprint:problem:duplicate-plan');
    expect((await as(alice, 'GET', '/api/v1/admin/plans')).json().items.map((p: { name: string }) => p.name)).toContain('Starter');

    const assigned = await as(alice, 'PUT', `/api/v1/admin/workspaces/${bob.workspaceId}/quota`, { planId: plan.id });
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect(assigned.json()).toMatchObject({
      plan: { name: 'Starter' },
      limits: { sites: 2, analysesPerMonth: 5, apiRequestsPerMinute: null },
    });

    expect((await as(bob, 'POST', '/api/v1/sites', { url: 'https://one.example' })).statusCode).toBe(201);
    expect((await as(bob, 'POST', '/api/v1/sites', { url: 'https://two.example' })).statusCode).toBe(201);
    const third = await as(bob, 'POST', '/api/v1/sites', { url: 'https://three.example' });
    expect(third.statusCode).toBe(403);
    expect(third.headers['content-type']).toMatch(/problem\+json/);
    expect(third.json()).toMatchObject({
      type: 'urn:siteprint:problem:quota-exceeded',
      status: 403,
      quota: { name: 'sites', limit: 2, used: 2, resetAt: null },
    });
    expect(third.json().detail).toContain('quota of 2 sites');
    // Nothing was stored for the refused site; other workspaces are not affected.
    expect((await as(bob, 'GET', '/api/v1/sites')).json().total).toBe(2);
    expect((await as(carol, 'POST', '/api/v1/sites', { url: 'https://three.example' })).statusCode).toBe(201);

    // An override above the plan lifts the sites quota; the analyses quota (2 of 2 used) now refuses, until next month.
    await as(alice, 'PUT', `/api/v1/admin/workspaces/${bob.workspaceId}/quota`, { overrides: { sites: 10, analysesPerMonth: 2 } });
    const analyses = await as(bob, 'POST', '/api/v1/sites', { url: 'https://three.example' });
    expect(analyses.statusCode).toBe(403);
    const now = new Date();
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
    expect(analyses.json().quota).toEqual({ name: 'analysesPerMonth', limit: 2, used: 2, resetAt: nextMonth });
    expect(analyses.json().detail).toContain(`resets at ${nextMonth}`);
    // The batch endpoint reports the refusal per URL.
    const batch = await as(bob, 'POST', '/api/v1/sites/batch', { sites: [{ url: 'https://four.example' }] });
    expect(batch.json().results ?? batch.json().items ?? batch.json()).toEqual(
      expect.arrayContaining([expect.objectContaining({ status: 'invalid', error: expect.stringContaining('quota') })]),
    );

    const usage = await as(bob, 'GET', '/api/v1/usage');
    expect(usage.statusCode, usage.body).toBe(200);
    expect(usage.json()).toMatchObject({
      plan: { id: plan.id, name: 'Starter' },
      limits: { sites: 10, analysesPerMonth: 2 },
      used: { sites: 2, analyses: 2, extractionPages: 0 },
      periodEnd: nextMonth,
    });
    // Counting an analysis job again (a replayed hook, a retried job) does not count it twice.
    const jobs = (await as(bob, 'GET', '/api/v1/jobs?type=analyze_site')).json().items as Array<{ id: string; createdAt: string }>;
    expect(await platform.services.quotas.recordAnalysis(bob.workspaceId, jobs[0]!.id, new Date(jobs[0]!.createdAt))).toBe(false);
    expect((await as(bob, 'GET', '/api/v1/usage')).json().used.analyses).toBe(2);
    // Another month has its own count.
    expect((await as(bob, 'GET', '/api/v1/usage?month=2020-01')).json()).toMatchObject({
      periodStart: '2020-01-01T00:00:00.000Z',
      used: { analyses: 0 },
    });

    // Changing the plan applies to workspaces on it; clearing the overrides falls back to it.
    await as(alice, 'PATCH', `/api/v1/admin/plans/${plan.id}`, { limits: { sites: 3, analysesPerMonth: 3 } });
    await as(alice, 'PUT', `/api/v1/admin/workspaces/${bob.workspaceId}/quota`, { overrides: null });
    expect((await as(bob, 'POST', '/api/v1/sites', { url: 'https://three.example' })).statusCode).toBe(201);
    expect((await as(bob, 'POST', '/api/v1/sites', { url: 'https://five.example' })).json().quota).toMatchObject({
      name: 'sites',
      limit: 3,
    });

    const audited = (
      await as(alice, 'GET', `/api/v1/admin/audit?action=admin.workspace-quota-changed&target=workspace:${bob.workspaceId}`)
    ).json();
    expect(audited.items.length).toBe(3);
    expect((await as(alice, 'GET', '/api/v1/admin/audit?action=admin.plan-created')).json().items.length).toBe(1);
    expect((await as(alice, 'GET', '/api/v1/admin/audit?action=admin.plan-updated')).json().items.length).toBe(1);
  });

  it('meters extraction pages per job and LLM cost per request once in the ledger', async () => {
    const at = new Date();
    const jobId = randomUUID();
    await platform.services.quotas.reserveExtraction(carol.workspaceId, jobId, 40);
    // A final state recorded twice settles the job's pages once.
    await platform.services.quotas.settleExtraction(database.db, carol.workspaceId, jobId, 40, at);
    await platform.services.quotas.settleExtraction(database.db, carol.workspaceId, jobId, 40, at);
    const llm = new LlmRepository(database.db);
    const request = { workspaceId: carol.workspaceId, step: 'discover', model: 'm', promptTokens: 10, completionTokens: 5, latencyMs: 1 };
    await llm.insert({ ...request, costUsd: 0.25, costSource: 'provider', status: 'ok' });
    await llm.insert({ ...request, costUsd: 0.5, costSource: 'provider', status: 'ok' });
    await llm.insert({ ...request, costUsd: null, costSource: 'unknown', status: 'ok' });
    expect((await as(carol, 'GET', '/api/v1/usage')).json().used).toMatchObject({ extractionPages: 40, llmCostUsd: 0.75 });
    // Another tenant's usage is not in it.
    expect((await as(bob, 'GET', '/api/v1/usage')).json().used).toMatchObject({ extractionPages: 0, llmCostUsd: 0 });

    await as(alice, 'PUT', `/api/v1/admin/workspaces/${carol.workspaceId}/quota`, { overrides: { extractionPagesPerMonth: 41 } });
    await expect(platform.services.quotas.reserveExtraction(carol.workspaceId, randomUUID(), 2)).rejects.toMatchObject({
      kind: 'forbidden',
      details: { code: 'quota-exceeded', quota: { name: 'extractionPagesPerMonth', limit: 41, used: 40 } },
    });
    await expect(platform.services.quotas.reserveExtraction(carol.workspaceId, randomUUID(), 1)).resolves.toBeUndefined();
  });

  it('rate-limits each caller and the whole workspace with RateLimit headers and a 429 problem', async () => {
    const dave = await signUp(app, 'dave@example.com');
    const set = await as(alice, 'PUT', `/api/v1/admin/workspaces/${dave.workspaceId}/quota`, {
      overrides: { apiRequestsPerMinutePerCaller: 3, apiRequestsPerMinute: 5 },
    });
    expect(set.statusCode, set.body).toBe(200);
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await as(dave, 'GET', '/api/v1/sites');
      expect(response.statusCode).toBe(200);
      expect(response.headers['ratelimit-limit']).toBe('3');
      remaining.push(String(response.headers['ratelimit-remaining']));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const refused = await as(dave, 'GET', '/api/v1/sites');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.json()).toMatchObject({
      type: 'urn:siteprint:problem:rate-limited',
      quota: { name: 'apiRequestsPerMinutePerCaller', limit: 3 },
    });

    // An API key is a caller of its own, but the workspace's limit (5 a minute) covers both.
    const key = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { ...dave.headers },
      payload: { name: 'script', scopes: ['sites:read'] },
    });
    // Creating the key was dave's fifth request this minute (the workspace's last).
    expect(key.statusCode).toBe(429);
    expect(key.json().quota.name).toBe('apiRequestsPerMinutePerCaller');
    // Other workspaces are not limited by dave's.
    expect((await as(bob, 'GET', '/api/v1/sites')).headers['ratelimit-limit']).toBeUndefined();
  });

  it('counts an API key separately from its creator and both against the workspace', async () => {
    const erin = await signUp(app, 'erin@example.com');
    const key = await as(erin, 'POST', '/api/v1/api-keys', { name: 'script', scopes: ['sites:read'] });
    expect(key.statusCode, key.body).toBe(201);
    await as(alice, 'PUT', `/api/v1/admin/workspaces/${erin.workspaceId}/quota`, {
      overrides: { apiRequestsPerMinutePerCaller: 2, apiRequestsPerMinute: 3 },
    });
    const withKey = () => app.inject({ method: 'GET', url: '/api/v1/sites', headers: { 'x-api-key': key.json().secret } });
    expect((await as(erin, 'GET', '/api/v1/sites')).statusCode).toBe(200);
    expect((await as(erin, 'GET', '/api/v1/sites')).statusCode).toBe(200);
    // The key has made no request yet: its first is the workspace's third and last.
    expect((await withKey()).statusCode).toBe(200);
    const keyRefused = await withKey();
    expect(keyRefused.statusCode).toBe(429);
    expect(keyRefused.json().quota).toMatchObject({ name: 'apiRequestsPerMinute', limit: 3 });
    expect(keyRefused.json().detail).toContain('this workspace');
  });
});

/** Scaled mode: API processes share one Redis, so a caller cannot multiply its limit by spreading requests. */
describe('rate limits shared through Redis', () => {
  const redisUrl = serviceUrl('TEST_REDIS_URL');
  const [target] = databaseTargets();

  it.runIf(redisUrl !== undefined)('counts requests to two API processes against one limit', async () => {
    const database = await target!.open();
    const prefix = `rl${randomUUID().slice(0, 8)}`;
    // One JWT secret, as every API process of a deployment has.
    const env = { REDIS_URL: redisUrl!, QUEUE_PREFIX: prefix, JWT_SECRET: randomUUID() + randomUUID() };
    const first = await createTestStack({ database, env });
    const second = await createTestStack({ database, env });
    try {
      const frank = await signUp(first.app, 'frank@example.com');
      const admin = await signUp(first.app, 'gina@example.com');
      // frank was the first account (administrator); gina's workspace gets the limit.
      await first.app.inject({
        method: 'PUT',
        url: `/api/v1/admin/workspaces/${admin.workspaceId}/quota`,
        headers: frank.headers,
        payload: { overrides: { apiRequestsPerMinutePerCaller: 4 } },
      });
      const statuses: number[] = [];
      for (const { app } of [first, second, first, second, first, second]) {
        statuses.push((await app.inject({ method: 'GET', url: '/api/v1/sites', headers: admin.headers })).statusCode);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    } finally {
      await first.app.close();
      await second.app.close();
      await database.close();
    }
  });
});
