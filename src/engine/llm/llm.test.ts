import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countTokens } from 'gpt-tokenizer';
import { z } from 'zod';
import { assistedBuild } from '../../../test/support/assisted-build.js';
import { startFakeLlmServer, type FakeLlmServer } from '../../../test/support/fake-llm-server.js';
import { buildBlueprint } from '../blueprint/build.js';
import { contentHash } from '../blueprint/versions.js';
import { extractPage, PageContext } from '../extract/runtime.js';
import { discoverPageTypes } from '../discover/index.js';
import {
  assistBlueprint,
  discoverWithLlm,
  LlmClient,
  LlmError,
  mergePageTypeProposals,
  proposePageTypes,
  pruneHtml,
  repairField,
  type BudgetGuard,
  type LlmUsage,
} from './index.js';

let server: FakeLlmServer;
beforeAll(async () => {
  server = await startFakeLlmServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.received.length = 0;
});

function client(
  options: {
    recorded?: LlmUsage[];
    budget?: BudgetGuard;
    timeoutMs?: number;
    maxRetries?: number;
    prices?: Record<string, { prompt: number; completion: number }>;
  } = {},
) {
  return new LlmClient({
    apiKey: 'sk-test-secret',
    baseUrl: server.baseUrl,
    model: 'test/model-a',
    timeoutMs: options.timeoutMs ?? 5_000,
    maxRetries: options.maxRetries ?? 2,
    prices: options.prices,
    budget: options.budget,
    recorder: (usage) => void options.recorded?.push(usage),
  });
}

const Answer = z.strictObject({ colour: z.string() });
const ask = (llm: LlmClient) =>
  llm.structured({ name: 'answer', schema: Answer, system: 'sys', user: 'What colour?', context: { step: 'test', site: 's1' } });

const ok = (value: unknown, extra: { cost?: number; promptTokens?: number; completionTokens?: number } = {}) => ({
  content: JSON.stringify(value),
  ...extra,
});

describe('LlmClient against a fake OpenAI-compatible server', () => {
  it('sends a strict JSON schema from zod, validates the answer and reports provider-billed usage', async () => {
    const recorded: LlmUsage[] = [];
    server.script(ok({ colour: 'red' }, { cost: 0.0042, promptTokens: 321, completionTokens: 12 }));
    const { value, usage } = await ask(client({ recorded }));
    expect(value).toEqual({ colour: 'red' });
    const request = server.received[0]!;
    expect(request.authorization).toBe('Bearer sk-test-secret');
    expect(request.body.model).toBe('test/model-a');
    expect(request.body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'answer', strict: true, schema: { type: 'object', required: ['colour'], additionalProperties: false } },
    });
    expect(recorded).toEqual(usage);
    expect(recorded).toEqual([
      expect.objectContaining({
        model: 'test/model-a',
        step: 'test',
        context: { step: 'test', site: 's1' },
        promptTokens: 321,
        completionTokens: 12,
        costUsd: 0.0042,
        costSource: 'provider',
        status: 'ok',
        error: null,
      }),
    ]);
    expect(recorded[0]!.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('computes the cost from the price table when the provider reports none, and says when it is unknown', async () => {
    const recorded: LlmUsage[] = [];
    server.script(ok({ colour: 'blue' }, { promptTokens: 2_000, completionTokens: 500 }), ok({ colour: 'blue' }));
    await ask(client({ recorded, prices: { 'test/model-a': { prompt: 3, completion: 15 } } }));
    await ask(client({ recorded }));
    expect(recorded[0]).toMatchObject({ costUsd: (2_000 * 3 + 500 * 15) / 1e6, costSource: 'price-table' });
    expect(recorded[1]).toMatchObject({ costUsd: null, costSource: 'unknown' });
  });

  it('retries a 429 after the Retry-After delay and then succeeds', async () => {
    const recorded: LlmUsage[] = [];
    server.script({ status: 429, retryAfter: '1' }, ok({ colour: 'green' }, { cost: 0.001 }));
    const { value } = await ask(client({ recorded }));
    expect(value.colour).toBe('green');
    expect(server.received).toHaveLength(2);
    // The SDK's own backoff starts near 0.5 s; waiting a full second shows the header was honoured.
    expect(server.received[1]!.at - server.received[0]!.at).toBeGreaterThanOrEqual(950);
    expect(recorded).toEqual([expect.objectContaining({ status: 'ok', costUsd: 0.001 })]);
  });

  it('retries 5xx and fails with a typed error once the retries are spent', async () => {
    const recorded: LlmUsage[] = [];
    server.script({ status: 503, retryAfter: '0' }, { status: 503, retryAfter: '0' });
    const failure = await ask(client({ recorded, maxRetries: 1 })).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LlmError);
    expect(failure).toMatchObject({ kind: 'http', status: 503 });
    expect(server.received).toHaveLength(2);
    expect(recorded).toEqual([expect.objectContaining({ status: 'error', error: 'http: The LLM provider answered 503' })]);
  });

  it('repairs one malformed answer by quoting the problem back to the model', async () => {
    const recorded: LlmUsage[] = [];
    server.script({ content: '{"colour": "red"', cost: 0.002 }, ok({ colour: 'red' }, { cost: 0.003 }));
    const { value, usage } = await ask(client({ recorded }));
    expect(value).toEqual({ colour: 'red' });
    expect(usage.map((call) => call.costUsd)).toEqual([0.002, 0.003]);
    const repair = server.received[1]!.body.messages;
    expect(repair.at(-2)).toEqual({ role: 'assistant', content: '{"colour": "red"' });
    expect(repair.at(-1)!.content).toMatch(/invalid: not JSON/);
  });

  it('gives up with invalid_output after one repair, keeping the billed usage on the error', async () => {
    server.script(ok({ color: 'red' }, { cost: 0.001 }), { content: 'Sure! Here it is', cost: 0.001 });
    const failure = (await ask(client()).catch((error: unknown) => error)) as LlmError;
    expect(failure).toBeInstanceOf(LlmError);
    expect(failure.kind).toBe('invalid_output');
    expect(failure.usage.map((call) => call.costUsd)).toEqual([0.001, 0.001]);
    expect(server.received).toHaveLength(2);
  });

  it('times out a hanging provider with a typed error', async () => {
    const recorded: LlmUsage[] = [];
    server.script({ hang: true });
    const started = Date.now();
    const failure = await ask(client({ recorded, timeoutMs: 300, maxRetries: 0 })).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'LlmError', kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(recorded).toEqual([expect.objectContaining({ status: 'error', error: expect.stringMatching(/^timeout/) })]);
  });
});

describe('pruneHtml', () => {
  const items = Array.from(
    { length: 40 },
    (_, i) => `<li class="item" data-id="${i}"><a href="/p/${i}?ref=${'x'.repeat(120)}">Item ${i}</a></li>`,
  ).join('');
  const html = `<html><head><title>Shop &amp; more</title><style>.a{}</style><script>track()</script></head><body>
    <header class="site"><a href="/">Logo</a></header><nav><a href="/a">A</a></nav>
    <div id="cookie-banner">We use cookies</div>
    <main><div><div><h1 itemprop="name" class="title" style="color:red" onclick="x()">Lamp</h1></div></div>
    <svg><path d="M0 0"/></svg><img src="data:image/png;base64,${'A'.repeat(500)}" alt="lamp">
    <ul class="list">${items}</ul></main><footer>© Shop</footer></body></html>`;

  it('drops scripts, styles, SVG and chrome, keeps selector attributes, collapses repeated siblings', () => {
    const { html: pruned, tokens, truncated } = pruneHtml(html, { maxTokens: 2_000 });
    expect(truncated).toBe(false);
    expect(tokens).toBe(countTokens(pruned));
    expect(pruned).toContain('<title>Shop &amp; more</title>');
    expect(pruned).toContain('<h1 itemprop="name" class="title">Lamp</h1>');
    expect(pruned).not.toMatch(/track\(\)|\.a\{\}|<svg|<path|Logo|cookies|© Shop|onclick|style=/);
    expect(pruned).toContain('src="data:…"');
    expect(pruned).toMatch(/<li class="item" data-id="0"><a href="\/p\/0\?ref=x+…">Item 0<\/a><\/li>/);
    expect(pruned).toContain('<!-- 37 more li.item -->');
    expect(pruned).not.toContain('Item 39');
  });

  it('fits any page into the token budget', () => {
    // Distinct classes: nothing to collapse, so only truncation can make it fit.
    const huge = `<html><body><main>${Array.from({ length: 300 }, (_, i) => `<p class="c${i}">${'word '.repeat(80)}</p>`).join('')}</main></body></html>`;
    const tight = pruneHtml(huge, { maxTokens: 200 });
    expect(tight.tokens).toBeLessThanOrEqual(200);
    expect(tight.truncated).toBe(true);
    const roomy = pruneHtml(html, { maxTokens: 150 });
    expect(roomy.tokens).toBeLessThanOrEqual(150);
  });
});

// Product pages whose warehouse code has no label, microdata or telling class: the heuristics miss it.
function shopPages(layout: 'old' | 'new' = 'old') {
  return [1, 2, 3, 4].map((i) => {
    const code = `WH-${1000 + i * 7}-Q`;
    const codeHtml =
      layout === 'old'
        ? `<div class="specs"><span class="ref-x">${code}</span></div>`
        : `<section class="meta-b"><b class="k9">${code}</b></section>`;
    const html = `<html><head><title>Lamp ${i} | Shop</title></head><body><nav><a href="/">Home</a></nav><main><h1 class="product-title">Lamp model ${i}</h1>${codeHtml}<p class="price">$${i}9.00</p></main></body></html>`;
    const url = `https://shop.example/p/${i}`;
    return { url, html, page: new PageContext(url, html), code };
  });
}
const fields = [{ name: 'title' }, { name: 'warehouse_code', description: 'internal warehouse reference like WH-1234-Q' }];
const selectorAnswer = (...selectors: { field: string; css: string; read?: string }[]) =>
  ok({ selectors: selectors.map((s) => ({ read: 'text', ...s })) }, { cost: 0.01 });

describe('LLM-assisted analysis', () => {
  it('asks only about the fields heuristics missed and keeps a proposal only once testSelectors verifies it', async () => {
    server.script(
      selectorAnswer(
        { field: 'warehouse_code', css: '.nowhere-to-be-found' },
        { field: 'warehouse_code', css: '.specs .ref-x' },
        { field: 'warehouse_code', css: 'h1' },
      ),
    );
    const result = await assistedBuild(shopPages(), fields, { llm: { client: client(), context: { site: 's1' } } });
    const prompt = server.received[0]!.body.messages[1]!.content;
    expect(prompt).toContain('warehouse_code (text): internal warehouse reference');
    expect(prompt).not.toMatch(/^- title/m);
    expect(prompt).toContain('<span class="ref-x">WH-1007-Q</span>');
    const [title, code] = result.fields;
    expect(title).toMatchObject({ mode: 'heuristic', sources: [{ css: '.product-title' }] });
    expect(code).toMatchObject({ mode: 'llm', sources: [{ css: '.specs .ref-x' }], quality: { coverage: 1 } });
    expect(result.llm).toMatchObject({
      used: true,
      calls: 1,
      costUsd: 0.01,
      accepted: [{ field: 'warehouse_code', source: { css: '.specs .ref-x' } }],
    });
    expect(result.llm.rejected).toEqual([
      { field: 'warehouse_code', source: { css: '.nowhere-to-be-found' }, reason: 'matches values on 0% of the sample pages' },
      expect.objectContaining({ field: 'warehouse_code', source: { css: 'h1' } }),
    ]);
    expect(JSON.stringify(result.fields.map((f) => f.sources))).not.toMatch(/nowhere|"h1"/);
  });

  it('never saves a selector that does not verify, nor one that does not parse', async () => {
    server.script(
      selectorAnswer(
        { field: 'warehouse_code', css: 'nav a' },
        { field: 'warehouse_code', css: 'div[[' },
        { field: 'colour', css: '.ref-x' },
      ),
    );
    const result = await assistedBuild(shopPages(), fields, { llm: { client: client(), context: {} } });
    expect(result.fields[1]).toMatchObject({ mode: 'heuristic', sources: [] });
    expect(result.llm.accepted).toEqual([]);
    expect(result.llm.rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^invalid: invalid CSS selector/),
      'unknown field',
      'reads the same text on every page (template, not data)',
    ]);
  });

  it('stops calling the LLM when the budget is reached and still completes heuristics-only, saying so', async () => {
    const checks: string[] = [];
    const budget: BudgetGuard = {
      check: async (context) => {
        checks.push(context.step);
        return { allowed: false, reason: 'monthly budget of $5 used' };
      },
    };
    const result = await assistedBuild(shopPages(), fields, { llm: { client: client({ budget }), context: {} } });
    expect(server.received).toHaveLength(0);
    expect(checks).toEqual(['generate_selectors']);
    expect(result.fields.map((f) => [f.name, f.mode, f.sources.length])).toEqual([
      ['title', 'heuristic', 1],
      ['warehouse_code', 'heuristic', 0],
    ]);
    expect(result.llm).toMatchObject({ used: false, calls: 0, costUsd: 0 });
    expect(result.llm.notes).toEqual([
      'LLM budget reached (monthly budget of $5 used): continuing heuristics-only for generate_selectors.',
    ]);
  });

  it('stops at the per-analysis cap and goes on after an LLM failure', async () => {
    server.script({ content: 'not json', cost: 0.02 }, { content: 'still not json', cost: 0.02 });
    const failed = await assistedBuild(shopPages(), fields, { llm: { client: client(), context: {}, capUsd: 0.03 } });
    expect(failed.fields[0]!.sources).toEqual([{ css: '.product-title' }]);
    expect(failed.llm).toMatchObject({ used: true, calls: 2, costUsd: 0.04 });
    expect(failed.llm.notes[0]).toMatch(/^LLM call failed \(invalid_output/);
    const capped = await assistedBuild(shopPages(), fields, { llm: { client: client(), context: {}, capUsd: 0 } });
    expect(capped.llm.notes).toEqual([
      'LLM budget reached (per-analysis cap of $0 spent): continuing heuristics-only for generate_selectors.',
    ]);
    expect(server.received).toHaveLength(2);
  });

  it('works with no LLM at all', async () => {
    const result = await assistedBuild(shopPages(), fields);
    expect(result.llm).toMatchObject({ used: false, notes: ['No LLM configured: heuristics only.'] });
    expect(result.fields[0]!.mode).toBe('heuristic');
  });
});

describe('repairField', () => {
  const lastGood = (layout: 'old' | 'new') => shopPages(layout).map((entry) => ({ page: entry, values: [entry.code] }));

  it('re-locates a field from its last known good values with heuristics first, no LLM call', async () => {
    const repaired = await repairField({ field: fields[1]!, lastGood: lastGood('new') }, { client: client(), context: {} });
    expect(server.received).toHaveLength(0);
    expect(repaired.field).toMatchObject({ mode: 'example', quality: { coverage: 1 } });
  });

  it('asks the LLM when heuristics cannot, and keeps only a selector that reproduces the known values', async () => {
    // Values rendered with a prefix the heuristics' example matching does not see through.
    const pages = shopPages('new').map((entry) => {
      const html = entry.html.replace(`<b class="k9">${entry.code}</b>`, `<b class="k9" data-wh="${entry.code}">ref</b>`);
      return { page: { url: entry.url, html, page: new PageContext(entry.url, html) }, values: [entry.code] };
    });
    server.script(
      selectorAnswer({ field: 'warehouse_code', css: '.price' }, { field: 'warehouse_code', css: '.meta-b .k9', read: 'attr:data-wh' }),
    );
    const repaired = await repairField({ field: fields[1]!, lastGood: pages }, { client: client(), context: { site: 's1' } });
    expect(server.received[0]!.body.messages[1]!.content).toContain('Page 1 last showed: "WH-1007-Q"');
    expect(repaired.field).toMatchObject({ mode: 'llm', sources: [{ css: '.meta-b .k9', read: 'attr:data-wh' }] });
    expect(repaired.llm.rejected).toEqual([expect.objectContaining({ source: { css: '.price' } })]);
  });
});

describe('proposePageTypes', () => {
  it('names discovered groups and proposes fields, dropping answers about groups that do not exist', async () => {
    const pages = shopPages().map(({ url, html }) => ({ url, html }));
    const types = discoverPageTypes(pages);
    server.script(
      ok(
        {
          types: [
            {
              index: 0,
              name: 'product',
              description: 'A lamp for sale',
              fields: [{ name: 'warehouse_code', description: 'reference', type: 'text' }],
            },
            { index: 7, name: 'ghost', description: 'not a group', fields: [] },
          ],
        },
        { cost: 0.005 },
      ),
    );
    const { value, usage } = await proposePageTypes(client(), { types, pages, context: { step: 'discover_categories' } });
    expect(value).toEqual([
      {
        index: 0,
        name: 'product',
        description: 'A lamp for sale',
        fields: [{ name: 'warehouse_code', description: 'reference', type: 'text' }],
      },
    ]);
    expect(usage[0]).toMatchObject({ step: 'discover_categories', costUsd: 0.005 });
    expect(server.received[0]!.body.messages[1]!.content).toContain('Group 0: other pages like /p/:page (4 pages)');
  });
});

describe('assistBlueprint (the generate_selectors hook on a built blueprint)', () => {
  const inputs = () => shopPages().map(({ url, html }) => ({ url, html }));
  const withColour = [...fields, { name: 'colour', description: 'the lamp colour' }];

  it('merges only verified LLM sources into the blueprint, drops unverified LLM-proposed fields, and records the cost', async () => {
    const built = buildBlueprint(inputs(), { fields: withColour }).blueprint;
    expect(built.pageTypes[0]!.fields.map((f) => [f.name, f.sources.length])).toEqual([
      ['title', 1],
      ['warehouse_code', 0],
      ['colour', 0],
    ]);
    server.script(selectorAnswer({ field: 'warehouse_code', css: '.specs .ref-x' }, { field: 'colour', css: 'nav a' }));
    const { blueprint, llm } = await assistBlueprint(built, inputs(), {
      fields: withColour,
      llm: { client: client(), context: {} },
      unverified: ['colour'],
    });
    const prompt = server.received[0]!.body.messages[1]!.content;
    expect(prompt).toMatch(/^- warehouse_code \(text\): internal warehouse reference/m);
    expect(prompt).not.toMatch(/^- title/m);
    // testSelectors may tighten the proposal (here a regex for the constant affixes): still the proposal's selector.
    expect(
      blueprint.pageTypes[0]!.fields.map((f) => [f.name, f.mode, f.sources.map((source) => ('css' in source ? source.css : source))]),
    ).toEqual([
      ['title', 'heuristic', ['.product-title']],
      ['warehouse_code', 'llm', ['.specs .ref-x']],
    ]);
    expect(blueprint.llm).toEqual({ model: 'test/model-a', requests: 1, costUsd: 0.01 });
    expect(blueprint.contentHash).toBe(contentHash(blueprint));
    expect(blueprint.contentHash).not.toBe(built.contentHash);
    expect(blueprint.validation).toMatchObject({ coverage: 1, samplePages: 4 });
    expect(llm.accepted).toEqual([{ field: 'warehouse_code', source: expect.objectContaining({ css: '.specs .ref-x' }) }]);
    expect(llm.rejected).toEqual([expect.objectContaining({ field: 'colour', source: { css: 'nav a' } })]);
  });

  it('leaves the blueprint alone without an LLM, when nothing is weak, or after a failed call', async () => {
    const built = buildBlueprint(inputs(), { fields }).blueprint;
    expect((await assistBlueprint(built, inputs(), { fields })).blueprint).toBe(built);
    const strong = buildBlueprint(inputs(), { fields: [fields[0]!] }).blueprint;
    expect((await assistBlueprint(strong, inputs(), { fields: [fields[0]!], llm: { client: client(), context: {} } })).blueprint).toBe(
      strong,
    );
    expect(server.received).toHaveLength(0);
    server.script({ content: 'nope', cost: 0.001 }, { content: 'nope again', cost: 0.001 });
    const failed = await assistBlueprint(built, inputs(), { fields, llm: { client: client(), context: {} } });
    expect(failed.blueprint.pageTypes).toEqual(built.pageTypes);
    expect(failed.blueprint.llm).toEqual({ model: 'test/model-a', requests: 2, costUsd: 0.002 });
    expect(failed.llm.notes[0]).toMatch(/^LLM call failed \(invalid_output: .*\): continuing heuristics-only for generate_selectors\.$/);
  });

  it('helps with the fields of listing records, testing proposals inside each record', async () => {
    // Category pages of lamps: each record's warehouse code sits in an unlabelled, oddly named span.
    const listing = [1, 2, 3].map((page) => {
      const records = [1, 2, 3, 4, 5].map((n) => {
        const id = page * 10 + n;
        return `<li class="tile"><a class="tile-name" href="/p/${id}">Lamp model ${id}</a><span class="q7">WH-${1000 + id * 7}-Q</span></li>`;
      });
      const html = `<html><head><title>Lamps ${page} | Shop</title></head><body><nav><a href="/">Home</a></nav><main><h1>Lamps</h1><ul class="tiles">${records.join('')}</ul></main></body></html>`;
      return { url: `https://shop.example/c/lamps?page=${page}`, html };
    });
    const recordFields = [{ name: 'title' }, fields[1]!];
    const built = buildBlueprint(listing, { fields: recordFields }).blueprint;
    const list = built.pageTypes[0]!.list!;
    expect(list.fields.map((f) => [f.name, f.sources.length > 0])).toEqual([
      ['title', true],
      ['warehouse_code', false],
    ]);
    server.script(selectorAnswer({ field: 'warehouse_code', css: '.tile-sku' }, { field: 'warehouse_code', css: '.q7' }));
    const { blueprint, llm } = await assistBlueprint(built, listing, { fields: recordFields, llm: { client: client(), context: {} } });
    expect(server.received[0]!.body.messages[1]!.content).toContain(`each record is an element matching \`${list.item}\``);
    const code = blueprint.pageTypes[0]!.list!.fields.find((f) => f.name === 'warehouse_code')!;
    expect(code).toMatchObject({ mode: 'llm', sources: [{ css: '.q7' }], quality: { coverage: 1 } });
    expect(llm.rejected).toEqual([
      { field: 'warehouse_code', source: { css: '.tile-sku' }, reason: 'matches values on 0% of the sample pages' },
    ]);
    const records = extractPage(blueprint, listing[1]!).items!;
    expect(records.map((record) => record.warehouse_code?.value)).toEqual([1, 2, 3, 4, 5].map((n) => `WH-${1000 + (20 + n) * 7}-Q`));
  });

  it('counts what earlier steps of the analysis spent against the cap', async () => {
    const built = buildBlueprint(inputs(), { fields }).blueprint;
    const { llm } = await assistBlueprint(built, inputs(), { fields, llm: { client: client(), context: {}, capUsd: 0.5, spentUsd: 0.5 } });
    expect(server.received).toHaveLength(0);
    expect(llm.notes).toEqual(['LLM budget reached (per-analysis cap of $0.5 spent): continuing heuristics-only for generate_selectors.']);
  });
});

describe('discoverWithLlm', () => {
  const pages = () => shopPages().map(({ url, html }) => ({ url, html }));

  it('names and describes the heuristic groups and adds the proposed fields as names to verify later', async () => {
    server.script(
      ok(
        {
          types: [
            {
              index: 0,
              name: 'lamp',
              description: 'A lamp for sale',
              fields: [{ name: 'warehouse_code', description: 'reference', type: 'text' }],
            },
          ],
        },
        { cost: 0.002 },
      ),
    );
    const { pageTypes, llm } = await discoverWithLlm(pages(), { client: client(), context: {} });
    expect(pageTypes[0]).toMatchObject({ name: 'lamp', description: 'A lamp for sale', urls: pages().map((page) => page.url) });
    expect(pageTypes[0]!.fields.at(-1)).toEqual({
      name: 'warehouse_code',
      description: 'reference',
      type: 'text',
      examples: [],
      from: 'llm',
    });
    expect(llm).toMatchObject({ calls: 1, costUsd: 0.002 });
  });

  it('is the heuristic discovery without an LLM', async () => {
    expect((await discoverWithLlm(pages())).pageTypes).toEqual(discoverPageTypes(pages()));
  });

  it('keeps a heuristic name another type already has and never duplicates a known field', () => {
    const types = [
      {
        name: 'product',
        label: 'Product page',
        kind: 'detail' as const,
        urlPattern: '/p/:id',
        urls: ['a'],
        fields: [{ name: 'title', type: 'text' as const, examples: ['x'], from: 'heading' as const }],
      },
      { name: 'listing', label: 'Category listing', kind: 'listing' as const, urlPattern: '/c/:id', urls: ['b'], fields: [] },
    ];
    const merged = mergePageTypeProposals(types, [
      { index: 1, name: 'product', description: 'Categories', fields: [] },
      { index: 0, name: 'book', description: 'Books', fields: [{ name: 'title', description: 'again', type: 'text' }] },
    ]);
    expect(merged.map((type) => [type.name, type.label, type.description, type.fields.length])).toEqual([
      ['book', 'Book page', 'Books', 1],
      ['listing', 'Category listing', 'Categories', 0],
    ]);
    expect(types[0]!.name).toBe('product');
  });
});
