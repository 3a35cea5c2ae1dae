import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportBlueprint, importBlueprint } from './export.js';
import { blueprintJsonSchema } from './json-schema.js';
import { parseBlueprint, type Blueprint } from './schema.js';
import { contentHash, diffBlueprints, updateBlueprint } from './versions.js';

const sample = (): Blueprint => ({
  schemaVersion: 1,
  site: 'https://books.example',
  version: 1,
  pageTypes: [
    {
      name: 'book',
      kind: 'detail',
      dataType: 'Book',
      match: { urlPattern: '/book/:slug/:id', examples: ['https://books.example/book/a/1'] },
      fields: [
        {
          name: 'title',
          description: 'Title, with "quotes", commas',
          type: 'text',
          multiple: false,
          required: true,
          mode: 'heuristic',
          sources: [{ css: 'h1.title' }, { jsonld: 'name', type: 'Book' }, { meta: 'og:title' }],
          quality: { coverage: 1, confidence: 0.9, failingPages: [] },
        },
        {
          name: 'author',
          type: 'text',
          multiple: true,
          required: false,
          mode: 'example',
          sources: [
            { label: ['by', 'author'] },
            { css: '.byline', read: 'ownText', regex: '^by (.+)$', transforms: ['stripLabel'], split: ' and ' },
          ],
        },
      ],
      list: null,
    },
    {
      name: 'search',
      kind: 'listing',
      match: { urlPattern: '/search', examples: [] },
      fields: [],
      list: {
        item: 'li.result',
        fields: [{ name: 'price', type: 'money', multiple: false, required: true, mode: 'heuristic', sources: [{ css: '.price' }] }],
        nextPage: { css: 'a[rel="next"]', read: 'attr:href' },
      },
    },
  ],
  validation: { samplePages: 5, heldOutPages: 0, coverage: 0.9, quality: 0.8 },
});

describe('blueprint exports', () => {
  for (const format of ['json', 'yaml', 'csv'] as const) {
    it(`round-trips through ${format}`, () => {
      const blueprint = sample();
      const text = exportBlueprint(blueprint, format);
      expect(importBlueprint(text, format)).toEqual(blueprint);
    });
  }

  it('writes one CSV row per field', () => {
    const rows = exportBlueprint(sample(), 'csv').trim().split('\n');
    expect(rows[0]).toMatch(/^site,version,page_type,/);
    expect(rows).toHaveLength(4);
  });

  it('rejects invalid blueprints with the path of the problem', () => {
    const broken = { ...sample(), pageTypes: [{ ...sample().pageTypes[0], fields: [{ name: 'x', type: 'colour' }] }] };
    expect(() => parseBlueprint(broken)).toThrow(/pageTypes\.0\.fields\.0/);
  });

  it('commits the JSON Schema generated from the zod type', () => {
    const committed = JSON.parse(readFileSync(new URL('../../../schemas/blueprint.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(blueprintJsonSchema());
  });
});

describe('blueprint versions', () => {
  it('hash content, not measurements or version metadata', () => {
    const a = sample();
    const b = { ...sample(), version: 7, createdAt: '2020-01-01T00:00:00Z', validation: { samplePages: 1, coverage: 0 } };
    b.pageTypes[0]!.fields[0]!.quality = { coverage: 0.2, confidence: 0.1 };
    expect(contentHash(b)).toBe(contentHash(a));
    const c = sample();
    c.pageTypes[0]!.fields[0]!.sources.reverse();
    expect(contentHash(c)).not.toBe(contentHash(a));
  });

  it('create a new immutable version only when content changed', () => {
    const first = updateBlueprint(null, sample(), new Date('2024-01-01T00:00:00Z'));
    expect(first).toMatchObject({ created: true, diff: null, blueprint: { version: 1, createdAt: '2024-01-01T00:00:00.000Z' } });
    const same = updateBlueprint(first.blueprint, { ...sample(), validation: { samplePages: 9, coverage: 1 } });
    expect(same.created).toBe(false);
    expect(same.blueprint).toBe(first.blueprint);

    const changed = sample();
    changed.pageTypes[0]!.fields[0]!.sources = [{ css: 'h1' }];
    changed.pageTypes[0]!.fields.push({
      name: 'isbn',
      type: 'text',
      multiple: false,
      required: false,
      mode: 'heuristic',
      sources: [{ label: ['isbn'] }],
    });
    changed.pageTypes[0]!.fields.splice(1, 1);
    const second = updateBlueprint(first.blueprint, changed);
    expect(second.created).toBe(true);
    expect(second.blueprint.version).toBe(2);
    expect(first.blueprint.version).toBe(1);
    expect(second.diff).toMatchObject({
      identical: false,
      fieldsAdded: [{ pageType: 'book', field: 'isbn', scope: 'page' }],
      fieldsRemoved: [{ pageType: 'book', field: 'author', scope: 'page' }],
      sourcesChanged: [{ pageType: 'book', field: 'title', after: [{ css: 'h1' }] }],
    });
  });

  it('diff any two versions, including list fields and page types', () => {
    const a = sample();
    const b = sample();
    b.pageTypes[1]!.list!.fields[0]!.type = 'text';
    b.pageTypes.push({ ...sample().pageTypes[0]!, name: 'author-page' });
    const diff = diffBlueprints(a, b);
    expect(diff.pageTypesAdded).toEqual(['author-page']);
    expect(diff.propertiesChanged).toEqual([
      { pageType: 'search', field: 'price', scope: 'item', property: 'type', before: 'money', after: 'text' },
    ]);
    expect(diffBlueprints(a, sample()).identical).toBe(true);
  });
});
