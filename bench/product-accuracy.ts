/**
 * Product pages of shops the engine was not developed on (shared/benchmarks/product-dev), run as
 * the platform would: pages grouped by site (URL host), one blueprint per site built from that
 * site's pages with field names only, those pages extracted, and the predictions scored by the
 * benchmark's own score-products.mjs, which prints the three anchor systems on the same pages.
 * Brand and GTIN, which that scorer does not cover, are scored here the same way for Siteprint and
 * the anchors: one value per page, equal after NFKC, case and white-space normalisation.
 *
 * With one example page: on each site with two or more pages, the first page's gold values are
 * given as examples (what a user pastes from one page) and the site's other pages are scored,
 * beside names only and the anchors on those same held-out pages.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildBlueprint } from '../src/engine/blueprint/index.js';
import type { ExamplePage } from '../src/engine/selectors/index.js';
import { compileBlueprint, extractPage, recordData } from '../src/engine/extract/index.js';

export const PRODUCT_FIELDS = ['price', 'sku', 'availability', 'name', 'brand', 'gtin', 'image', 'currency'];
const SCORED = ['price', 'sku', 'availability'];
const EXTRA = ['brand', 'gtin'];
/** The truth's fields a user could paste as examples (the truth has no name or image). */
const EXAMPLE_FIELDS = ['price', 'sku', 'availability', 'brand', 'gtin', 'currency'];

type TruthEntry = Record<string, string[] | string | undefined> & { url: string };

export interface ProductAccuracy {
  /** System → field → F1 (Siteprint and the anchors; extra fields only where the system reports them). */
  systems: Record<string, Record<string, number>>;
  pages: number;
  sites: number;
  /** Fields of this run the truth annotates, with the number of pages that have them. */
  annotated: Record<string, number>;
  pagesPerSecond: number;
  /** The held-out pages of sites with two or more pages: names only, one example page, the anchors. */
  heldOut: { pages: number; sites: number; systems: Record<string, Record<string, number>> };
}

type Page = { url: string; html: string; file: string };
type Predictions = Record<string, Record<string, unknown>>;

const normal = (value: unknown) =>
  String(value ?? '')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
const firstOf = (value: unknown): unknown => (Array.isArray(value) ? firstOf(value[0]) : value);

function extraF1(truth: Record<string, TruthEntry>, predictions: Record<string, Record<string, unknown>>, field: string): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [key, entry] of Object.entries(truth)) {
    const gold = ([] as string[]).concat(entry[field] ?? []).map(normal);
    const predicted = normal(firstOf(predictions[key]?.[field]));
    if (!predicted) {
      if (gold.length) fn++;
      continue;
    }
    if (gold.includes(predicted)) tp++;
    else {
      fp++;
      if (gold.length) fn++;
    }
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
}

/** score-products.mjs lines: "Siteprint  price 0.862  sku 0.883  availability 0.985". */
function parseScorer(stdout: string): Record<string, Record<string, number>> {
  const systems: Record<string, Record<string, number>> = {};
  for (const line of stdout.split('\n')) {
    const [system, ...rest] = line.trim().split(/\s+/);
    if (!system || rest.length < 2) continue;
    const fields: Record<string, number> = {};
    for (let i = 0; i + 1 < rest.length; i += 2) fields[rest[i]!] = Number(rest[i + 1]);
    if (SCORED.every((field) => Number.isFinite(fields[field]))) systems[system] = fields;
  }
  return systems;
}

/** One blueprint per site from its pages (and examples, if any); every page extracted with it. */
function extractSites(bySite: Map<string, Page[]>, examplesOf: (pages: Page[]) => ExamplePage[]) {
  const predictions: Predictions = {};
  let extractMs = 0;
  for (const pages of bySite.values()) {
    const { blueprint } = buildBlueprint(pages, { fields: PRODUCT_FIELDS.map((name) => ({ name })), examples: examplesOf(pages) });
    const compiled = compileBlueprint(blueprint);
    const started = performance.now();
    const records = pages.map((page) => extractPage(compiled, page));
    extractMs += performance.now() - started;
    for (const record of records) predictions[keyOf(record.file!)] = recordData(record);
  }
  return { predictions, extractMs };
}

const keyOf = (file: string) => file.replace(/\.html$/, '');

/**
 * score-products.mjs on these predictions and this truth (a subset of the benchmark's, in `dir`,
 * beside a link to the anchors so that they are scored on the same pages), with brand and GTIN.
 */
function score(benchDir: string, dir: string, truth: Record<string, TruthEntry>, predictions: Predictions) {
  mkdirSync(dir, { recursive: true });
  const truthFile = path.join(dir, 'truth.json');
  const anchorsDir = path.join(benchDir, 'anchors');
  writeFileSync(truthFile, JSON.stringify(truth));
  try {
    symlinkSync(anchorsDir, path.join(dir, 'anchors'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const predictionsFile = path.join(dir, 'predictions.ndjson');
  const lines = Object.keys(truth).map((key) =>
    JSON.stringify({ file: `${key}.html`, url: truth[key]!.url, data: predictions[key] ?? {} }),
  );
  writeFileSync(predictionsFile, `${lines.join('\n')}\n`);
  const scorer = path.resolve(benchDir, '..', 'score-products.mjs');
  const result = spawnSync(process.execPath, [scorer, '--pred', predictionsFile, '--truth', truthFile], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`score-products.mjs failed: ${result.stderr}`);
  const systems = parseScorer(result.stdout);
  const anchors = Object.fromEntries(
    readdirSync(anchorsDir)
      .filter((file) => file.endsWith('.json'))
      .map((file) => [file.replace(/\.json$/, ''), JSON.parse(readFileSync(path.join(anchorsDir, file), 'utf8')) as Predictions]),
  );
  for (const field of EXTRA) {
    if (systems.Siteprint) systems.Siteprint[field] = extraF1(truth, predictions, field);
    for (const [system, output] of Object.entries(anchors)) {
      if (systems[system] && Object.values(output).some((page) => page[field] !== undefined))
        systems[system][field] = extraF1(truth, output, field);
    }
  }
  return systems;
}

const readTruth = (benchDir: string) => JSON.parse(readFileSync(path.join(benchDir, 'truth.json'), 'utf8')) as Record<string, TruthEntry>;

/** product-dev's pages grouped by site (URL host), as the platform would build one blueprint per site. */
export function productPagesBySite(benchDir: string, truth = readTruth(benchDir)): Map<string, Page[]> {
  const bySite = new Map<string, Page[]>();
  for (const key of Object.keys(truth).sort()) {
    const { url } = truth[key]!;
    const html = gunzipSync(readFileSync(path.join(benchDir, 'pages', `${key}.html.gz`))).toString('utf8');
    const site = new URL(url).host;
    bySite.set(site, [...(bySite.get(site) ?? []), { url, html, file: `${key}.html` }]);
  }
  return bySite;
}

export function productAccuracy(benchDir: string, work: string): ProductAccuracy {
  const truth = readTruth(benchDir);
  const bySite = productPagesBySite(benchDir, truth);
  const namesOnly = extractSites(bySite, () => []);
  const systems = score(benchDir, path.join(work, 'product-dev'), truth, namesOnly.predictions);

  const multiPage = new Map([...bySite].filter(([, pages]) => pages.length > 1));
  const examplePage = (pages: Page[]): ExamplePage[] => {
    const gold = truth[keyOf(pages[0]!.file)]!;
    const values = Object.fromEntries(EXAMPLE_FIELDS.filter((field) => gold[field]?.length).map((field) => [field, [gold[field]!].flat()]));
    return [{ file: pages[0]!.file, values }];
  };
  const withExample = extractSites(multiPage, examplePage);
  const heldOutTruth = Object.fromEntries(
    [...multiPage.values()].flatMap((pages) => pages.slice(1)).map((page) => [keyOf(page.file), truth[keyOf(page.file)]!]),
  );
  const heldOut = score(benchDir, path.join(work, 'product-dev-example'), heldOutTruth, withExample.predictions);
  const heldOutNames = score(benchDir, path.join(work, 'product-dev-held-out'), heldOutTruth, namesOnly.predictions);

  const annotated = Object.fromEntries(
    PRODUCT_FIELDS.map((field) => [
      field,
      Object.values(truth).filter((entry) => ([] as string[]).concat(entry[field] ?? []).length > 0).length,
    ]),
  );
  const pages = Object.keys(truth).length;
  return {
    systems,
    pages,
    sites: bySite.size,
    annotated,
    pagesPerSecond: pages / (namesOnly.extractMs / 1000),
    heldOut: {
      pages: Object.keys(heldOutTruth).length,
      sites: multiPage.size,
      systems: {
        'Siteprint, names only': heldOutNames.Siteprint!,
        'Siteprint, one example page': heldOut.Siteprint!,
        ...Object.fromEntries(Object.entries(heldOut).filter(([system]) => system !== 'Siteprint')),
      },
    },
  };
}
