import { describe, expect, it } from 'vitest';
import { buildBlueprint } from '../blueprint/build.js';
import { extractPage } from '../extract/runtime.js';

/**
 * A user's example states a value as they would type it ("1599", "InStock", "TP-Link"), which a
 * page writes its own way ("€ 1.599,00", "In stock", "TP Link" in its state): examples compare by
 * meaning, and the sources they confirm generalise to the site's other pages.
 */
interface Item {
  n: number;
  price: string;
  stock: string;
  code: string;
  brand: string;
  stateBrand: string;
  title: string;
}

const items: Item[] = [
  {
    n: 1,
    price: '1.599,00',
    stock: 'In stock',
    code: '002.937.72',
    brand: 'TP-Link',
    stateBrand: 'TP Link',
    title: 'TP-Link Tapo C200 camera',
  },
  {
    n: 2,
    price: '24,90',
    stock: 'Sold out',
    code: '104.118.05',
    brand: 'Tikkers',
    stateBrand: 'Tikkers',
    title: 'Tikkers Girls Pink Watch',
  },
  { n: 3, price: '2.450,50', stock: 'In stock', code: '393.505.11', brand: 'Korg', stateBrand: 'Korg', title: 'Korg B2 digital piano' },
];

const shopPage = (item: Item) => ({
  url: `https://shop.example/p/${item.n}`,
  file: `p${item.n}.html`,
  html: `<html><head><title>${item.title} | Shop</title>
    <script>window.__INITIAL_STATE__ = ${JSON.stringify({ product: { id: item.n, brand: item.stateBrand } })};</script></head><body>
    <main><h1 class="product-title">${item.title}</h1>
      <div class="buy"><span class="amount">€ ${item.price}</span><span class="stock">${item.stock}</span></div>
      <p class="ref">Art. <span>${item.code}</span></p></main></body></html>`,
});

describe('examples', () => {
  const pages = items.map(shopPage);
  const fields = ['price', 'availability', 'sku', 'brand'].map((name) => ({ name }));
  const examples = [{ file: 'p1.html', values: { price: '1599', availability: 'InStock', sku: '00293772', brand: 'TP-Link' } }];
  const { blueprint } = buildBlueprint(pages, { fields, examples });
  const extracted = pages.map((page) => extractPage(blueprint, page).fields);

  it('agree with values written another way: a formatted price, a stock text, a grouped code', () => {
    expect(extracted.map((record) => record.price?.typed)).toEqual([
      { amount: 1599, currency: 'EUR' },
      { amount: 24.9, currency: 'EUR' },
      { amount: 2450.5, currency: 'EUR' },
    ]);
    expect(extracted.map((record) => record.availability?.typed)).toEqual(['InStock', 'OutOfStock', 'InStock']);
    expect(extracted.map((record) => record.sku?.value)).toEqual(['002.937.72', '104.118.05', '393.505.11']);
    // The price is read whole, not cut at the decimal comma the example lacks.
    const price = blueprint.pageTypes[0]!.fields.find((field) => field.name === 'price')!;
    expect(price.mode).toBe('example');
    expect(price.sources[0]).not.toHaveProperty('regex');
  });

  it('prefer a source they confirm over a value cut out of a longer text by chance', () => {
    // The brand opens the example page's title too, but nothing in the title marks where it ends.
    expect(extracted.map((record) => record.brand?.value)).toEqual(['TP Link', 'Tikkers', 'Korg']);
  });

  it('cut a value out of a text at a mark or a whole word, never inside the next value', () => {
    const bylinePage = (n: number, name: string, day: string) => ({
      url: `https://news.example/a/${n}`,
      file: `a${n}.html`,
      html: `<html><head><title>Story ${n}</title></head><body><article><h1>Story ${n}</h1>
        <p class="credit">By ${name} on ${day}</p><p>Text of story ${n}.</p></article></body></html>`,
    });
    const stories = [bylinePage(1, 'Jane Doe', 'Monday'), bylinePage(2, 'John Smith', 'Friday'), bylinePage(3, 'Ola Nordmann', 'Sunday')];
    const taught = buildBlueprint(stories, {
      fields: [{ name: 'writer' }],
      examples: [{ file: 'a1.html', values: { writer: 'Jane Doe' } }],
    });
    expect(stories.map((story) => extractPage(taught.blueprint, story).fields.writer?.value)).toEqual([
      ['Jane Doe'],
      ['John Smith'],
      ['Ola Nordmann'],
    ]);
  });
});

describe('an example page that lacks what other pages have', () => {
  it('keeps a source silent on the example page that answers where the example-confirmed one is silent', () => {
    // Listings written by different sellers: one names a "Manufacturer", the others a "Brand".
    const listing = (n: number, label: string, value: string) => ({
      url: `https://market.example/itm/${n}`,
      file: `i${n}.html`,
      html: `<html><head><title>Item ${n}</title></head><body><h1>Item ${n}</h1>
        <table class="specifics"><tr><th>Condition:</th><td>Used</td></tr><tr><th>${label}:</th><td>${value}</td></tr></table></body></html>`,
    });
    const pages = [listing(1, 'Manufacturer', 'BMW'), listing(2, 'Brand', 'Fruit of the Loom'), listing(3, 'Brand', 'Casio')];
    const { blueprint } = buildBlueprint(pages, { fields: [{ name: 'brand' }], examples: [{ file: 'i1.html', values: { brand: 'BMW' } }] });
    expect(pages.map((page) => extractPage(blueprint, page).fields.brand?.value)).toEqual(['BMW', 'Fruit of the Loom', 'Casio']);
  });
});

describe('item numbers in the URL', () => {
  it('reads a code the canonical URL names as a query parameter', () => {
    const dealPage = (store: number, pid: number) => ({
      url: `https://deals.example/store/${store}?pid=${pid}&ref=home`,
      html: `<html><head><title>Deal ${pid}</title><link rel="canonical" href="https://deals.example/store/${store}?pid=${pid}"></head>
        <body><h1>Dinner for two at store ${store}</h1><p>Only today.</p></body></html>`,
    });
    const pages = [dealPage(122725, 260591), dealPage(36064, 262388), dealPage(5120, 263001)];
    const { blueprint } = buildBlueprint(pages, { fields: [{ name: 'sku' }] });
    expect(pages.map((page) => extractPage(blueprint, page).fields.sku?.value)).toEqual(['260591', '262388', '263001']);
  });
});
