import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureShop } from '../../../test/support/fixture-shop.js';
import { Fetcher } from '../fetch/index.js';
import { sampleSite } from './sampler.js';
import { urlShape } from './url-shape.js';

describe('urlShape', () => {
  it.each([
    ['https://shop.example/product/9780316125581', '/product/:id'],
    ['https://shop.example/p/B00X4WHP5E', '/p/:id'],
    ['https://blog.example/2024/05/12/the-quiet-art-of-maintenance', '/:year/:month/:day/:slug'],
    ['https://shop.example/category/fiction', '/category/fiction'],
    ['https://shop.example/category/fiction/page/3', '/category/fiction/page/:page'],
    ['https://news.example/articles/550e8400-e29b-41d4-a716-446655440000', '/articles/:id'],
    ['https://shop.example/', '/'],
  ])('%s → %s', (url, shape) => {
    expect(urlShape(url)).toBe(shape);
  });
});

describe('sampleSite', () => {
  let shop: FixtureShop;
  beforeAll(async () => {
    shop = await new FixtureShop().start();
  });
  afterAll(() => shop.stop());

  it('reads the sitemap and favours different kinds of pages over many of one kind', async () => {
    const fetcher = new Fetcher({ allowPrivateNetwork: true, hostDelayMs: 0 });
    const seen: number[] = [];
    const result = await sampleSite(fetcher, `${shop.url}/`, { maxPages: 6, onPage: (_, count) => void seen.push(count) });
    const paths = result.pages.map((page) => new URL(page.finalUrl).pathname);
    expect(result.sitemaps).toEqual([`${shop.url}/sitemap.xml`]);
    expect(paths).toHaveLength(6);
    expect(paths).toContain('/');
    expect(paths).toEqual(expect.arrayContaining(['/category/fiction', '/category/history']));
    expect(paths.filter((path) => path.startsWith('/product/')).length).toBeLessThanOrEqual(3);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.pages.every((page) => page.status === 200 && page.html.includes('Quire Books'))).toBe(true);
  });

  it('follows the start page to the origin it redirects to (http → https, bare domain → www)', async () => {
    // Another port is another origin: this server sends every request on to the shop.
    const redirector = createServer((request, response) => response.writeHead(301, { location: `${shop.url}${request.url}` }).end());
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    try {
      const fetcher = new Fetcher({ allowPrivateNetwork: true, hostDelayMs: 0 });
      const result = await sampleSite(fetcher, `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/`, { maxPages: 5 });
      expect(result.sitemaps).toEqual([`${shop.url}/sitemap.xml`]);
      expect(result.pages).toHaveLength(5);
      expect(result.pages.every((page) => page.finalUrl.startsWith(`${shop.url}/`))).toBe(true);
      expect(new Set(result.pages.map((page) => page.finalUrl)).size).toBe(5);
    } finally {
      await new Promise((resolve) => redirector.close(resolve));
    }
  });

  it('follows the links of pages, whatever their markup, where the site has no sitemap', async () => {
    const pages: Record<string, string> = {
      '/': `<html><body><NAV><A HREF="/list?page=2&amp;sort=new">Next</A></NAV><p><a class=x href=item-1>One</a>
<a href="https://elsewhere.example/">Away</a><a name="top">no link</a><a href="/logo.png">logo</a></p></body></html>`,
      '/list?page=2&sort=new': '<html><body><a href="/item-2">Two</a></body></html>',
      '/item-1': '<html><body>one</body></html>',
      '/item-2': '<html><body>two</body></html>',
    };
    const site = createServer((request, response) => {
      const page = pages[request.url ?? ''];
      response.writeHead(page ? 200 : 404, { 'content-type': 'text/html' }).end(page ?? 'not found');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
      const result = await sampleSite(new Fetcher({ allowPrivateNetwork: true, hostDelayMs: 0 }), `${origin}/`, { maxPages: 10 });
      expect(result.pages.map((page) => page.finalUrl.slice(origin.length)).sort()).toEqual([
        '/',
        '/item-1',
        '/item-2',
        '/list?page=2&sort=new',
      ]);
    } finally {
      await new Promise((resolve) => site.close(resolve));
    }
  });

  it('stops when cancelled', async () => {
    const fetcher = new Fetcher({ allowPrivateNetwork: true, hostDelayMs: 0 });
    const controller = new AbortController();
    const sampling = sampleSite(fetcher, shop.url, {
      maxPages: 20,
      signal: controller.signal,
      onPage: (_, count) => (count === 2 ? controller.abort() : undefined),
    });
    await expect(sampling).rejects.toThrow();
  });
});
