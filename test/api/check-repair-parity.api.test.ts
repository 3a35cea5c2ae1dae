import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app/platform.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import { finishedJob } from '../support/jobs.js';
import { Priority } from '../../src/queue/index.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { FixtureShop } from '../support/fixture-shop.js';

interface FieldJson {
  name: string;
  type: string;
  sources: unknown[];
}
interface PageTypeJson {
  name: string;
  match: { urlPattern: string };
  fields: FieldJson[];
  list: { item: string; fields: FieldJson[] } | null;
}

/** What makes two blueprints read a site the same way: page types, their fields, types and selectors. */
const reading = (pageTypes: PageTypeJson[]) =>
  pageTypes.map((type) => ({
    name: type.name,
    urlPattern: type.match.urlPattern,
    item: type.list?.item ?? null,
    fields: [...type.fields, ...(type.list?.fields ?? [])].map((field) => ({ name: field.name, type: field.type, sources: field.sources })),
  }));

const fields = ['title', 'author', 'isbn_13', 'publisher', 'publication_date', 'price'].map((name) => ({ name }));

/**
 * The check and repair use-cases are one: the platform's check_site and repair_blueprint jobs and
 * `siteprint check` / `siteprint repair` given the same blueprint and the site's stored pages judge a
 * site's health the same and repair a redesigned site into the same blueprint.
 */
describe('one check and one repair for the CLI and the platform', () => {
  let database: TestDatabase;
  let app: AppInstance;
  let platform: Platform;
  let shop: FixtureShop;
  let user: TestUser;

  beforeAll(async () => {
    shop = await new FixtureShop().start();
    // PostgreSQL when the run has it (the last target), else PGlite.
    database = await databaseTargets().at(-1)!.open();
    ({ app, platform } = await createTestStack({ database, env: { ALLOW_PRIVATE_NETWORK: 'true' } }));
    await app.ready();
    user = await signUp(app, 'check-parity@example.com');
    await platform.queue.work(platform.handlers, { concurrency: 2 });
  }, 180_000);

  afterAll(async () => {
    await app.close();
    await database.close();
    await shop.stop();
  });

  const as = (method: 'GET' | 'POST', url: string, payload?: object) =>
    app.inject({ method, url, headers: user.headers, ...(payload ? { payload } : {}) });

  const settled = (jobId: string) => finishedJob(app, user.headers, jobId);

  it('judges health and repairs a redesigned site the same as siteprint check and siteprint repair', async () => {
    const created = await as('POST', '/api/v1/sites', { url: `${shop.url}/`, name: 'Quire', fields, maxPages: 10 });
    expect(created.statusCode, created.body).toBe(201);
    const site = (await platform.repositories.sites.get(created.json().site.id))!;
    const analysis = await settled(created.json().job.id);
    expect(analysis.status, analysis.error).toBe('succeeded');

    // The active blueprint as a file, and the site's stored pages as saved pages (URL in <base href>), in the order stored.
    const dir = mkdtempSync(path.join(tmpdir(), 'siteprint-check-parity-'));
    const blueprintFile = path.join(dir, 'blueprint.json');
    writeFileSync(blueprintFile, JSON.stringify((await as('GET', `/api/v1/sites/${site.id}/blueprint`)).json().content));
    const known = path.join(dir, 'known');
    mkdirSync(known);
    for (const [index, page] of (await platform.repositories.sites.pages(site.id)).entries()) {
      if (page.status < 400)
        writeFileSync(path.join(known, `${String(index).padStart(4, '0')}.htm`), `<base href="${page.url}">${page.html}`);
    }
    const env = { ALLOW_PRIVATE_NETWORK: 'true' };

    const checkJob = async () => {
      const job = await platform.queue.enqueue({
        workspaceId: site.workspaceId,
        siteId: site.id,
        type: 'check_site',
        payload: { siteId: site.id },
        priority: Priority.user,
      });
      const done = await settled(job.id);
      expect(done.status, done.error).toBe('succeeded');
      return done.result as { health: string; coverage: number; baseline: number };
    };
    const checkCli = async () => {
      const cli = await runCli(['check', '--blueprint', blueprintFile, '--known', known], env);
      expect(cli.stderr).toBe('');
      expect(cli.code).toBe(0);
      return JSON.parse(cli.stdout) as { health: string; coverage: number; baseline: number; pages: Array<{ url: string }> };
    };

    const healthy = await checkCli();
    const jobHealthy = await checkJob();
    expect(jobHealthy.health).toBe('healthy');
    expect(healthy).toMatchObject(jobHealthy);
    // On the same pages: the blueprint's example pages, then stored pages its page type claims.
    const [lastCheck] = await platform.repositories.sites.checks(site.id, 1);
    const checkedUrls = (lastCheck!.details as { pages: Array<{ url: string }> }).pages.map((page) => page.url);
    expect(checkedUrls).toEqual(healthy.pages.map((page) => page.url));
    expect(checkedUrls.length).toBeGreaterThan(1);

    shop.redesigned = true;
    const degraded = await checkCli();
    const jobCheck = await checkJob();
    expect(jobCheck.health).toBe('degraded');
    expect(degraded).toMatchObject(jobCheck);

    // The degraded check started a repair.
    const repairs = (await as('GET', `/api/v1/jobs?siteId=${site.id}&type=repair_blueprint`)).json().items as Array<{ id: string }>;
    expect(repairs).toHaveLength(1);
    const repair = await settled(repairs[0]!.id);
    expect(repair.status, repair.error).toBe('succeeded');
    const platformBlueprint = (await as('GET', `/api/v1/sites/${site.id}/blueprint`)).json();
    expect(platformBlueprint).toMatchObject({ version: 2, reason: 'repair' });

    const out = path.join(dir, 'repaired.json');
    const cli = await runCli(['repair', '--blueprint', blueprintFile, '--known', known, '--out', out], env);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const summary = JSON.parse(cli.stdout);
    expect(summary).toMatchObject({ status: 'repaired', repaired: repair.result.repaired });
    expect(summary.repaired.length).toBeGreaterThan(0);
    const cliBlueprint = JSON.parse(readFileSync(out, 'utf8'));
    expect(cliBlueprint.version).toBe(2);
    expect(reading(cliBlueprint.pageTypes)).toEqual(reading(platformBlueprint.content.pageTypes));
    expect(cliBlueprint.validation).toEqual(platformBlueprint.content.validation);

    // The repaired blueprint reads the redesigned pages: both checks find the site healthy again.
    const repairedCheck = await runCli(['check', '--blueprint', out, '--known', known], env);
    const jobRepaired = await checkJob();
    expect(jobRepaired.health).toBe('healthy');
    expect(JSON.parse(repairedCheck.stdout)).toMatchObject(jobRepaired);
  }, 480_000);
});
