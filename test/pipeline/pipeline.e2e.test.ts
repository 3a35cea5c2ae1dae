import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { extractPage } from '../../src/engine/index.js';
import { createLogger } from '../../src/logging/logger.js';
import { openPlatform, type Platform } from '../../src/app/platform.js';
import { Priority, type JobRecord } from '../../src/queue/index.js';
import { createTestWorkspace, databaseTargets, type TestDatabase } from '../support/databases.js';
import { FixtureShop } from '../support/fixture-shop.js';
import { serviceUrl } from '../support/services.js';

const redisUrl = serviceUrl('TEST_REDIS_URL');
const modes = [{ name: 'embedded queue', redis: false }, ...(redisUrl ? [{ name: 'BullMQ on Redis', redis: true }] : [])];
const fields = ['title', 'author', 'isbn_13', 'publisher', 'publication_date', 'price'].map((name) => ({ name }));

describe.each(modes)('analysis pipeline end to end ($name)', ({ redis }) => {
  let shop: FixtureShop;
  let database: TestDatabase;
  let platform: Platform;
  let workspaceId: string;

  beforeAll(async () => {
    shop = await new FixtureShop().start();
  });
  afterAll(() => shop.stop());
  afterEach(async () => {
    shop.redesigned = false;
    await platform?.close();
    await database?.close();
  });

  async function start() {
    database = await databaseTargets()[0]!.open();
    workspaceId = await createTestWorkspace(database);
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'siteprint-e2e-')),
      ALLOW_PRIVATE_NETWORK: 'true',
      QUEUE_PREFIX: `e2e-${randomUUID()}`,
      ...(redis ? { REDIS_URL: redisUrl! } : {}),
    });
    platform = await openPlatform(config, createLogger({ level: 'silent' }), database);
    await platform.queue.work(platform.handlers, { concurrency: 2 });
  }

  async function settled(id: string): Promise<JobRecord> {
    for (let i = 0; i < 600; i++) {
      const job = await platform.repositories.jobs.get(id);
      if (job && (job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled')) return job;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`job ${id} did not finish`);
  }

  it('analyses a site into a blueprint that extracts pages it never saw, then repairs it after a redesign', async () => {
    await start();
    const { site, analysis } = await platform.services.sites.create(workspaceId, { url: `${shop.url}/`, fields, maxPages: 10 });
    const done = await settled(analysis.id);
    const logs = await platform.repositories.jobs.logs((await platform.repositories.jobs.children(analysis.id))[0]!.id, 0, 50);
    expect(done.status, `${done.error} ${JSON.stringify(logs.map((line) => line.message))}`).toBe('succeeded');

    const analysed = (await platform.repositories.sites.get(site.id))!;
    expect(analysed.status).toBe('ready');
    expect((analysed.fingerprint as { technologies: Array<{ name: string }> }).technologies.map((technology) => technology.name)).toEqual(
      expect.arrayContaining(['Nginx', 'jQuery']),
    );
    const active = (await platform.repositories.blueprints.active(site.id))!;
    expect(active.version).toBe(1);
    expect(active.content.pageTypes[0]!.fields.map((field) => field.name).sort()).toEqual(fields.map((field) => field.name).sort());

    // A product page the analysis did not sample.
    const sampled = new Set((await platform.repositories.sites.pages(site.id)).map((page) => page.url));
    const unseen = shop.books.find((book) => !sampled.has(shop.productUrl(book)))!;
    const html = await (await fetch(shop.productUrl(unseen))).text();
    const data = extractPage(active.content, { url: shop.productUrl(unseen), html }).fields;
    expect(data.title?.value).toBe(unseen.title);
    expect([data.author?.value].flat()).toEqual([unseen.author]);
    expect(data.isbn_13?.value).toBe(unseen.isbn);
    expect(data.publisher?.value).toBe(unseen.publisher);

    // The site is redesigned: the scheduled check finds the fields gone and a repair follows.
    shop.redesigned = true;
    const check = await platform.queue.enqueue({
      workspaceId,
      siteId: site.id,
      type: 'check_site',
      payload: { siteId: site.id },
      priority: Priority.scheduled,
    });
    expect((await settled(check.id)).result).toMatchObject({ health: 'degraded' });
    const repairs = await platform.repositories.jobs.listInWorkspace(
      workspaceId,
      { siteId: site.id, type: 'repair_blueprint' },
      { limit: 5 },
    );
    expect(repairs.rows).toHaveLength(1);
    const repair = await settled(repairs.rows[0]!.id);
    expect(repair.status, repair.error ?? '').toBe('succeeded');
    const repaired = (await platform.repositories.blueprints.active(site.id))!;
    expect(repaired.version).toBe(2);
    expect(repaired.reason).toBe('repair');
    const redesignedHtml = await (await fetch(shop.productUrl(unseen))).text();
    const after = extractPage(repaired.content, { url: shop.productUrl(unseen), html: redesignedHtml }).fields;
    expect(after.title?.value).toBe(unseen.title);
    expect(after.isbn_13?.value).toBe(unseen.isbn);
    expect(after.publisher?.value).toBe(unseen.publisher);
    expect((await platform.repositories.sites.get(site.id))?.health).toBe('healthy');
  });

  it('repairs a listing blueprint whose records were redesigned, from the values its records last held', async () => {
    await start();
    const shelf = (category: string) => shop.books.filter((book) => book.category === category);
    // Example values on a category page point the analysis at the listings.
    const { site, analysis } = await platform.services.sites.create(workspaceId, {
      url: `${shop.url}/`,
      fields: [{ name: 'title' }, { name: 'author' }, { name: 'price' }],
      examples: [{ url: `${shop.url}/category/fiction`, values: { title: shelf('fiction').map((book) => book.title) } }],
      maxPages: 10,
    });
    const done = await settled(analysis.id);
    expect(done.status, done.error ?? '').toBe('succeeded');
    const active = (await platform.repositories.blueprints.active(site.id))!;
    const listing = active.content.pageTypes[0]!;
    expect(listing.list?.fields.map((field) => field.name).sort()).toEqual(['author', 'price', 'title']);
    const itemsOf = async (blueprint: typeof active.content, category: string) => {
      const url = `${shop.url}/category/${category}`;
      return extractPage(blueprint, { url, html: await (await fetch(url)).text() }).items!.map((item) => ({
        title: item.title?.value,
        authors: [item.author?.value].flat(),
      }));
    };
    const expected = shelf('history').map((book) => ({ title: book.title, authors: [book.author] }));
    expect(await itemsOf(active.content, 'history')).toEqual(expected);

    shop.redesigned = true;
    const check = await platform.queue.enqueue({
      workspaceId,
      siteId: site.id,
      type: 'check_site',
      payload: { siteId: site.id },
      priority: Priority.scheduled,
    });
    expect((await settled(check.id)).result).toMatchObject({ health: 'degraded' });
    const repairs = await platform.repositories.jobs.listInWorkspace(
      workspaceId,
      { siteId: site.id, type: 'repair_blueprint' },
      { limit: 5 },
    );
    const repair = await settled(repairs.rows[0]!.id);
    expect(repair.status, repair.error ?? '').toBe('succeeded');
    const repaired = (await platform.repositories.blueprints.active(site.id))!;
    expect(repaired).toMatchObject({ version: 2, reason: 'repair' });
    expect(repaired.content.pageTypes[0]!.list!.item).not.toBe(listing.list!.item);
    expect(await itemsOf(repaired.content, 'history')).toEqual(expected);

    // The next scheduled check finds the repaired listing healthy.
    const recheck = await platform.queue.enqueue({
      workspaceId,
      siteId: site.id,
      type: 'check_site',
      payload: { siteId: site.id },
      priority: Priority.scheduled,
    });
    expect((await settled(recheck.id)).result).toMatchObject({ health: 'healthy' });
  });
});
