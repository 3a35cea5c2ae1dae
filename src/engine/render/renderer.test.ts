import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintPage } from '../fingerprint/index.js';
import { renderWhereNeeded } from './render-pages.js';
import { looksLikeAppShell, Renderer } from './renderer.js';

function listen(server: Server, host: string): Promise<string> {
  return new Promise((resolve) => server.listen(0, host, () => resolve(`http://${host}:${(server.address() as AddressInfo).port}`)));
}

describe('looksLikeAppShell', () => {
  it('spots an empty mount point with scripts', () => {
    expect(looksLikeAppShell('<html><body><div id="root"></div><script src="/app.js"></script></body></html>')).toBe(true);
    expect(looksLikeAppShell('<html><body><app-root></app-root><script src="a.js"></script></body></html>')).toBe(true);
  });

  it('leaves pages with content alone', () => {
    expect(
      looksLikeAppShell(
        `<html><body><div id="root"><p>${'Real server-rendered text. '.repeat(20)}</p></div><script src="/app.js"></script></body></html>`,
      ),
    ).toBe(false);
    expect(looksLikeAppShell('<html><body><p>Short but plain.</p></body></html>')).toBe(false);
  });
});

// Chromium is a test requirement like PostgreSQL and Redis: a machine without it fails here rather than skipping.
describe('Renderer with the system Chromium', () => {
  let site: Server;
  let internal: Server;
  let siteUrl: string;
  let internalUrl: string;
  let internalHits = 0;

  beforeAll(async () => {
    internal = createServer((_, response) => {
      internalHits++;
      response.writeHead(200, { 'access-control-allow-origin': '*' }).end('secret');
    });
    internalUrl = await listen(internal, '127.0.0.2');
    site = createServer((request, response) => {
      // Public addresses that redirect to a private one: the browser follows redirects on its own.
      if (request.url === '/moved') return response.writeHead(302, { location: `${internalUrl}/admin` }).end();
      if (request.url === '/old-offers') return response.writeHead(301, { location: '/members/offers' }).end();
      if (request.url === '/widget.js') return response.writeHead(302, { location: `${internalUrl}/metadata.js` }).end();
      if (request.url === '/worker.js')
        return response.writeHead(200, { 'content-type': 'text/javascript' }).end(`fetch('${internalUrl}/from-worker').catch(() => {});`);
      if (request.url === '/shared-worker.js')
        return response
          .writeHead(200, { 'content-type': 'text/javascript' })
          .end(`fetch('${internalUrl}/from-shared-worker').catch(() => {});`);
      if (request.url === '/sw.js')
        return response
          .writeHead(200, { 'content-type': 'text/javascript' })
          .end(`fetch('${internalUrl}/from-service-worker').catch(() => {});`);
      if (request.url === '/busy') {
        // A dedicated worker's requests pass the page's guard; shared workers, service workers and
        // pop-ups run in other targets that a page-level guard cannot see.
        return response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><body><p>Busy page</p><script>
new Worker('/worker.js');
document.body.dataset.sharedWorker = typeof SharedWorker;
try { new SharedWorker('/shared-worker.js'); } catch {}
navigator.serviceWorker?.register('/sw.js').catch(() => {});
document.body.dataset.popup = String(window.open('${internalUrl}/popup'));
</script></body></html>`);
      }
      if (request.url === '/with-widget') {
        return response
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><html><body><p>Shop</p><script src="/widget.js"></script></body></html>');
      }
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><head><title>Shell</title></head>
<body><div id="root"></div><script>
window.Vue = { version: '3.4.21' };
document.getElementById('root').innerHTML = '<h1 class="title">Rendered by script</h1>';
fetch('${internalUrl}/metadata').catch(() => {});
</script></body></html>`);
    });
    siteUrl = await listen(site, '127.0.0.1');
  });

  afterAll(async () => {
    await new Promise((resolve) => site.close(resolve));
    await new Promise((resolve) => internal.close(resolve));
  });

  it('renders the page, reads fingerprint globals, and blocks requests to other private addresses', async () => {
    const reported: Array<['ok' | 'error', number]> = [];
    const renderer = new Renderer({
      isBlockedAddress: (address) => address !== '127.0.0.1',
      onRender: (outcome, seconds) => reported.push([outcome, seconds]),
    });
    try {
      const page = await renderer.render(`${siteUrl}/`);
      expect(page.rendered).toBe(true);
      expect(page.html).toContain('Rendered by script');
      expect(page.js['Vue.version']).toBe('3.4.21');
      const vue = fingerprintPage({ url: page.finalUrl, html: page.html, js: page.js }).technologies.find(
        (technology) => technology.name === 'Vue.js',
      );
      expect(vue?.version).toBe('3.4.21');
      expect(internalHits).toBe(0);
      await expect(renderer.render(`${internalUrl}/`)).rejects.toThrow(/non-public address/);
      // Redirects are checked hop by hop: neither a page nor a script reaches the private address through one.
      await expect(renderer.render(`${siteUrl}/moved`)).rejects.toThrow(/ERR_BLOCKED_BY_CLIENT/);
      const shop = await renderer.render(`${siteUrl}/with-widget`);
      expect(shop.html).toContain('Shop');
      // Dedicated workers run, guarded; no shared or service workers and a pop-up blocker: nothing
      // leaves from a target the guard does not watch.
      const busy = await renderer.render(`${siteUrl}/busy`);
      expect(busy.html).toContain('data-shared-worker="undefined"');
      expect(busy.html).toContain('data-popup="null"');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(internalHits).toBe(0);
      // Every render is reported (the metrics' siteprint_renders_total and render duration), refused ones as errors.
      expect(reported.map(([outcome]) => outcome)).toEqual(['ok', 'error', 'error', 'ok', 'ok']);
      expect(reported.every(([, seconds]) => seconds > 0 && seconds < 60)).toBe(true);
    } finally {
      await renderer.close();
    }
  });

  it("asks before the page's document goes anywhere, each redirect hop included (robots.txt)", async () => {
    const asked: string[] = [];
    const renderer = new Renderer({
      isBlockedAddress: (address) => address !== '127.0.0.1',
      mayNavigate: async (url) => {
        asked.push(new URL(url).pathname);
        return !url.includes('/members/');
      },
    });
    try {
      expect((await renderer.render(`${siteUrl}/`)).html).toContain('Rendered by script');
      await expect(renderer.render(`${siteUrl}/old-offers`)).rejects.toThrow(/ERR_BLOCKED_BY_CLIENT/);
      // Only documents ask: the script's request to the other address was stopped by the address check alone.
      expect(asked).toEqual(['/', '/old-offers', '/members/offers']);
    } finally {
      await renderer.close();
    }
  });
});

describe('Renderer without Chromium', () => {
  it('reports itself unavailable', () => {
    expect(new Renderer({ executablePath: '/nonexistent/chromium' }).available).toBe(false);
  });

  it('keeps the static pages and says why, unless rendering was not wanted', async () => {
    const renderer = new Renderer({ executablePath: '/nonexistent/chromium' });
    const shell = {
      url: 'https://app.example/',
      finalUrl: 'https://app.example/',
      status: 200,
      headers: {},
      rendered: false as const,
      fetchMs: 1,
      html: '<html><body><div id="root"></div><script src="/app.js"></script></body></html>',
    };
    const notices: string[] = [];
    const onNotice = (_: string, message: string) => void notices.push(message);
    expect(await renderWhereNeeded([shell], renderer, 'auto', { onNotice })).toEqual([shell]);
    expect(notices).toEqual([
      expect.stringMatching(/^1 page\(s\) need JavaScript rendering but no Chromium was found at \/nonexistent\/chromium/),
    ]);
    expect(await renderWhereNeeded([shell], renderer, 'never', { onNotice })).toEqual([shell]);
    expect(notices).toHaveLength(1);
  });
});
