import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrations.js';
import { signUp } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { startCli, type RunningCli } from '../support/cli.js';
import { createPostgresDatabase } from '../support/databases.js';
import { FixtureShop } from '../support/fixture-shop.js';
import { serviceUrl } from '../support/services.js';
import { callJson } from '../support/network.js';

const PASSWORD = 'correct horse battery';
const fields = ['title', 'author', 'isbn_13', 'publisher'].map((name) => ({ name }));
const running: RunningCli[] = [];

afterAll(() => {
  for (const cli of running) cli.child.kill('SIGKILL');
});

function start(args: string[], env: Record<string, string>): RunningCli {
  const cli = startCli(args, { LOG_LEVEL: 'info', ALLOW_PRIVATE_NETWORK: 'true', ...env });
  running.push(cli);
  return cli;
}

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('crash recovery', () => {
  let shop: FixtureShop;
  beforeAll(async () => {
    shop = await new FixtureShop().start();
    // Slow pages keep the first step busy long enough to crash in the middle of it.
    shop.delayMs = 400;
  });
  afterAll(() => shop.stop());

  it('embedded: a server killed mid-pipeline finishes the pipeline after it starts again', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'siteprint-restart-'));
    const env = { DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0' };
    const first = start(['serve'], env);
    const [, url] = await first.waitFor(/Siteprint is running at (http:\/\/[^"\s]+)/);
    // The first account claims the instance with the setup token the server printed, as its operator would.
    const [, setupToken] = await first.waitFor(/give setup token (\S+) when registering/);
    await callJson(url!, 'POST', '/api/v1/auth/register', undefined, {
      email: 'ops@example.com',
      name: 'Ops',
      password: PASSWORD,
      setupToken,
    });
    const login = async (base: string) =>
      (await callJson(base, 'POST', '/api/v1/auth/login', undefined, { email: 'ops@example.com', password: PASSWORD })).body
        .accessToken as string;
    let token = await login(url!);
    const created = await callJson(url!, 'POST', '/api/v1/sites', token, { url: `${shop.url}/`, fields, maxPages: 8 });
    expect(created.status).toBe(201);
    const jobId = (created.body.job as { id: string }).id;
    await poll(
      () => callJson(url!, 'GET', `/api/v1/jobs/${jobId}`, token),
      (job) => (job.body.steps as Array<{ status: string }>)?.[0]?.status === 'running',
      'the first step to run',
    );

    first.child.kill('SIGKILL');
    await first.exited;

    const second = start(['serve'], env);
    const [, url2] = await second.waitFor(/Siteprint is running at (http:\/\/[^"\s]+)/);
    token = await login(url2!);
    const job = await poll(
      () => callJson(url2!, 'GET', `/api/v1/jobs/${jobId}`, token),
      (found) => ['succeeded', 'failed'].includes(found.body.status as string),
      'the pipeline to finish',
    );
    expect(job.body.status, String(job.body.error)).toBe('succeeded');
    const steps = job.body.steps as Array<{ type: string; attempts: number }>;
    expect(steps[0]!.attempts).toBeGreaterThanOrEqual(2);
    const versions = await callJson(url2!, 'GET', `/api/v1/sites/${job.body.siteId}/blueprints`, token);
    expect((versions.body.items as unknown[]).length).toBe(1);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 150_000);

  const postgres = serviceUrl('TEST_DATABASE_URL');
  const redis = serviceUrl('TEST_REDIS_URL');
  it.runIf(postgres && redis)(
    'BullMQ: a worker killed mid-job leaves it to another worker; nothing is lost or written twice',
    async () => {
      const created = await createPostgresDatabase(postgres!);
      const env = {
        DATABASE_URL: created.url,
        REDIS_URL: redis!,
        QUEUE_PREFIX: `crash-${randomUUID()}`,
        JOB_LEASE_MS: '3000',
        ALLOW_PRIVATE_NETWORK: 'true',
      };
      const database = await openDatabase({ url: created.url });
      await runMigrations(database);
      const { app } = await createTestStack({ database, env });
      try {
        await app.ready();
        const user = await signUp(app, 'scale@example.com');
        const workerA = start(['worker'], env);
        await workerA.waitFor(/worker started/);
        const response = await app.inject({
          method: 'POST',
          url: '/api/v1/sites',
          headers: user.headers,
          payload: { url: `${shop.url}/`, fields, maxPages: 8 },
        });
        expect(response.statusCode, response.body).toBe(201);
        const jobId = response.json().job.id as string;
        const read = async () => (await app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}`, headers: user.headers })).json();
        await poll(read, (job) => job.steps?.[0]?.status === 'running', 'worker A to start the first step');

        workerA.child.kill('SIGKILL');
        await workerA.exited;
        const workerB = start(['worker'], env);
        await workerB.waitFor(/worker started/);

        const job = await poll(read, (found) => ['succeeded', 'failed'].includes(found.status), 'worker B to finish the pipeline');
        expect(job.status, job.error).toBe('succeeded');
        expect(job.steps[0].attempts).toBeGreaterThanOrEqual(2);
        const versions = await app.inject({ method: 'GET', url: `/api/v1/sites/${job.siteId}/blueprints`, headers: user.headers });
        expect(versions.json().items).toHaveLength(1);
        // The blueprint the workers made extracts a page the analysis did not sample.
        const sampled = new Set(
          (await app.inject({ method: 'GET', url: `/api/v1/sites/${job.siteId}/blueprint`, headers: user.headers })).json().content
            .pageTypes[0].match.examples,
        );
        const unseen = shop.books
          .slice()
          .reverse()
          .find((book) => !sampled.has(shop.productUrl(book)))!;
        const extracted = await app.inject({
          method: 'POST',
          url: `/api/v1/sites/${job.siteId}/extract`,
          headers: user.headers,
          payload: { urls: [shop.productUrl(unseen)] },
        });
        expect(extracted.json().results[0].data).toMatchObject({ title: unseen.title, isbn_13: unseen.isbn, publisher: unseen.publisher });
        workerB.child.kill('SIGTERM');
        expect(await workerB.exited).toBe(0);
      } finally {
        await app.close();
        await database.close();
        await created.drop();
      }
    },
    150_000,
  );
});
