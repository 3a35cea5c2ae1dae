import {
  assistBlueprint,
  combineBlueprints,
  parseBlueprint,
  planAnalysis,
  primaryPageType,
  type AnalysisOptions,
  type Blueprint,
  type FieldSpec,
  type PlannedPageType,
} from '../../engine/index.js';
import { PermanentJobError, type JobContext } from '../../queue/index.js';
import type { SiteRecord, SitesRepository } from '../../sites/sites.repository.js';
import type { AnalysisCoordinator } from '../analysis.js';
import type { JobResult } from '../job-types.js';
import { pageText, type EngineThreads } from '../engine-threads.js';
import { analysisLlmUse, reportLlm, stepLlm, type LlmDeps } from '../llm-help.js';

/** The engine's analysis input for a site: its sampled pages, the fields the user named, its examples and discovered page types. */
function analysisOptions(site: SiteRecord): AnalysisOptions {
  const fields: FieldSpec[] | undefined = site.options.fields?.length
    ? site.options.fields.map((field) => ({
        name: field.name,
        ...(field.description ? { description: field.description } : {}),
        ...(field.type ? { type: field.type } : {}),
      }))
    : undefined;
  const pageTypes = site.pageTypes?.length ? site.pageTypes : undefined;
  return { ...(fields ? { fields } : {}), examples: site.options.examples ?? [], ...(pageTypes ? { pageTypes } : {}) };
}

/** The engine's plan, or why there is nothing to build (a permanent failure: retrying reads the same pages). */
function plan(pages: Array<{ url: string; html: string }>, options: AnalysisOptions): PlannedPageType[] {
  if (pages.length === 0) throw new PermanentJobError('no usable pages were sampled from the site');
  let planned: PlannedPageType[];
  try {
    planned = planAnalysis(pages, options);
  } catch (error) {
    throw new PermanentJobError(error instanceof Error ? error.message : String(error));
  }
  if (planned.length === 0)
    throw new PermanentJobError('no fields to extract: discovery proposed none; add field names to the site and retry');
  return planned;
}

/**
 * generate_selectors: the engine's analysis use-case (the one `siteprint blueprint` runs) builds every
 * planned page type from its sample pages and tests it on the held-out ones; with an LLM, fields of the
 * site's main page type that the heuristics missed or found weakly get the model's proposals, used only
 * once selector testing on the samples verifies them.
 */
export function generateSelectorsStep(deps: { sites: SitesRepository; engine: EngineThreads } & LlmDeps) {
  const { sites } = deps;
  return async (context: JobContext, site: SiteRecord): Promise<JobResult<'generate_selectors'>> => {
    const pages = (await sites.pages(site.id)).filter((page) => page.status < 400).map(pageText);
    const options = analysisOptions(site);
    const planned = plan(pages, options);
    await context.log('info', 'generating selectors', {
      pageTypes: planned.map((type) => ({
        name: type.pageTypeName ?? null,
        fields: type.fields.map((field) => field.name),
        samples: type.pages.length,
        heldOut: type.heldOut.length,
      })),
    });
    const byType = await deps.engine.run('analyze', { pages, options });
    await context.checkpoint();
    // The heuristics are half the step; the LLM's proposals and their verification (when a model is configured) the other half.
    await context.progress(0.5, 'heuristics done');
    const llm = await stepLlm(deps, context, site);
    const primary = options.pageTypes && primaryPageType(options.pageTypes, options.examples ?? []);
    const assisted: Blueprint[] = [];
    for (const [index, type] of planned.entries()) {
      // The model helps with the main page type (its budget is the analysis's); every type drops LLM-proposed fields no selector found.
      const helped = !type.pageTypeName || type.pageTypeName === primary?.name;
      const result = await assistBlueprint(byType[index]!, type.pages, {
        fields: type.fields,
        examples: type.examples ?? [],
        unverified: type.unverified,
        ...(helped && llm ? { llm: llm.options } : {}),
      });
      if (helped) await reportLlm(deps, context, llm, result.llm);
      assisted.push(result.blueprint);
    }
    // The engine records this step's calls; the blueprint states the whole analysis's (discovery included).
    const use = llm && (await analysisLlmUse(deps, llm));
    const { llm: _stepOnly, ...blueprint } = combineBlueprints(assisted);
    return {
      draft: use ? { ...blueprint, llm: use } : blueprint,
      heldOutUrls: planned.flatMap((type) => type.heldOut.map((page) => page.url)),
    };
  };
}

/**
 * test_selectors: the draft's sources run over the held-out pages again, field by field, so the job
 * log and result show which fields miss where. The draft's validation already includes those pages.
 */
export function testSelectorsStep({
  sites,
  engine,
  analysis,
}: {
  sites: SitesRepository;
  engine: EngineThreads;
  analysis: AnalysisCoordinator;
}) {
  return async (context: JobContext, site: SiteRecord): Promise<JobResult<'test_selectors'>> => {
    const input = await analysis.output(context.job, 'generate_selectors');
    // Validated, not only typed: the draft was stored as JSON.
    const draft = parseBlueprint(input.draft);
    const heldOutUrls = new Set(input.heldOutUrls);
    const heldOut = (await sites.pages(site.id)).filter((page) => heldOutUrls.has(page.url));
    const verification = await engine.run('verify', { blueprint: draft, pages: heldOut.map(pageText) });
    for (const field of verification.fields) {
      if (field.pages && field.coverage < 1) {
        await context.log('warn', `${field.field} missing on ${field.pages - field.valid} of ${field.pages} held-out pages`, {
          pages: field.failingPages.slice(0, 5),
        });
      }
    }
    return {
      blueprint: draft,
      heldOut: { pages: heldOut.length, coverage: verification.coverage, broken: verification.broken.map((field) => field.field) },
    };
  };
}
