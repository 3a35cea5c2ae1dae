import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  NotFoundError,
  RateLimitedError,
  Siteprint,
  ValidationError,
  type Job,
  type LiveEvent,
  type Session,
} from '../../sdk/typescript/src/index.js';
import { startLiveServer, type LiveServer } from '../support/live-server.js';

const PASSWORD = 'correct horse battery';
const FIELDS = ['title', 'author', 'isbn_13', 'publisher', 'price'].map((name) => ({ name }));

/**
 * The TypeScript SDK against a real Siteprint on PGlite, over HTTP only: what a user of
 * @siteprint/sdk does, from signing up to live events and the errors they must handle.
 */
describe('the TypeScript SDK against a live server', () => {
  let server: LiveServer;
  let client: Siteprint;
  let siteId: string;

  beforeAll(async () => {
    server = await startLiveServer();
    // Registering on the server's own loopback address needs no setup token.
    await new Siteprint({ baseUrl: server.url }).auth.register({ email: 'ada@example.com', name: 'Ada', password: PASSWORD });
    const session = await Siteprint.login({ baseUrl: server.url, email: 'ada@example.com', password: PASSWORD });
    const key = await session.apiKeys.create({
      name: 'sdk test',
      scopes: ['sites:read', 'sites:write', 'jobs:read', 'jobs:write', 'blueprints:read'],
    });
    expect(key.secret).toMatch(/^sp_/);
    client = new Siteprint({ baseUrl: server.url, apiKey: key.secret });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('adds a site and waits for its analysis, reporting progress and live events', async () => {
    const events: LiveEvent[] = [];
    const subscription = client.events.subscribe((event) => events.push(event));
    await subscription.ready;

    const progress: Job[] = [];
    const { site, job } = await client.sites.addAndAnalyze(
      { url: `${server.shop.url}/`, name: 'Quire', fields: FIELDS, maxPages: 10 },
      { intervalMs: 100, timeoutMs: 50_000, onProgress: (seen) => progress.push(seen) },
    );
    siteId = site.id;
    expect(job.status).toBe('succeeded');
    expect(site).toMatchObject({ status: 'ready', health: 'healthy', activeBlueprint: { version: 1 } });
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)!.status).toBe('succeeded');

    // The stream carried the analysis's steps and log lines as they happened.
    await expect
      .poll(() =>
        events.some((event) => event.type === 'job.updated' && event.data.type === 'update_blueprint' && event.data.status === 'succeeded'),
      )
      .toBe(true);
    expect(events.some((event) => event.type === 'job.log' && event.data.parentId === job.id)).toBe(true);
    expect(events.every((event) => event.data.siteId === site.id && typeof event.data.at === 'string')).toBe(true);
    subscription.close();
    await subscription.done;
  });

  it('reads the blueprint, exports it as a file and extracts a page with it', async () => {
    const blueprint = await client.blueprints.get(siteId);
    const productType = blueprint.content.pageTypes[0]!;
    expect(productType.fields.map((field) => field.name).sort()).toEqual(FIELDS.map((field) => field.name).sort());

    const exported = await client.blueprints.export(siteId, { format: 'json' });
    expect(exported.contentType).toMatch(/json/);
    expect(exported.fileName).toMatch(/\.json$/);
    expect(JSON.parse(exported.text())).toMatchObject({ schemaVersion: 1, version: 1 });
    expect((await client.blueprints.export(siteId, { format: 'yaml' })).text()).toContain('pageTypes:');

    const book = server.shop.books.at(-1)!;
    const [record] = await client.extraction.fromUrls(siteId, [server.shop.productUrl(book)]);
    expect(record!.error).toBeNull();
    expect(record!.data).toMatchObject({ title: book.title, isbn_13: book.isbn });

    const html = await (await fetch(server.shop.productUrl(book))).text();
    const fromHtml = await client.extraction.fromHtml(siteId, html, server.shop.productUrl(book));
    expect(fromHtml.data).toMatchObject({ title: book.title });
  });

  it('pages through jobs with a cursor, lazily', async () => {
    const first = await client.jobs.list({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.total).toBeGreaterThan(2);
    expect(first.nextCursor).not.toBeNull();
    const all: Job[] = [];
    for await (const job of client.jobs.iterate({ limit: 2 })) all.push(job);
    expect(all).toHaveLength(first.total);
    expect(new Set(all.map((job) => job.id)).size).toBe(first.total);
    expect(all.slice(0, 2).map((job) => job.id)).toEqual(first.items.map((job) => job.id));

    const sites = [];
    for await (const site of client.sites.iterate({ limit: 1 })) sites.push(site.id);
    expect(sites).toEqual([siteId]);
  });

  it('refreshes an expired access token silently and hands over the new session', async () => {
    const login = await Siteprint.login({ baseUrl: server.url, email: 'ada@example.com', password: PASSWORD });
    const sessions: Session[] = [];
    const stale = new Siteprint({
      baseUrl: server.url,
      session: { accessToken: 'expired.or.forged', refreshToken: login.session.refreshToken },
      onSession: (session) => sessions.push(session),
    });
    expect((await stale.auth.me()).email).toBe('ada@example.com');
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.refreshToken).not.toBe(login.session.refreshToken);

    // Requests that meet the expired token at the same time share one refresh (a refresh token is single use).
    const again: Session[] = [];
    const concurrent = new Siteprint({
      baseUrl: server.url,
      session: { accessToken: 'expired.or.forged', refreshToken: sessions[0]!.refreshToken },
      onSession: (session) => again.push(session),
    });
    const [sites, jobs] = await Promise.all([concurrent.sites.list(), concurrent.jobs.list()]);
    expect(sites.total).toBe(1);
    expect(jobs.total).toBeGreaterThan(0);
    expect(again).toHaveLength(1);
  });
  it('raises typed problems: 404, 400 with field errors, and 429 with Retry-After', async () => {
    const missing = await client.sites.get(randomUUID()).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).status).toBe(404);
    expect((missing as NotFoundError).requestId).toBeTruthy();

    const invalid = await client.sites.add({ url: 'ftp://files.example/' }).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).errors[0]!.path).toBe('/url');

    // Failed sign-ins are limited; the wait (minutes) is longer than the SDK waits inside a call.
    const attempts: unknown[] = [];
    for (let i = 0; i < 7; i++)
      attempts.push(
        await Siteprint.login({ baseUrl: server.url, email: 'ada@example.com', password: 'wrong password' }).catch(
          (error: unknown) => error,
        ),
      );
    expect(attempts[0]).toBeInstanceOf(AuthenticationError);
    const limited = attempts.at(-1) as RateLimitedError;
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect(limited.status).toBe(429);
    expect(limited.retryAfterSeconds).toBeGreaterThan(0);
  });
});
