import { describe, expect, it } from 'vitest';
import type { Blueprint } from '../blueprint/schema.js';
import { beyondDateLine, parseDate } from '../values/date.js';
import { parseMoney, parseNumber } from '../values/money.js';
import { absoluteUrl } from './coerce.js';
import { extractPage } from './runtime.js';

describe('type coercion', () => {
  it('reads numbers as shops write them', () => {
    expect(parseNumber('1,234.50')).toBe(1234.5);
    expect(parseNumber('1.234,50')).toBe(1234.5);
    expect(parseNumber('1 234,5')).toBe(1234.5);
    expect(parseNumber('12,000')).toBe(12000);
    expect(parseNumber('96 pages')).toBe(96);
    expect(parseNumber('none')).toBeNull();
  });

  it('reads money with its currency', () => {
    expect(parseMoney('$14.99')).toEqual({ amount: 14.99, currency: 'USD' });
    expect(parseMoney('€1.049,00')).toEqual({ amount: 1049, currency: 'EUR' });
    expect(parseMoney('1 299,00 €')).toEqual({ amount: 1299, currency: 'EUR' });
    expect(parseMoney('GBP 5')).toEqual({ amount: 5, currency: 'GBP' });
    expect(parseMoney('CHF 12.-')).toEqual({ amount: 12, currency: 'CHF' });
    expect(parseMoney('19.99')).toEqual({ amount: 19.99, currency: null });
  });

  it('turns dates into ISO 8601 as precise as the text', () => {
    expect(parseDate('2008')).toBe('2008');
    expect(parseDate('March 2010')).toBe('2010-03');
    expect(parseDate('Pub. Date: March 3, 2010')).toBe('2010-03-03');
    expect(parseDate('3rd of March 2010')).toBe('2010-03-03');
    expect(parseDate('03 Mar 2010')).toBe('2010-03-03');
    expect(parseDate('12/25/2009')).toBe('2009-12-25');
    expect(parseDate('25/12/2009')).toBe('2009-12-25');
    expect(parseDate('01.02.2009')).toBe('2009-02-01');
    expect(parseDate('2024-03-01T10:20:00+0100')).toBe('2024-03-01T10:20:00+01:00');
    expect(parseDate('2009-02-30')).toBeNull();
    expect(parseDate('soon')).toBeNull();
  });

  it('reads month names in the languages pages are written in', () => {
    expect(parseDate('Publié le 5 mars 2019 à 10h00')).toBe('2019-03-05');
    expect(parseDate('5. März 2020')).toBe('2020-03-05');
    expect(parseDate('3 de abril de 2021')).toBe('2021-04-03');
    expect(parseDate('Pubblicato il 3 aprile 2021 alle 10:30')).toBe('2021-04-03');
    expect(parseDate('3 kwietnia 2021')).toBe('2021-04-03');
    expect(parseDate('3 апреля 2021 г.')).toBe('2021-04-03');
    expect(parseDate('2021. április 3.')).toBe('2021-04-03');
    expect(parseDate('maart 2021')).toBe('2021-03');
    // A month's name only counts as a whole word, and English words are not read as abbreviations.
    expect(parseDate('Walmart 2021')).toBe('2021');
    expect(parseDate('3 days ago 2021')).toBe('2021');
  });

  it('tells a date line in any of those languages from a sentence holding a date', () => {
    for (const line of [
      'Veröffentlicht am 04.03.2021, 10:15 Uhr',
      'Publié le 4 mars 2021 à 10h00',
      'Pubblicato il 4 marzo 2021 alle 10:00',
      'Posted on March 4, 2021',
    ])
      expect(beyondDateLine(line), line).toBe('');
    expect(beyondDateLine('Der Bau begann am 4. März 2021 in Berlin').length).toBeGreaterThan(3);
  });

  it('resolves URLs against the page', () => {
    expect(absoluteUrl('../img/a.jpg', 'https://x.example/p/q/r.html')).toBe('https://x.example/p/img/a.jpg');
    expect(absoluteUrl('javascript:void(0)', 'https://x.example/')).toBeNull();
  });
});

describe('extraction runtime', () => {
  const blueprint: Blueprint = {
    schemaVersion: 1,
    site: null,
    version: 1,
    pageTypes: [
      {
        name: 'product',
        kind: 'detail',
        match: { urlPattern: '/p/:id', examples: [] },
        list: null,
        fields: [
          {
            name: 'title',
            type: 'text',
            multiple: false,
            required: true,
            mode: 'heuristic',
            sources: [{ css: '.missing' }, { css: 'h1' }],
          },
          {
            name: 'price',
            type: 'money',
            multiple: false,
            required: true,
            mode: 'heuristic',
            sources: [{ css: '.note' }, { label: ['price'] }],
          },
          {
            name: 'released',
            type: 'date',
            multiple: false,
            required: false,
            mode: 'heuristic',
            sources: [{ jsonld: 'releaseDate', type: 'Product' }],
          },
          { name: 'image', type: 'image', multiple: false, required: false, mode: 'heuristic', sources: [{ meta: 'og:image' }] },
          {
            name: 'tags',
            type: 'text',
            multiple: true,
            required: false,
            mode: 'heuristic',
            sources: [{ css: '.tags', split: '\\s*,\\s*' }],
          },
          {
            name: 'sku',
            type: 'text',
            multiple: false,
            required: false,
            mode: 'heuristic',
            sources: [{ css: '.sku', regex: 'no\\.\\s*(\\S+)', transforms: ['uppercase'] }],
          },
        ],
      },
    ],
  };
  const html = `<html><head><meta property="og:image" content="/img/1.jpg">
    <script type="application/ld+json">{"@type":"Product","releaseDate":"5 June 2021"}</script></head>
    <body><h1>  Caf&eacute;&nbsp;Cr&egrave;me
      Mug </h1><p class="note">no price here</p><p><b>Price:</b> &euro;12,50<br></p>
    <p class="tags">blue, ceramic ,gift</p><p class="sku">Item no. ab-12</p></body></html>`;

  it('normalises text, coerces types and records which source matched', () => {
    const record = extractPage(blueprint, { url: 'https://shop.example/p/1', html });
    expect(record.pageType).toBe('product');
    expect(record.fields.title).toEqual({
      type: 'text',
      value: 'Café Crème Mug',
      typed: 'Café Crème Mug',
      raw: 'Café Crème Mug',
      source: 1,
      valid: true,
    });
    expect(record.fields.price).toEqual({
      type: 'money',
      value: '€12,50',
      typed: { amount: 12.5, currency: 'EUR' },
      raw: '€12,50',
      source: 1,
      valid: true,
    });
    expect(record.fields.released).toMatchObject({ value: '5 June 2021', typed: '2021-06-05', raw: '5 June 2021', source: 0 });
    expect(record.fields.image).toMatchObject({ value: 'https://shop.example/img/1.jpg', source: 0 });
    expect(record.fields.tags?.value).toEqual(['blue', 'ceramic', 'gift']);
    expect(record.fields.sku?.value).toBe('AB-12');
  });

  it('validates GTINs and ISBNs by check digit: a failing code is no value, and a bare label is not kept', () => {
    const codes: Blueprint = {
      ...blueprint,
      pageTypes: [
        {
          ...blueprint.pageTypes[0]!,
          fields: [
            {
              name: 'gtin',
              type: 'gtin',
              multiple: false,
              required: false,
              mode: 'heuristic',
              sources: [{ css: '.bad-ean' }, { css: '.ean' }],
            },
            { name: 'isbn', type: 'isbn', multiple: false, required: false, mode: 'heuristic', sources: [{ css: '.isbn' }] },
            { name: 'code', type: 'identifier', multiple: false, required: false, mode: 'heuristic', sources: [{ css: '.label-only' }] },
          ],
        },
      ],
    };
    const page = `<p class="bad-ean">EAN: 4006381333932</p><p class="ean">EAN: 4006381 333931</p>
      <p class="isbn">ISBN 978-0-306-40615-7</p><p class="label-only">EAN:</p>`;
    const record = extractPage(codes, { url: 'https://shop.example/p/1', html: page });
    expect(record.fields.gtin).toMatchObject({
      type: 'gtin',
      value: '4006381333931',
      typed: '4006381333931',
      raw: 'EAN: 4006381 333931',
      source: 1,
      valid: true,
    });
    expect(record.fields.isbn).toMatchObject({ value: '9780306406157', typed: '9780306406157', valid: true });
    expect(record.fields.code).toEqual({ type: 'identifier', value: null, typed: null, raw: null, source: null, valid: false });
  });
});
