import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureShop } from '../../../test/support/fixture-shop.js';
import { Fetcher } from '../fetch/index.js';
import { sampleSite } from '../sample/index.js';
import { describePageType, discoverPageTypes } from './discover.js';

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
    .map((post) => `<li class="post-item"><a href="${post.url}">${/<h1[^>]*>(.*?)<\/h1>/.exec(post.html)![1]}</a> <time>May 2024</time></li>`)
    .join('')}</ul></body></html>`,
};

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

  it("separates a blog's home and its articles, typed from structured data", () => {
    const types = discoverPageTypes([blogHome, ...posts]);
    expect(types).toHaveLength(2);
    const article = types.find((type) => type.kind === 'article')!;
    expect(article).toMatchObject({ dataType: 'BlogPosting', name: 'blog_posting', urlPattern: '/:year/:month/:slug' });
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
