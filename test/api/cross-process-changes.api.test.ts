import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInstance } from '../../src/http/app-instance.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestApp } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';

// Two API processes on one PostgreSQL database (two applications, each with its own platform and
// caches). What one process changes must show in the other's answers, although each remembers
// session lookups and sites lists: the database announces every commit to every process.
const postgres = databaseTargets().filter((target) => target.name === 'postgres');

describe.skipIf(postgres.length === 0)('changes made through another API process', () => {
  let database: TestDatabase;
  let first: AppInstance;
  let second: AppInstance;
  let user: TestUser;

  beforeAll(async () => {
    database = await postgres[0]!.open();
    // Processes of one deployment share the signing key.
    const env = { ALLOW_PRIVATE_NETWORK: 'true', JWT_SECRET: 'a shared signing key of the deployment, 32+ chars' };
    first = await createTestApp({ database, env });
    second = await createTestApp({ database, env });
    user = await signUp(first, 'owner@example.com');
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
    await database?.close();
  });

  const listedUrls = async (app: AppInstance, headers = user.headers) => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/sites?limit=50', headers });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ items: Array<{ url: string; name: string }> }>().items.map((site) => site.url);
  };
  const addSite = async (app: AppInstance, url: string) => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/sites', headers: user.headers, payload: { url } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ site: { id: string } }>().site.id;
  };

  it("a site added, renamed or deleted through one process shows in the other's list", async () => {
    expect(await listedUrls(first)).toEqual([]);
    expect(await listedUrls(second)).toEqual([]);

    const id = await addSite(second, 'http://127.0.0.1:9/shop');
    // The writer's own next answer has it at once; the other process as soon as the commit is announced.
    expect(await listedUrls(second)).toEqual(['http://127.0.0.1:9/shop']);
    await expect.poll(() => listedUrls(first), { timeout: 5_000, interval: 20 }).toEqual(['http://127.0.0.1:9/shop']);

    const renamed = await second.inject({
      method: 'PATCH',
      url: `/api/v1/sites/${id}`,
      headers: user.headers,
      payload: { name: 'Renamed' },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const names = async () =>
      (await first.inject({ method: 'GET', url: '/api/v1/sites', headers: user.headers })).json<{ items: Array<{ name: string }> }>()
        .items[0]?.name;
    await expect.poll(names, { timeout: 5_000, interval: 20 }).toBe('Renamed');

    const deleted = await second.inject({ method: 'DELETE', url: `/api/v1/sites/${id}`, headers: user.headers });
    expect(deleted.statusCode, deleted.body).toBe(204);
    await expect.poll(() => listedUrls(first), { timeout: 5_000, interval: 20 }).toEqual([]);
  });

  it('a session logged out through one process stops working in the other', async () => {
    const leaving = await signUp(first, 'leaving@example.com');
    expect((await first.inject({ method: 'GET', url: '/api/v1/sites', headers: leaving.headers })).statusCode).toBe(200);
    const logout = await second.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: leaving.headers,
      payload: { refreshToken: leaving.refreshToken },
    });
    expect(logout.statusCode).toBe(204);
    const status = async () => (await first.inject({ method: 'GET', url: '/api/v1/sites', headers: leaving.headers })).statusCode;
    // Well within the 5 s a remembered session lookup could otherwise last.
    await expect.poll(status, { timeout: 1_000, interval: 20 }).toBe(401);
  });

  it('keeps lists true when the database drops the connection that listens for changes', async () => {
    expect(await listedUrls(first)).toEqual([]);
    // What PostgreSQL does to every session on a restart or an administrator's kill.
    const killed = await database.query<{ pid: number }>(
      sql`select pg_terminate_backend(pid) as pid from pg_stat_activity where datname = current_database() and query ilike 'LISTEN%'`,
    );
    expect(killed).toHaveLength(2);
    await addSite(second, 'http://127.0.0.1:9/after-loss');
    await expect.poll(() => listedUrls(first), { timeout: 5_000, interval: 20 }).toEqual(['http://127.0.0.1:9/after-loss']);
    // Once listening again, later changes of the other process still arrive.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await addSite(second, 'http://127.0.0.1:9/later');
    await expect.poll(async () => (await listedUrls(first)).length, { timeout: 5_000, interval: 20 }).toBe(2);
  });
});
