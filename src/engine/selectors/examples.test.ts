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

describe('a site whose example page shows no discount', () => {
  // The example page shows one price everywhere; other pages show a discount, where only the
  // price box tells the price paid from the list price the details table and microdata repeat.
  const tile = (n: number, old: string, now: string) =>
    `<li class="tile swiper-slide"><a href="/b/${n}">Book ${n}</a><p><del>€ ${old}</del> <em>€ ${now}</em></p></li>`;
  const bookPage = (n: number, price: string, listPrice: string) => ({
    url: `https://books.example/b/${n}`,
    file: `b${n}.html`,
    html: `<html><head><title>Book ${n} | Books</title></head><body>
      <div itemscope itemtype="http://schema.org/Product"><h1 itemprop="name">Book ${n}</h1>
        <div itemprop="offers" itemscope itemtype="http://schema.org/Offer"><meta itemprop="price" content="${listPrice.replace(',', '.')}"></div>
        <div class="pricing"><div itemprop="offers" itemscope itemtype="http://schema.org/Offer">
          <meta itemprop="price" content="${price.replace(',', '.')}"><h3><strong>€ <span class="actual">${price}</span></strong></h3>
          ${price === listPrice ? '' : `<div class="full-price"><span class="barred">€ ${listPrice}</span> -5%</div>`}</div></div>
        <ul class="details"><li><span class="name">List price:</span> <span class="value">€ ${listPrice}</span></li>
          <li><span class="name">Publisher:</span> <span class="value">Salani</span></li></ul></div>
      <h2>Readers also viewed</h2><ul class="related">${tile(n + 10, '16,90', '15,20')}${tile(n + 11, '18,00', '17,10')}${tile(n + 12, '9,90', '8,90')}</ul>
      </body></html>`,
  });
  const pages = [bookPage(1, '16,90', '16,90'), bookPage(2, '17,10', '18,00'), bookPage(3, '12,35', '13,00')];

  it('reads the price paid, not the list price that the struck price in the price box names', () => {
    const { blueprint } = buildBlueprint(pages, {
      fields: [{ name: 'price' }],
      examples: [{ file: 'b1.html', values: { price: '16.90' } }],
    });
    expect(pages.map((page) => (extractPage(blueprint, page).fields.price?.typed as { amount: number }).amount)).toEqual([
      16.9, 17.1, 12.35,
    ]);
  });
});

describe('an example price that tells how the site writes decimals', () => {
  // "$24.990" is 24990 where dots group thousands: only the example says this site means 24.99.
  const page = (n: number, shown: string, state: number) => ({
    url: `https://tickets.example/e/${n}`,
    file: `e${n}.html`,
    html: `<html><head><title>Event ${n}</title>
      <script type="application/ld+json">${JSON.stringify({ '@type': 'Product', name: `Event ${n}`, offers: { price: state } })}</script></head>
      <body><h1>Event ${n}</h1><div class="prices"><strong>Price:</strong> <span class="amount">${shown}</span></div></body></html>`,
  });
  const pages = [page(1, '$24.990', 24990), page(2, '$229.990', 229990), page(3, '$5.000', 5000)];
  const amounts = (blueprint: Parameters<typeof extractPage>[0]) =>
    pages.map((p) => (extractPage(blueprint, p).fields.price?.typed as { amount: number }).amount);

  it('reads every page with the decimal mark the example reveals', () => {
    const { blueprint } = buildBlueprint(pages, {
      fields: [{ name: 'price' }],
      examples: [{ file: 'e1.html', values: { price: '24.99' } }],
    });
    expect(blueprint.pageTypes[0]!.fields[0]!.decimalMark).toBe('.');
    expect(amounts(blueprint)).toEqual([24.99, 229.99, 5]);
  });

  it('groups thousands as usual without such an example', () => {
    const { blueprint } = buildBlueprint(pages, { fields: [{ name: 'price' }] });
    expect(blueprint.pageTypes[0]!.fields[0]!.decimalMark).toBeUndefined();
    expect(amounts(blueprint)).toEqual([24990, 229990, 5000]);
  });
});
