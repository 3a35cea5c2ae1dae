import { describe, expect, it } from 'vitest';
import type { Blueprint } from '../blueprint/schema.js';
import { knownValues, reproduction } from './known-values.js';

const listing = (item: string, title: string): Blueprint => ({
  schemaVersion: 1,
  site: 'https://shop.example',
  version: 1,
  pageTypes: [
    {
      name: 'listing',
      kind: 'listing',
      match: { urlPattern: '/shelf/:slug', examples: [] },
      fields: [],
      list: {
        item,
        fields: [{ name: 'title', type: 'text', multiple: false, required: true, mode: 'heuristic', sources: [{ css: title }] }],
        nextPage: null,
      },
    },
  ],
});

const url = 'https://shop.example/shelf/new';
const cards = (titles: string[]) => `<ul>${titles.map((title) => `<li class="card"><a href="/${title}">${title}</a></li>`).join('')}</ul>`;
const tiles = (titles: string[]) => `<section>${titles.map((title) => `<div class="tile"><h3>${title}</h3></div>`).join('')}</section>`;

describe('last known values', () => {
  const before = listing('li.card', 'a');
  const known = knownValues(before, [{ url, html: cards(['Atlas', 'Ember', 'Orchard']) }], ['title']);

  it("takes every record's value on a listing page", () => {
    expect(known).toEqual([{ url, values: { title: ['Atlas', 'Ember', 'Orchard'] } }]);
  });

  it('measures how many of them a repaired blueprint reads again, ignoring values the page no longer shows', () => {
    const after = listing('div.tile', 'h3');
    const titles = (blueprint: Blueprint, html: string) => reproduction(blueprint, [{ url, html }], known, ['title']).get('title');
    expect(titles(after, tiles(['Atlas', 'Ember', 'Orchard']))).toBe(1);
    // Orchard sold out and Lantern arrived: the two left are both read.
    expect(titles(after, tiles(['Atlas', 'Ember', 'Lantern']))).toBe(1);
    // A blueprint reading something else reproduces none of them.
    expect(titles(listing('div.tile', 'p'), tiles(['Atlas', 'Ember']).replaceAll('</h3>', '</h3><p>In stock</p>'))).toBe(0);
    // No known value is left on the page: nothing to judge by.
    expect(titles(after, tiles(['Lantern', 'Meridian']))).toBeNull();
  });
});
