import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app/platform.js';
import { usageRecords } from '../../src/db/schema/index.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { finishedJob } from '../support/jobs.js';
import { productTitleBlueprint } from '../support/blueprints.js';

/**
 * An extraction batch reserves its pages against the monthly quota when it is accepted, so
 * concurrent batches cannot together pass it; the job's final state settles the reservation
 * (counted when it succeeds, given back when it is cancelled or fails).
 */
describe.each(databaseTargets())('extraction batch quota reservations on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  let platform: Platform;
  let admin: TestUser;
  let user: TestUser;
  let other: TestUser;
  let shop: Server;
  let base: string;
  let siteId: string;

  beforeAll(async () => {
    shop = createServer((request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end(`<html><body><h1>Product ${request.url}</h1></body></html>`);
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
    database = await target.open();
    ({ app, platform } = await createTestStack({ database, env: { ALLOW_PRIVATE_NETWORK: 'true', WORKER_CONCURRENCY: '2' } }));
    await app.ready();
    admin = await signUp(app, 'admin@example.com');
    user = await signUp(app, 'batches@example.com');
    other = await signUp(app, 'other@example.com');
    const { site, analysis } = await platform.services.sites.create(user.workspaceId, { url: base, name: 'Shop' });
    // Only the batches should run once workers start.
    expect((await as(user, 'POST', `/api/v1/jobs/${analysis.id}/cancel`)).statusCode).toBe(200);
    await platform.repositories.blueprints.saveAndActivate({
      siteId: site.id,
      workspaceId: user.workspaceId,
      blueprint: productTitleBlueprint(base),
      reason: 'analysis',
      jobId: analysis.id,
    });
    siteId = site.id;
  });

  afterAll(async () => {
    await app?.close();
    await database?.close();
    await new Promise((resolve) => shop?.close(resolve));
  });

  const as = (who: TestUser, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: who.headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  const batch = (pages: number, from = 0) =>
    as(user, 'POST', `/api/v1/sites/${siteId}/extract/jobs`, {
      urls: Array.from({ length: pages }, (_, i) => `${base}/p/${from + i}`),
    });
  const used = async (who: TestUser) => (await as(who, 'GET', '/api/v1/usage')).json().used.extractionPages as number;
  const ledger = async (jobId: string) =>
    (
      await database.db
        .select({ quantity: usageRecords.quantity })
        .from(usageRecords)
        .where(and(eq(usageRecords.workspaceId, user.workspaceId), eq(usageRecords.sourceKey, `job:${jobId}`)))
    ).map((row) => row.quantity);

  it('reserves pages at acceptance: of two concurrent batches over the quota exactly one is refused; the boundary holds', async () => {
    const quota = await as(admin, 'PUT', `/api/v1/admin/workspaces/${user.workspaceId}/quota`, {
      overrides: { extractionPagesPerMonth: 10 },
    });
    expect(quota.statusCode, quota.body).toBe(200);

    const both = await Promise.all([batch(6), batch(6, 100)]);
    expect(both.map((response) => response.statusCode).sort()).toEqual([202, 403]);
    const refused = both.find((response) => response.statusCode === 403)!;
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({
      type: 'urn:siteprint:problem:quota-exceeded',
      quota: { name: 'extractionPagesPerMonth', limit: 10, used: 6 },
    });
    const first = both.find((response) => response.statusCode === 202)!.json().job.id as string;
    // Reserved pages count as used before the batch runs; another tenant's usage is untouched.
    expect(await used(user)).toBe(6);
    expect(await used(other)).toBe(0);

    // At the boundary: 6 + 5 is over ten, 6 + 4 is exactly ten, and then not one page more.
    expect((await batch(5)).statusCode).toBe(403);
    const fits = await batch(4, 200);
    expect(fits.statusCode, fits.body).toBe(202);
    const second = fits.json().job.id as string;
    expect(await used(user)).toBe(10);
    expect((await batch(1)).json()).toMatchObject({ quota: { limit: 10, used: 10 } });

    // A cancelled batch gives its pages back; retrying it reserves them again (and is refused when they no longer fit).
    expect((await as(user, 'POST', `/api/v1/jobs/${second}/cancel`)).statusCode).toBe(200);
    expect(await used(user)).toBe(6);
    expect(await ledger(second)).toEqual([]);
    const third = await batch(3, 300);
    expect(third.statusCode).toBe(202);
    expect((await as(user, 'POST', `/api/v1/jobs/${second}/retry`)).json()).toMatchObject({
      type: 'urn:siteprint:problem:quota-exceeded',
      quota: { used: 9, limit: 10 },
    });
    expect((await as(user, 'POST', `/api/v1/jobs/${third.json().job.id}/cancel`)).statusCode).toBe(200);
    const retried = await as(user, 'POST', `/api/v1/jobs/${second}/retry`);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(await used(user)).toBe(10);

    // Running, each batch settles its reservation to the pages it extracted.
    await platform.runJobs('server');
    for (const [id, pages] of [
      [first, 6],
      [second, 4],
    ] as const) {
      expect(await finishedJob(app, user.headers, id)).toMatchObject({ status: 'succeeded', result: { pages, failed: 0 } });
      expect(await ledger(id)).toEqual([pages]);
    }
    expect(await used(user)).toBe(10);
    expect((await batch(1)).statusCode).toBe(403);
  });
});
