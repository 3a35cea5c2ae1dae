import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app/platform.js';
import { notificationEvents, usageRecords } from '../../src/db/schema/index.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';

/**
 * Quotas hold under concurrent requests (the check and the consuming write share one
 * transaction under a per-(workspace, meter) lock), and reaching 80 % and 100 % of a quota
 * writes one `quota.threshold` event each into the notification outbox.
 */
describe.each(databaseTargets())('atomic quotas and threshold events on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  let platform: Platform;
  let admin: TestUser;

  beforeAll(async () => {
    database = await target.open();
    ({ app, platform } = await createTestStack({ database, env: { ALLOW_PRIVATE_NETWORK: 'true' } }));
    await app.ready();
    admin = await signUp(app, 'admin@example.com');
  });

  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  const setQuota = async (workspaceId: string, overrides: Record<string, number | null>) => {
    const response = await app.inject({
      method: 'PUT',
      url: `/api/v1/admin/workspaces/${workspaceId}/quota`,
      headers: admin.headers,
      payload: { overrides },
    });
    expect(response.statusCode, response.body).toBe(200);
  };

  const addSite = (user: TestUser, url: string) =>
    app.inject({ method: 'POST', url: '/api/v1/sites', headers: user.headers, payload: { url } });

  const thresholdEvents = async (workspaceId: string) =>
    (
      await database.db
        .select()
        .from(notificationEvents)
        .where(and(eq(notificationEvents.workspaceId, workspaceId), eq(notificationEvents.type, 'quota.threshold')))
    )
      .map((event) => ({ ...(event.data as { quota: string; threshold: number }), dedupeKey: event.dedupeKey }))
      .sort((a, b) => `${a.quota}${a.threshold}`.localeCompare(`${b.quota}${b.threshold}`));

  const analysesCounted = async (workspaceId: string) =>
    (
      await database.db
        .select()
        .from(usageRecords)
        .where(and(eq(usageRecords.workspaceId, workspaceId), eq(usageRecords.meter, 'analyses')))
    ).length;

  it('lets exactly N of many concurrent site creations pass a sites quota of N', async () => {
    const user = await signUp(app, 'sites@example.com');
    await setQuota(user.workspaceId, { sites: 3 });
    const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => addSite(user, `https://s${i}.example`)));
    const codes = responses.map((response) => response.statusCode).sort();
    expect(codes).toEqual([201, 201, 201, 403, 403, 403, 403, 403]);
    for (const refused of responses.filter((response) => response.statusCode === 403)) {
      expect(refused.json()).toMatchObject({ type: 'urn:siteprint:problem:quota-exceeded', quota: { name: 'sites', limit: 3, used: 3 } });
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/sites', headers: user.headers })).json().total).toBe(3);
    // Each admitted site's analysis is in the ledger once, under its job's id; the refused ones left nothing.
    const jobs = (await app.inject({ method: 'GET', url: '/api/v1/jobs?type=analyze_site', headers: user.headers })).json().items as Array<{
      id: string;
    }>;
    expect(jobs).toHaveLength(3);
    const keys = (
      await database.db.select({ key: usageRecords.sourceKey }).from(usageRecords).where(eq(usageRecords.workspaceId, user.workspaceId))
    ).map((row) => row.key);
    expect(keys.sort()).toEqual(jobs.map((job) => `job:${job.id}`).sort());
  });

  it('lets exactly N of many concurrent analyses pass an analyses-per-month quota of N', async () => {
    const user = await signUp(app, 'analyses@example.com');
    await setQuota(user.workspaceId, { analysesPerMonth: 4 });
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => addSite(user, `https://a${i}.example`)));
    expect(responses.filter((response) => response.statusCode === 201)).toHaveLength(4);
    const refused = responses.filter((response) => response.statusCode === 403);
    expect(refused).toHaveLength(6);
    expect(refused[0]!.json().quota).toMatchObject({ name: 'analysesPerMonth', limit: 4, used: 4 });
    expect(await analysesCounted(user.workspaceId)).toBe(4);
    const usage = (await app.inject({ method: 'GET', url: '/api/v1/usage', headers: user.headers })).json();
    expect(usage.used).toMatchObject({ sites: 4, analyses: 4 });

    // Re-analysing is admitted the same way: with one analysis left, one of several concurrent re-analyses of different sites passes.
    await setQuota(user.workspaceId, { analysesPerMonth: 5 });
    const sites = (await app.inject({ method: 'GET', url: '/api/v1/sites', headers: user.headers })).json().items as Array<{ id: string }>;
    // An analysis still running refuses a re-analysis; end them so only the quota decides.
    const running = (await app.inject({ method: 'GET', url: '/api/v1/jobs?type=analyze_site', headers: user.headers })).json()
      .items as Array<{
      id: string;
    }>;
    for (const job of running) {
      const cancelled = await app.inject({ method: 'POST', url: `/api/v1/jobs/${job.id}/cancel`, headers: user.headers });
      expect(cancelled.statusCode, cancelled.body).toBeLessThan(300);
    }
    const again = await Promise.all(
      sites.map((site) => app.inject({ method: 'POST', url: `/api/v1/sites/${site.id}/analyze`, headers: user.headers })),
    );
    expect(again.map((response) => response.statusCode).sort()).toEqual([202, 403, 403, 403]);
    expect(await analysesCounted(user.workspaceId)).toBe(5);
  });

  it('writes one quota.threshold event at 80 % and one at 100 % of a quota per month', async () => {
    const user = await signUp(app, 'thresholds@example.com');
    await setQuota(user.workspaceId, { sites: 5, analysesPerMonth: 10 });
    for (let i = 0; i < 3; i++) expect((await addSite(user, `https://t${i}.example`)).statusCode).toBe(201);
    expect(await thresholdEvents(user.workspaceId)).toEqual([]);

    // The fourth site is 80 % of five; the fifth is 100 %. Concurrent requests still write each once.
    const burst = await Promise.all([
      addSite(user, 'https://t3.example'),
      addSite(user, 'https://t4.example'),
      addSite(user, 'https://t5.example'),
    ]);
    expect(burst.map((response) => response.statusCode).sort()).toEqual([201, 201, 403]);
    const month = new Date().toISOString().slice(0, 7);
    const events = await thresholdEvents(user.workspaceId);
    expect(events).toEqual([
      {
        quota: 'sites',
        threshold: 100,
        used: 5,
        limit: 5,
        month,
        resetAt: null,
        dedupeKey: `quota.threshold:${user.workspaceId}:${month}:sites:100`,
      },
      {
        quota: 'sites',
        threshold: 80,
        used: 4,
        limit: 5,
        month,
        resetAt: null,
        dedupeKey: `quota.threshold:${user.workspaceId}:${month}:sites:80`,
      },
    ]);

    // Freeing a site and taking it again does not announce the same threshold twice in a month.
    const sites = (await app.inject({ method: 'GET', url: '/api/v1/sites', headers: user.headers })).json().items as Array<{ id: string }>;
    const removed = await app.inject({ method: 'DELETE', url: `/api/v1/sites/${sites[0]!.id}`, headers: user.headers });
    expect(removed.statusCode, removed.body).toBe(204);
    expect((await addSite(user, 'https://t6.example')).statusCode).toBe(201);
    expect(await thresholdEvents(user.workspaceId)).toHaveLength(2);

    // The analyses quota (6 of 10 used) reaches 80 % with the eighth analysis, in the transaction that counts it.
    await setQuota(user.workspaceId, { sites: null, analysesPerMonth: 10 });
    expect((await addSite(user, 'https://t7.example')).statusCode).toBe(201);
    expect((await thresholdEvents(user.workspaceId)).filter((event) => event.quota === 'analysesPerMonth')).toEqual([]);
    expect((await addSite(user, 'https://t8.example')).statusCode).toBe(201);
    const nextMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1)).toISOString();
    expect((await thresholdEvents(user.workspaceId)).filter((event) => event.quota === 'analysesPerMonth')).toEqual([
      expect.objectContaining({ threshold: 80, used: 8, limit: 10, month, resetAt: nextMonth }),
    ]);

    // Extraction pages reach their thresholds when a batch's pages are reserved; settling them writes nothing more.
    await setQuota(user.workspaceId, { extractionPagesPerMonth: 100 });
    const jobId = randomUUID();
    await platform.services.quotas.reserveExtraction(user.workspaceId, jobId, 100);
    await platform.services.quotas.settleExtraction(database.db, user.workspaceId, jobId, 100, new Date());
    expect((await thresholdEvents(user.workspaceId)).filter((event) => event.quota === 'extractionPagesPerMonth')).toEqual([
      expect.objectContaining({ threshold: 100, used: 100, limit: 100 }),
      expect.objectContaining({ threshold: 80, used: 100, limit: 100 }),
    ]);

    // No limit, no events: another workspace consuming without quotas writes none.
    const free = await signUp(app, 'free@example.com');
    expect((await addSite(free, 'https://f.example')).statusCode).toBe(201);
    expect(await thresholdEvents(free.workspaceId)).toEqual([]);
  });

  it('delivers quota.threshold to the workspace owner in the app', async () => {
    const user = await signUp(app, 'inapp@example.com');
    await setQuota(user.workspaceId, { sites: 1 });
    expect((await addSite(user, 'https://only.example')).statusCode).toBe(201);
    await platform.notifications.relay.tick();
    const inbox = await app.inject({ method: 'GET', url: '/api/v1/notifications', headers: user.headers });
    expect(inbox.statusCode, inbox.body).toBe(200);
    expect(inbox.json().items).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'quota.threshold', title: 'Quota 100 % reached: sites' })]),
    );
  });
});
