import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { extractPage, type Blueprint } from '../../src/engine/index.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import type { Platform } from '../../src/app/platform.js';
import { Priority } from '../../src/queue/index.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestStack, LogCapture } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { startFakeLlmServer, type FakeLlmServer, type FakeReply, type ReceivedRequest } from '../support/fake-llm-server.js';
import { blurbOf, FixtureShop } from '../support/fixture-shop.js';

/**
 * The analysis pipeline with an LLM configured, through the API: a fake OpenAI-compatible provider on
 * loopback answers by the schema each step asks for. The fixture shop's product pages carry a blurb no
 * heuristic finds by name and an "Add to cart" label that is the same on every page.
 */
const API_KEY = 'sk-or-test-never-logged';
const CAP_USD = 0.004;

interface JobDetail {
  id: string;
  status: string;
  error: string | null;
  costUsd: number;
  steps: { id: string; type: string; costUsd: number }[];
  llm: { requests: number; promptTokens: number; completionTokens: number; costUsd: number };
}

const schemaOf = (request: ReceivedRequest) => request.body.response_format?.json_schema?.name;
const userPrompt = (request: ReceivedRequest) => request.body.messages.find((message) => message.role === 'user')!.content;
const json = (value: unknown, cost: number, promptTokens = 1_200, completionTokens = 60): FakeReply => ({
  content: JSON.stringify(value),
  cost,
  promptTokens,
  completionTokens,
});

/** The page_types answer: the product pages' group (found in the prompt) is named "book" and gets two more fields. */
function bookTypes(request: ReceivedRequest, cost: number): FakeReply {
  const index = Number(/Group (\d+): \w+ pages like \/product\//.exec(userPrompt(request))?.[1]);
  return json(
    {
      types: [
        {
          index,
          name: 'book',
          description: 'A book for sale with its price and details',
          fields: [
            { name: 'blurb', description: 'the short text about the book', type: 'text' },
            { name: 'stock_code', description: 'internal stock reference', type: 'text' },
          ],
        },
      ],
    },
    cost,
  );
}

/** The selectors answer: a right selector for the blurb, a template label (same text on every page) for the stock code. */
const selectors = (cost: number) =>
  json(
    {
      selectors: [
        { field: 'blurb', css: '.description p', read: 'text' },
        { field: 'stock_code', css: '.add-to-cart', read: 'text' },
      ],
    },
    cost,
    2_400,
    90,
  );

describe.each(databaseTargets())('LLM-assisted analysis through the API on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  let platform: Platform;
  let shop: FixtureShop;
  let llm: FakeLlmServer;
  const logs = new LogCapture();

  beforeAll(async () => {
    shop = await new FixtureShop().start();
    llm = await startFakeLlmServer();
    database = await target.open();
    ({ app, platform } = await createTestStack({
      database,
      logs,
      env: {
        ALLOW_PRIVATE_NETWORK: 'true',
        LLM_API_KEY: API_KEY,
        LLM_BASE_URL: llm.baseUrl,
        LLM_MODEL: 'fake/model',
        LLM_TIMEOUT_MS: '1000',
        LLM_MAX_RETRIES: '0',
        LLM_ANALYSIS_CAP_USD: String(CAP_USD),
      },
    }));
    await app.ready();
    await platform.queue.work(platform.handlers, { concurrency: 2 });
  });

  afterAll(async () => {
    await app.close();
    await database.close();
    await llm.close();
    await shop.stop();
  });

  // A test that gives up on a slow analysis must not leave it calling the shared fake LLM while the
  // next test counts requests: whatever is unfinished is cancelled and waited for.
  afterEach(async () => {
    const unfinished = () =>
      database.query<{ id: string }>(sql`select id from jobs where status not in ('succeeded', 'failed', 'cancelled')`);
    for (const { id } of await unfinished()) await platform.repositories.jobs.requestCancel(id);
    for (let i = 0; i < 600 && (await unfinished()).length; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  });

  beforeEach(() => {
    shop.redesigned = false;
    llm.received.length = 0;
    llm.respond(null);
  });

  const as = (user: TestUser, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: user.headers, ...(payload === undefined ? {} : { payload: payload as object }) });

  async function analyse(
    user: TestUser,
    fields?: string[],
    options: object = {},
  ): Promise<{ siteId: string; job: JobDetail; log: string[] }> {
    const created = await as(user, 'POST', '/api/v1/sites', {
      url: `${shop.url}/`,
      maxPages: 10,
      ...(fields ? { fields: fields.map((name) => ({ name })) } : {}),
      ...options,
    });
    expect(created.statusCode, created.body).toBe(201);
    const { site, job } = created.json<{ site: { id: string }; job: { id: string } }>();
    for (let i = 0; i < 600; i++) {
      const detail = (await as(user, 'GET', `/api/v1/jobs/${job.id}`)).json<JobDetail>();
      if (['succeeded', 'failed', 'cancelled'].includes(detail.status)) {
        const log: string[] = [];
        for (const step of detail.steps) {
          const lines = (await as(user, 'GET', `/api/v1/jobs/${step.id}/logs?limit=500`)).json<{
            items: { level: string; message: string }[];
          }>();
          log.push(...lines.items.map((line) => `${line.level}: ${line.message}`));
        }
        return { siteId: site.id, job: detail, log };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`analysis ${job.id} did not finish`);
  }

  async function settledJob(user: TestUser, id: string) {
    for (let i = 0; i < 600; i++) {
      const detail = (await as(user, 'GET', `/api/v1/jobs/${id}`)).json<JobDetail & { result: unknown }>();
      if (['succeeded', 'failed', 'cancelled'].includes(detail.status)) return detail;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`job ${id} did not finish`);
  }

  /** The shop is redesigned: a scheduled check finds the site degraded and starts a repair, which must succeed. */
  async function repairAfterRedesign(user: TestUser, siteId: string) {
    shop.redesigned = true;
    llm.received.length = 0;
    const check = await platform.queue.enqueue({
      workspaceId: user.workspaceId,
      siteId,
      type: 'check_site',
      payload: { siteId },
      priority: Priority.scheduled,
    });
    expect(await settledJob(user, check.id)).toMatchObject({ status: 'succeeded', result: { health: 'degraded' } });
    const repairs = await platform.repositories.jobs.listInWorkspace(user.workspaceId, { siteId, type: 'repair_blueprint' }, { limit: 5 });
    const repair = await settledJob(user, repairs.rows[0]!.id);
    expect(repair.status, repair.error ?? '').toBe('succeeded');
    return repair;
  }

  const blueprintOf = async (user: TestUser, siteId: string) =>
    (await as(user, 'GET', `/api/v1/sites/${siteId}/blueprint`)).json<{ content: Blueprint }>().content;
  const fieldsOf = (blueprint: Blueprint) => blueprint.pageTypes[0]!.fields;

  it('names the page types, adds a verified LLM selector for a field heuristics miss, rejects one that does not verify, and bills it all honestly', async () => {
    const user = await signUp(app, 'llm-verified@example.com');
    llm.respond((request) =>
      schemaOf(request) === 'page_types' ? bookTypes(request, 0.0021) : schemaOf(request) === 'selectors' ? selectors(0.0013) : undefined,
    );
    const { siteId, job, log } = await analyse(user);
    expect(job.status, `${job.error} ${log.join('\n')}`).toBe('succeeded');

    // Discovery: the model named the product pages and proposed the blurb and stock code.
    expect(llm.received.map(schemaOf)).toEqual(['page_types', 'selectors']);
    const selectorPrompt = userPrompt(llm.received[1]!);
    expect(selectorPrompt).toContain('- blurb (text): the short text about the book');
    expect(selectorPrompt).not.toMatch(/^- (title|isbn_13) /m);

    const blueprint = await blueprintOf(user, siteId);
    expect(blueprint.pageTypes[0]!.name).toBe('book');
    const blurb = fieldsOf(blueprint).find((field) => field.name === 'blurb');
    expect(blurb).toMatchObject({ mode: 'llm', sources: [{ css: '.description p' }], quality: { coverage: 1 } });
    expect(fieldsOf(blueprint).find((field) => field.name === 'title')).toMatchObject({ mode: 'heuristic' });
    // The stock code's only proposal read template text: rejected, and the unverified field is not saved.
    expect(fieldsOf(blueprint).map((field) => field.name)).not.toContain('stock_code');
    expect(JSON.stringify(blueprint)).not.toContain('add-to-cart');
    expect(log).toContainEqual('info: LLM proposals: 1 verified and used, 1 rejected');

    // The verified selector extracts a page the analysis never sampled.
    const sampled = new Set((await platform.repositories.sites.pages(siteId)).map((page) => page.url));
    const unseen = shop.books.find((book) => !sampled.has(shop.productUrl(book)))!;
    const html = await (await fetch(shop.productUrl(unseen))).text();
    expect(extractPage(blueprint, { url: shop.productUrl(unseen), html }).fields.blurb?.value).toBe(blurbOf(unseen));

    // Cost, everywhere it is shown, is what the provider billed.
    const billed = llm.billedUsd();
    expect(billed).toBeCloseTo(0.0034, 9);
    expect(blueprint.llm).toEqual({ model: 'fake/model', requests: 2, costUsd: expect.closeTo(billed, 6) });
    expect(job.llm).toEqual({ requests: 2, promptTokens: 3_600, completionTokens: 150, costUsd: expect.closeTo(billed, 6) });
    expect(job.costUsd).toBeCloseTo(billed, 6);
    expect(job.steps.map((step) => [step.type, Number(step.costUsd.toFixed(6))])).toEqual([
      ['fingerprint_site', 0],
      ['discover_categories', 0.0021],
      ['generate_selectors', 0.0013],
      ['test_selectors', 0],
      ['update_blueprint', 0],
    ]);
    const usage = (await as(user, 'GET', '/api/v1/llm/usage')).json<{
      totals: { requests: number; costUsd: number };
      bySite: { siteId: string; requests: number }[];
      byStep: { step: string; requests: number; costUsd: number }[];
    }>();
    expect(usage.totals).toMatchObject({ requests: llm.received.length, costUsd: expect.closeTo(billed, 6) });
    expect(usage.bySite).toEqual([expect.objectContaining({ siteId, requests: 2 })]);
    expect(usage.byStep.map((step) => [step.step, step.requests, Number(step.costUsd.toFixed(6))])).toEqual([
      ['discover_categories', 1, 0.0021],
      ['generate_selectors', 1, 0.0013],
    ]);
    expect(llm.received.every((request) => request.authorization === `Bearer ${API_KEY}`)).toBe(true);
    expect(logs.text).not.toContain(API_KEY);
  });

  it('stops calling the LLM at the workspace budget an admin set, and the analysis completes heuristics-only, saying so', async () => {
    const user = await signUp(app, 'llm-budget@example.com');
    expect((await as(user, 'PUT', '/api/v1/llm/budget', { monthlyUsd: -1 })).statusCode).toBe(400);
    const set = await as(user, 'PUT', '/api/v1/llm/budget', { monthlyUsd: 0.002 });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({
      monthlyUsd: 0.002,
      source: 'workspace',
      defaultMonthlyUsd: 20,
      spentThisMonthUsd: 0,
      analysisCapUsd: CAP_USD,
    });

    // Discovery spends past the budget; generate_selectors must not reach the provider.
    llm.respond((request) => (schemaOf(request) === 'page_types' ? bookTypes(request, 0.003) : selectors(0.001)));
    const { siteId, job, log } = await analyse(user, ['title', 'author', 'isbn_13', 'blurb']);
    expect(job.status, `${job.error} ${log.join('\n')}`).toBe('succeeded');
    expect(llm.received.map(schemaOf)).toEqual(['page_types']);
    expect(log).toContainEqual(
      'warn: LLM budget reached (monthly LLM budget of $0.002 reached ($0.0030 spent)): continuing heuristics-only for generate_selectors.',
    );
    const blueprint = await blueprintOf(user, siteId);
    expect(fieldsOf(blueprint).map((field) => [field.name, field.mode, field.sources.length > 0])).toEqual([
      ['title', 'heuristic', true],
      ['author', 'heuristic', true],
      ['isbn_13', 'heuristic', true],
      ['blurb', 'heuristic', false],
    ]);
    expect(blueprint.llm).toEqual({ model: 'fake/model', requests: 1, costUsd: expect.closeTo(0.003, 6) });
    const usage = (await as(user, 'GET', '/api/v1/llm/usage')).json<{
      totals: { requests: number; costUsd: number };
      budget: { monthlyUsd: number; source: string };
    }>();
    expect(usage.totals).toMatchObject({ requests: 1, costUsd: expect.closeTo(0.003, 6) });
    expect(usage.budget).toMatchObject({ monthlyUsd: 0.002, source: 'workspace' });

    // Clearing the setting returns to the instance default.
    expect((await as(user, 'PUT', '/api/v1/llm/budget', { monthlyUsd: null })).json()).toMatchObject({ monthlyUsd: 20, source: 'default' });
    expect((await as(user, 'GET', '/api/v1/llm/budget')).json()).toMatchObject({
      monthlyUsd: 20,
      source: 'default',
      spentThisMonthUsd: expect.closeTo(0.003, 6),
    });
    // Who changed the budget, from what to what, is in the audit log.
    const audited = await database.query<{ actor_user_id: string; details: unknown }>(
      sql`select actor_user_id, details from audit_log where workspace_id = ${user.workspaceId} and action = 'llm-budget.changed' order by created_at`,
    );
    expect(audited.map((row) => [row.actor_user_id, row.details])).toEqual([
      [user.id, { fromMonthlyUsd: null, toMonthlyUsd: 0.002 }],
      [user.id, { fromMonthlyUsd: 0.002, toMonthlyUsd: null }],
    ]);
  });

  it('stops at the per-analysis cap and completes heuristics-only', async () => {
    const user = await signUp(app, 'llm-cap@example.com');
    llm.respond((request) => (schemaOf(request) === 'page_types' ? bookTypes(request, 0.005) : selectors(0.001)));
    const { job, log } = await analyse(user, ['title', 'blurb']);
    expect(job.status, `${job.error} ${log.join('\n')}`).toBe('succeeded');
    expect(llm.received.map(schemaOf)).toEqual(['page_types']);
    expect(log).toContainEqual(
      `warn: LLM budget reached (per-analysis cap of $${CAP_USD} spent): continuing heuristics-only for generate_selectors.`,
    );
  });

  it('repairs after a redesign with heuristics first and the LLM for the field they cannot re-locate, verified before the new version', async () => {
    const user = await signUp(app, 'llm-repair@example.com');
    llm.respond((request) => {
      const schema = schemaOf(request);
      if (schema === 'page_types') return bookTypes(request, 0.001);
      if (schema === 'selectors') return selectors(0.001);
      // Re-locating: a selector that reads other text, and the attribute the blurb now lives in.
      if (schema === 'relocated') {
        return json(
          {
            selectors: [
              { field: 'blurb', css: '.pdp__story button', read: 'text' },
              { field: 'blurb', css: '.pdp__story', read: 'attr:data-text' },
            ],
          },
          0.002,
        );
      }
      return undefined;
    });
    const { siteId, job, log } = await analyse(user, ['title', 'isbn_13', 'publisher', 'blurb']);
    expect(job.status, `${job.error} ${log.join('\n')}`).toBe('succeeded');
    expect(fieldsOf(await blueprintOf(user, siteId)).find((field) => field.name === 'blurb')).toMatchObject({
      mode: 'llm',
      sources: [{ css: '.description p' }],
    });

    const repair = await repairAfterRedesign(user, siteId);
    // Title, ISBN and publisher came back through the heuristics; only the blurb went to the model.
    expect(llm.received.map(schemaOf)).toEqual(['relocated']);
    expect(userPrompt(llm.received[0]!)).toMatch(/^Page 1 last showed: "A novel about .+, told with care\."$/m);

    const repaired = (await as(user, 'GET', `/api/v1/sites/${siteId}/blueprint`)).json<{
      version: number;
      reason: string;
      content: Blueprint;
    }>();
    expect(repaired).toMatchObject({ version: 2, reason: 'repair' });
    const fields = fieldsOf(repaired.content);
    expect(fields.find((field) => field.name === 'blurb')).toMatchObject({
      mode: 'llm',
      sources: [{ css: '.pdp__story', read: 'attr:data-text' }],
    });
    expect(fields.find((field) => field.name === 'title')!.mode).not.toBe('llm');
    expect(JSON.stringify(repaired.content)).not.toContain('.pdp__story button');
    expect(repaired.content.llm).toEqual({ model: 'fake/model', requests: 1, costUsd: expect.closeTo(0.002, 6) });
    expect(repair.llm).toMatchObject({ requests: 1, costUsd: expect.closeTo(0.002, 6) });
    expect(repair.costUsd).toBeCloseTo(0.002, 6);

    const book = shop.books[3]!;
    const html = await (await fetch(shop.productUrl(book))).text();
    expect(extractPage(repaired.content, { url: shop.productUrl(book), html }).fields).toMatchObject({
      blurb: { value: blurbOf(book) },
      title: { value: book.title },
    });
  });

  it('repairs listing records: heuristics re-locate the records and most fields, the LLM the one left, tested inside each record', async () => {
    const user = await signUp(app, 'llm-listing-repair@example.com');
    llm.respond((request) =>
      schemaOf(request) === 'relocated'
        ? json(
            {
              selectors: [
                { field: 'publisher', css: 'h3', read: 'text' },
                { field: 'publisher', css: '.tile__meta', read: 'attr:data-house' },
              ],
            },
            0.003,
          )
        : undefined,
    );
    const shelf = (category: string) => shop.books.filter((book) => book.category === category);
    const { siteId, job, log } = await analyse(user, ['title', 'publisher', 'price'], {
      examples: [{ url: `${shop.url}/category/fiction`, values: { title: shelf('fiction').map((book) => book.title) } }],
    });
    expect(job.status, `${job.error} ${log.join('\n')}`).toBe('succeeded');
    const analysed = await blueprintOf(user, siteId);
    expect(analysed.pageTypes[0]!.list?.item).toBe('li.book-card');

    const repair = await repairAfterRedesign(user, siteId);
    expect(llm.received.map(schemaOf)).toEqual(['relocated']);
    const prompt = userPrompt(llm.received[0]!);
    expect(prompt).toContain('each record is an element matching `div.tile`');
    expect(prompt).toContain(`Page 1 last showed: ${JSON.stringify(shelf('fiction')[0]!.publisher)}`);

    const repaired = (await as(user, 'GET', `/api/v1/sites/${siteId}/blueprint`)).json<{ version: number; content: Blueprint }>();
    expect(repaired.version).toBe(2);
    const list = repaired.content.pageTypes[0]!.list!;
    expect(list.item).toBe('div.tile');
    // The heading reads titles, not publishers: rejected. The attribute reproduces every record's publisher.
    expect(list.fields.find((field) => field.name === 'publisher')).toMatchObject({
      mode: 'llm',
      sources: [{ css: '.tile__meta', read: 'attr:data-house' }],
    });
    expect(list.fields.find((field) => field.name === 'title')!.mode).not.toBe('llm');
    expect(repaired.content.llm).toEqual({ model: 'fake/model', requests: 1, costUsd: expect.closeTo(0.003, 6) });
    expect(repair.costUsd).toBeCloseTo(0.003, 6);

    const url = `${shop.url}/category/history`;
    const items = extractPage(repaired.content, { url, html: await (await fetch(url)).text() }).items!;
    expect(items.map((item) => [item.title?.value, item.publisher?.value])).toEqual(
      shelf('history').map((book) => [book.title, book.publisher]),
    );
  });

  it('goes on heuristics-only when the provider times out or answers malformed JSON', async () => {
    const user = await signUp(app, 'llm-failures@example.com');
    llm.respond((request) => (schemaOf(request) === 'page_types' ? { hang: true } : { content: '{"selectors": [', cost: 0.001 }));
    const { siteId, job, log } = await analyse(user, ['title', 'isbn_13', 'blurb']);
    expect(job.status, `${job.error} ${log.join('\n')}`).toBe('succeeded');
    // One timed-out call, then a malformed answer and its failed repair.
    expect(llm.received.map(schemaOf)).toEqual(['page_types', 'selectors', 'selectors']);
    expect(log).toContainEqual(
      'warn: LLM call failed (timeout: The LLM provider did not answer in time): continuing heuristics-only for discover_categories.',
    );
    expect(log).toContainEqual(
      expect.stringMatching(/^warn: LLM call failed \(invalid_output: .*\): continuing heuristics-only for generate_selectors\.$/),
    );
    const blueprint = await blueprintOf(user, siteId);
    expect(blueprint.pageTypes[0]!.name).not.toBe('book');
    expect(fieldsOf(blueprint).map((field) => [field.name, field.mode, field.sources.length > 0])).toEqual([
      ['title', 'heuristic', true],
      ['isbn_13', 'heuristic', true],
      ['blurb', 'heuristic', false],
    ]);
    // Every attempt is on record, the failed one included; only the billed ones cost.
    expect(job.llm).toEqual({ requests: 3, promptTokens: 200, completionTokens: 40, costUsd: expect.closeTo(0.002, 6) });
    expect(blueprint.llm).toEqual({ model: 'fake/model', requests: 3, costUsd: expect.closeTo(0.002, 6) });
  });
});
