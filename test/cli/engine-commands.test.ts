import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { FixtureShop } from '../support/fixture-shop.js';

const temp = () => mkdtempSync(path.join(tmpdir(), 'siteprint-engine-cli-'));

describe('siteprint fingerprint, sample and discover', () => {
  let shop: FixtureShop;
  beforeAll(async () => {
    shop = await new FixtureShop().start();
  });
  afterAll(() => shop.stop());

  it('fingerprints a saved page with its headers', async () => {
    const dir = temp();
    writeFileSync(
      path.join(dir, 'page.html'),
      '<base href="https://shop.example/"/><html><head><meta name="generator" content="WordPress 6.4.2"></head><body></body></html>',
    );
    writeFileSync(path.join(dir, 'headers.json'), JSON.stringify({ Server: 'nginx/1.25.3' }));
    const result = await runCli(['fingerprint', '--file', path.join(dir, 'page.html'), '--headers', path.join(dir, 'headers.json')]);
    expect(result.code).toBe(0);
    const technologies = JSON.parse(result.stdout).technologies as Array<{
      name: string;
      version: string | null;
      categories: string[];
      confidence: number;
    }>;
    expect(technologies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'WordPress', version: '6.4.2', categories: expect.arrayContaining(['CMS']) }),
        expect.objectContaining({ name: 'Nginx', version: '1.25.3' }),
      ]),
    );
  });

  it('fingerprints a URL, refusing private addresses unless allowed', async () => {
    const refused = await runCli(['fingerprint', `${shop.url}/`], { ALLOW_PRIVATE_NETWORK: '' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/siteprint: .*(private|loopback|non-public)/);
    const allowed = await runCli(['fingerprint', `${shop.url}/`], { ALLOW_PRIVATE_NETWORK: 'true' });
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).technologies.map((technology: { name: string }) => technology.name)).toEqual(
      expect.arrayContaining(['Nginx', 'jQuery']),
    );
  });

  it('samples a site into a folder that discover reads back', async () => {
    const out = temp();
    const sampled = await runCli(['sample', `${shop.url}/`, '--out', out, '--max-pages', '8'], { ALLOW_PRIVATE_NETWORK: 'true' });
    expect(sampled.code).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.pages).toHaveLength(8);
    expect(readdirSync(out).filter((file) => file.endsWith('.html'))).toHaveLength(8);

    const discovered = await runCli(['discover', '--pages', out]);
    expect(discovered.code).toBe(0);
    const types = JSON.parse(discovered.stdout).pageTypes as Array<{ kind: string; files: string[]; urlPattern: string }>;
    expect(types.map((type) => type.kind)).toEqual(expect.arrayContaining(['home', 'listing', 'detail']));
    const detail = types.find((type) => type.kind === 'detail')!;
    expect(detail.urlPattern).toBe('/product/:id');
    expect(detail.files.every((file) => /^\d{4}\.html$/.test(file))).toBe(true);
  });

  it('renders an app shell in Chromium, or says there is none and keeps the static page', async () => {
    const app: Server = createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><head><title>App</title></head>
<body><div id="app"></div><script>window.Vue = { version: '3.4.21' }; document.getElementById('app').textContent = 'Hello';</script></body></html>`);
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
    const vue = (stdout: string) =>
      (JSON.parse(stdout).technologies as Array<{ name: string; version: string | null }>).find(
        (technology) => technology.name === 'Vue.js',
      );
    try {
      const rendered = await runCli(['fingerprint', url], { ALLOW_PRIVATE_NETWORK: 'true' });
      expect(rendered.code).toBe(0);
      expect(rendered.stderr).toMatch(/rendered 1 of 1 page/);
      expect(vue(rendered.stdout)?.version).toBe('3.4.21');

      const noBrowser = await runCli(['fingerprint', url, '--render', 'always'], {
        ALLOW_PRIVATE_NETWORK: 'true',
        CHROMIUM_PATH: '/nonexistent/chromium',
      });
      expect(noBrowser.code).toBe(0);
      expect(noBrowser.stderr).toMatch(/no Chromium was found at \/nonexistent\/chromium .*using the static HTML/);
      expect(vue(noBrowser.stdout)?.version ?? null).toBeNull();

      const never = await runCli(['fingerprint', url, '--render', 'never'], {
        ALLOW_PRIVATE_NETWORK: 'true',
        CHROMIUM_PATH: '/nonexistent/chromium',
      });
      expect(never.code).toBe(0);
      expect(never.stderr).not.toMatch(/Chromium/);
    } finally {
      await new Promise((resolve) => app.close(resolve));
    }
  }, 120_000);

  it('explains unreadable input', async () => {
    const missing = await runCli(['fingerprint', '--file', '/nonexistent/page.html']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read page \/nonexistent\/page.html: ENOENT/);
    const nothing = await runCli(['fingerprint']);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/give a URL/);
    const empty = await runCli(['discover', '--pages', temp()]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/no .htm or .html files/);
  });
});
