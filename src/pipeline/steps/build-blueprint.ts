import type { SiteRecord, SitePageRecord } from '../../sites/sites.repository.js';
import { assistBlueprint, parseBlueprint, type Blueprint, type FieldSpec } from '../../engine/index.js';
import { PermanentJobError, type JobContext } from '../../queue/index.js';
import type { SitesRepository } from '../../sites/sites.repository.js';
import { payloadOf, type JobResult } from '../job-types.js';
import { pageText, type EngineThreads } from '../engine-threads.js';
import { analysisLlmUse, reportLlm, stepLlm, type LlmDeps } from '../llm-help.js';

/** At most this many pages generate selectors; the rest of the page type is held out to test them. */
const MAX_SAMPLES = 8;

/**
 * The page type to build the blueprint for: the one holding the user's example pages, else
 * the detail type with the most pages (the site's main records), else the largest.
 */
function targetType(
  site: SiteRecord,
  pages: SitePageRecord[],
): {
  name: string;
  label?: string;
  pages: SitePageRecord[];
  fields: FieldSpec[];
  /** Fields an LLM proposed at discovery, not yet seen on a page. */ unverified: string[];
} {
  const types = (site.pageTypes ?? []).filter((type) => type.urls.length > 0);
  const exampleUrls = new Set((site.options.examples ?? []).map((example) => example.url));
  const ranked = [...types].sort(
    (a, b) =>
      Number(b.urls.some((url) => exampleUrls.has(url))) - Number(a.urls.some((url) => exampleUrls.has(url))) ||
      Number(b.kind === 'detail' || b.kind === 'article') - Number(a.kind === 'detail' || a.kind === 'article') ||
      b.urls.length - a.urls.length,
  );
  const chosen = ranked[0];
  const byUrl = new Map(pages.map((page) => [page.url, page]));
  const members = chosen ? chosen.urls.map((url) => byUrl.get(url)).filter((page) => page !== undefined) : pages;
  const fields: FieldSpec[] = site.options.fields?.length
    ? site.options.fields.map((field) => ({
        name: field.name,
        ...(field.description ? { description: field.description } : {}),
        ...(field.type ? { type: field.type } : {}),
      }))
    : (chosen?.fields ?? []).map((field) => ({
        name: field.name,
        ...(field.type ? { type: field.type as FieldSpec['type'] } : {}),
        ...(field.description ? { description: field.description } : {}),
      }));
  const unverified = site.options.fields?.length
    ? []
    : (chosen?.fields ?? []).filter((field) => field.from === 'llm').map((field) => field.name);
  return { name: chosen?.name ?? 'page', ...(chosen?.label ? { label: chosen.label } : {}), pages: members, fields, unverified };
}

/**
 * generate_selectors: candidate sources for every field, from the page type's sample pages; with an LLM,
 * fields the heuristics missed or found weakly get the model's proposals, used only once selector testing
 * on the samples verifies them.
 */
export function generateSelectorsStep(deps: { sites: SitesRepository; engine: EngineThreads } & LlmDeps) {
  const { sites } = deps;
  return async (context: JobContext, site: SiteRecord): Promise<JobResult<'generate_selectors'>> => {
    const pages = (await sites.pages(site.id)).filter((page) => page.status < 400);
    const target = targetType(site, pages);
    if (target.pages.length === 0) throw new PermanentJobError('no usable pages were sampled from the site');
    if (target.fields.length === 0) {
      throw new PermanentJobError('no fields to extract: discovery proposed none; add field names to the site and retry');
    }
    const samples = target.pages.slice(0, Math.min(MAX_SAMPLES, Math.max(1, Math.ceil(target.pages.length * 0.6))));
    const heldOut = target.pages.slice(samples.length);
    await context.log('info', 'generating selectors', {
      pageType: target.name,
      fields: target.fields.map((field) => field.name),
      samples: samples.length,
      heldOut: heldOut.length,
    });
    const inputs = samples.map(pageText);
    const examples = site.options.examples ?? [];
    const built = await deps.engine.run('build', {
      pages: inputs,
      options: { fields: target.fields, examples, pageTypeName: target.name, ...(target.label ? { pageTypeLabel: target.label } : {}) },
    });
    await context.checkpoint();
    // The heuristics are half the step; the LLM's proposals and their verification (when a model is configured) the other half.
    await context.progress(0.5, 'heuristics done');
    const llm = await stepLlm(deps, context, site);
    const assisted = await assistBlueprint(built, inputs, {
      fields: target.fields,
      examples,
      llm: llm?.options,
      unverified: target.unverified,
    });
    await reportLlm(deps, context, llm, assisted.llm);
    // The engine records this step's calls; the blueprint states the whole analysis's (discovery included).
    const use = llm && (await analysisLlmUse(deps, llm));
    const { llm: _stepOnly, ...blueprint } = assisted.blueprint;
    return { draft: use ? { ...blueprint, llm: use } : blueprint, heldOutUrls: heldOut.map((page) => page.url) };
  };
}

/** test_selectors: the draft's sources run over held-out pages; coverage there becomes its quality. */
export function testSelectorsStep({ sites, engine }: { sites: SitesRepository; engine: EngineThreads }) {
  return async (context: JobContext, site: SiteRecord): Promise<JobResult<'test_selectors'>> => {
    const input = payloadOf(context.job, 'test_selectors');
    // Validated, not only typed: the draft crossed the queue as JSON.
    const draft = parseBlueprint(input.draft);
    const heldOutUrls = new Set(input.heldOutUrls ?? []);
    const heldOut = (await sites.pages(site.id)).filter((page) => heldOutUrls.has(page.url));
    const verification = await engine.run('verify', { blueprint: draft, pages: heldOut.map(pageText) });
    for (const field of verification.fields) {
      if (field.pages && field.coverage < 1) {
        await context.log('warn', `${field.field} missing on ${field.pages - field.valid} of ${field.pages} held-out pages`, {
          pages: field.failingPages.slice(0, 5),
        });
      }
    }
    const blueprint: Blueprint = heldOut.length
      ? {
          ...draft,
          validation: {
            ...(draft.validation ?? { samplePages: 0, coverage: verification.coverage }),
            heldOutPages: heldOut.length,
            coverage: ((draft.validation?.coverage ?? verification.coverage) + verification.coverage) / 2,
          },
        }
      : draft;
    return {
      blueprint,
      heldOut: { pages: heldOut.length, coverage: verification.coverage, broken: verification.broken.map((field) => field.field) },
    };
  };
}
