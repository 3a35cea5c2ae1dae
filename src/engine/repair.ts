import { buildBlueprint, fieldsOfPageType, matchesUrlPattern, type BuildOptions } from './blueprint/index.js';
import type { Blueprint, Field, PageType } from './blueprint/schema.js';
import { PageContext } from './extract/index.js';
import { repairField, type LlmOptions, type LlmReport } from './llm/index.js';
import type { ExamplePage, FieldSpec } from './selectors/index.js';
import { knownValues, reproduction, verifyBlueprint, type BlueprintVerification } from './testing/index.js';

/**
 * The repair use-case: fields that stopped matching are re-located from their last known good values.
 * The old blueprint still reads them from the copies of the pages it last worked on; the same values are
 * then searched for on fresh copies of the same URLs, heuristics first and the LLM (when given) for the
 * fields they miss. `siteprint repair` and the platform's `repair_blueprint` job both call it.
 */

/**
 * A field whose coverage on fresh pages falls under this share is re-located; a re-located field must
 * read again at least this share of its last known values that the pages still show.
 */
export const BROKEN_BELOW = 0.5;

type Pages = Array<{ url: string; html: string }>;

/**
 * The CPU-heavy engine work a repair does. The platform runs it in worker threads; by default it runs
 * in this thread. Each takes one object, as the platform's thread tasks do.
 */
export interface RepairWork {
  build(input: { pages: Pages; options: BuildOptions }): Promise<Blueprint> | Blueprint;
  verify(input: { blueprint: Blueprint; pages: Pages }): Promise<BlueprintVerification> | BlueprintVerification;
  known(input: { blueprint: Blueprint; pages: Pages; fields: string[] }): Promise<ExamplePage[]> | ExamplePage[];
  reproduce(input: {
    blueprint: Blueprint;
    pages: Pages;
    known: ExamplePage[];
    fields: string[];
  }): Promise<Map<string, number | null>> | Map<string, number | null>;
}

export const inProcessRepairWork: RepairWork = {
  build: ({ pages, options }) => buildBlueprint(pages, options).blueprint,
  verify: ({ blueprint, pages }) => verifyBlueprint(blueprint, pages),
  known: ({ blueprint, pages, fields }) => knownValues(blueprint, pages, fields),
  reproduce: (input) => reproduction(input.blueprint, input.pages, input.known, input.fields),
};

/** LLM help for the fields the heuristics could not re-locate, and where to report what it did. */
export interface RepairLlm {
  options: LlmOptions;
  report(report: LlmReport): Promise<void>;
}

export interface RepairOptions {
  work?: RepairWork;
  /** Runs between units of work (a job's cancellation point). */
  checkpoint?: () => Promise<void>;
  log?: (level: 'info' | 'warn', message: string, data?: Record<string, unknown>) => Promise<void>;
  /** Asked once, only when heuristics leave fields unresolved; undefined means heuristics only. */
  llm?: () => Promise<RepairLlm | undefined>;
}

/** Why a repair could not be made. `retryable` failures may pass later (the site did not answer). */
export class RepairError extends Error {
  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'RepairError';
  }
}

export type RepairOutcome<Page> =
  | { status: 'intact'; coverage: number; repaired: [] }
  | {
      status: 'repaired';
      /** The repaired blueprint, its validation coverage measured on the fresh pages (no `llm` block: the caller states its own use). */
      blueprint: Blueprint;
      coverage: number;
      pageType: string;
      repaired: string[];
      /** The fresh pages of the repaired page type: the last known good state for the next repair. */
      fresh: Page[];
    };

const specOf = (field: Field): FieldSpec => ({
  name: field.name,
  type: field.type,
  multiple: field.multiple,
  required: field.required,
  ...(field.description ? { description: field.description } : {}),
});

const textOf = (page: { url: string; html: string }) => ({ url: page.url, html: page.html });

/**
 * The heuristic re-location: the page type is built again from the fresh pages with the last known
 * values as examples. A listing whose records are now found by another selector takes the new record
 * selector and every record field with it (their selectors are relative to the record); otherwise only
 * the broken fields change.
 */
async function rebuildPageType(
  work: RepairWork,
  pageType: PageType,
  broken: Set<string>,
  fresh: Pages,
  known: ExamplePage[],
): Promise<PageType> {
  const fields = fieldsOfPageType(pageType).filter((field) => broken.has(field.name) || pageType.list?.fields.includes(field));
  const rebuilt = (
    await work.build({
      pages: fresh,
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
  llm: RepairLlm,
  pageType: PageType,
  fields: Field[],
  fresh: Pages,
  known: ExamplePage[],
  checkpoint: () => Promise<void>,
): Promise<Map<string, Field>> {
  const relocated = new Map<string, Field>();
  let spent = llm.options.spentUsd ?? 0;
  for (const field of fields) {
    await checkpoint();
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
    await llm.report(repair.llm);
    if (repair.field)
      relocated.set(field.name, { ...field, mode: repair.field.mode, sources: repair.field.sources, quality: repair.field.quality });
  }
  return relocated;
}

/**
 * Repairs `blueprint` on `fresh` pages (the pages a check reads, fetched now) from `stored`, the copies
 * of the site's pages the blueprint last worked on. Fields of the first page type with a field under
 * BROKEN_BELOW are re-located; the result is kept only if every re-located field covers the fresh pages
 * and reads again the last known values they still show, else a RepairError names the fields.
 */
export async function repairBlueprint<Page extends { url: string; html: string }>(
  input: { blueprint: Blueprint; fresh: Page[]; stored: Array<{ url: string; html: string }> },
  options: RepairOptions = {},
): Promise<RepairOutcome<Page>> {
  const work = options.work ?? inProcessRepairWork;
  const checkpoint = options.checkpoint ?? (async () => {});
  const log = options.log ?? (async () => {});
  const { blueprint } = input;
  if (input.fresh.length === 0) throw new RepairError('no page of the site could be fetched', true);
  const before = await work.verify({ blueprint, pages: input.fresh.map(textOf) });
  const broken = before.fields.filter((field) => field.pages > 0 && field.coverage < BROKEN_BELOW);
  if (broken.length === 0) return { status: 'intact', coverage: before.coverage, repaired: [] };
  await log('warn', `re-locating ${broken.map((field) => field.field).join(', ')}`);

  const pageType = blueprint.pageTypes.find((type) => type.name === broken[0]!.pageType)!;
  const brokenNames = new Set(broken.filter((field) => field.pageType === pageType.name).map((field) => field.field));
  const fresh = input.fresh.filter((page) => matchesUrlPattern(pageType.match.urlPattern, page.url));
  const stored = new Map(input.stored.map((page) => [page.url, page]));
  // Last known good values: what the blueprint read on the stored copies (the pages it last worked on) of the pages fetched now.
  const storedCopies = fresh.flatMap((page) => (stored.has(page.url) ? [stored.get(page.url)!] : []));
  const known = await work.known({
    blueprint,
    pages: storedCopies.map(textOf),
    fields: fieldsOfPageType(pageType).map((field) => field.name),
  });
  if (!known.some((example) => [...brokenNames].some((name) => name in example.values))) {
    throw new RepairError('no last known good values to re-locate the broken fields from');
  }

  // The previous version's LLM record belongs to the job that wrote it; the caller records its own.
  const { llm: _previous, ...current } = blueprint;
  const freshText = fresh.map(textOf);
  let repaired = await rebuildPageType(work, pageType, brokenNames, freshText, known);
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
  const measure = async () => {
    const tried = candidate();
    const names = relocated();
    const [after, reread] = await Promise.all([
      work.verify({ blueprint: tried, pages: freshText }),
      work.reproduce({ blueprint: tried, pages: freshText, known, fields: names }),
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
  const llm = left.length && options.llm ? await options.llm() : undefined;
  if (llm) {
    const found = await relocateWithLlm(llm, repaired, left, freshText, known, checkpoint);
    const take = (field: Field) => found.get(field.name) ?? field;
    repaired = {
      ...repaired,
      fields: repaired.fields.map(take),
      list: repaired.list && { ...repaired.list, fields: repaired.list.fields.map(take) },
    };
  }
  const final = await measure();
  if (final.unresolved.length) {
    throw new RepairError(`could not re-locate ${final.unresolved.join(', ')} from their last known values`);
  }
  return {
    status: 'repaired',
    blueprint: { ...final.blueprint, validation: { ...blueprint.validation!, coverage: final.coverage } },
    coverage: final.coverage,
    pageType: pageType.name,
    repaired: relocated(),
    fresh,
  };
}
