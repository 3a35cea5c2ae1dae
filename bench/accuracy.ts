/**
 * Accuracy benchmark (not a test): npm run bench:accuracy -- <path to shared/benchmarks> [--llm]
 *
 * Product pages (product-dev): one blueprint per site from that site's pages with field names only,
 * scored by <path>/score-products.mjs beside the three anchor systems (bench/product-accuracy.ts).
 *
 * SWDE protocol: build a blueprint from pages 0000–0004 of swde-book-christianbook through the
 * real CLI, once from field names only and once with page 0000's gold values as examples; extract
 * every other page through the CLI; score with <path>/score.mjs --only-pred-pages. The project's
 * fixture sites are run the same way (4 sample pages, the rest extracted). Also reports extraction
 * speed and blueprint generation time, both for the CLI process and for the engine in-process.
 *
 * readability-dev (articles, one page per site): each page's blueprint is built from that page and the
 * field names title, byline, published_date, and extracted on it (readability.ts); per-field F1.
 *
 * --llm (needs LLM_API_KEY; LLM_BASE_URL, LLM_MODEL, LLM_PRICES optional): the same sites built from field
 * names in-process, without and with LLM help (llm-accuracy.ts), with F1 and the LLM cost per site.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildBlueprint, parseBlueprint } from '../src/engine/blueprint/index.js';
import { compileBlueprint, extractPage } from '../src/engine/extract/index.js';
import { readPagesDir } from '../src/engine/pages.js';
import { benchLlmClient, llmAccuracy, scoreBlueprint, type Truth } from './llm-accuracy.js';
import { PRODUCT_FIELDS, productAccuracy } from './product-accuracy.js';
import { articleAccuracy } from './readability.js';

const options = process.argv.slice(2);
const benchmarks = options.find((option) => !option.startsWith('--'));
if (!benchmarks) {
  console.error('usage: npm run bench:accuracy -- <path to shared/benchmarks> [--llm] [--misses]');
  process.exit(2);
}
const scoreScript = path.resolve(benchmarks, 'score.mjs');
const fixtures = path.resolve('test/fixtures/sites');
const sites: Array<[name: string, dir: string, samples: number]> = [
  ['swde-book-christianbook', path.join(benchmarks, 'swde-book-christianbook'), 5],
  ...['bookshop', 'bookdetails', 'bookmicrodata', 'shop', 'jobs'].map((site): [string, string, number] => [
    `fixture:${site}`,
    path.join(fixtures, site),
    4,
  ]),
];

if (options.includes('--llm')) {
  const llm = benchLlmClient(process.env);
  if ('error' in llm) {
    console.error(llm.error);
    process.exit(2);
  }
  console.log(`model: ${llm.client.model}`);
  console.log('| site | macro-F1 heuristics | macro-F1 with LLM | fields from the LLM | LLM requests | LLM cost (USD) | notes |');
  console.log('|---|---|---|---|---|---|---|');
  let total = 0;
  for (const [site, dir, samples] of sites) {
    const r = await llmAccuracy(site, dir, samples, llm.client);
    total += r.costUsd;
    const notes = r.notes.filter((note) => !note.startsWith('No LLM')).join(' ');
    console.log(
      `| ${site} | ${r.heuristic.macro.toFixed(4)} | ${r.withLlm.macro.toFixed(4)} | ${r.llmFields.join(', ') || '—'} | ${r.requests} | ${r.costUsd.toFixed(6)} | ${notes} |`,
    );
  }
  console.log(`total LLM cost: $${total.toFixed(6)}`);
  process.exit(0);
}

/** The built CLI (what users run); from source through tsx only when the build fails. */
function cliCommand(): { args: string[]; label: string } {
  const build = spawnSync('npm', ['run', '-s', 'build'], { encoding: 'utf8' });
  if (build.status === 0) return { args: [path.resolve('dist/cli/main.js')], label: 'node dist/cli/main.js' };
  console.error(`npm run build failed, running the CLI from source:\n${build.stdout}${build.stderr}`);
  return { args: ['--import', 'tsx', path.resolve('src/cli/main.ts')], label: 'node --import tsx src/cli/main.ts' };
}
const { args: cli, label: cliLabel } = cliCommand();
const work = mkdtempSync(path.join(tmpdir(), 'siteprint-bench-'));

function run(args: string[]): { stdout: string; seconds: number } {
  const started = performance.now();
  const result = spawnSync(process.execPath, [...cli, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`siteprint ${args.join(' ')} failed: ${result.stderr}`);
  return { stdout: result.stdout, seconds };
}

/** Splits a site's pages into a sample directory and a directory of the others (symlinks, nothing copied). */
function split(pagesDir: string, samples: number, name: string): { train: string; test: string; testCount: number } {
  const files = readdirSync(pagesDir)
    .filter((file) => /\.html?$/.test(file))
    .sort();
  const train = path.join(work, name, 'train');
  const test = path.join(work, name, 'test');
  mkdirSync(train, { recursive: true });
  mkdirSync(test, { recursive: true });
  for (const [i, file] of files.entries()) symlinkSync(path.resolve(pagesDir, file), path.join(i < samples ? train : test, file));
  return { train, test, testCount: files.length - samples };
}

interface Score {
  macro: number;
  fields: Record<string, { f1: number }>;
}

function score(truthFile: string, predictions: string): Score {
  const result = spawnSync(process.execPath, [scoreScript, '--truth', truthFile, '--pred', predictions, '--only-pred-pages', '--json'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`score.mjs failed: ${result.stderr}`);
  const parsed = JSON.parse(result.stdout) as { macro_f1: number; fields: Record<string, { f1: number }> };
  return { macro: parsed.macro_f1, fields: parsed.fields };
}

interface SiteResult {
  site: string;
  mode: 'names' | 'example';
  macro: number;
  fields: Record<string, number>;
  buildSeconds: number;
  extractSeconds: number;
  pages: number;
}

function runSite(site: string, siteDir: string, samples: number): SiteResult[] {
  const truthFile = path.join(siteDir, 'truth.json');
  const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as Truth;
  const { train, test, testCount } = split(path.join(siteDir, 'pages'), samples, site);
  const firstFile = readdirSync(train).sort()[0]!;
  const gold = truth.pages[firstFile]!;
  const examplesFile = path.join(work, site, 'examples.json');
  writeFileSync(
    examplesFile,
    JSON.stringify([{ file: firstFile, values: Object.fromEntries(truth.fields.map((f) => [f, gold[f] ?? []])) }]),
  );
  const results: SiteResult[] = [];
  for (const mode of ['names', 'example'] as const) {
    const blueprintFile = path.join(work, site, `blueprint-${mode}.json`);
    const build = run([
      'blueprint',
      '--pages',
      train,
      '--fields',
      truth.fields.join(','),
      '--out',
      blueprintFile,
      ...(mode === 'example' ? ['--examples', examplesFile] : []),
    ]);
    const extraction = run(['extract', '--blueprint', blueprintFile, '--pages', test]);
    const predictions = path.join(work, site, `predictions-${mode}.ndjson`);
    writeFileSync(predictions, extraction.stdout);
    const scored = score(truthFile, predictions);
    results.push({
      site,
      mode,
      macro: scored.macro,
      fields: Object.fromEntries(Object.entries(scored.fields).map(([name, value]) => [name, value.f1])),
      buildSeconds: build.seconds,
      extractSeconds: extraction.seconds,
      pages: testCount,
    });
  }
  return results;
}

/** The paginated listing fixture: records per page and the next-page link, against truth.json. */
function runListing(siteDir: string): { items: number; correct: number; nextPages: number; nextCorrect: number } {
  const truth = JSON.parse(readFileSync(path.join(siteDir, 'truth.json'), 'utf8')) as {
    pages: Record<string, { items: string[]; next_page: string[] }>;
  };
  const { train } = split(path.join(siteDir, 'pages'), 2, 'listing');
  const blueprintFile = path.join(work, 'listing', 'blueprint.json');
  run(['blueprint', '--pages', train, '--fields', 'title,price,url', '--out', blueprintFile]);
  const lines = run(['extract', '--blueprint', blueprintFile, '--pages', path.join(siteDir, 'pages')])
    .stdout.trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { file: string; data: { items?: { title: string }[]; next_page?: string | null } });
  const result = { items: 0, correct: 0, nextPages: 0, nextCorrect: 0 };
  for (const line of lines) {
    const gold = truth.pages[line.file]!;
    result.items += gold.items.length;
    result.correct += gold.items.filter((title, i) => line.data.items?.[i]?.title === title).length;
    result.nextPages++;
    if ((line.data.next_page ?? null) === (gold.next_page[0] ?? null)) result.nextCorrect++;
  }
  return result;
}

/** Engine-only timings on one core: no process start-up, pages already read. */
async function inProcess(siteDir: string, fields: string[]): Promise<{ buildSeconds: number; pagesPerSecond: number; pages: number }> {
  const pages = await readPagesDir(path.join(siteDir, 'pages'));
  const samples = pages.slice(0, 5);
  const started = performance.now();
  const { blueprint } = buildBlueprint(samples, { fields: fields.map((name) => ({ name })) });
  const buildSeconds = (performance.now() - started) / 1000;
  const compiled = compileBlueprint(parseBlueprint(blueprint));
  const rest = pages.slice(5);
  // One warm-up pass (JIT), then the median of three timed passes: the machine is shared.
  for (const page of rest) extractPage(compiled, page);
  const rates: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const extractStarted = performance.now();
    for (const page of rest) extractPage(compiled, page);
    rates.push(rest.length / ((performance.now() - extractStarted) / 1000));
  }
  return { buildSeconds, pagesPerSecond: rates.sort((a, b) => a - b)[1]!, pages: rest.length };
}

/**
 * Stability: the same protocol with other 5-page sample windows (engine in-process, scored like
 * score.mjs), so one lucky choice of samples cannot carry the headline figure.
 */
async function sampleWindows(siteDir: string, starts: number[]): Promise<{ start: number; names: number; example: number }[]> {
  const truth = JSON.parse(readFileSync(path.join(siteDir, 'truth.json'), 'utf8')) as Truth;
  const pages = await readPagesDir(path.join(siteDir, 'pages'));
  const macro = (sample: typeof pages, examples: { file: string; values: Record<string, string[]> }[]) => {
    const { blueprint } = buildBlueprint(sample, { fields: truth.fields.map((name) => ({ name })), examples });
    return scoreBlueprint(
      blueprint,
      pages.filter((page) => !sample.includes(page)),
      truth,
    ).macro;
  };
  return starts.map((start) => {
    const sample = pages.slice(start, start + 5);
    const gold = truth.pages[sample[0]!.file!]!;
    const values = Object.fromEntries(truth.fields.map((field) => [field, ([] as string[]).concat(gold[field] ?? [])]));
    return { start, names: macro(sample, []), example: macro(sample, [{ file: sample[0]!.file!, values }]) };
  });
}

const fmt = (value: number, digits = 3) => value.toFixed(digits);
const all: SiteResult[] = [];
const swde = path.join(benchmarks, 'swde-book-christianbook');
for (const [site, dir, samples] of sites) all.push(...runSite(site, dir, samples));
const listing = runListing(path.join(fixtures, 'listing'));
const windows = await sampleWindows(swde, [20, 60, 100, 140, 180, 195]);
const engine = await inProcess(swde, (JSON.parse(readFileSync(path.join(swde, 'truth.json'), 'utf8')) as Truth).fields);
const articles = articleAccuracy(path.join(benchmarks, 'readability-dev'));

console.log('| site | mode | macro-F1 | per field F1 | blueprint (CLI s) | extract pages/s (CLI, incl. start-up) |');
console.log('|---|---|---|---|---|---|');
for (const r of all) {
  const perField = Object.entries(r.fields)
    .map(([name, f1]) => `${name} ${fmt(f1, 2)}`)
    .join(', ');
  console.log(
    `| ${r.site} | ${r.mode === 'names' ? 'field names only' : 'one example page'} | ${fmt(r.macro, 4)} | ${perField} | ${fmt(r.buildSeconds, 2)} | ${fmt(r.pages / r.extractSeconds, 0)} (${r.pages} pages) |`,
  );
}
console.log('');
console.log(
  `fixture:listing (blueprint from 2 of 3 pages): ${listing.correct}/${listing.items} record titles in place, next-page link right on ${listing.nextCorrect}/${listing.nextPages} pages`,
);
console.log(`CLI: ${cliLabel}`);
console.log(
  `engine in-process (swde-book-christianbook, one core): blueprint from 5 pages ${fmt(engine.buildSeconds, 2)} s; extraction ${fmt(engine.pagesPerSecond, 0)} pages/s over ${engine.pages} pages (median of 3 passes after a warm-up pass)`,
);

const products = productAccuracy(path.join(benchmarks, 'product-dev'), work);
const productFields = ['price', 'sku', 'availability', 'brand', 'gtin'];
console.log('');
console.log(
  `product-dev (${products.pages} product pages of ${products.sites} sites; one blueprint per site from its pages, field names only: ${PRODUCT_FIELDS.join(', ')}); F1 per field:`,
);
console.log(`| system | ${productFields.join(' | ')} |`);
console.log(`|---|${productFields.map(() => '---|').join('')}`);
for (const [system, fields] of Object.entries(products.systems)) {
  console.log(`| ${system} | ${productFields.map((field) => (fields[field] === undefined ? '—' : fmt(fields[field], 3))).join(' | ')} |`);
}
const unannotated = PRODUCT_FIELDS.filter((field) => !products.annotated[field]);
console.log(
  `pages with gold values: ${productFields.map((field) => `${field} ${products.annotated[field]}`).join(', ')}; not annotated, so not scored: ${unannotated.join(', ') || '—'}`,
);
console.log(
  `product-dev extraction, engine in-process: ${fmt(products.pagesPerSecond, 0)} pages/s (one pass over pages of 440 KB on average)`,
);
console.log('');
console.log(
  `product-dev with one example page (${products.heldOut.sites} sites with two or more pages: the first page's gold values as examples, the other ${products.heldOut.pages} pages scored); F1 per field on those pages:`,
);
console.log(`| system | ${productFields.join(' | ')} | macro (price, sku, availability) |`);
console.log(`|---|${productFields.map(() => '---|').join('')}---|`);
for (const [system, fields] of Object.entries(products.heldOut.systems)) {
  const macro = (fields.price! + fields.sku! + fields.availability!) / 3;
  console.log(
    `| ${system} | ${productFields.map((field) => (fields[field] === undefined ? '—' : fmt(fields[field], 3))).join(' | ')} | ${fmt(macro, 3)} |`,
  );
}
console.log('');
const summary = (key: 'names' | 'example') => {
  const scores = windows.map((window) => window[key]);
  return `min ${fmt(Math.min(...scores), 4)}, mean ${fmt(scores.reduce((a, b) => a + b, 0) / scores.length, 4)}`;
};
console.log(
  `other sample windows (pages ${windows.map((w) => `${w.start}–${w.start + 4}`).join(', ')}): names only ${summary('names')}; one example page ${summary('example')}`,
);
const christian = all.filter((r) => r.site === 'swde-book-christianbook');
console.log(`macro_f1 names-only ${fmt(christian[0]!.macro, 4)}; with one example page ${fmt(christian[1]!.macro, 4)}`);
console.log('');
console.log(
  `readability-dev (${articles.pages} article pages, one per site; blueprint from each page by field names only, extracted on it):`,
);
console.log('| field | precision | recall | F1 | right / predicted / gold |');
console.log('|---|---|---|---|---|');
for (const [name, r] of Object.entries(articles.fields)) {
  console.log(`| ${name} | ${fmt(r.precision)} | ${fmt(r.recall)} | ${fmt(r.f1)} | ${r.correct} / ${r.predicted} / ${r.gold} |`);
}
console.log(
  `readability-dev engine time: blueprints ${fmt(articles.buildSeconds, 2)} s, extraction ${fmt(articles.pages / articles.extractSeconds, 0)} pages/s`,
);
if (options.includes('--misses')) {
  for (const miss of articles.misses)
    console.log(`  miss ${miss.page} ${miss.field} (${miss.cause}): got ${JSON.stringify(miss.got)} want ${JSON.stringify(miss.want)}`);
  const causes = new Map<string, number>();
  for (const { field, cause } of articles.misses) causes.set(`${field}: ${cause}`, (causes.get(`${field}: ${cause}`) ?? 0) + 1);
  console.log(`  misses by kind: ${[...causes].map(([kind, count]) => `${kind} ${count}`).join('; ')}`);
}
