import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInstance } from '../../src/http/app-instance.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { FixtureShop } from '../support/fixture-shop.js';

const JWT_SECRET = 'address-policy-secret-0123456789abcdef';

/**
 * Sites that analysis could never fetch are refused when added, not after a job has failed three
 * times; and a fetch that policy refuses later (the policy or DNS changed) fails its job at once.
 */
describe('non-public site addresses', () => {
  let database: TestDatabase;
  let app: AppInstance;
  let user: TestUser;

  beforeAll(async () => {
    database = await databaseTargets()[0]!.open();
    ({ app } = await createTestStack({ database, env: { JWT_SECRET } }));
    await app.ready();
    user = await signUp(app, 'policy@example.com');
  });

  afterAll(async () => {
    await app.close();
    await database.close();
  });

  const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, headers: user.headers, payload: payload as object });

  it('refuses them with 422 saying why and naming ALLOW_PRIVATE_NETWORK, and stores nothing', async () => {
    for (const [url, kind] of [
      ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
      ['http://127.0.0.1:5432', /127\.0\.0\.1 is a loopback address/],
      ['http://10.0.0.1/', /10\.0\.0\.1 is a private-network address/],
      ['http://[::1]:8080/', /\[::1\] is a loopback address/],
      ['http://[::ffff:192.168.1.1]/', /is a private-network address/],
      ['http://localhost:8080/', /localhost resolves to (127\.0\.0\.1|::1), a loopback address/],
    ] as const) {
      const response = await post('/api/v1/sites', { url });
      expect(response.statusCode, url).toBe(422);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      const problem = response.json();
      expect(problem).toMatchObject({ status: 422, type: 'urn:siteprint:problem:blocked-address' });
      expect(problem.detail).toMatch(kind);
      expect(problem.detail).toContain('ALLOW_PRIVATE_NETWORK=true');
      expect(problem.errors).toEqual([{ in: 'body', path: '/url', message: expect.stringContaining('ALLOW_PRIVATE_NETWORK') }]);
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/sites', headers: user.headers })).json().total).toBe(0);
    expect((await app.inject({ method: 'GET', url: '/api/v1/jobs', headers: user.headers })).json().total).toBe(0);
  });

  it('marks them invalid in a batch while adding the rest', async () => {
    const response = await post('/api/v1/sites/batch', {
      sites: [{ url: 'http://192.168.0.10/' }, { url: 'https://public-shop.example/' }],
    });
    expect(response.statusCode).toBe(200);
    const [refused, added] = response.json().results;
    expect(refused).toMatchObject({
      status: 'invalid',
      error: expect.stringMatching(/192\.168\.0\.10 is a private-network address.*ALLOW_PRIVATE_NETWORK/),
    });
    expect(added).toMatchObject({ status: 'created' });
  });

  it('documents the 422 on POST /api/v1/sites', async () => {
    const document = (await app.inject('/api/v1/openapi.json')).json();
    const operation = document.paths['/api/v1/sites'].post;
    expect(Object.keys(operation.responses)).toContain('422');
    expect(operation.description).toContain('ALLOW_PRIVATE_NETWORK');
  });
});

describe('a site whose address policy refuses it at fetch time', () => {
  let database: TestDatabase;
  let shop: FixtureShop;

  beforeAll(async () => {
    shop = await new FixtureShop().start();
    database = await databaseTargets()[0]!.open();
  });

  afterAll(async () => {
    await database.close();
    await shop.stop();
  });

  it('fails its analysis at the first attempt, saying why', async () => {
    // Added while the instance allowed private networks; the operator has since turned that off.
    const before = await createTestStack({ database, env: { JWT_SECRET, ALLOW_PRIVATE_NETWORK: 'true' } });
    const user = await signUp(before.app, 'operator@example.com');
    const created = await before.app.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: user.headers,
      payload: { url: `${shop.url}/` },
    });
    expect(created.statusCode, created.body).toBe(201);
    const analysisId = created.json().job.id;
    await before.app.close();

    const { app, platform } = await createTestStack({ database, env: { JWT_SECRET } });
    try {
      await platform.queue.work(platform.handlers, { concurrency: 1 });
      let analysis: {
        status: string;
        error: string | null;
        steps: Array<{ type: string; status: string; attempts: number; error: string | null }>;
      };
      for (let waited = 0; ; waited += 100) {
        analysis = (await app.inject({ method: 'GET', url: `/api/v1/jobs/${analysisId}`, headers: user.headers })).json();
        if (['succeeded', 'failed', 'cancelled'].includes(analysis.status)) break;
        if (waited > 30_000) throw new Error(`analysis did not finish: ${JSON.stringify(analysis)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(analysis.status).toBe('failed');
      expect(analysis.steps[0]).toMatchObject({ type: 'fingerprint_site', status: 'failed', attempts: 1 });
      expect(analysis.steps[0]!.error).toMatch(/127\.0\.0\.1 .*ALLOW_PRIVATE_NETWORK=true/);
      // The guard refused before connecting: the shop never saw a request.
      expect(shop.requests).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
