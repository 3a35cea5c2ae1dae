import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchLlmClient, llmAccuracy } from '../../bench/llm-accuracy.js';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.js';

/**
 * The accuracy benchmark's --llm code path on a tiny local site (not the shared benchmark data), against
 * the fake provider: product pages whose stock code has no label or telling class, so heuristics miss it.
 */
const codes = ['K7Q-2231', 'M2X-9912', 'B8R-1045', 'T3L-5520', 'Z9D-3307', 'H4N-7781'];

function tinySite(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'siteprint-bench-llm-'));
  mkdirSync(path.join(dir, 'pages'));
  const truth: { fields: string[]; pages: Record<string, Record<string, string[]>> } = { fields: ['title', 'stock_code'], pages: {} };
  for (const [i, code] of codes.entries()) {
    const file = `000${i}.htm`;
    const html = `<base href="https://lamps.example/p/${i}"><html><head><title>Lamp model ${i} | Lamps</title></head><body><nav><a href="/">Home</a></nav>
<main><h1 class="product-title">Lamp model ${i}</h1><div class="specs"><span class="ref-x">${code}</span></div><p class="price">$${i}9.00</p></main></body></html>`;
    writeFileSync(path.join(dir, 'pages', file), html);
    truth.pages[file] = { title: [`Lamp model ${i}`], stock_code: [code] };
  }
  writeFileSync(path.join(dir, 'truth.json'), JSON.stringify(truth));
  return dir;
}

describe('accuracy benchmark --llm', () => {
  let server: FakeLlmServer;
  beforeAll(async () => {
    server = await startFakeLlmServer();
  });
  afterAll(() => server.close());

  it('refuses to run without an API key, saying what to set', () => {
    expect(benchLlmClient({})).toEqual({ error: expect.stringMatching(/^--llm needs an LLM provider: set LLM_API_KEY/) });
  });

  it('reports F1 without and with LLM help, and what the LLM cost, per site', async () => {
    const llm = benchLlmClient({ LLM_API_KEY: 'sk-bench', LLM_BASE_URL: server.baseUrl, LLM_MODEL: 'fake/bench', LLM_MAX_RETRIES: '0' });
    if ('error' in llm) throw new Error(llm.error);
    server.script({
      content: JSON.stringify({ selectors: [{ field: 'stock_code', css: '.specs .ref-x', read: 'text' }] }),
      cost: 0.0125,
      promptTokens: 900,
      completionTokens: 30,
    });
    const result = await llmAccuracy('tiny', tinySite(), 4, llm.client);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.body.model).toBe('fake/bench');
    expect(server.received[0]!.body.messages[1]!.content).toContain('- stock_code (text)');
    expect(result).toMatchObject({
      site: 'tiny',
      heuristic: { macro: 0.5, fields: { title: 1, stock_code: 0 } },
      withLlm: { macro: 1, fields: { title: 1, stock_code: 1 } },
      llmFields: ['stock_code'],
      requests: 1,
      costUsd: 0.0125,
      pages: 2,
    });
  });
});
