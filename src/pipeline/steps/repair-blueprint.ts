import type { BlueprintsRepository } from '../../blueprints/blueprints.repository.js';
import { buildBlueprint, compileBlueprint, extractPage, PageContext, repairField, type Blueprint, type ExamplePage, type Field } from '../../engine/index.js';
import { verifyBlueprint, type FetchedDocument } from '../../engine/index.js';
import { PermanentJobError, type JobContext } from '../../queue/index.js';
import type { SiteRecord, SitesRepository } from '../../sites/sites.repository.js';
import type { Fetcher } from '../../engine/index.js';
import { analysisLlmUse, reportLlm, stepLlm, type LlmDeps, type StepLlm } from '../llm-help.js';
import { checkUrls, fetchAll } from './check-site.js';
import { saveBlueprint } from './update-blueprint.js';

/** A field whose coverage on fresh pages falls under this share is re-located. */
const BROKEN_BELOW = 0.5;

export interface RepairDeps extends LlmDeps {
  sites: SitesRepository;
  blueprints: BlueprintsRepository;
  fetcher: Fetcher;
}

/**
 * The LLM's turn for page fields the heuristics could not re-locate: each is asked from its last known good
 * values on the fresh pages, and kept only when its selector reproduces them (repairField verifies).
 */
async function relocateWithLlm(
  deps: RepairDeps,
  context: JobContext,
  llm: StepLlm,
  fields: Field[],
  fresh: FetchedDocument[],
  examples: ExamplePage[],
): Promise<Map<string, Field>> {
  const relocated = new Map<string, Field>();
  let spent = llm.options.spentUsd ?? 0;
  for (const field of fields) {
    await context.checkpoint();
    const lastGood = fresh.flatMap((page) => {
      const value = examples.find((example) => example.url === page.url)?.values[field.name];
      const values = value === undefined ? [] : [value].flat();
      return values.length ? [{ page: { url: page.url, html: page.html, page: new PageContext(page.url, page.html) }, values }] : [];
    });
    if (lastGood.length === 0) continue;
    const spec = { name: field.name, type: field.type, multiple: field.multiple, required: field.required, ...(field.description ? { description: field.description } : {}) };
    const repair = await repairField({ field: spec, lastGood }, { ...llm.options, spentUsd: spent });
    spent += repair.llm.costUsd;
    await reportLlm(deps, context, llm, repair.llm);
    if (repair.field) relocated.set(field.name, { ...field, mode: repair.field.mode, sources: repair.field.sources, quality: repair.field.quality });
  }
  return relocated;
}

/**
 * repair_blueprint: fields that stopped matching are re-located from their last known good
 * values: the old blueprint still reads them from the pages stored at analysis time, and the
 * same values are then searched for on the fresh pages of the same URLs. The repaired
 * blueprint is saved only if it verifies on the fresh pages.
 */
export function repairBlueprintHandler(deps: RepairDeps) {
  return async (context: JobContext, site: SiteRecord) => {
    const active = await deps.blueprints.active(site.id);
    if (!active) throw new PermanentJobError('the site has no blueprint to repair');
    const blueprint = active.content;
    const outcomes = await fetchAll(deps.fetcher, await checkUrls(deps.sites, site, blueprint), context);
    const fresh = outcomes.flatMap((outcome) => (outcome.page && outcome.page.status < 400 ? [outcome.page] : []));
    if (fresh.length === 0) throw new Error('no page of the site could be fetched');
    const before = verifyBlueprint(blueprint, fresh);
    const broken = before.fields.filter((field) => field.pages > 0 && field.coverage < BROKEN_BELOW);
    if (broken.length === 0) {
      await context.log('info', 'every field still matches; nothing to repair', { coverage: before.coverage });
      return { repaired: [], version: active.version };
    }
    await context.log('warn', `re-locating ${broken.map((field) => field.field).join(', ')}`);

    // Last known good values: the current blueprint applied to the pages it last worked on.
    const stored = new Map((await deps.sites.pages(site.id)).map((page) => [page.url, page]));
    const compiled = compileBlueprint(blueprint);
    const examples: ExamplePage[] = [];
    for (const page of fresh) {
      const old = stored.get(page.url);
      if (!old) continue;
      const record = extractPage(compiled, { url: old.url, html: old.html });
      const values = Object.fromEntries(
        broken.flatMap((field) => {
          const value = record.fields[field.field]?.value;
          return value && (!Array.isArray(value) || value.length) ? [[field.field, value]] : [];
        }),
      );
      if (Object.keys(values).length) examples.push({ url: page.url, values });
    }
    if (examples.length === 0) throw new PermanentJobError('no last known good values to re-locate the broken fields from');

    const pageType = blueprint.pageTypes.find((type) => type.name === broken[0]!.pageType)!;
    const brokenFields = [...pageType.fields, ...(pageType.list?.fields ?? [])].filter((field) => broken.some((b) => b.field === field.name));
    const rebuilt = buildBlueprint(
      fresh.map((page) => ({ url: page.url, html: page.html })),
      {
        fields: brokenFields.map((field) => ({ name: field.name, type: field.type, multiple: field.multiple, required: field.required, ...(field.description ? { description: field.description } : {}) })),
        examples,
        pageTypeName: pageType.name,
      },
    ).blueprint;
    const relocated = new Map(rebuilt.pageTypes.flatMap((type) => [...type.fields, ...(type.list?.fields ?? [])]).map((field) => [field.name, field]));
    const patchedWith = (found: Map<string, Field>) => (field: Field): Field => {
      const match = found.get(field.name);
      return match && match.sources.length ? { ...field, sources: match.sources, mode: match.mode, quality: match.quality } : field;
    };
    const patchBlueprint = (base: Blueprint, found: Map<string, Field>): Blueprint => ({
      ...base,
      pageTypes: base.pageTypes.map((type) =>
        type.name === pageType.name
          ? { ...type, fields: type.fields.map(patchedWith(found)), list: type.list && { ...type.list, fields: type.list.fields.map(patchedWith(found)) } }
          : type,
      ),
    });
    // The previous version's LLM record belongs to the job that wrote it; this version records its own below.
    const { llm: _previous, ...current } = blueprint;
    let candidate = patchBlueprint(current, relocated);
    let after = verifyBlueprint(candidate, fresh);
    const stillBrokenNow = () => after.fields.filter((field) => broken.some((b) => b.field === field.field) && field.coverage < BROKEN_BELOW);

    // Heuristics first; the LLM only for page fields they could not re-locate (list fields live inside records).
    const llm = stillBrokenNow().length ? await stepLlm(deps, context, site) : undefined;
    if (llm) {
      const left = pageType.fields.filter((field) => stillBrokenNow().some((b) => b.field === field.name));
      const found = await relocateWithLlm(deps, context, llm, left, fresh, examples);
      if (found.size) {
        candidate = patchBlueprint(candidate, found);
        after = verifyBlueprint(candidate, fresh);
      }
      const use = await analysisLlmUse(deps, llm);
      if (use) candidate = { ...candidate, llm: use };
    }
    const stillBroken = stillBrokenNow();
    if (stillBroken.length) {
      throw new PermanentJobError(`could not re-locate ${stillBroken.map((field) => field.field).join(', ')} from their last known values`);
    }
    const saved = await saveBlueprint(deps, context, site, { ...candidate, validation: { ...blueprint.validation!, coverage: after.coverage } }, 'repair');
    // The fresh pages become the last known good state for the next repair.
    await deps.sites.upsertPages(site.id, fresh);
    await deps.sites.update(site.id, { health: 'healthy' });
    await context.log('info', `repaired ${broken.map((field) => field.field).join(', ')}`, { coverage: after.coverage });
    return { repaired: broken.map((field) => field.field), ...saved };
  };
}
