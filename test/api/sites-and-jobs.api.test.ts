import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInstance } from '../../src/http/app-instance.js';
import type { Platform } from '../../src/app/platform.js';
import { finishedJob } from '../support/jobs.js';
import { Priority } from '../../src/queue/index.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { FixtureShop } from '../support/fixture-shop.js';

/**
 * The product API end to end over HTTP: a user adds a fixture site, the pipeline analyses it,
 * and the blueprint extracts a page the analysis never sampled; plus the rules around it.
 */
describe.each(databaseTargets())('sites, jobs and blueprints API on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  let platform: Platform;
  let shop: FixtureShop;
  let alice: TestUser;
  let bob: TestUser;
  /** The analysed fixture site, shared by the blueprint tests that follow the analysis. */
  let analysedSiteId: string;

  beforeAll(async () => {
    shop = await new FixtureShop().start();
    database = await target.open();
    ({ app, platform } = await createTestStack({ database, env: { ALLOW_PRIVATE_NETWORK: 'true' } }));
    await app.ready();
    alice = await signUp(app, 'alice@example.com');
    bob = await signUp(app, 'bob@example.com');
  });

  afterAll(async () => {
    await app.close();
    await database.close();
    await shop.stop();
  });

  const as = (
    user: TestUser,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.inject({ method, url, headers: { ...user.headers, ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });

  const settled = (user: TestUser, jobId: string) => finishedJob(app, user.headers, jobId, 30_000);

  it('refuses bad sites with clear 4xx answers and nothing stored', async () => {
    for (const [body, path] of [
      [{ url: 'ftp://files.example/' }, '/url'],
      [{ url: 'https://user:secret@shop.example/' }, '/url'],
      [{ url: 'not a url' }, '/url'],
      [{ url: 'https://shop.example/', schedule: 'every 10s' }, '/schedule'],
      [{ url: 'https://shop.example/', maxPages: 0 }, '/maxPages'],
    ] as const) {
      const response = await as(alice, 'POST', '/api/v1/sites', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers['content-type']).toMatch(/problem\+json/);
      expect(response.json().errors[0].path).toBe(path);
    }
    const malformed = await app.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: { ...alice.headers, 'content-type': 'application/json' },
      payload: '{"url":',
    });
    expect(malformed.statusCode).toBe(400);
    expect((await as(alice, 'GET', '/api/v1/sites')).json().total).toBe(0);
    expect((await app.inject({ method: 'GET', url: '/api/v1/sites' })).statusCode).toBe(401);
  });

  it('pages, filters and searches sites; one URL once per workspace; batch results per item', async () => {
    const batch = await as(bob, 'POST', '/api/v1/sites/batch', {
      sites: [
        { url: 'https://one.example' },
        { url: 'https://two.example/', name: 'Second' },
        { url: 'https://ONE.example/' },
        { url: 'gopher://x' },
        { url: 'https://three.example' },
      ],
    });
    expect(batch.statusCode).toBe(200);
    expect(batch.json().results.map((result: { status: string }) => result.status)).toEqual([
      'created',
      'created',
      'duplicate',
      'invalid',
      'created',
    ]);
    const duplicate = await as(bob, 'POST', '/api/v1/sites', { url: 'https://two.example' });
    expect(duplicate.statusCode).toBe(409);

    const first = (await as(bob, 'GET', '/api/v1/sites?limit=2&sort=name')).json();
    expect(first.total).toBe(3);
    expect(first.items.map((site: { name: string }) => site.name)).toEqual(['one.example', 'Second']);
    const second = (await as(bob, 'GET', `/api/v1/sites?limit=2&sort=name&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((site: { name: string }) => site.name)).toEqual(['three.example']);
    expect(second.nextCursor).toBeNull();
    expect((await as(bob, 'GET', '/api/v1/sites?search=SECOND')).json().items).toHaveLength(1);
    expect((await as(bob, 'GET', '/api/v1/sites?cursor=garbage')).statusCode).toBe(400);

    const ids = first.items.map((site: { id: string }) => site.id);
    const deleted = await as(bob, 'POST', '/api/v1/sites/batch-delete', { ids });
    expect(deleted.json().deleted.sort()).toEqual([...ids].sort());
    // Their queued analyses were cancelled, not left to run.
    const jobs = (await as(bob, 'GET', '/api/v1/jobs?type=analyze_site')).json();
    expect(jobs.items.filter((job: { status: string }) => job.status === 'cancelled')).toHaveLength(2);
  });

  it('answers an unchanged list with 304 to its ETag, and a changed one in full', async () => {
    const user = await signUp(app, 'poller@example.com');
    await as(user, 'POST', '/api/v1/sites', { url: 'https://polled.example' });
    const first = await as(user, 'GET', '/api/v1/sites');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await as(user, 'GET', '/api/v1/sites');
    expect(again.headers.etag).toBe(etag);
    expect(again.body).toBe(first.body);
    const unchanged = await as(user, 'GET', '/api/v1/sites', undefined, { 'if-none-match': etag });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBe('');

    const renamed = await as(user, 'PATCH', `/api/v1/sites/${first.json().items[0].id}`, { name: 'Polled' });
    expect(renamed.statusCode).toBe(200);
    const changed = await as(user, 'GET', '/api/v1/sites', undefined, { 'if-none-match': etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().items[0].name).toBe('Polled');
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('honours Idempotency-Key on creating requests', async () => {
    const headers = { 'idempotency-key': 'create-once-1' };
    const first = await as(bob, 'POST', '/api/v1/sites', { url: 'https://idempotent.example' }, headers);
    const again = await as(bob, 'POST', '/api/v1/sites', { url: 'https://idempotent.example' }, headers);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().site.id).toBe(first.json().site.id);
    const reused = await as(bob, 'POST', '/api/v1/sites', { url: 'https://other.example' }, headers);
    expect(reused.statusCode).toBe(422);
  });

  it('analyses a site, serves its blueprint and extracts a page it never sampled', async () => {
    await platform.queue.work(platform.handlers, { concurrency: 2 });
    const fields = ['title', 'author', 'isbn_13', 'publisher', 'publication_date', 'price'].map((name) => ({ name }));
    const created = await as(alice, 'POST', '/api/v1/sites', { url: `${shop.url}/`, name: 'Quire', fields, maxPages: 10 });
    expect(created.statusCode, created.body).toBe(201);
    const { site, job } = created.json();
    expect(job).toMatchObject({ type: 'analyze_site', status: 'running', siteId: site.id });

    const analysis = await settled(alice, job.id);
    expect(analysis.status, analysis.error).toBe('succeeded');
    expect(analysis.steps.map((step: { type: string; status: string }) => [step.type, step.status])).toEqual(
      ['fingerprint_site', 'discover_categories', 'generate_selectors', 'test_selectors', 'update_blueprint'].map((type) => [
        type,
        'succeeded',
      ]),
    );
    const logs = (await as(alice, 'GET', `/api/v1/jobs/${analysis.steps[0].id}/logs`)).json();
    expect(logs.items.some((line: { message: string }) => /sampled \d+ pages/.test(line.message))).toBe(true);

    analysedSiteId = site.id;
    // The analysis's own test is the site's first health record: its health shows at once, not after a day.
    const tested = (await as(alice, 'GET', `/api/v1/sites/${site.id}/checks`)).json().items;
    expect(tested).toEqual([
      expect.objectContaining({ health: 'healthy', httpStatus: 200, coverage: 1, baselineCoverage: expect.any(Number) }),
    ]);
    expect(tested[0].responseMs).toEqual(expect.any(Number));
    const detail = (await as(alice, 'GET', `/api/v1/sites/${site.id}`)).json();
    expect(detail).toMatchObject({ status: 'ready', health: 'healthy', activeBlueprint: { version: 1, fields: 6 } });
    expect(detail.lastCheckedAt).not.toBeNull();
    expect(detail.lastCheck).toMatchObject({ health: 'healthy', httpStatus: 200, coverage: 1, checkedAt: tested[0].checkedAt });
    expect(detail.technologies).toEqual(expect.arrayContaining(['Nginx', 'jQuery']));

    const blueprint = (await as(alice, 'GET', `/api/v1/sites/${site.id}/blueprint`)).json();
    expect(blueprint.content.pageTypes[0].fields.map((field: { name: string }) => field.name).sort()).toEqual(
      fields.map((field) => field.name).sort(),
    );
    const yaml = await as(alice, 'GET', `/api/v1/sites/${site.id}/blueprint/export?format=yaml`);
    expect(yaml.headers['content-type']).toMatch(/yaml/);
    expect(yaml.body).toContain('pageTypes:');
    const csv = await as(alice, 'GET', `/api/v1/sites/${site.id}/blueprint/export?format=csv`);
    expect(csv.body.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(7);

    const sampled = new Set(blueprint.content.pageTypes[0].match.examples as string[]);
    const unseen = shop.books
      .slice()
      .reverse()
      .find((book) => !sampled.has(shop.productUrl(book)))!;
    const tasksBefore = platform.engine.completed;
    const extracted = await as(alice, 'POST', `/api/v1/sites/${site.id}/extract`, { urls: [shop.productUrl(unseen)] });
    expect(extracted.statusCode, extracted.body).toBe(200);
    // The page was read in an engine thread, not on the event loop that serves the API.
    expect(platform.engine.completed).toBeGreaterThan(tasksBefore);
    const [record] = extracted.json().results;
    expect(record.error).toBeNull();
    expect(record.data).toMatchObject({ title: unseen.title, isbn_13: unseen.isbn, publisher: unseen.publisher });
    expect([record.data.author].flat()).toEqual([unseen.author]);
    // Typed values beside the display ones: money as amount and currency, the ISBN check-digit valid, raw text kept.
    expect(record.typed.fields.price).toEqual({
      type: 'money',
      value: { amount: Number(unseen.price.slice(1)), currency: 'USD' },
      raw: unseen.price,
      valid: true,
    });
    expect(record.typed.fields.isbn_13).toMatchObject({ type: 'isbn', value: unseen.isbn, valid: true });

    // Pages no page type claims say so, per URL, instead of a record of nulls under the product type's name.
    const productType = blueprint.content.pageTypes[0].name;
    const others = await as(alice, 'POST', `/api/v1/sites/${site.id}/extract`, {
      urls: [`${shop.url}/category/fiction`, shop.productUrl(unseen)],
    });
    expect(others.statusCode, others.body).toBe(200);
    const [listing, product] = others.json().results;
    expect(listing).toEqual({
      url: `${shop.url}/category/fiction`,
      pageType: null,
      data: {},
      typed: { fields: {} },
      sources: {},
      error: expect.stringMatching(/^No page type of the blueprint matches \/category\/fiction/),
    });
    expect(listing.error).toContain(productType);
    expect(product).toMatchObject({ pageType: productType, error: null, data: { title: unseen.title } });
    const pasted = await as(alice, 'POST', `/api/v1/sites/${site.id}/extract`, {
      url: `${shop.url}/`,
      html: await (await fetch(`${shop.url}/`)).text(),
    });
    expect(pasted.json().results).toEqual([
      expect.objectContaining({ pageType: null, data: {}, error: expect.stringMatching(/^No page type of the blueprint matches \/:/) }),
    ]);
    // A product page at a URL deeper than every sampled one: no pattern claims it, but it reads as the product type.
    const deeper = `${shop.url}/gifts/under-20/product/${unseen.id}`;
    const moved = await as(alice, 'POST', `/api/v1/sites/${site.id}/extract`, {
      url: deeper,
      html: await (await fetch(shop.productUrl(unseen))).text(),
    });
    expect(moved.json().results).toEqual([
      expect.objectContaining({ url: deeper, pageType: productType, error: null, data: expect.objectContaining({ title: unseen.title }) }),
    ]);

    // A health check lands in the site's history.
    const check = await platform.queue.enqueue({
      workspaceId: alice.workspaceId,
      siteId: site.id,
      type: 'check_site',
      payload: { siteId: site.id },
      priority: Priority.scheduled,
    });
    expect((await settled(alice, check.id)).status).toBe('succeeded');
    const history = (await as(alice, 'GET', `/api/v1/sites/${site.id}/checks`)).json().items;
    expect(history).toEqual([expect.objectContaining({ health: 'healthy', httpStatus: 200, coverage: 1 }), tested[0]]);

    // Another workspace sees none of it.
    expect((await as(bob, 'GET', `/api/v1/sites/${site.id}`)).statusCode).toBe(404);
    expect((await as(bob, 'GET', `/api/v1/sites/${site.id}/blueprint`)).statusCode).toBe(404);
    expect((await as(bob, 'GET', `/api/v1/jobs/${job.id}`)).statusCode).toBe(404);
    expect((await as(bob, 'POST', `/api/v1/sites/${site.id}/extract`, { urls: [shop.productUrl(unseen)] })).statusCode).toBe(404);
    expect((await as(bob, 'GET', '/api/v1/sites')).json().items.map((item: { id: string }) => item.id)).not.toContain(site.id);
  });

  it('extracts a larger batch as a job whose records download as JSON, NDJSON and CSV', async () => {
    const urls = [...shop.books.slice(0, 4).map((book) => shop.productUrl(book)), `${shop.url}/product/0000000000000`];
    const started = await as(alice, 'POST', `/api/v1/sites/${analysedSiteId}/extract/jobs`, { urls });
    expect(started.statusCode, started.body).toBe(202);
    const job = await settled(alice, started.json().job.id);
    expect(job.status, job.error).toBe('succeeded');
    expect(job.result).toMatchObject({ pages: 5, failed: 1 });

    const json = (await as(alice, 'GET', `/api/v1/jobs/${job.id}/results`)).json().results;
    expect(json.map((record: { url: string }) => record.url)).toEqual(urls);
    expect(json[0].data.title).toBe(shop.books[0]!.title);
    expect(json[4].error).toBe('HTTP 404');
    const ndjson = (await as(alice, 'GET', `/api/v1/jobs/${job.id}/results?format=ndjson`)).body.trim().split('\n');
    expect(ndjson.map((line) => JSON.parse(line).url)).toEqual(urls);
    const csv = await as(alice, 'GET', `/api/v1/jobs/${job.id}/results?format=csv`);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const [header, first] = csv.body.split('\n');
    expect(header).toMatch(/^url,page_type,error,.*title/);
    expect(first).toContain(shop.books[0]!.isbn);

    expect((await as(bob, 'GET', `/api/v1/jobs/${job.id}/results`)).statusCode).toBe(404);
    expect((await as(alice, 'GET', `/api/v1/jobs/${job.id}/results?format=xml`)).statusCode).toBe(400);
  });

  it('edits a blueprint only when the edit passes its test, then diffs and rolls back versions', async () => {
    const base = `/api/v1/sites/${analysedSiteId}`;
    const { content } = (await as(alice, 'GET', `${base}/blueprint`)).json();
    const [pageType] = content.pageTypes;
    const broken = {
      ...pageType,
      fields: pageType.fields.map((field: { name: string }) =>
        field.name === 'title' ? { ...field, required: true, sources: [{ css: '.no-such-element' }] } : field,
      ),
    };
    const refused = await as(alice, 'PATCH', `${base}/blueprint`, { pageTypes: [broken] });
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().detail).toMatch(/title/);
    expect((await as(alice, 'PATCH', `${base}/blueprint`, { pageTypes: [{ name: 'x' }] })).statusCode).toBe(400);
    // An edited field must find something even when it is optional.
    const optionalBroken = {
      ...pageType,
      fields: pageType.fields.map((field: { name: string }) =>
        field.name === 'author' ? { ...field, required: false, sources: [{ css: '.no-such-element' }] } : field,
      ),
    };
    const refusedOptional = await as(alice, 'PATCH', `${base}/blueprint`, { pageTypes: [optionalBroken] });
    expect(refusedOptional.statusCode, refusedOptional.body).toBe(422);
    expect(refusedOptional.json().errors).toEqual([expect.objectContaining({ path: `/pageTypes/${pageType.name}/author` })]);

    const withoutPrice = { ...pageType, fields: pageType.fields.filter((field: { name: string }) => field.name !== 'price') };
    const edited = await as(alice, 'PATCH', `${base}/blueprint`, { pageTypes: [withoutPrice] });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ version: 2, reason: 'edit', active: true, created: true });
    expect((await as(bob, 'PATCH', `${base}/blueprint`, { pageTypes: [withoutPrice] })).statusCode).toBe(404);

    // Hand-written sources are marked as such, with their quality measured on the sampled pages.
    const retitled = {
      ...withoutPrice,
      fields: withoutPrice.fields.map((field: { name: string }) =>
        field.name === 'title' ? { ...field, sources: [{ css: 'h1.product-title, h2.pdp__name' }] } : field,
      ),
    };
    // With the other page types back, only product pages count for the product fields.
    const everyType = [retitled, ...content.pageTypes.slice(1)];
    const manual = await as(alice, 'PATCH', `${base}/blueprint`, { pageTypes: everyType });
    expect(manual.json()).toMatchObject({ version: 3, created: true });
    const fields = (await as(alice, 'GET', `${base}/blueprint`)).json().content.pageTypes[0].fields;
    expect(fields.find((field: { name: string }) => field.name === 'title')).toMatchObject({
      mode: 'manual',
      quality: { coverage: 1, confidence: 1 },
    });
    expect(fields.find((field: { name: string }) => field.name === 'author').mode).not.toBe('manual');
    expect((await as(alice, 'PATCH', `${base}/blueprint`, { pageTypes: everyType })).json()).toMatchObject({ version: 3, created: false });

    const versions = (await as(alice, 'GET', `${base}/blueprints`)).json().items;
    expect(versions.map((version: { version: number; active: boolean }) => [version.version, version.active])).toEqual([
      [3, true],
      [2, false],
      [1, false],
    ]);
    const diff = (await as(alice, 'GET', `${base}/blueprints/diff?from=1&to=2`)).json();
    expect(diff.fieldsRemoved).toEqual([expect.objectContaining({ field: 'price' })]);
    expect(diff.identical).toBe(false);
    expect((await as(alice, 'GET', `${base}/blueprints/diff?from=2&to=3`)).json().sourcesChanged).toEqual([
      expect.objectContaining({ field: 'title', after: [{ css: 'h1.product-title, h2.pdp__name' }] }),
    ]);

    const rolledBack = await as(alice, 'POST', `${base}/blueprints/1/rollback`);
    expect(rolledBack.json()).toMatchObject({ version: 1, active: true });
    expect((await as(alice, 'GET', `${base}/blueprint`)).json().version).toBe(1);
    expect((await as(alice, 'GET', `${base}/blueprints/9`)).statusCode).toBe(404);
  });

  it('answers every request that starts a job with the same envelope: the job and the site it works on', async () => {
    await platform.queue.pause();
    const added = await as(alice, 'POST', '/api/v1/sites', { url: 'https://envelope.example' });
    expect(added.statusCode, added.body).toBe(201);
    const { site } = added.json();
    expect(added.json()).toEqual({
      site: expect.objectContaining({ id: site.id, status: 'analyzing' }),
      job: expect.objectContaining({ type: 'analyze_site', siteId: site.id }),
    });
    await as(alice, 'POST', `/api/v1/jobs/${added.json().job.id}/cancel`);
    expect((await as(alice, 'GET', `/api/v1/sites/${site.id}`)).json().status).toBe('pending');

    const again = await as(alice, 'POST', `/api/v1/sites/${site.id}/analyze`);
    expect(again.statusCode, again.body).toBe(202);
    expect(again.json()).toEqual({
      site: expect.objectContaining({ id: site.id, status: 'analyzing' }),
      job: expect.objectContaining({ type: 'analyze_site', status: 'running', siteId: site.id }),
    });
    expect((await as(alice, 'POST', `/api/v1/sites/${site.id}/analyze`)).statusCode).toBe(409);
    await as(alice, 'POST', `/api/v1/jobs/${again.json().job.id}/cancel`);

    const batch = await as(alice, 'POST', `/api/v1/sites/${analysedSiteId}/extract/jobs`, { urls: [`${shop.url}/`] });
    expect(batch.statusCode, batch.body).toBe(202);
    expect(batch.json()).toEqual({
      site: expect.objectContaining({ id: analysedSiteId }),
      job: expect.objectContaining({ type: 'extract_batch', status: 'queued', siteId: analysedSiteId }),
    });
    await as(alice, 'POST', `/api/v1/jobs/${batch.json().job.id}/cancel`);
    await platform.queue.resume();
  });

  it('cancels and retries an analysis', async () => {
    await platform.queue.pause();
    const { job } = (await as(alice, 'POST', '/api/v1/sites', { url: 'https://paused.example' })).json();
    const cancelled = await as(alice, 'POST', `/api/v1/jobs/${job.id}/cancel`);
    expect(cancelled.json().status).toBe('cancelled');
    expect((await as(alice, 'POST', `/api/v1/jobs/${job.id}/cancel`)).statusCode).toBe(409);
    const retried = await as(alice, 'POST', `/api/v1/jobs/${job.id}/retry`);
    expect(retried.json().status).toBe('running');
    const steps = (await as(alice, 'GET', `/api/v1/jobs/${job.id}`)).json().steps;
    expect(steps[0]).toMatchObject({ type: 'fingerprint_site', status: 'queued' });
    await platform.queue.resume();
  });

  it('shows queues to the system admin only', async () => {
    const stats = await as(alice, 'GET', '/api/v1/queues');
    expect(stats.statusCode, stats.body).toBe(200);
    expect(stats.json().queues.map((queue: { name: string }) => queue.name)).toContain('fingerprint_site');
    expect((await as(bob, 'GET', '/api/v1/queues')).statusCode).toBe(403);
    expect((await as(bob, 'POST', '/api/v1/queues/pause')).statusCode).toBe(403);
  });
});
