import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app/platform.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import { finishedJob } from '../support/jobs.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { FixtureShop } from '../support/fixture-shop.js';

interface PageTypeJson {
  name: string;
  kind: string;
  match: { urlPattern: string };
  fields: Array<{ name: string; type: string; sources: unknown[] }>;
  list: { item: string; fields: Array<{ name: string; type: string; sources: unknown[] }> } | null;
}

/** What makes two blueprints read a site the same way: page types, their fields, types and selectors. */
const reading = (pageTypes: PageTypeJson[]) =>
  pageTypes.map((type) => ({
    name: type.name,
    kind: type.kind,
    urlPattern: type.match.urlPattern,
    item: type.list?.item ?? null,
    fields: (type.list?.fields ?? type.fields).map((field) => ({ name: field.name, type: field.type, sources: field.sources })),
  }));

/**
 * The analysis use-case is one: the platform (API, worker, pipeline) analysing a fixture site on
 * loopback and `siteprint blueprint` given the same pages build the same blueprint. The analysed
 * site then extracts a batch whose stored records carry typed values, as single-page extraction does.
 */
describe('one analysis for the CLI and the platform', () => {
  let database: TestDatabase;
  let app: AppInstance;
  let platform: Platform;
  let shop: FixtureShop;
  let user: TestUser;
  let siteId: string;

  beforeAll(async () => {
    shop = await new FixtureShop().start();
    // PostgreSQL when the run has it (the last target), else PGlite.
    database = await databaseTargets().at(-1)!.open();
    ({ app, platform } = await createTestStack({ database, env: { ALLOW_PRIVATE_NETWORK: 'true' } }));
    await app.ready();
    user = await signUp(app, 'parity@example.com');
    await platform.queue.work(platform.handlers, { concurrency: 2 });
  });

  afterAll(async () => {
    await app.close();
    await database.close();
    await shop.stop();
  });

  const as = (method: 'GET' | 'POST', url: string, payload?: object) =>
    app.inject({ method, url, headers: user.headers, ...(payload ? { payload } : {}) });

  const settled = (jobId: string) => finishedJob(app, user.headers, jobId);

  it('builds every page type of the site, the same as siteprint blueprint on the pages the analysis sampled', async () => {
    const created = await as('POST', '/api/v1/sites', { url: `${shop.url}/`, name: 'Quire', maxPages: 14 });
    expect(created.statusCode, created.body).toBe(201);
    siteId = created.json().site.id;
    const analysis = await settled(created.json().job.id);
    expect(analysis.status, analysis.error).toBe('succeeded');
    const platformBlueprint = (await as('GET', `/api/v1/sites/${siteId}/blueprint`)).json().content;

    // The sampled pages as the CLI reads saved pages: one file each, in the order the analysis stored them, URL in <base href>.
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'siteprint-parity-')), 'pages');
    mkdirSync(dir);
    const stored = (await platform.repositories.sites.pages(siteId)).filter((page) => page.status < 400);
    for (const [index, page] of stored.entries()) {
      writeFileSync(path.join(dir, `${String(index).padStart(4, '0')}.htm`), `<base href="${page.url}">${page.html}`);
    }
    const out = path.join(dir, '..', 'blueprint.json');
    const cli = await runCli(['blueprint', '--pages', dir, '--out', out]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const cliBlueprint = JSON.parse(readFileSync(out, 'utf8'));

    // More than the product pages: the listings are a page type of their own.
    expect(platformBlueprint.pageTypes.length).toBeGreaterThan(1);
    expect(reading(platformBlueprint.pageTypes)).toEqual(reading(cliBlueprint.pageTypes));
    expect(platformBlueprint.validation).toEqual(cliBlueprint.validation);
  });

  it('stores typed values with every record of an extraction job and serves them from the results API', async () => {
    const product = shop.productUrl(shop.books.at(-1)!);
    const now = (await as('POST', `/api/v1/sites/${siteId}/extract`, { urls: [product] })).json().results[0];
    const started = await as('POST', `/api/v1/sites/${siteId}/extract/jobs`, { urls: [product, `${shop.url}/missing-page`] });
    expect(started.statusCode, started.body).toBe(202);
    const job = await settled(started.json().job.id);
    expect(job.status, job.error).toBe('succeeded');

    const response = await as('GET', `/api/v1/jobs/${job.id}/results?format=json`);
    expect(response.statusCode, response.body).toBe(200);
    const [record, missing] = response.json().results;
    // The same typed values a request-time extraction of the page answers: type, typed value, raw text, valid flag.
    expect(record.typed).toEqual(now.typed);
    expect(Object.keys(record.typed.fields)).toEqual(Object.keys(record.data).filter((key) => key in record.typed.fields));
    expect(Object.keys(record.typed.fields).length).toBeGreaterThan(0);
    for (const field of Object.values(record.typed.fields) as Array<Record<string, unknown>>) {
      expect(Object.keys(field).sort()).toEqual(['raw', 'type', 'valid', 'value']);
    }
    expect(Object.values(record.typed.fields)).toContainEqual(
      expect.objectContaining({ type: 'money', value: { amount: expect.any(Number), currency: 'USD' }, valid: true }),
    );
    expect(missing).toMatchObject({ error: 'HTTP 404', typed: { fields: {} } });

    const ndjson = await as('GET', `/api/v1/jobs/${job.id}/results?format=ndjson`);
    expect(JSON.parse(ndjson.body.split('\n')[0]!).typed).toEqual(record.typed);
  });
});
