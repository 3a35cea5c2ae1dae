/**
 * The accuracy benchmark's --llm mode (see accuracy.ts): per site, a blueprint from the sample pages by
 * field names, then the same blueprint after the pipeline's LLM hook (assistBlueprint: proposals for weak
 * fields, kept only when selector testing verifies them); both scored on the other pages like score.mjs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildBlueprint, type Blueprint } from '../src/engine/blueprint/index.js';
import { compileBlueprint, extractPage } from '../src/engine/extract/index.js';
import { assistBlueprint, LlmClient } from '../src/engine/llm/index.js';
import { readPagesDir, type PageInput } from '../src/engine/pages.js';
import { loadConfig } from '../src/config/index.js';

export interface Truth {
  fields: string[];
  pages: Record<string, Record<string, string[] | string>>;
}

const norm = (v: string) =>
  v
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '');

/** Macro-F1 of a blueprint on pages, per field and overall, scored like shared/benchmarks/score.mjs (page-level, any value right). */
export function scoreBlueprint(blueprint: Blueprint, pages: PageInput[], truth: Truth): { macro: number; fields: Record<string, number> } {
  const compiled = compileBlueprint(blueprint);
  const records = pages.map((page) => extractPage(compiled, page));
  const fields: Record<string, number> = {};
  for (const field of truth.fields) {
    let correct = 0;
    let predicted = 0;
    let gold = 0;
    for (const [i, page] of pages.entries()) {
      const value = records[i]!.fields[field]?.value ?? null;
      const got = (value === null ? [] : Array.isArray(value) ? value : [value]).map(norm).filter(Boolean);
      const expected = new Set(
        ([] as string[])
          .concat(truth.pages[page.file!]![field] ?? [])
          .map(norm)
          .filter(Boolean),
      );
      if (got.length) predicted++;
      if (expected.size) gold++;
      if (got.some((v) => expected.has(v))) correct++;
    }
    const precision = predicted ? correct / predicted : 0;
    const recall = gold ? correct / gold : 0;
    fields[field] = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  }
  const values = Object.values(fields);
  return { macro: values.reduce((sum, f1) => sum + f1, 0) / values.length, fields };
}

/** The LLM client from LLM_API_KEY, LLM_BASE_URL, LLM_MODEL, LLM_TIMEOUT_MS, LLM_MAX_RETRIES and LLM_PRICES, or why there is none. */
export function benchLlmClient(env: NodeJS.ProcessEnv): { client: LlmClient } | { error: string } {
  const config = loadConfig(env);
  if (!config.LLM_API_KEY) {
    return { error: '--llm needs an LLM provider: set LLM_API_KEY (and optionally LLM_BASE_URL, LLM_MODEL, LLM_PRICES); nothing was run' };
  }
  return {
    client: new LlmClient({
      apiKey: config.LLM_API_KEY,
      baseUrl: config.LLM_BASE_URL,
      model: config.LLM_MODEL,
      timeoutMs: config.LLM_TIMEOUT_MS,
      maxRetries: config.LLM_MAX_RETRIES,
      prices: config.LLM_PRICES,
    }),
  };
}

export interface LlmSiteResult {
  site: string;
  heuristic: { macro: number; fields: Record<string, number> };
  withLlm: { macro: number; fields: Record<string, number> };
  /** Fields whose best source the LLM proposed (and selector testing verified). */
  llmFields: string[];
  requests: number;
  costUsd: number;
  notes: string[];
  pages: number;
}

/** One site: `samples` pages build the blueprint (field names only), the others score it, without and with LLM help. */
export async function llmAccuracy(site: string, siteDir: string, samples: number, client: LlmClient): Promise<LlmSiteResult> {
  const truth = JSON.parse(readFileSync(path.join(siteDir, 'truth.json'), 'utf8')) as Truth;
  const pages = await readPagesDir(path.join(siteDir, 'pages'));
  const sample = pages.slice(0, samples);
  const rest = pages.slice(samples);
  const fields = truth.fields.map((name) => ({ name }));
  const built = buildBlueprint(sample, { fields }).blueprint;
  const assisted = await assistBlueprint(built, sample, { fields, llm: { client, context: { site } } });
  return {
    site,
    heuristic: scoreBlueprint(built, rest, truth),
    withLlm: scoreBlueprint(assisted.blueprint, rest, truth),
    llmFields: assisted.blueprint.pageTypes.flatMap((type) =>
      type.fields.filter((field) => field.mode === 'llm').map((field) => field.name),
    ),
    requests: assisted.llm.calls,
    costUsd: assisted.llm.costUsd,
    notes: assisted.llm.notes,
    pages: rest.length,
  };
}
