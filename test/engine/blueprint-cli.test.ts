import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const sitesDir = path.resolve('test/fixtures/sites');
const scratch = () => mkdtempSync(path.join(tmpdir(), 'siteprint-bp-'));

interface Truth {
  fields: string[];
  pages: Record<string, Record<string, string[]>>;
}

const truthOf = (site: string) => JSON.parse(readFileSync(path.join(sitesDir, site, 'truth.json'), 'utf8')) as Truth;

/** The first `count` pages of a fixture site in a directory of their own (the CLI reads a whole directory). */
function samplePages(site: string, count: number): string {
  const dir = path.join(scratch(), 'pages');
  mkdirSync(dir);
  for (const file of readdirSync(path.join(sitesDir, site, 'pages'))
    .sort()
    .slice(0, count)) {
    copyFileSync(path.join(sitesDir, site, 'pages', file), path.join(dir, file));
  }
  return dir;
}

const comparable = (value: string) => value.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

async function extract(blueprintFile: string, pagesDir: string) {
  const result = await runCli(['extract', '--blueprint', blueprintFile, '--pages', pagesDir]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout
    .trim()
    .split('\n')
    .map(
      (line) =>
        JSON.parse(line) as {
          file: string;
          url: string;
          data: Record<string, unknown>;
          typed: {
            fields: Record<string, { type: string; value: unknown; raw: unknown; valid: boolean }>;
            items?: Record<string, { type: string; value: unknown }>[];
          };
        },
    );
}

/** The blueprint built from the samples equals the committed golden one (UPDATE_GOLDEN=1 rewrites it). */
function expectGolden(site: string, blueprint: unknown): void {
  const golden = path.join(sitesDir, site, 'blueprint.golden.json');
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(golden)) writeFileSync(golden, `${JSON.stringify(blueprint, null, 2)}\n`);
  expect(blueprint).toEqual(JSON.parse(readFileSync(golden, 'utf8')));
}

describe('siteprint blueprint / extract on fixture sites', () => {
  for (const site of ['bookshop', 'bookdetails', 'bookmicrodata', 'shop', 'jobs']) {
    it(`${site}: builds from 4 pages with exactly the given fields and extracts every page correctly`, async () => {
      const truth = truthOf(site);
      const out = path.join(scratch(), 'blueprint.json');
      const built = await runCli(['blueprint', '--pages', samplePages(site, 4), '--fields', truth.fields.join(','), '--out', out]);
      expect(built.stderr).toBe('');
      expect(built.code).toBe(0);
      const blueprint = JSON.parse(readFileSync(out, 'utf8'));
      expect(blueprint.pageTypes).toHaveLength(1);
      expect(blueprint.pageTypes[0].fields.map((field: { name: string }) => field.name)).toEqual(truth.fields);
      expectGolden(site, blueprint);

      const lines = await extract(out, path.join(sitesDir, site, 'pages'));
      expect(lines.map((line) => line.file)).toEqual(Object.keys(truth.pages));
      for (const line of lines) {
        const gold = truth.pages[line.file]!;
        expect(line.url).toBe(gold.url);
        expect(Object.keys(line.data)).toEqual(truth.fields);
        for (const field of truth.fields) {
          const values = ([] as unknown[]).concat(line.data[field]).map((v) => comparable(String(v)));
          expect(
            values.some((value) => gold[field]!.map(comparable).includes(value)),
            `${line.file} ${field}: ${values}`,
          ).toBe(true);
          // Beside each display value: the field's declared type and the raw text it was read from.
          const typed = line.typed.fields[field]!;
          expect(typed.type).toBe(blueprint.pageTypes[0].fields.find((f: { name: string }) => f.name === field).type);
          expect(typed.valid).toBe(true);
          expect(typed.raw).not.toBeNull();
        }
        if (site === 'shop') {
          // Decimal-comma prices come back as a decimal amount with an ISO currency.
          const amounts = gold.price!.map((text) => Number(text.replace(/[^\d,.]/g, '').replace(',', '.')));
          expect(line.typed.fields.price!.value).toEqual({ amount: expect.any(Number), currency: 'EUR' });
          expect(amounts).toContain((line.typed.fields.price!.value as { amount: number }).amount);
        }
      }
    });
  }

  it('writes JSON to stdout without --out and learns from example values', async () => {
    const dir = scratch();
    const examples = path.join(dir, 'examples.json');
    const gold = truthOf('jobs').pages['0000.htm']!;
    writeFileSync(examples, JSON.stringify([{ file: '0000.htm', values: { company: gold.company![0], salary: gold.salary } }]));
    const result = await runCli(['blueprint', '--pages', samplePages('jobs', 3), '--fields', 'company,salary', '--examples', examples]);
    expect(result.code).toBe(0);
    const blueprint = JSON.parse(result.stdout);
    const fields = blueprint.pageTypes[0].fields as { name: string; mode: string; sources: unknown[] }[];
    expect(fields.map((field) => [field.name, field.mode])).toEqual([
      ['company', 'example'],
      ['salary', 'example'],
    ]);
    expect(fields[0]!.sources[0]).toEqual({ css: '.company-name a' });
  });

  it('takes page types and fields from discovery when no --fields are given', async () => {
    const result = await runCli(['blueprint', '--pages', path.join(sitesDir, 'shop', 'pages')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const blueprint = JSON.parse(result.stdout);
    const [pageType] = blueprint.pageTypes;
    expect(pageType).toMatchObject({ kind: 'detail', dataType: 'Product' });
    const fields = new Map((pageType.fields as { name: string; sources: unknown[] }[]).map((field) => [field.name, field.sources]));
    expect(fields.get('name')?.[0]).toEqual({ jsonld: 'name', type: 'Product' });
    expect(fields.get('sku')?.length).toBeGreaterThan(0);
  });

  it('builds a listing page type with per-item fields and the next-page link, in YAML', async () => {
    const out = path.join(scratch(), 'listing.yaml');
    const built = await runCli(['blueprint', '--pages', samplePages('listing', 2), '--fields', 'title,price,url', '--out', out]);
    expect(built.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/kind: listing/);
    const lines = await extract(out, path.join(sitesDir, 'listing', 'pages'));
    const truth = truthOf('listing');
    for (const line of lines) {
      const items = line.data.items as { title: string; price: string; url: string }[];
      expect(items.map((item) => item.title)).toEqual(truth.pages[line.file]!.items);
      expect(items.every((item) => /^\$\d+\.\d\d$/.test(item.price) && item.url.startsWith('https://books.example.test/book/'))).toBe(true);
      expect(line.data.next_page).toBe(truth.pages[line.file]!.next_page![0] ?? null);
      expect(line.typed.items!.map((item) => item.price!.value)).toEqual(
        items.map((item) => ({ amount: Number(item.price.slice(1)), currency: 'USD' })),
      );
    }
  });

  it('exits non-zero with a clear message on unreadable input', async () => {
    const dir = scratch();
    const missing = await runCli(['blueprint', '--pages', path.join(dir, 'nope'), '--fields', 'title']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^siteprint: cannot read pages directory .*nope: ENOENT/);

    writeFileSync(path.join(dir, 'bad.json'), '{"schemaVersion":1}');
    const invalid = await runCli(['extract', '--blueprint', path.join(dir, 'bad.json'), '--pages', path.join(sitesDir, 'shop', 'pages')]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^siteprint: blueprint .*bad\.json: invalid blueprint: /);

    const absent = await runCli(['extract', '--blueprint', path.join(dir, 'none.json'), '--pages', dir]);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toMatch(/cannot read blueprint .*none\.json: ENOENT/);

    writeFileSync(path.join(dir, 'examples.json'), 'not json');
    const examples = await runCli([
      'blueprint',
      '--pages',
      path.join(sitesDir, 'shop', 'pages'),
      '--examples',
      path.join(dir, 'examples.json'),
    ]);
    expect(examples.code).toBe(1);
    expect(examples.stderr).toMatch(/examples file .* is not valid JSON/);
  });
});
