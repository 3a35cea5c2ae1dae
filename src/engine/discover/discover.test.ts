import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureShop } from '../../../test/support/fixture-shop.js';
import { Fetcher } from '../fetch/index.js';
import { sampleSite } from '../sample/index.js';
import { describePageType, discoverPageTypes } from './discover.js';
import { labelOfName, namePageType } from './naming.js';

function blogPost(slug: string, title: string, author: string, date: string): { url: string; html: string } {
  return {
    url: `https://blog.example/2024/05/${slug}`,
    html: `<html><head><title>${title}</title><meta property="og:type" content="article">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"BlogPosting","headline":"${title}","author":{"@type":"Person","name":"${author}"},"datePublished":"${date}"}</script>
</head><body><header><a href="/">Field Notes</a></header><article class="post"><h1 class="post-title">${title}</h1>
<p class="meta">By ${author} on ${date}</p><div class="post-body"><p>${'Long form writing. '.repeat(40)}</p></div></article></body></html>`,
  };
}

const posts = [
  blogPost('quiet-art-of-maintenance', 'The quiet art of maintenance', 'Ana Lima', '2024-05-02'),
  blogPost('why-we-moved-to-postgres', 'Why we moved to Postgres', 'Ben Ode', '2024-05-09'),
  blogPost('notes-from-a-small-team', 'Notes from a small team', 'Ana Lima', '2024-05-16'),
  blogPost('shipping-on-fridays-again', 'Shipping on Fridays, again', 'Chen Wu', '2024-05-23'),
];
const blogHome = {
  url: 'https://blog.example/',
  html: `<html><head><title>Field Notes</title></head><body><h1>Field Notes</h1><ul class="posts">${posts
    .map(
      (post) => `<li class="post-item"><a href="${post.url}">${/<h1[^>]*>(.*?)<\/h1>/.exec(post.html)![1]}</a> <time>May 2024</time></li>`,
    )
    .join('')}</ul></body></html>`,
};

/**
 * One product template reached two ways: /p/<id> pages that declare a schema.org Product and
 * deeper gift-guide URLs whose pages do not. Both show a strip of related items.
 */
function lampPage(url: string, n: number, declared: boolean): { url: string; html: string } {
  const related = Array.from(
    { length: 6 },
    (_, i) => `<li class="tile"><a href="/p/${900 + i}">Other ${i}</a><span class="tile-price">$${i + 3}.00</span></li>`,
  ).join('');
  const jsonLd = declared
    ? `<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"Lamp ${n}","sku":"L-${n}"}</script>`
    : '';
  return {
    url,
    html: `<html><head><title>Lamp ${n}</title>${jsonLd}</head><body><header class="site"><a href="/">Lamps</a></header>
<main class="pdp"><h1 class="pdp-title">Lamp ${n}</h1><p class="pdp-price">$${n}9.00</p><p class="pdp-sku">SKU L-${n}</p>
<button class="add-to-cart">Add to cart</button><div class="pdp-description"><p>${'A warm light for reading. '.repeat(n + 2)}</p></div></main>
<section class="related"><h2>You may also like</h2><ul class="tiles">${related}</ul></section><footer class="site">©</footer></body></html>`,
  };
}

describe('discoverPageTypes', () => {
  let shop: FixtureShop;
  beforeAll(async () => {
    shop = await new FixtureShop().start();
  });
  afterAll(() => shop.stop());

  it("separates a shop's home, category listings and product pages", async () => {
    const { pages } = await sampleSite(new Fetcher({ allowPrivateNetwork: true, hostDelayMs: 0 }), shop.url, { maxPages: 12 });
    const types = discoverPageTypes(pages.map((page) => ({ url: page.finalUrl, html: page.html })));
    const byKind = new Map(types.map((type) => [type.kind, type]));

    expect(byKind.get('home')?.urls).toEqual([`${shop.url}/`]);
    const listing = byKind.get('listing')!;
    expect(listing.urls.map((url) => new URL(url).pathname).sort()).toEqual(['/category/fiction', '/category/history']);
    expect(listing.fields.map((field) => field.name)).toEqual(expect.arrayContaining(['title', 'url', 'price']));

    const detail = byKind.get('detail')!;
    expect(detail.urlPattern).toBe('/product/:id');
    expect(detail.urls.length).toBeGreaterThanOrEqual(3);
    const fields = new Map(detail.fields.map((field) => [field.name, field]));
    expect([...fields.keys()]).toEqual(expect.arrayContaining(['title', 'publisher', 'publication_date', 'isbn_13', 'price']));
    expect(fields.get('price')?.type).toBe('money');
    expect(fields.get('publication_date')?.type).toBe('date');
    expect(fields.get('publisher')?.examples.length).toBeGreaterThan(1);
  });

  it('keeps one product page type across declared and undeclared pages at different URL depths, related strips and all', () => {
    const pages = [
      lampPage('https://lamps.example/p/101', 1, true),
      lampPage('https://lamps.example/p/102', 2, true),
      lampPage('https://lamps.example/p/103', 3, true),
      lampPage('https://lamps.example/gifts/for-readers/lamp-4-104', 4, false),
      lampPage('https://lamps.example/gifts/under-50/lamp-5-105', 5, false),
    ];
    const types = discoverPageTypes(pages);
    expect(types.map((type) => [type.name, type.kind, type.urls.length])).toEqual([['product', 'detail', 5]]);
    expect(types[0]!.dataType).toBe('Product');
  });

  it("separates a blog's home and its articles, typed from structured data", () => {
    const types = discoverPageTypes([blogHome, ...posts]);
    expect(types).toHaveLength(2);
    const article = types.find((type) => type.kind === 'article')!;
    expect(article).toMatchObject({ dataType: 'BlogPosting', name: 'article', label: 'Article', urlPattern: '/:year/:month/:slug' });
    expect(article.urls).toHaveLength(4);
    const fields = new Map(article.fields.map((field) => [field.name, field]));
    expect(fields.get('headline')?.examples).toContain('Why we moved to Postgres');
    expect(fields.get('author')?.examples).toEqual(expect.arrayContaining(['Ana Lima', 'Ben Ode']));
    expect(fields.get('date_published')?.type).toBe('date');
    expect(types.find((type) => type.kind === 'home')?.urls).toEqual(['https://blog.example/']);
  });

  it('describes pages known to share a type, for blueprints built without named fields', () => {
    const described = describePageType(posts.slice(0, 2));
    expect(described).toMatchObject({ kind: 'article', dataType: 'BlogPosting', urls: posts.slice(0, 2).map((post) => post.url) });
    expect(described.fields.map((field) => field.name)).toEqual(expect.arrayContaining(['headline', 'author', 'date_published']));
    expect(() => describePageType([])).toThrow(/at least one page/);
  });
});

/** A product page of one template, with a strip of related products below the item (JSON-LD optional). */
function productPage(url: string, name: string, related: string[], jsonLd = true): { url: string; html: string } {
  const ld = jsonLd
    ? `<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"${name}","offers":{"@type":"Offer","price":"19.90","priceCurrency":"EUR"}}</script>`
    : '';
  return {
    url,
    html: `<html><head><title>${name} | Lamp Shop</title>${ld}</head><body><nav><a href="/">Home</a></nav>
<main class="product"><h1 class="product-name">${name}</h1><p class="price">€19.90</p><button class="add-to-cart">Add to cart</button>
<p class="description">${'A lamp for reading. '.repeat(10)}</p></main>
<section class="related"><h2>You may also like</h2><ul class="cards">${related
      .map((item, i) => `<li class="card"><a href="/p/${i + 100}">${item}</a><span class="price">€${10 + i}.00</span></li>`)
      .join('')}</ul></section></body></html>`,
  };
}

describe('page types people recognise', () => {
  const related = ['Desk lamp', 'Floor lamp', 'Wall lamp', 'Clip lamp', 'Bulb pack', 'Shade'];

  it('keeps a product page with a related-items strip a detail page, with or without structured data', () => {
    for (const jsonLd of [true, false]) {
      const [type] = discoverPageTypes([productPage('https://shop.example/p/1', 'Reading lamp', related, jsonLd)]);
      expect(type).toMatchObject({ kind: 'detail', name: 'product', label: 'Product page' });
    }
  });

  it('makes product pages of one template one type whatever their URL depth', () => {
    const types = discoverPageTypes([
      productPage('https://shop.example/p/1', 'Reading lamp', related),
      productPage('https://shop.example/p/2', 'Desk lamp', related),
      productPage('https://shop.example/lighting/lamps/floor-lamp-3', 'Floor lamp', related),
      productPage('https://shop.example/gift/lamp-gift-set', 'Gift set', related),
    ]);
    expect(types.map((type) => [type.name, type.kind, type.urls.length])).toEqual([['product', 'detail', 4]]);
  });

  it('calls a page listing many products a category, not a product', () => {
    const cards = Array.from(
      { length: 8 },
      (_, i) => `<li class="card"><a href="/p/${i}">Lamp ${i}</a><button class="add-to-cart">Add to cart</button></li>`,
    ).join('');
    const [type] = discoverPageTypes([
      { url: 'https://shop.example/c/lamps', html: `<html><body><h1>Lamps</h1><ul class="grid">${cards}</ul></body></html>` },
    ]);
    expect(type).toMatchObject({ kind: 'listing', name: 'category', label: 'Category listing' });
  });
});

describe('namePageType', () => {
  it('names types from schema.org types, kinds and URL words', () => {
    expect(namePageType('detail', 'Product', '/dp/:id')).toEqual({ name: 'product', label: 'Product page' });
    expect(namePageType('article', 'NewsArticle', '/2024/:slug')).toEqual({ name: 'article', label: 'Article' });
    expect(namePageType('detail', undefined, '/produkt/:slug')).toEqual({ name: 'product', label: 'Product page' });
    expect(namePageType('detail', undefined, '/blog/:slug')).toEqual({ name: 'article', label: 'Article' });
    expect(namePageType('listing', 'Product', '/collections/:slug')).toEqual({ name: 'category', label: 'Category listing' });
    expect(namePageType('listing', undefined, '/tag/:slug')).toEqual({ name: 'tag', label: 'Tag listing' });
    expect(namePageType('search', undefined, '/search')).toEqual({ name: 'search', label: 'Search results' });
    expect(namePageType('home', 'WebSite', '/')).toEqual({ name: 'home', label: 'Home page' });
    expect(namePageType('detail', 'MedicalCondition', '/:slug')).toEqual({ name: 'medical_condition', label: 'Medical condition page' });
    expect(namePageType('other', undefined, '/:slug')).toEqual({ name: 'page', label: 'Other page' });
    expect(labelOfName('gift_card')).toBe('Gift card page');
  });
});
