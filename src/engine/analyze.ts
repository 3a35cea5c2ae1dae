import { buildSiteBlueprint, type BuildResult, type PageTypeSpec } from './blueprint/build.js';
import type { Blueprint } from './blueprint/schema.js';
import type { DiscoveredPageType } from './discover/index.js';
import type { PageInput } from './pages.js';
import type { ExamplePage, FieldSpec } from './selectors/index.js';

/**
 * The analysis use-case: which page types of a site get a blueprint, which of their pages generate
 * selectors and which test them. `siteprint blueprint` and the platform's analysis pipeline both
 * call it, so the same pages and fields give the same blueprint wherever they are analysed.
 */

/** Selectors come from at most this many pages of a page type (plus its example pages); the rest test them. */
export const MAX_SAMPLES_PER_TYPE = 10;

export interface AnalysisOptions {
  /** Field names (and types) the user asked for; without them each page type gets the fields discovery proposed. */
  fields?: FieldSpec[];
  examples?: ExamplePage[];
  /**
   * The page types discovery found among `pages`. Without them the pages are one page type
   * (a directory of pages the user picked).
   */
  pageTypes?: DiscoveredPageType[];
}

/** One page type to build: its sample and held-out pages, with the fields an LLM proposed but no page has shown yet. */
export interface PlannedPageType extends PageTypeSpec {
  heldOut: PageInput[];
  unverified: string[];
}

const isRecordType = (type: DiscoveredPageType) => type.kind === 'detail' || type.kind === 'article';

/**
 * The site's main page type: the one holding the user's example pages, else the detail type
 * with the most pages (the site's main records), else the largest.
 */
export function primaryPageType(pageTypes: DiscoveredPageType[], examples: ExamplePage[]): DiscoveredPageType | undefined {
  const exampleUrls = new Set(examples.map((example) => example.url));
  const holdsExample = (type: DiscoveredPageType) => Number(type.urls.some((url) => exampleUrls.has(url)));
  return [...pageTypes]
    .filter((type) => type.urls.length > 0)
    .sort(
      (a, b) => holdsExample(b) - holdsExample(a) || Number(isRecordType(b)) - Number(isRecordType(a)) || b.urls.length - a.urls.length,
    )[0];
}

/** Example pages and the first pages of the type generate selectors; every other page tests them. */
function splitSamples(pages: PageInput[], examples: ExamplePage[]): { pages: PageInput[]; heldOut: PageInput[] } {
  const isExample = (page: PageInput) => examples.some((example) => (example.file ? example.file === page.file : example.url === page.url));
  const isSample = (page: PageInput, index: number) => index < MAX_SAMPLES_PER_TYPE || isExample(page);
  return { pages: pages.filter(isSample), heldOut: pages.filter((page, index) => !isSample(page, index)) };
}

const specOf = (field: DiscoveredPageType['fields'][number]): FieldSpec => ({
  name: field.name,
  ...(field.type ? { type: field.type as FieldSpec['type'] } : {}),
  ...(field.description ? { description: field.description } : {}),
});

/**
 * The page types to build. Fields the user named go to the site's main page type (the one
 * they are about); without named fields every page type with discovered fields is built, so
 * a blueprint covers all the kinds of pages a site has.
 */
export function planAnalysis(pages: PageInput[], options: AnalysisOptions): PlannedPageType[] {
  const examples = options.examples ?? [];
  const fields = options.fields?.length ? options.fields : undefined;
  if (!options.pageTypes) {
    if (!fields) throw new Error('no fields to extract: name them, or let discovery propose page types and fields');
    return [{ ...splitSamples(pages, examples), fields, examples, unverified: [] }];
  }
  // In the order of `pages`, so the first pages of each type are the first ones given.
  const pagesOf = (type: DiscoveredPageType) => {
    const urls = new Set(type.urls);
    return pages.filter((page) => urls.has(page.url));
  };
  const planned = (type: DiscoveredPageType, typeFields: FieldSpec[], unverified: string[]): PlannedPageType => ({
    ...splitSamples(pagesOf(type), examples),
    fields: typeFields,
    examples,
    pageTypeName: type.name,
    pageTypeLabel: type.label,
    unverified,
  });
  if (fields) {
    const primary = primaryPageType(options.pageTypes, examples);
    return primary && pagesOf(primary).length ? [planned(primary, fields, [])] : [];
  }
  return options.pageTypes
    .filter((type) => type.fields.length > 0 && pagesOf(type).length > 0)
    .map((type) =>
      planned(
        type,
        type.fields.map(specOf),
        type.fields.filter((field) => field.from === 'llm').map((field) => field.name),
      ),
    );
}

export interface Analysis {
  blueprint: Blueprint;
  results: BuildResult[];
  plan: PlannedPageType[];
}

/** Builds the planned page types into one blueprint (heuristics only; LLM help is the caller's further step). */
export function analyze(pages: PageInput[], options: AnalysisOptions): Analysis {
  const plan = planAnalysis(pages, options);
  if (plan.length === 0) throw new Error('no page type to build: discovery found no fields on these pages; name the fields to extract');
  return { ...buildSiteBlueprint(plan), plan };
}
