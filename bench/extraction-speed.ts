/**
 * Extraction speed against another checkout, in one process (not a test):
 *   npm run bench:extraction -- <path to shared/benchmarks> [--baseline <root of another checkout>] [--rounds 7]
 *
 * Each engine (this checkout's and, with --baseline, the other one's, both loaded from source)
 * builds its own blueprints, as users would get them, and extracts the same pages with them:
 * christianbook (blueprint from pages 0000–0004, the other 195 pages), product-dev (one blueprint per
 * site from its pages, all 66 pages) and the articles (one blueprint per page). Passes alternate
 * between the engines, which one goes first alternating too, with a garbage collection before each, so
 * the machine's changing load weighs on both alike; the ratio of each pair is reported, and its median.
 * The baseline checkout needs its own node_modules (npm ci there).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readPagesDir, type PageInput } from '../src/engine/pages.js';
import { PRODUCT_FIELDS, productPagesBySite } from './product-accuracy.js';
import { ARTICLE_FIELDS, articleNames, articlePage } from './readability.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { baseline: { type: 'string' }, rounds: { type: 'string', default: '7' } },
});
const benchmarks = positionals[0];
const rounds = Number(values.rounds);
const gc = (globalThis as { gc?: () => void }).gc;
if (!benchmarks || !Number.isInteger(rounds) || rounds < 1 || !gc) {
  console.error('usage: npm run bench:extraction -- <path to shared/benchmarks> [--baseline <root of another checkout>] [--rounds 7]');
  process.exit(2);
}

type FieldNames = readonly string[];
interface Engine {
  buildBlueprint(pages: PageInput[], options: { fields: { name: string }[] }): { blueprint: unknown };
  compileBlueprint(blueprint: unknown): unknown;
  extractPage(blueprint: unknown, page: PageInput): unknown;
}

async function loadEngine(root: string): Promise<Engine> {
  const blueprint = (await import(path.join(root, 'src/engine/blueprint/index.ts'))) as Pick<Engine, 'buildBlueprint'>;
  const extract = (await import(path.join(root, 'src/engine/extract/index.ts'))) as Omit<Engine, 'buildBlueprint'>;
  return { buildBlueprint: blueprint.buildBlueprint, compileBlueprint: extract.compileBlueprint, extractPage: extract.extractPage };
}

/** A page set: groups of pages, each group's blueprint built from its first `samples` pages (all when null) and run on `extracted`. */
interface PageSet {
  name: string;
  fields: FieldNames;
  groups: { samples: PageInput[]; extracted: PageInput[] }[];
}

async function pageSets(dir: string): Promise<PageSet[]> {
  const bookPages = await readPagesDir(path.join(dir, 'swde-book-christianbook/pages'));
  const articles = path.join(dir, 'readability-dev');
  const articlePages = articleNames(articles).map((name) =>
    articlePage(name, readFileSync(path.join(articles, name, 'source.html'), 'utf8')),
  );
  return [
    {
      name: 'swde-book-christianbook',
      fields: ['title', 'author', 'isbn_13', 'publisher', 'publication_date'],
      groups: [{ samples: bookPages.slice(0, 5), extracted: bookPages.slice(5) }],
    },
    {
      name: 'product-dev',
      fields: PRODUCT_FIELDS,
      groups: [...productPagesBySite(path.join(dir, 'product-dev')).values()].map((pages) => ({ samples: pages, extracted: pages })),
    },
    {
      name: 'readability-dev',
      fields: Object.keys(ARTICLE_FIELDS),
      groups: articlePages.map((page) => ({ samples: [page], extracted: [page] })),
    },
  ];
}

/** One engine's compiled blueprints for a set, paired with the pages they extract. */
function prepare(engine: Engine, set: PageSet): { blueprint: unknown; pages: PageInput[] }[] {
  const fields = set.fields.map((name) => ({ name }));
  return set.groups.map(({ samples, extracted }) => ({
    blueprint: engine.compileBlueprint(engine.buildBlueprint(samples, { fields }).blueprint),
    pages: extracted,
  }));
}

function pagesPerSecond(engine: Engine, work: { blueprint: unknown; pages: PageInput[] }[]): number {
  gc!();
  const started = performance.now();
  let pages = 0;
  for (const { blueprint, pages: extracted } of work) {
    for (const page of extracted) {
      engine.extractPage(blueprint, page);
      pages++;
    }
  }
  return pages / ((performance.now() - started) / 1000);
}

const median = (numbers: number[]) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const engines = [{ name: 'this checkout', engine: await loadEngine(process.cwd()) }];
if (values.baseline) engines.push({ name: `baseline (${values.baseline})`, engine: await loadEngine(path.resolve(values.baseline)) });

console.log(`extraction pages/s, engines in one process, ${rounds} alternating passes after a warm-up pass each (median)`);
console.log(
  `| pages | ${engines.map(({ name }) => name).join(' | ')} |${values.baseline ? ' ratios this / baseline, per pair | median ratio |' : ''}`,
);
console.log(`|---|${engines.map(() => '---|').join('')}${values.baseline ? '---|---|' : ''}`);
for (const set of await pageSets(benchmarks)) {
  const work = engines.map(({ engine }) => prepare(engine, set));
  engines.forEach(({ engine }, at) => pagesPerSecond(engine, work[at]!));
  const rates: number[][] = engines.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [...engines.keys()].reverse() : [...engines.keys()];
    for (const at of order) rates[at]!.push(pagesPerSecond(engines[at]!.engine, work[at]!));
  }
  const medians = rates.map((list) => median(list).toFixed(0));
  const ratios = values.baseline ? rates[0]!.map((rate, round) => rate / rates[1]![round]!) : [];
  console.log(
    `| ${set.name} | ${medians.join(' | ')} |${values.baseline ? ` ${ratios.map((ratio) => ratio.toFixed(2)).join(' ')} | ${median(ratios).toFixed(2)} |` : ''}`,
  );
}
