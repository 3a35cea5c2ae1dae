import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type TestUser } from '../../test/support/accounts.js';
import { createTestStack, LogCapture } from '../../test/support/app.js';
import { databaseTargets } from '../../test/support/databases.js';
import { assistedBuild } from '../../test/support/assisted-build.js';
import { startFakeLlmServer, type FakeLlmServer } from '../../test/support/fake-llm-server.js';
import { loadConfig } from '../config/index.js';
import { PageContext } from '../engine/extract/runtime.js';
import type { AppInstance } from '../http/app-instance.js';
import type { Platform } from '../app/platform.js';
import { AuditRepository } from '../audit/audit.repository.js';
import { LlmRepository, LlmService } from './index.js';

const pages = [1, 2, 3, 4].map((i) => {
  const html = `<html><head><title>Lamp ${i} | Shop</title></head><body><main><h1 class="product-title">Lamp model ${i}</h1><div class="specs"><span class="ref-x">WH-${1000 + i * 7}-Q</span></div></main></body></html>`;
  const url = `https://shop.example/p/${i}`;
  return { url, html, page: new PageContext(url, html) };
});
const fields = [{ name: 'title' }, { name: 'warehouse_code', description: 'internal warehouse reference' }];
const answer = (cost: number) => ({
  content: JSON.stringify({ selectors: [{ field: 'warehouse_code', css: '.specs .ref-x', read: 'text' }] }),
  cost,
  promptTokens: 1_000,
  completionTokens: 40,
});

describe('LLM cost tracking, budgets and usage API (PGlite)', () => {
  let server: FakeLlmServer;
  let app: AppInstance;
  let platform: Platform;
  let user: TestUser;
  let service: LlmService;
  const logs = new LogCapture();

  beforeAll(async () => {
    server = await startFakeLlmServer();
    const database = await databaseTargets()[0]!.open();
    ({ app, platform } = await createTestStack({
      database,
      logs,
      env: { LLM_API_KEY: 'sk-or-very-secret', LLM_BASE_URL: server.baseUrl, LLM_MODEL: 'fake/model', LLM_MONTHLY_BUDGET_USD: '0.05' },
    }));
    user = await signUp(app, 'llm@example.com');
    service = new LlmService(new LlmRepository(platform.database.db), new AuditRepository(platform.database.db), platform.config);
  });
  afterAll(async () => {
    await app.close();
    await server.close();
  });

  const analyze = (siteId: string) =>
    assistedBuild(pages, fields, {
      llm: { client: service.clientFor({ workspaceId: user.workspaceId, siteId })!, context: { siteId }, capUsd: service.analysisCapUsd },
    });

  it('stores every call, stops at the monthly budget with 80 % and 100 % events, and the usage API matches the bill', async () => {
    const [siteA, siteB] = ['0b5a3c52-8a5e-4a51-9a2e-3f1c6f0e0a01', '0b5a3c52-8a5e-4a51-9a2e-3f1c6f0e0a02'];
    // 0.03 + 0.012 = 84 % of 0.05; then a malformed answer repaired (two billed calls) crosses 100 %.
    server.script(answer(0.03), answer(0.012), { content: '{oops', cost: 0.004, promptTokens: 900, completionTokens: 5 }, answer(0.006));
    const first = await analyze(siteA);
    expect(first.fields[1]).toMatchObject({ mode: 'llm', sources: [{ css: '.specs .ref-x' }] });
    await analyze(siteA);
    const events = () => new LlmRepository(platform.database.db).budgetEvents(user.workspaceId);
    expect((await events()).map((e) => e.threshold)).toEqual([80]);
    const third = await analyze(siteB);
    expect(third.llm).toMatchObject({ calls: 2, costUsd: 0.01 });
    expect((await events()).map((e) => [e.threshold, e.budgetUsd])).toEqual([
      [80, 0.05],
      [100, 0.05],
    ]);

    // Over budget: no request reaches the provider and the analysis completes heuristics-only, saying why.
    const before = server.received.length;
    const blocked = await analyze(siteB);
    expect(server.received.length).toBe(before);
    expect(blocked.fields.map((f) => [f.name, f.mode, f.sources.length])).toEqual([
      ['title', 'heuristic', 1],
      ['warehouse_code', 'heuristic', 0],
    ]);
    expect(blocked.llm.notes[0]).toMatch(/^LLM budget reached \(monthly LLM budget of \$0\.05 reached/);

    const response = await app.inject({ method: 'GET', url: '/api/v1/llm/usage', headers: user.headers });
    expect(response.statusCode, response.body).toBe(200);
    const usage = response.json<{
      totals: { requests: number; promptTokens: number; completionTokens: number; costUsd: number };
      budget: { spentThisMonthUsd: number };
      byDay: { day: string; costUsd: number }[];
      byModel: { model: string; requests: number }[];
      bySite: { siteId: string; costUsd: number; requests: number }[];
      byStep: { step: string; requests: number }[];
    }>();
    expect(server.received).toHaveLength(4);
    expect(usage.totals.requests).toBe(4);
    expect(usage.totals.costUsd).toBeCloseTo(server.billedUsd(), 6);
    expect(usage.totals.promptTokens).toBe(3 * 1_000 + 900);
    expect(usage.totals.completionTokens).toBe(3 * 40 + 5);
    expect(usage.budget.spentThisMonthUsd).toBeCloseTo(0.052, 6);
    expect(usage.byDay).toEqual([expect.objectContaining({ day: new Date().toISOString().slice(0, 10) })]);
    expect(usage.byModel).toEqual([expect.objectContaining({ model: 'fake/model', requests: 4 })]);
    expect(usage.bySite.map((s) => [s.siteId, s.requests, Number(s.costUsd.toFixed(6))])).toEqual([
      [siteA, 2, 0.042],
      [siteB, 2, 0.01],
    ]);
    expect(usage.byStep).toEqual([expect.objectContaining({ step: 'generate_selectors', requests: 4 })]);
    expect(logs.text).not.toContain('sk-or-very-secret');
  });

  it('keeps usage to the workspace and asks for a login', async () => {
    const other = await signUp(app, 'other@example.com');
    const response = await app.inject({ method: 'GET', url: '/api/v1/llm/usage', headers: other.headers });
    expect(response.json()).toMatchObject({ totals: { requests: 0, costUsd: 0 }, bySite: [] });
    expect((await app.inject({ method: 'GET', url: '/api/v1/llm/usage' })).statusCode).toBe(401);
  });

  it('makes no client without an API key: heuristics only', () => {
    const keyless = new LlmService(new LlmRepository(platform.database.db), new AuditRepository(platform.database.db), {
      ...platform.config,
      LLM_API_KEY: undefined,
    });
    expect(keyless.clientFor({ workspaceId: user.workspaceId })).toBeNull();
  });
});

describe('LLM configuration', () => {
  it('defaults to OpenRouter without a key and validates the price table', () => {
    const config = loadConfig({ LLM_PRICES: '{"fake/model":{"prompt":0.15,"completion":0.6}}' });
    expect(config.LLM_API_KEY).toBeUndefined();
    expect(config).toMatchObject({
      LLM_BASE_URL: 'https://openrouter.ai/api/v1',
      LLM_PRICES: { 'fake/model': { prompt: 0.15, completion: 0.6 } },
    });
    expect(() => loadConfig({ LLM_PRICES: '{"m":{"prompt":-1,"completion":1}}' })).toThrow(/LLM_PRICES/);
    expect(() => loadConfig({ LLM_PRICES: 'cheap' })).toThrow('Invalid configuration: LLM_PRICES=cheap: expected JSON');
  });
});
