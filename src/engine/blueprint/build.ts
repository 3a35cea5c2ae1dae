import type { PageInput } from '../pages.js';
import { absoluteUrl } from '../extract/coerce.js';
import type { Element } from '../extract/dom.js';
import { compileQuery, compileSource, PageContext, selectElements } from '../extract/runtime.js';
import { detectListItems, generateItemSelectors, nextPageCandidates } from '../selectors/list.js';
import { CONTAINER_TYPES, jsonLdTypes } from '../extract/structured.js';
import { examplesByPage, generateSelectors, type ExamplePage, type FieldSpec } from '../selectors/generate.js';
import { testInScopes, testSelectors, type SelectorTestResult, type TestScope } from '../testing/test-selectors.js';
import { BLUEPRINT_SCHEMA_VERSION, type Blueprint, type CssSource, type Field, type PageType } from './schema.js';
import { inferUrlPattern } from './url-pattern.js';
import { contentHash } from './versions.js';
import { ARTICLE_TYPES, labelOfName, namePageType } from '../discover/naming.js';

export interface BuildOptions {
  fields: FieldSpec[];
  examples?: ExamplePage[];
  /** Pages used only to test candidates, never to generate them. */
  heldOut?: PageInput[];
  pageTypeName?: string;
  /** Shown to people; from the name when not given. */
  pageTypeLabel?: string;
}

export interface BuildResult {
  blueprint: Blueprint;
  report: SelectorTestResult;
}

/** The schema.org type most sample pages describe in JSON-LD, if any. */
function mainDataType(pages: PageContext[]): string | undefined {
  const counts = new Map<string, number>();
  for (const page of pages) {
    const types = new Set(page.jsonLd.flatMap(jsonLdTypes).filter((type) => !CONTAINER_TYPES.has(type)));
    for (const type of types) counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  const [best] = [...counts].sort((a, b) => b[1] - a[1]);
  return best && best[1] * 2 >= pages.length ? best[0] : undefined;
}

function origin(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol.startsWith('http') ? parsed.origin : null;
  } catch {
    return null;
  }
}

/** A detail page's repeated blocks (reviews, related items) must clearly lose to its own fields. */
const LISTING_MARGIN = 0.1;

/** Per-item fields of a listing page, tested over every item of every page, and its next-page link. */
function buildList(
  item: string,
  pages: PageContext[],
  names: string[],
  sampleCount: number,
  fields: FieldSpec[],
  /** A field's example values by sample page index. */
  examples: (field: string) => Map<number, string[]>,
) {
  const query = compileQuery(item);
  const scopes: Array<TestScope & { pageIndex: number }> = [];
  let sampleScopes = 0;
  for (const [index, page] of pages.entries()) {
    for (const [i, root] of selectElements(query, page.document).entries()) {
      scopes.push({ page, root, name: `${names[index] ?? page.url} item ${i + 1}`, pageIndex: index });
      if (index < sampleCount) sampleScopes++;
    }
  }
  const items = scopes.slice(0, sampleScopes).map((scope) => scope.root as Element);
  const itemExamples = (field: string) => {
    const byPage = examples(field);
    return scopes.slice(0, sampleScopes).map((scope) => byPage.get(scope.pageIndex));
  };
  const report = testInScopes(generateItemSelectors(items, fields, itemExamples), scopes, sampleScopes);
  let nextPage: CssSource | null = null;
  let bestCoverage = 0;
  for (const candidate of nextPageCandidates(pages.slice(0, sampleCount))) {
    const source = compileSource(candidate);
    const found = pages.filter((page) => {
      const href = source.read(page, page.document, false)[0];
      const url = href ? absoluteUrl(href, page.url) : null;
      return url !== null && url !== page.url;
    }).length;
    const coverage = found / pages.length;
    if (coverage > bestCoverage) {
      bestCoverage = coverage;
      nextPage = candidate;
    }
  }
  return { item, report, nextPage: bestCoverage >= 0.5 ? nextPage : null };
}

/**
 * generate_selectors → test_selectors → a blueprint for one page type. Versioning (whether this
 * becomes a new version) is updateBlueprint's decision.
 */
export function buildBlueprint(pages: PageInput[], options: BuildOptions): BuildResult {
  if (pages.length === 0) throw new Error('no sample pages');
  if (options.fields.length === 0) throw new Error('no fields to build selectors for');
  const samples = pages.map((page) => new PageContext(page.url, page.html));
  const heldOut = (options.heldOut ?? []).map((page) => new PageContext(page.url, page.html));
  const dataType = mainDataType(samples);
  const candidates = () =>
    generateSelectors(
      samples,
      pages.map((page) => page.file),
      options.fields,
      { examples: options.examples ?? [], ...(dataType ? { dataType } : {}) },
    );
  const names = [...pages, ...(options.heldOut ?? [])].map((page) => page.file ?? page.url);
  const itemSelector = detectListItems(samples);
  const detail = testSelectors(candidates(), samples, heldOut, names);
  const examplesOf = (field: string) =>
    examplesByPage(
      samples,
      pages.map((page) => page.file),
      options.examples ?? [],
      field,
    );
  const listing = itemSelector
    ? buildList(itemSelector, [...samples, ...heldOut], names, samples.length, options.fields, examplesOf)
    : null;
  // Repeated blocks also occur on detail pages: the records must explain the fields better.
  const list = listing && listing.report.quality > detail.quality + LISTING_MARGIN ? listing : null;
  const report = list?.report ?? detail;
  const fields: Field[] = report.fields.map((field, i) => ({
    name: field.name,
    ...(options.fields[i]?.description ? { description: options.fields[i].description } : {}),
    type: field.type,
    multiple: field.multiple,
    required: options.fields[i]?.required ?? field.required,
    mode: field.mode,
    sources: field.sources,
    ...(field.decimalMark ? { decimalMark: field.decimalMark } : {}),
    quality: field.quality,
  }));
  const urls = pages.map((page) => page.url);
  const named = namePageType(
    list ? 'listing' : dataType && ARTICLE_TYPES.has(dataType) ? 'article' : 'detail',
    dataType,
    inferUrlPattern(urls),
  );
  const name = options.pageTypeName ?? named.name;
  const pageType: PageType = {
    name,
    label: options.pageTypeLabel ?? (options.pageTypeName ? labelOfName(name) : named.label),
    kind: list ? 'listing' : 'detail',
    ...(dataType ? { dataType } : {}),
    match: { urlPattern: inferUrlPattern(urls), examples: urls.slice(0, 5) },
    fields: list ? [] : fields,
    list: list ? { item: list.item, fields, nextPage: list.nextPage } : null,
  };
  const blueprint: Blueprint = {
    schemaVersion: BLUEPRINT_SCHEMA_VERSION,
    site: origin(pages[0]!.url),
    version: 1,
    pageTypes: [pageType],
    validation: {
      samplePages: samples.length,
      heldOutPages: heldOut.length,
      coverage: report.coverage,
      quality: report.quality,
    },
  };
  blueprint.contentHash = contentHash(blueprint);
  return { blueprint, report };
}

/** One page type to build: its pages (and optional held-out pages), fields and examples. */
export interface PageTypeSpec extends BuildOptions {
  pages: PageInput[];
}

/**
 * A blueprint with several page types (e.g. the ones discovery found), each built from its own
 * pages. Validation figures are combined, weighted by sample pages.
 */
export function buildSiteBlueprint(specs: PageTypeSpec[]): { blueprint: Blueprint; results: BuildResult[] } {
  const results = specs.map(({ pages, ...options }) => buildBlueprint(pages, options));
  return { blueprint: combineBlueprints(results.map((result) => result.blueprint)), results };
}

/** One blueprint of the page types of several single-type blueprints, their validation figures weighted by sample pages. */
export function combineBlueprints(blueprints: Blueprint[]): Blueprint {
  const first = blueprints[0];
  if (!first) throw new Error('no page types to build');
  const samples = blueprints.reduce((sum, blueprint) => sum + (blueprint.validation?.samplePages ?? 0), 0);
  const weighted = (key: 'coverage' | 'quality') =>
    Math.round(
      (blueprints.reduce((sum, b) => sum + (b.validation?.[key] ?? 0) * (b.validation?.samplePages ?? 0), 0) / (samples || 1)) * 1000,
    ) / 1000;
  const blueprint: Blueprint = {
    ...first,
    pageTypes: blueprints.flatMap((each) => each.pageTypes),
    validation: {
      samplePages: samples,
      heldOutPages: blueprints.reduce((sum, each) => sum + (each.validation?.heldOutPages ?? 0), 0),
      coverage: weighted('coverage'),
      quality: weighted('quality'),
    },
  };
  blueprint.contentHash = contentHash(blueprint);
  return blueprint;
}
