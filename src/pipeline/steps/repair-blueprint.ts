import type { BlueprintsRepository } from '../../blueprints/blueprints.repository.js';
import {
  fieldsOfPageType,
  matchesUrlPattern,
  PageContext,
  repairField,
  type Blueprint,
  type ExamplePage,
  type FetchedDocument,
  type Fetcher,
  type Field,
  type FieldSpec,
  type PageType,
} from '../../engine/index.js';
import { PermanentJobError, type JobContext } from '../../queue/index.js';
import type { SiteState } from '../../sites/site-state.js';
import type { SiteRecord, SitesRepository } from '../../sites/sites.repository.js';
import { pageText, type EngineThreads } from '../engine-threads.js';
import type { JobResult } from '../job-types.js';
import { analysisLlmUse, reportLlm, stepLlm, type LlmDeps, type StepLlm } from '../llm-help.js';
import { checkUrls, fetchAll } from './check-site.js';
import { saveBlueprint } from './update-blueprint.js';

/**
 * A field whose coverage on fresh pages falls under this share is re-located; a re-located field must
 * read again at least this share of its last known values that the pages still show.
 */
const BROKEN_BELOW = 0.5;

export interface RepairDeps extends LlmDeps {
  sites: SitesRepository;
  siteState: SiteState;
  blueprints: BlueprintsRepository;
  fetcher: Fetcher;
  engine: EngineThreads;
}

const specOf = (field: Field): FieldSpec => ({
  name: field.name,
  type: field.type,
  multiple: field.multiple,
  required: field.required,
  ...(field.description ? { description: field.description } : {}),
});

/**
 * The heuristic re-location: the page type is built again from the fresh pages with the last known
 * values as examples. A listing whose records are now found by another selector takes the new record
 * selector and every record field with it (their selectors are relative to the record); otherwise only
 * the broken fields change.
 */
async function rebuildPageType(
  engine: EngineThreads,
  pageType: PageType,
  broken: Set<string>,
  fresh: FetchedDocument[],
  known: ExamplePage[],
): Promise<PageType> {
  const fields = fieldsOfPageType(pageType).filter((field) => broken.has(field.name) || pageType.list?.fields.includes(field));
  const rebuilt = (
    await engine.run('build', {
      pages: fresh.map(pageText),
      options: { fields: fields.map(specOf), examples: known, pageTypeName: pageType.name },
    })
  ).pageTypes[0]!;
  // Page fields come from a page-level rebuild and record fields from a rebuilt listing, never the other way round.
  const onPage = new Map(rebuilt.fields.map((field) => [field.name, field]));
  const inRecords = new Map((rebuilt.list?.fields ?? []).map((field) => [field.name, field]));
  const recordsMoved = Boolean(pageType.list && rebuilt.list && rebuilt.list.item !== pageType.list.item);
  const patch =
    (found: Map<string, Field>, relocate: (field: Field) => boolean) =>
    (field: Field): Field => {
      const match = found.get(field.name);
      return match?.sources.length && relocate(field)
        ? { ...field, sources: match.sources, mode: match.mode, quality: match.quality }
        : field;
    };
  const isBroken = (field: Field) => broken.has(field.name);
  return {
    ...pageType,
    fields: pageType.fields.map(patch(onPage, isBroken)),
    list:
      pageType.list &&
      (recordsMoved
        ? {
            item: rebuilt.list!.item,
            nextPage: rebuilt.list!.nextPage ?? pageType.list.nextPage,
            fields: pageType.list.fields.map(patch(inRecords, () => true)),
          }
        : { ...pageType.list, fields: pageType.list.fields.map(patch(inRecords, isBroken)) }),
  };
}

/**
 * The LLM's turn for fields the heuristics could not re-locate: each is asked from its last known good
 * values on the fresh pages (a record field inside the records of `pageType`'s list), and kept only
 * when its selector reproduces them (repairField verifies).
 */
async function relocateWithLlm(
  deps: RepairDeps,
  context: JobContext,
  llm: StepLlm,
  pageType: PageType,
  fields: Field[],
  fresh: FetchedDocument[],
  known: ExamplePage[],
): Promise<Map<string, Field>> {
  const relocated = new Map<string, Field>();
  let spent = llm.options.spentUsd ?? 0;
  for (const field of fields) {
    await context.checkpoint();
    const lastGood = fresh.flatMap((page) => {
      const values = [known.find((example) => example.url === page.url)?.values[field.name] ?? []].flat();
      return values.length ? [{ page: { url: page.url, html: page.html, page: new PageContext(page.url, page.html) }, values }] : [];
    });
    if (lastGood.length === 0) continue;
    const records = pageType.list?.fields.includes(field) ? pageType.list.item : undefined;
    const repair = await repairField(
      { field: specOf(field), lastGood, ...(records ? { records } : {}) },
      { ...llm.options, spentUsd: spent },
    );
    spent += repair.llm.costUsd;
    await reportLlm(deps, context, llm, repair.llm);
    if (repair.field)
      relocated.set(field.name, { ...field, mode: repair.field.mode, sources: repair.field.sources, quality: repair.field.quality });
  }
  return relocated;
}

/**
 * repair_blueprint: fields that stopped matching are re-located from their last known good
 * values: the old blueprint still reads them from the pages stored at analysis time, and the
 * same values are then searched for on the fresh pages of the same URLs, heuristics first and
 * the LLM for fields they miss. The repaired blueprint is saved only if every re-located
 * field covers the fresh pages and reads again the last known values they still show.
 */
export function repairBlueprintHandler(deps: RepairDeps) {
  return async (context: JobContext, site: SiteRecord): Promise<JobResult<'repair_blueprint'>> => {
    const active = await deps.blueprints.active(site.id);
    if (!active) throw new PermanentJobError('the site has no blueprint to repair');
    const blueprint = active.content;
    const outcomes = await fetchAll(deps.fetcher, await checkUrls(deps.sites, site, blueprint), context);
    const fetched = outcomes.flatMap((outcome) => (outcome.page && outcome.page.status < 400 ? [outcome.page] : []));
    if (fetched.length === 0) throw new Error('no page of the site could be fetched');
    const before = await deps.engine.run('verify', { blueprint, pages: fetched.map(pageText) });
    const broken = before.fields.filter((field) => field.pages > 0 && field.coverage < BROKEN_BELOW);
    if (broken.length === 0) {
      await context.log('info', 'every field still matches; nothing to repair', { coverage: before.coverage });
      return { repaired: [], version: active.version };
    }
    await context.log('warn', `re-locating ${broken.map((field) => field.field).join(', ')}`);

    const pageType = blueprint.pageTypes.find((type) => type.name === broken[0]!.pageType)!;
    const brokenNames = new Set(broken.filter((field) => field.pageType === pageType.name).map((field) => field.field));
    const fresh = fetched.filter((page) => matchesUrlPattern(pageType.match.urlPattern, page.url));
    const stored = new Map((await deps.sites.pages(site.id)).map((page) => [page.url, page]));
    // Last known good values: what the blueprint read on the stored copies (the pages it last worked on) of the pages fetched now.
    const storedCopies = fresh.flatMap((page) => (stored.has(page.url) ? [stored.get(page.url)!] : []));
    const known = await deps.engine.run('known', {
      blueprint,
      pages: storedCopies.map(pageText),
      fields: fieldsOfPageType(pageType).map((field) => field.name),
    });
    if (!known.some((example) => [...brokenNames].some((name) => name in example.values))) {
      throw new PermanentJobError('no last known good values to re-locate the broken fields from');
    }

    // The previous version's LLM record belongs to the job that wrote it; this version records its own below.
    const { llm: _previous, ...current } = blueprint;
    let repaired = await rebuildPageType(deps.engine, pageType, brokenNames, fresh, known);
    const candidate = (): Blueprint => ({
      ...current,
      pageTypes: current.pageTypes.map((type) => (type.name === pageType.name ? repaired : type)),
    });
    // Every field that broke or got new sources (all record fields, when the records moved) must cover the
    // fresh pages and read its known values there again.
    const unchanged = new Set(fieldsOfPageType(pageType));
    const recordsMoved = repaired.list?.item !== pageType.list?.item;
    const relocated = () =>
      fieldsOfPageType(repaired)
        .filter((field) => brokenNames.has(field.name) || !unchanged.has(field) || (recordsMoved && repaired.list!.fields.includes(field)))
        .map((field) => field.name);
    /** The candidate measured on the fresh pages, with the re-located fields that fail it. */
    const freshText = fresh.map(pageText);
    const measure = async () => {
      const tried = candidate();
      const names = relocated();
      const [after, reread] = await Promise.all([
        deps.engine.run('verify', { blueprint: tried, pages: freshText }),
        deps.engine.run('reproduce', { blueprint: tried, pages: freshText, known, fields: names }),
      ]);
      const unresolved = names.filter((name) => {
        const measured = after.fields.find((field) => field.pageType === pageType.name && field.field === name);
        return !measured || measured.coverage < BROKEN_BELOW || (reread.get(name) ?? 1) < BROKEN_BELOW;
      });
      return { blueprint: tried, coverage: after.coverage, unresolved };
    };

    // Heuristics first; the LLM for the fields they could not re-locate.
    const heuristicMisses = (await measure()).unresolved;
    const left = fieldsOfPageType(repaired).filter((field) => heuristicMisses.includes(field.name));
    const llm = left.length ? await stepLlm(deps, context, site) : undefined;
    let llmUse: Blueprint['llm'];
    if (llm) {
      const found = await relocateWithLlm(deps, context, llm, repaired, left, fresh, known);
      const take = (field: Field) => found.get(field.name) ?? field;
      repaired = {
        ...repaired,
        fields: repaired.fields.map(take),
        list: repaired.list && { ...repaired.list, fields: repaired.list.fields.map(take) },
      };
      llmUse = await analysisLlmUse(deps, llm);
    }
    const final = await measure();
    if (final.unresolved.length) {
      throw new PermanentJobError(`could not re-locate ${final.unresolved.join(', ')} from their last known values`);
    }
    const { coverage } = final;
    const saved = await saveBlueprint(
      deps,
      context,
      site,
      { ...final.blueprint, ...(llmUse ? { llm: llmUse } : {}), validation: { ...blueprint.validation!, coverage } },
      'repair',
    );
    // The fresh pages become the last known good state for the next repair.
    await deps.sites.upsertPages(site.id, fresh);
    await deps.siteState.repaired(site.id);
    await context.log('info', `repaired ${relocated().join(', ')}`, { coverage });
    return { repaired: relocated(), ...saved };
  };
}
