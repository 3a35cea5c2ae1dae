import { AsyncLocalStorage } from 'node:async_hooks';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app/platform.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { productTitleBlueprint } from '../support/blueprints.js';

interface GraphqlAnswer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field
  body: any;
}

/**
 * /api/v1/graphql over real HTTP: authentication, workspace isolation, permissions and API key
 * scopes as in REST, batched reads (the SQL a query costs does not grow with the sites it reads),
 * depth and cost limits, clear errors, cursors shared with REST, rate limits and usage counting.
 */
describe.each(databaseTargets())('GraphQL API on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  let platform: Platform;
  let base: string;
  let alice: TestUser;
  let bob: TestUser;
  /** SQL statements run while a request's handler ran, by the x-count-queries header it carried. */
  const counted = new AsyncLocalStorage<{ queries: number }>();
  const counts = new Map<string, { queries: number }>();

  // Outside transactions both drivers send every statement through PGlite's or the pool's query(),
  // which the database client wraps when it opens: count the calls made for a marked request.
  const drivers = [PGlite.prototype, pg.Pool.prototype] as unknown as Array<{ query: (...args: unknown[]) => unknown }>;
  const originals = drivers.map((driver) => driver.query);

  beforeAll(async () => {
    drivers.forEach((driver, index) => {
      const original = originals[index]!;
      driver.query = function (this: unknown, ...args: unknown[]) {
        const store = counted.getStore();
        if (store) store.queries++;
        return original.apply(this, args);
      };
    });
    database = await target.open();
    ({ app, platform } = await createTestStack({ database, env: { ALLOW_PRIVATE_NETWORK: 'true', API_USAGE_FLUSH_MS: '100' } }));
    app.addHook('preHandler', (request, _reply, done) => {
      const id = request.headers['x-count-queries'];
      if (typeof id !== 'string') return done();
      const store = { queries: 0 };
      counts.set(id, store);
      counted.run(store, done);
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    alice = await signUp(app, 'alice@example.com');
    bob = await signUp(app, 'bob@example.com');
  });

  afterAll(async () => {
    await app?.close();
    await database?.close();
    drivers.forEach((driver, index) => (driver.query = originals[index]!));
  });

  async function post(body: unknown, headers: Record<string, string> = {}): Promise<GraphqlAnswer> {
    const response = await fetch(`${base}/api/v1/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  }

  const gql = (user: { headers: Record<string, string> }, query: string, variables?: Record<string, unknown>, headers = {}) =>
    post({ query, variables }, { ...user.headers, ...headers });

  async function addSites(user: TestUser, count: number, from: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = from; i < from + count; i++) {
      const url = `https://shop-${i}.example`;
      const { site, analysis } = await platform.services.sites.create(user.workspaceId, {
        url,
        name: `Shop ${String(i).padStart(2, '0')}`,
      });
      for (const version of [1, 2]) {
        await platform.repositories.blueprints.saveAndActivate({
          siteId: site.id,
          workspaceId: user.workspaceId,
          blueprint: productTitleBlueprint(url, version),
          reason: 'analysis',
          jobId: analysis.id,
        });
      }
      await platform.repositories.sites.addCheck({ siteId: site.id, health: 'healthy', httpStatus: 200, coverage: 0.9 });
      ids.push(site.id);
    }
    return ids;
  }

  const NESTED = /* GraphQL */ `
    query Nested {
      sites(limit: 20, sort: NAME) {
        total
        items {
          name
          nextCheckAt
          fingerprint {
            name
          }
          lastCheck {
            health
            coverage
          }
          activeBlueprint {
            version
            active
            coverage
            pageTypes {
              name
              urlPattern
              fields {
                name
                scope
                coverage
              }
            }
          }
          blueprintVersions {
            version
            active
            createdByJob {
              type
              status
            }
          }
          latestJob {
            type
            status
            site {
              name
            }
            steps {
              type
            }
          }
        }
      }
    }
  `;

  it('refuses callers without valid credentials with the REST problems', async () => {
    const anonymous = await post({ query: '{ sites { total } }' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(anonymous.body.type).toBe('urn:siteprint:problem:unauthenticated');
    expect((await post({ query: '{ sites { total } }' }, { authorization: 'Bearer not-a-token' })).status).toBe(401);
    expect((await post({ query: '{ sites { total } }' }, { 'x-api-key': 'sp_not_a_key' })).status).toBe(401);
    // Another workspace named in X-Workspace-Id is as unknown as in REST.
    const foreign = await post({ query: '{ sites { total } }' }, { ...bob.headers, 'x-workspace-id': alice.workspaceId });
    expect(foreign.status).toBe(404);
  });

  it('reads nested sites, blueprints, versions and jobs with as many SQL statements for 12 sites as for 3', async () => {
    await addSites(alice, 3, 0);
    const few = await gql(alice, NESTED, undefined, { 'x-count-queries': 'few' });
    expect(few.status, JSON.stringify(few.body)).toBe(200);
    expect(few.body.errors).toBeUndefined();
    expect(few.body.data.sites.total).toBe(3);

    await addSites(alice, 9, 3);
    const many = await gql(alice, NESTED, undefined, { 'x-count-queries': 'many' });
    expect(many.body.errors).toBeUndefined();
    const sites = many.body.data.sites.items;
    expect(sites).toHaveLength(12);
    expect(sites[0]).toMatchObject({
      name: 'Shop 00',
      fingerprint: null,
      lastCheck: { health: 'healthy', coverage: 0.9 },
      activeBlueprint: {
        version: 2,
        active: true,
        coverage: 0.9,
        pageTypes: [{ name: 'product', urlPattern: '/p/:id', fields: [{ name: 'title', scope: 'page', coverage: 1 }] }],
      },
      blueprintVersions: [
        { version: 2, active: true, createdByJob: { type: 'analyze_site' } },
        { version: 1, active: false, createdByJob: { type: 'analyze_site' } },
      ],
      latestJob: { type: 'analyze_site', site: { name: 'Shop 00' } },
    });
    expect(sites[0].nextCheckAt === null || typeof sites[0].nextCheckAt === 'string').toBe(true);

    const queries = { few: counts.get('few')!.queries, many: counts.get('many')!.queries };
    // One statement per kind of record (sites page, records, checks, active versions, versions, jobs, steps…), whatever the number of sites.
    expect(queries.few).toBeGreaterThan(0);
    expect(queries.many).toBe(queries.few);
    expect(queries.many).toBeLessThanOrEqual(10);
  });

  it("never shows another workspace's sites or jobs", async () => {
    const [aliceSite] = (await gql(alice, '{ sites(limit: 1) { items { id latestJob { id } } } }')).body.data.sites.items;
    const seen = await gql(
      bob,
      `query($site: ID!, $job: ID!) { site(id: $site) { name } job(id: $job) { id } sites { total items { id } } jobs { total } }`,
      { site: aliceSite.id, job: aliceSite.latestJob.id },
    );
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual({ data: { site: null, job: null, sites: { total: 0, items: [] }, jobs: { total: 0 } } });
    // Alice herself sees both.
    const own = await gql(alice, `query($site: ID!) { site(id: $site) { id } }`, { site: aliceSite.id });
    expect(own.body.data.site.id).toBe(aliceSite.id);
  });

  it("applies an API key's scopes field by field, as REST applies them route by route", async () => {
    const created = await fetch(`${base}/api/v1/api-keys`, {
      method: 'POST',
      headers: { ...alice.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'sites only', scopes: ['sites:read'] }),
    });
    expect(created.status).toBe(201);
    const key = { headers: { 'x-api-key': ((await created.json()) as { secret: string }).secret } };

    const answer = await gql(key, '{ sites(limit: 2) { items { name activeBlueprint { version } latestJob { status } } } }');
    expect(answer.status).toBe(200);
    expect(answer.body.data.sites.items).toEqual([
      { name: 'Shop 11', activeBlueprint: null, latestJob: null },
      { name: 'Shop 10', activeBlueprint: null, latestJob: null },
    ]);
    const refusals = answer.body.errors as Array<{ message: string; path: string[]; extensions: { code: string } }>;
    expect(refusals).toHaveLength(4);
    expect(refusals[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(new Set(refusals.map((error) => error.message))).toEqual(
      new Set(['This requires the blueprints:read permission', 'This requires the jobs:read permission']),
    );
    expect(refusals.map((error) => error.path.join('.'))).toContain('sites.items.0.activeBlueprint');

    const jobs = await gql(key, '{ jobs { total } analytics { summary { sites { total } } } }');
    expect(jobs.body.data).toBeNull();
    expect(jobs.body.errors[0]).toMatchObject({ message: 'This requires the jobs:read permission', extensions: { code: 'FORBIDDEN' } });
    // The same key on REST: allowed and refused alike.
    expect((await fetch(`${base}/api/v1/sites`, { headers: key.headers })).status).toBe(200);
    expect((await fetch(`${base}/api/v1/jobs`, { headers: key.headers })).status).toBe(403);
  });

  it('answers queries that cannot run with 400 and a clear GraphQL error', async () => {
    const refused = async (query: string, code: string, message: RegExp, variables?: Record<string, unknown>) => {
      const answer = await gql(alice, query, variables);
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors[0].extensions.code).toBe(code);
      expect(answer.body.errors[0].message).toMatch(message);
    };
    await refused('{ sites { total ', 'GRAPHQL_PARSE_FAILED', /Syntax Error/);
    await refused('{ sites { secret } }', 'GRAPHQL_VALIDATION_FAILED', /Cannot query field "secret" on type "SitePage"/);
    await refused('mutation { deleteSite(id: "x") }', 'GRAPHQL_VALIDATION_FAILED', /read-only: mutations are not supported/);
    await refused('query($id: ID!) { site(id: $id) { name } }', 'BAD_USER_INPUT', /\$id/);
    await refused('query($n: Int) { sites(limit: $n) { total } }', 'BAD_USER_INPUT', /\$n/, { n: 'many' });
    const deep = '{ jobs { items { site { latestJob { site { latestJob { site { latestJob { site { latestJob { id } } } } } } } } } } }';
    await refused(deep, 'QUERY_TOO_DEEP', /exceeds the query depth limit of 10/);
    await refused(
      '{ sites(limit: 100) { items { blueprintVersions(limit: 100) { version } } } }',
      'QUERY_TOO_COMPLEX',
      /costs \d+, more than the limit of 5000/,
    );

    // Arguments REST would refuse are refused the same way, on the field.
    const tooMany = await gql(alice, '{ sites(limit: 1000) { total } }');
    expect(tooMany.status).toBe(200);
    expect(tooMany.body.errors[0]).toMatchObject({ path: ['sites'], extensions: { code: 'BAD_USER_INPUT' } });
    expect(tooMany.body.errors[0].message).toMatch(/limit/);
    const badCursor = await gql(alice, '{ sites(cursor: "garbage") { total } }');
    expect(badCursor.body.errors[0]).toMatchObject({
      message: 'The cursor is not one this API returned',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const badId = await gql(alice, '{ site(id: "not-a-uuid") { name } }');
    expect(badId.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');

    // A malformed HTTP request is a problem, as everywhere else.
    const malformed = await post('{"query":', { ...alice.headers });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(/problem\+json/);
    const empty = await post({ variables: {} }, { ...alice.headers });
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].path).toBe('/query');
  });

  it('pages with the cursors REST gives, in the same order', async () => {
    const rest = async (url: string) =>
      (await fetch(`${base}${url}`, { headers: alice.headers })).json() as Promise<{
        items: Array<{ id: string }>;
        nextCursor: string | null;
      }>;
    const page = async (cursor: string | null) =>
      (
        await gql(alice, 'query($cursor: String) { sites(limit: 5, sort: NAME, cursor: $cursor) { total nextCursor items { id } } }', {
          cursor,
        })
      ).body.data.sites;
    const first = await page(null);
    const restFirst = await rest('/api/v1/sites?limit=5&sort=name');
    expect(first.total).toBe(12);
    expect(first.items.map((site: { id: string }) => site.id)).toEqual(restFirst.items.map((site) => site.id));
    expect(first.nextCursor).toBe(restFirst.nextCursor);
    // A REST cursor continues a GraphQL list and the other way round.
    const second = await page(restFirst.nextCursor);
    const restSecond = await rest(`/api/v1/sites?limit=5&sort=name&cursor=${first.nextCursor}`);
    expect(second.items.map((site: { id: string }) => site.id)).toEqual(restSecond.items.map((site) => site.id));

    const jobs = (await gql(alice, '{ jobs(limit: 4, topLevel: true) { total nextCursor items { id } } }')).body.data.jobs;
    const restJobs = await rest('/api/v1/jobs?limit=4&topLevel=true');
    expect(jobs.items.map((job: { id: string }) => job.id)).toEqual(restJobs.items.map((job) => job.id));
    expect(jobs.nextCursor).toBe(restJobs.nextCursor);
  });

  it('is rate-limited and counted in API usage like any REST route', async () => {
    const dave = await signUp(app, 'dave@example.com');
    const set = await fetch(`${base}/api/v1/admin/workspaces/${dave.workspaceId}/quota`, {
      method: 'PUT',
      headers: { ...alice.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ overrides: { apiRequestsPerMinutePerCaller: 2 } }),
    });
    expect(set.status).toBe(200);
    const first = await gql(dave, '{ sites { total } }');
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect((await gql(dave, '{ sites { total } }')).headers.get('ratelimit-remaining')).toBe('0');
    const refused = await gql(dave, '{ sites { total } }');
    expect(refused.status).toBe(429);
    expect(refused.body.type).toBe('urn:siteprint:problem:rate-limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // The usage counter flushes every 100 ms here; GraphQL requests are counted under their route.
    await expect
      .poll(
        async () => {
          const summary = await gql(alice, '{ analytics { summary { api { byRoute { method route requests } } } } }');
          return summary.body.data.analytics.summary.api.byRoute.find((row: { route: string }) => row.route === '/api/v1/graphql');
        },
        { timeout: 5_000 },
      )
      .toMatchObject({ method: 'POST', requests: expect.any(Number) });
  });

  it('serves analytics through the analytics service, with its rules', async () => {
    const answer = await gql(
      alice,
      '{ analytics { summary { scope sites { total } analyses { total } } timeseries(metric: jobs, interval: day) { keys points { at values { key value } } } } }',
    );
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.analytics.summary).toMatchObject({ scope: 'workspace', sites: { total: 12 }, analyses: { total: 12 } });
    expect(answer.body.data.analytics.timeseries.points.length).toBeGreaterThan(0);
    // Only system administrators see every workspace (bob is not one), and a period must end after it starts.
    const all = await gql(bob, '{ analytics { summary(scope: all) { scope } } }');
    expect(all.body.errors[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    const backwards = await gql(alice, '{ analytics { summary(from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z") { scope } } }');
    expect(backwards.body.errors[0]).toMatchObject({ message: 'from must be before to', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('serves GraphiQL outside production', async () => {
    const page = await fetch(`${base}/graphiql`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self' https://unpkg.com");
    expect(await page.text()).toContain('graphiql/main.js');
    const config = await (await fetch(`${base}/graphiql/config.js`)).text();
    expect(config).toContain("window.GRAPHQL_ENDPOINT = '/api/v1/graphql'");
  });
});

describe('GraphiQL in production', () => {
  it('is not served when NODE_ENV=production', async () => {
    const [pglite] = databaseTargets();
    const database = await pglite!.open();
    const { app } = await createTestStack({ database, env: { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) } });
    try {
      expect((await app.inject({ method: 'GET', url: '/graphiql', headers: { accept: 'text/html' } })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/graphiql/main.js' })).statusCode).toBe(404);
      // The endpoint itself is there.
      expect((await app.inject({ method: 'POST', url: '/api/v1/graphql', payload: { query: '{ sites { total } }' } })).statusCode).toBe(
        401,
      );
    } finally {
      await app.close();
      await database.close();
    }
  });
});
