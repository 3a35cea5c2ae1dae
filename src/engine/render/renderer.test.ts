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
    expect(looksLikeAppShell(`<html><body><div id="root"><p>${'Real server-rendered text. '.repeat(20)}</p></div><script src="/app.js"></script></body></html>`)).toBe(false);
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
    site = createServer((_, response) => {
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
    const renderer = new Renderer({ isBlockedAddress: (address) => address !== '127.0.0.1' });
    try {
      const page = await renderer.render(`${siteUrl}/`);
      expect(page.rendered).toBe(true);
      expect(page.html).toContain('Rendered by script');
      expect(page.js['Vue.version']).toBe('3.4.21');
      const vue = fingerprintPage({ url: page.finalUrl, html: page.html, js: page.js }).technologies.find((technology) => technology.name === 'Vue.js');
      expect(vue?.version).toBe('3.4.21');
      expect(internalHits).toBe(0);
      await expect(renderer.render(`${internalUrl}/`)).rejects.toThrow(/non-public address/);
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
    const shell = { url: 'https://app.example/', finalUrl: 'https://app.example/', status: 200, headers: {}, rendered: false as const, fetchMs: 1, html: '<html><body><div id="root"></div><script src="/app.js"></script></body></html>' };
    const notices: string[] = [];
    const onNotice = (_: string, message: string) => void notices.push(message);
    expect(await renderWhereNeeded([shell], renderer, 'auto', { onNotice })).toEqual([shell]);
    expect(notices).toEqual([expect.stringMatching(/^1 page\(s\) need JavaScript rendering but no Chromium was found at \/nonexistent\/chromium/)]);
    expect(await renderWhereNeeded([shell], renderer, 'never', { onNotice })).toEqual([shell]);
    expect(notices).toHaveLength(1);
  });
});
