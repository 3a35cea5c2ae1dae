import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blueprintVersions, extractionResults, jobs, llmRequests, siteChecks, sites } from '../../src/db/schema/index.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import { PASSWORD, signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import type { Blueprint } from '../../src/engine/index.js';

const day1 = '2026-03-02';
const day2 = '2026-03-03';
const at = (day: string, time: string) => new Date(`${day}T${time}Z`);
const period = { from: `${day1}T00:00:00Z`, to: '2026-03-04T00:00:00Z' };

/** percentile_cont: linear interpolation between the closest ranks. */
function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = 0.95 * (sorted.length - 1);
  const low = Math.floor(rank);
  return sorted[low]! + (sorted[Math.ceil(rank)]! - sorted[low]!) * (rank - low);
}

/**
 * The analytics API over HTTP against rows written straight into the product's tables: every
 * figure must equal what those rows hold, within the asked period and workspace only.
 */
describe.each(databaseTargets())('analytics API on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  let admin: TestUser;
  let bob: TestUser;
  let siteA: string;
  let siteB: string;
  /** Processing seconds of bob's succeeded analyses, in the period. */
  const analysisSeconds = [40, 100, 70];

  beforeAll(async () => {
    database = await target.open();
    ({ app } = await createTestStack({ database, env: { API_USAGE_FLUSH_MS: '600000' } }));
    await app.ready();
    admin = await signUp(app, 'admin@example.com');
    bob = await signUp(app, 'bob@example.com');
    const db = database.db;
    [{ id: siteA }, { id: siteB }] = (await db
      .insert(sites)
      .values([
        { workspaceId: bob.workspaceId, url: 'https://a.example/', name: 'Shop A', health: 'degraded', status: 'ready' },
        { workspaceId: bob.workspaceId, url: 'https://b.example/', name: 'Shop B', health: 'healthy', status: 'ready' },
      ])
      .returning({ id: sites.id })) as [{ id: string }, { id: string }];
    const [adminSite] = await db
      .insert(sites)
      .values({ workspaceId: admin.workspaceId, url: 'https://c.example/', name: 'Admin site' })
      .returning({ id: sites.id });
    const job = (
      workspaceId: string,
      siteId: string,
      type: string,
      status: 'succeeded' | 'failed' | 'cancelled' | 'queued',
      created: Date,
      seconds?: number,
      parentId?: string,
    ) => ({
      workspaceId,
      siteId,
      type,
      status,
      priority: 1,
      payload: {},
      parentId,
      createdAt: created,
      startedAt: seconds === undefined ? null : new Date(created.getTime() + 5_000),
      finishedAt: seconds === undefined ? null : new Date(created.getTime() + 5_000 + seconds * 1000),
    });
    const inserted = await db
      .insert(jobs)
      .values([
        job(bob.workspaceId, siteA, 'analyze_site', 'succeeded', at(day1, '09:00:00'), analysisSeconds[0]),
        job(bob.workspaceId, siteA, 'analyze_site', 'succeeded', at(day2, '10:00:00'), analysisSeconds[1]),
        job(bob.workspaceId, siteB, 'analyze_site', 'succeeded', at(day2, '11:30:00'), analysisSeconds[2]),
        job(bob.workspaceId, siteB, 'analyze_site', 'failed', at(day2, '12:00:00'), 3),
        job(bob.workspaceId, siteB, 'analyze_site', 'cancelled', at(day1, '13:00:00'), 1),
        job(bob.workspaceId, siteA, 'check_site', 'succeeded', at(day1, '14:00:00'), 2),
        job(bob.workspaceId, siteA, 'extract_batch', 'succeeded', at(day2, '15:00:00'), 8),
        job(bob.workspaceId, siteA, 'check_site', 'queued', at(day2, '16:00:00')),
        // Outside the period, and in another workspace: never counted.
        job(bob.workspaceId, siteA, 'analyze_site', 'failed', at('2026-03-05', '09:00:00'), 1),
        job(admin.workspaceId, adminSite!.id, 'analyze_site', 'succeeded', at(day1, '08:00:00'), 9),
      ])
      .returning({ id: jobs.id, type: jobs.type });
    // A step of the first analysis: counted by type in the summary, never as a top-level job.
    await db.insert(jobs).values(job(bob.workspaceId, siteA, 'fingerprint_site', 'succeeded', at(day1, '09:00:01'), 12, inserted[0]!.id));
    const extractJob = inserted.find((row) => row.type === 'extract_batch')!.id;
    await db.insert(extractionResults).values([
      { jobId: extractJob, position: 0, url: 'https://a.example/p/1', data: { title: 'One' } },
      { jobId: extractJob, position: 1, url: 'https://a.example/p/2', data: { title: 'Two' } },
      { jobId: extractJob, position: 2, url: 'https://a.example/p/3', data: {}, error: 'no page type reads this page' },
    ]);
    const version = (siteId: string, number: number, reason: string, created: Date) => ({
      siteId,
      workspaceId: bob.workspaceId,
      version: number,
      contentHash: `${siteId}-${number}`,
      // Analytics reads only when and why a version was written, not its content.
      content: {} as Blueprint,
      reason,
      createdAt: created,
    });
    await db
      .insert(blueprintVersions)
      .values([
        version(siteA, 1, 'analysis', at(day1, '09:01:00')),
        version(siteA, 2, 'repair', at(day2, '08:00:00')),
        version(siteA, 3, 'edit', at(day2, '09:00:00')),
        version(siteB, 1, 'analysis', at(day2, '11:32:00')),
      ]);
    // siteA: healthy (before the period) → healthy → degraded → degraded; siteB: first check healthy.
    await db.insert(siteChecks).values([
      { siteId: siteA, health: 'healthy', checkedAt: at('2026-03-01', '10:00:00'), coverage: 0.2, baselineCoverage: 0.2 },
      { siteId: siteA, health: 'healthy', checkedAt: at(day1, '10:00:00'), coverage: 0.9, baselineCoverage: 0.95 },
      { siteId: siteA, health: 'degraded', checkedAt: at(day2, '10:00:00'), coverage: 0.5, baselineCoverage: 0.95 },
      { siteId: siteA, health: 'degraded', checkedAt: at(day2, '14:00:00'), coverage: 0.7, baselineCoverage: 0.95 },
      { siteId: siteB, health: 'healthy', checkedAt: at(day2, '11:33:00') },
    ]);
    const call = (model: string, step: string, prompt: number, completion: number, cost: number, created: Date, siteId = siteA) => ({
      workspaceId: bob.workspaceId,
      siteId,
      step,
      model,
      promptTokens: prompt,
      completionTokens: completion,
      costUsd: cost,
      costSource: 'provider' as const,
      latencyMs: 100,
      status: 'ok' as const,
      createdAt: created,
    });
    await db
      .insert(llmRequests)
      .values([
        call('model-a', 'discover_categories', 1000, 200, 0.01, at(day1, '09:00:30')),
        call('model-a', 'generate_selectors', 3000, 500, 0.03, at(day2, '10:01:00')),
        call('model-b', 'generate_selectors', 2000, 100, 0.5, at(day2, '11:31:00'), siteB),
      ]);
  });

  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  const get = (user: TestUser, url: string, query: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, query, headers: user.headers });

  it('sums the period of the workspace: analyses, jobs with timings, extraction, versions, health changes and LLM use', async () => {
    const response = await get(bob, '/api/v1/analytics/summary', period);
    expect(response.statusCode, response.body).toBe(200);
    const summary = response.json();
    expect(summary).toMatchObject({ from: '2026-03-02T00:00:00.000Z', to: '2026-03-04T00:00:00.000Z', scope: 'workspace' });
    expect(summary.sites).toEqual({ total: 2, analysed: 2, healthy: 1, degraded: 1, down: 0, unknown: 0 });
    expect(summary.analyses).toEqual({ total: 5, succeeded: 3, failed: 1, cancelled: 1, successRate: 3 / 4 });
    const analyses = summary.jobs.find((row: { type: string }) => row.type === 'analyze_site');
    expect(analyses.meanSeconds).toBeCloseTo(analysisSeconds.reduce((a, b) => a + b) / 3, 6);
    expect(analyses.p95Seconds).toBeCloseTo(p95(analysisSeconds), 6);
    expect(summary.jobs.map((row: { type: string; total: number }) => [row.type, row.total])).toEqual([
      ['analyze_site', 5],
      ['check_site', 2],
      ['extract_batch', 1],
      ['fingerprint_site', 1],
    ]);
    expect(summary.jobs.find((row: { type: string }) => row.type === 'check_site')).toMatchObject({
      queued: 1,
      succeeded: 1,
      successRate: 1,
      meanSeconds: 2,
      p95Seconds: 2,
    });
    expect(summary.extraction).toEqual({ jobs: 1, pages: 3, pagesWithRecord: 2, pagesWithError: 1 });
    expect(summary.blueprintVersions).toEqual({ total: 4, analysis: 2, automaticRepairs: 1, manualEdits: 1 });
    // siteA's day-1 check repeats its earlier health; its day-2 check degrades; siteB's first check is a change from unknown.
    expect(summary.health).toEqual({ checks: 4, changes: 2, toHealthy: 1, toDegraded: 1, toDown: 0 });
    expect(summary.llm).toMatchObject({ requests: 3, promptTokens: 6000, completionTokens: 800 });
    expect(summary.llm.costUsd).toBeCloseTo(0.54, 6);
    expect(summary.llm.byModel.map((row: { model: string; requests: number }) => [row.model, row.requests])).toEqual([
      ['model-b', 1],
      ['model-a', 2],
    ]);
    expect(summary.llm.byStep.find((row: { step: string }) => row.step === 'generate_selectors')).toMatchObject({
      requests: 2,
      promptTokens: 5000,
      completionTokens: 600,
    });
  });

  it('keeps workspaces apart, and shows every workspace only to system administrators', async () => {
    const own = (await get(admin, '/api/v1/analytics/summary', period)).json();
    expect(own.analyses).toEqual({ total: 1, succeeded: 1, failed: 0, cancelled: 0, successRate: 1 });
    expect(own.llm.requests).toBe(0);

    const refused = await get(bob, '/api/v1/analytics/summary', { ...period, scope: 'all' });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);

    const all = (await get(admin, '/api/v1/analytics/summary', { ...period, scope: 'all' })).json();
    expect(all.scope).toBe('all');
    expect(all.analyses).toEqual({ total: 6, succeeded: 4, failed: 1, cancelled: 1, successRate: 4 / 5 });
    expect(all.sites.total).toBe(3);
  });

  it('gives every bucket of a series, filled with zeros, per status, per model, per site', async () => {
    const daily = (await get(bob, '/api/v1/analytics/timeseries', { ...period, metric: 'jobs', interval: 'day' })).json();
    expect(daily.keys).toEqual(['cancelled', 'failed', 'queued', 'succeeded']);
    expect(daily.points).toEqual([
      { at: `${day1}T00:00:00Z`, values: { cancelled: 1, failed: 0, queued: 0, succeeded: 2 } },
      { at: `${day2}T00:00:00Z`, values: { cancelled: 0, failed: 1, queued: 1, succeeded: 3 } },
    ]);

    const hourly = (await get(bob, '/api/v1/analytics/timeseries', { ...period, metric: 'jobs', interval: 'hour' })).json();
    expect(hourly.points).toHaveLength(48);
    expect(hourly.points[9]).toEqual({ at: `${day1}T09:00:00Z`, values: { cancelled: 0, failed: 0, queued: 0, succeeded: 1 } });
    expect(
      hourly.points.reduce(
        (total: number, point: { values: Record<string, number> }) => total + Object.values(point.values).reduce((a, b) => a + b),
        0,
      ),
    ).toBe(8);

    const durations = (await get(bob, '/api/v1/analytics/timeseries', { ...period, metric: 'job_duration' })).json();
    expect(durations.points[1].values.meanSeconds).toBeCloseTo((100 + 70 + 8) / 3, 6);

    const cost = (await get(bob, '/api/v1/analytics/timeseries', { ...period, metric: 'llm_cost' })).json();
    expect(cost.keys).toEqual(['model-a', 'model-b']);
    expect(cost.points[0].values['model-a']).toBeCloseTo(0.01, 6);
    expect(cost.points[0].values['model-b']).toBe(0);
    expect(cost.points[1].values['model-b']).toBeCloseTo(0.5, 6);

    const tokens = (await get(bob, '/api/v1/analytics/timeseries', { ...period, metric: 'llm_tokens' })).json();
    expect(tokens.points[1].values).toEqual({ completion: 600, prompt: 5000 });

    const versions = (await get(bob, '/api/v1/analytics/timeseries', { ...period, metric: 'blueprint_versions', siteId: siteB })).json();
    expect(versions.points.map((point: { values: Record<string, number> }) => point.values)).toEqual([{ analysis: 0 }, { analysis: 1 }]);

    const checks = (await get(bob, '/api/v1/analytics/timeseries', { ...period, metric: 'site_checks', siteId: siteA })).json();
    expect(checks.points.map((point: { values: Record<string, number> }) => point.values)).toEqual([
      { degraded: 0, healthy: 1 },
      { degraded: 2, healthy: 0 },
    ]);

    // Coverage is a mean per bucket; a bucket without a measured check has none (null, not 0).
    const coverage = (await get(bob, '/api/v1/analytics/timeseries', { ...period, metric: 'site_coverage', siteId: siteA })).json();
    expect(coverage.keys).toEqual(['baselineCoverage', 'coverage']);
    expect(coverage.points[0].values.coverage).toBeCloseTo(0.9, 6);
    expect(coverage.points[1].values.coverage).toBeCloseTo(0.6, 6);
    expect(coverage.points[1].values.baselineCoverage).toBeCloseTo(0.95, 6);
    const unmeasured = (await get(bob, '/api/v1/analytics/timeseries', { ...period, metric: 'site_coverage', siteId: siteB })).json();
    expect(unmeasured.points.map((point: { values: Record<string, number> }) => point.values)).toEqual([
      { baselineCoverage: null, coverage: null },
      { baselineCoverage: null, coverage: null },
    ]);

    const pages = (await get(bob, '/api/v1/analytics/timeseries', { ...period, metric: 'extraction_pages' })).json();
    expect(pages.points[1].values).toEqual({ errors: 1, records: 2 });

    // Another workspace's site reads as nothing, not as its figures.
    const foreign = (await get(admin, '/api/v1/analytics/timeseries', { ...period, metric: 'jobs', siteId: siteA })).json();
    expect(foreign.keys).toEqual([]);
  });

  it('refuses malformed questions with 400 problems', async () => {
    const malformed: Array<Record<string, string>> = [
      { metric: 'nonsense' },
      { metric: 'jobs', interval: 'week' },
      { metric: 'jobs', from: 'yesterday' },
      { metric: 'jobs', from: period.to, to: period.from },
      { metric: 'jobs', interval: 'hour', from: '2025-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
      { metric: 'api_requests', siteId: siteA },
      { metric: 'jobs', siteId: 'not-a-uuid' },
      { metric: 'jobs', extra: '1' },
    ];
    for (const query of malformed) {
      const response = await get(bob, '/api/v1/analytics/timeseries', query);
      expect(response.statusCode, JSON.stringify(query)).toBe(400);
      expect(response.json().errors?.length, JSON.stringify(query)).toBeGreaterThan(0);
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/analytics/summary' })).statusCode).toBe(401);
  });

  it('counts API requests per route, status class, user and API key, and keeps them across a restart', async () => {
    let carol = await signUp(app, 'carol@example.com');
    const key = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: carol.headers,
        payload: { name: 'reporting', scopes: ['sites:read', 'jobs:read'] },
      })
    ).json();
    const before = Date.now();
    for (let i = 0; i < 3; i++) expect((await get(carol, '/api/v1/sites')).statusCode).toBe(200);
    expect((await get(carol, '/api/v1/sites/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    for (let i = 0; i < 2; i++)
      expect((await app.inject({ method: 'GET', url: '/api/v1/sites', headers: { 'x-api-key': key.secret } })).statusCode).toBe(200);

    // Closing flushes the counts; a new process on the same database reads them.
    await app.close();
    ({ app } = await createTestStack({ database, env: { API_USAGE_FLUSH_MS: '600000' } }));
    await app.ready();
    // The new process signs with its own secret: sign in again.
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: carol.email, password: PASSWORD } });
    carol = { ...carol, headers: { authorization: `Bearer ${login.json().accessToken}` } };
    const window = { from: new Date(before - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    const api = (await get(carol, '/api/v1/analytics/summary', window)).json().api;
    const sitesRoute = api.byRoute.find((row: { route: string; method: string }) => row.route === '/api/v1/sites' && row.method === 'GET');
    expect(sitesRoute.requests).toBe(5);
    expect(api.byRoute.find((row: { route: string }) => row.route === '/api/v1/sites/:id').requests).toBe(1);
    expect(api.byStatusClass.find((row: { statusClass: string }) => row.statusClass === '4xx').requests).toBe(1);
    expect(api.byApiKey).toEqual([{ apiKeyId: key.id, requests: 2 }]);
    // Signing up read the workspace once and the key was created once: 2 more than the 6 above.
    expect(api.byUser).toEqual([{ userId: carol.id, requests: 8 }]);
    const [stored] = await database.query<{ requests: number }>(
      sql`select sum(requests)::int as requests from api_usage_minutes where workspace_id = ${carol.workspaceId} and route = '/api/v1/sites' and method = 'GET'`,
    );
    expect(stored!.requests).toBe(5);
    const series = (await get(carol, '/api/v1/analytics/timeseries', { ...window, metric: 'api_requests', interval: 'hour' })).json();
    const total = series.points.reduce((sum: number, point: { values: Record<string, number> }) => sum + (point.values['2xx'] ?? 0), 0);
    // The 2xx of this test: the workspace read at sign-up, the key's creation, then 3 + 2 lists.
    expect(total).toBe(7);
  });
});
