import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/logger.js';
import { startServer, type RunningServer } from '../../src/app/server.js';
import { accessibilityProblems, chromiumAvailable, launchTestBrowser, recordPageErrors, startDashboardServer } from '../support/browser.js';
import { LogCapture } from '../support/app.js';
import { FixtureShop } from '../support/fixture-shop.js';

/** Screenshots of every main page at both widths, kept as test artefacts. */
const SCREENSHOTS = path.resolve('test-results', 'screenshots');

describe.runIf(chromiumAvailable())('web dashboard in a real browser', () => {
  let server: RunningServer;
  let shop: FixtureShop;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  let sitePath = '';
  let siteName = '';

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    shop = await new FixtureShop().start();
    // The fixture shop listens on loopback, which the fetcher refuses by default.
    server = await startDashboardServer({ ALLOW_PRIVATE_NETWORK: 'true' });
    browser = await launchTestBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    recordPageErrors(page, consoleErrors);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await shop?.stop();
  });

  /** Chromium logs a refused request as a console error: a test that provokes one takes it out, so only unexpected errors remain. */
  function takeExpectedConsoleError(pattern: RegExp) {
    const index = consoleErrors.findIndex((error) => pattern.test(error));
    expect(index, `a console error matching ${pattern} in ${JSON.stringify(consoleErrors)}`).toBeGreaterThanOrEqual(0);
    consoleErrors.splice(index, 1);
  }

  /**
   * Every shown match (closed menus' options aside) lies wholly inside the viewport's width and shows all
   * of its text (no ellipsis, no clipping). Playwright counts an element scrolled out of its container as shown.
   */
  async function wholeOnScreen(matches: Locator, what: string) {
    const width = page.viewportSize()!.width;
    const locator = matches.filter({ visible: true });
    const count = await locator.count();
    expect(count, `${what} on ${page.url()}`).toBeGreaterThan(0);
    for (let i = 0; i < count; i++) {
      const box = await locator.nth(i).boundingBox();
      expect(box !== null && box.x >= 0 && box.x + box.width <= width, `${what} #${i} on ${page.url()} at ${JSON.stringify(box)}`).toBe(
        true,
      );
      expect(
        await locator.nth(i).evaluate((element) => element.scrollWidth > element.clientWidth),
        `${what} #${i} on ${page.url()} is cut short`,
      ).toBe(false);
    }
  }

  /** Waits for the page's title; on failure the screen is kept as an artefact to see why. */
  async function heading(name: string | RegExp) {
    try {
      await page.getByRole('heading', { level: 1, name }).waitFor({ timeout: 15_000 });
    } catch (error) {
      await page.screenshot({ path: path.join(SCREENSHOTS, `failed-${String(name).replace(/\W+/g, '-')}.png`), fullPage: true });
      throw error;
    }
  }

  it('is served at / from the build, with client-side routes surviving a reload', async () => {
    const response = await fetch(`${server.url}/sites/123`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<div id="root"></div>');
    // API paths never fall back to the page.
    const api = await fetch(`${server.url}/api/v1/nope`, { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
  });

  it('registers, adds a site, watches its analysis finish live, reads and tries the blueprint', async () => {
    const providers = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/v1/auth/providers');
    await page.goto(`${server.url}/`);
    await heading('Sign in');
    // No Google or GitHub configured here: no buttons for them (test/browser/oauth.test.ts has them).
    expect(await (await providers).json()).toEqual({ providers: [] });
    expect(await page.getByRole('link', { name: /^(Google|GitHub)$/ }).count()).toBe(0);
    await page.getByRole('link', { name: 'Create one' }).click();
    await heading('Create your account');
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Dana Reader');
    await page.getByRole('textbox', { name: 'Email' }).fill('dana@example.com');
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('correct horse battery');
    // On the server's own machine (the quick start) the first account needs no setup token.
    await page.getByRole('button', { name: 'Create account' }).click();
    await heading('Overview');
    expect(server.setupToken).toBeTruthy();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'overview-desktop.png'), fullPage: true });

    await page.getByRole('link', { name: 'Add site' }).first().click();
    await heading('Add sites');
    await page.getByRole('textbox', { name: 'Website URL' }).fill(`${shop.url}/`);
    for (const name of ['title', 'author', 'price']) {
      await page.getByRole('button', { name: 'Add field' }).click();
      await page.getByRole('textbox', { name: 'Field', exact: true }).last().fill(name);
    }
    await page.getByRole('textbox', { name: 'Pages to sample' }).fill('10');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'add-site-desktop.png'), fullPage: true });
    await page.getByRole('button', { name: 'Add and analyse' }).click();
    await page.waitForURL(/\/sites\/[0-9a-f-]{36}$/);
    sitePath = new URL(page.url()).pathname;
    await page.getByRole('button', { name: 'Re-analyse' }).waitFor();
    siteName = await page.getByRole('heading', { level: 1 }).innerText();
    // A marker on window proves the page is never reloaded: what follows arrives live over SSE.
    await page.evaluate(() => Object.assign(window, { stillTheSamePage: true }));
    await page.getByText('ready', { exact: true }).waitFor({ timeout: 120_000 });
    expect(await page.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(true);
    // The analysis's own test is the first health record: no "unknown" until the first scheduled check.
    await page.getByLabel('health: healthy').waitFor();
    await page.getByText('Nginx').first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'site-desktop.png'), fullPage: true });

    await page.getByRole('tab', { name: 'Blueprint' }).click();
    await page.getByRole('heading', { name: 'Version 1' }).waitFor();
    const fields = page.getByRole('table', { name: 'product fields' });
    await fields.waitFor();
    for (const name of ['title', 'author', 'price']) expect(await fields.innerText()).toContain(name);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'blueprint-desktop.png'), fullPage: true });

    const book = shop.books[5]!;
    await page.getByRole('tab', { name: 'Try it' }).click();
    await page.getByRole('textbox', { name: 'Page URL' }).fill(shop.productUrl(book));
    await page.getByRole('button', { name: 'Extract' }).click();
    const extracted = page.getByRole('table', { name: 'Extracted values' });
    await extracted.waitFor();
    await expect.poll(() => extracted.innerText()).toContain(book.title);
    expect(await extracted.innerText()).toContain(book.author);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'try-it-desktop.png'), fullPage: true });

    await page.getByRole('link', { name: 'Jobs' }).click();
    await heading('Jobs');
    await page.getByRole('link', { name: 'Analyze site' }).first().click();
    await heading('Analyze site');
    await page
      .getByRole('log', { name: 'Job log' })
      .getByText(/page types/)
      .first()
      .waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'job-desktop.png'), fullPage: true });
    expect(consoleErrors, JSON.stringify(consoleErrors)).toEqual([]);
  });

  it('shows the request id the error box asks the user to quote', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const answer = page.waitForResponse((response) => new URL(response.url()).pathname === `/api/v1/sites/${missing}`);
    await page.goto(`${server.url}/sites/${missing}`);
    const requestId = (await answer).headers()['x-request-id']!;
    const alert = page.getByRole('alert').filter({ hasText: 'Something went wrong' });
    await alert.waitFor();
    expect(await alert.innerText()).toContain(`Request id: ${requestId}`);
    takeExpectedConsoleError(/status of 404/);
  });

  it('edits a field: a failing edit is refused with its reason, a passing one is diffed against the last version and rolled back', async () => {
    await page.goto(`${server.url}${sitePath}/blueprint`);
    await page.getByRole('heading', { name: 'Version 1' }).waitFor();
    await page.getByRole('button', { name: 'Edit field title' }).click();
    const editor = page.getByRole('dialog', { name: 'Edit field title' });
    const selector = editor.getByRole('textbox', { name: 'Selector' }).first();
    await selector.fill('.no-such-title');
    await editor.getByRole('button', { name: 'Save as new version' }).click();
    await expect.poll(() => editor.getByRole('alert').innerText()).toMatch(/finds no value for title/);
    takeExpectedConsoleError(/status of 422/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'field-editor-desktop.png'), fullPage: true });

    await selector.fill('h1.product-title, h2.pdp__name');
    await editor.getByRole('button', { name: 'Save as new version' }).click();
    await page.getByText('Saved as version 2').waitFor();
    await page.getByRole('heading', { name: 'Version 2' }).waitFor();
    const title = page
      .getByRole('table', { name: 'product fields' })
      .getByRole('row')
      .filter({ hasText: 'h1.product-title, h2.pdp__name' });
    expect(await title.innerText()).toMatch(/manual/i);

    await page.getByRole('tab', { name: 'Versions' }).click();
    const changes = page.getByLabel('Changes from version 1 to 2');
    await changes.waitFor();
    expect(await changes.innerText()).toMatch(/sources of product › title[\s\S]*\+ css: h1\.product-title, h2\.pdp__name/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'versions-desktop.png'), fullPage: true });
    await page.getByRole('button', { name: 'Roll back' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
    await page.getByText('Version 1 is active again').waitFor();
    await page.getByRole('tab', { name: 'Blueprint' }).click();
    await page.getByRole('heading', { name: 'Version 1' }).waitFor();
    expect(consoleErrors, JSON.stringify(consoleErrors)).toEqual([]);
  });

  it('renews a refused access token and repeats the request, without leaving the page', async () => {
    const refreshes: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/v1/auth/refresh') refreshes.push(request.method());
    });
    // The next usage request carries a token the server refuses, as it refuses an expired one.
    let spoiled = 0;
    const usage = (url: URL) => url.pathname === '/api/v1/llm/usage';
    await page.route(usage, async (route) => {
      const expired = spoiled++ === 0;
      await route.continue(expired ? { headers: { ...route.request().headers(), authorization: 'Bearer expired.token' } } : {});
    });
    await page.evaluate(() => Object.assign(window, { stillTheSamePage: true }));
    await page.getByRole('link', { name: 'Analytics' }).click();
    await heading('Analytics');
    await page.getByText('No LLM calls this month').waitFor();
    await page.unroute(usage);
    expect(spoiled).toBe(2);
    expect(refreshes).toEqual(['POST']);
    expect(await page.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(true);
    takeExpectedConsoleError(/status of 401/);
    expect(consoleErrors, JSON.stringify(consoleErrors)).toEqual([]);
  });

  it('bulk-adds sites from pasted URLs and a CSV file, reporting each one', async () => {
    await page.goto(`${server.url}/sites/new`);
    await heading('Add sites');
    await page.getByRole('tab', { name: 'Many sites' }).click();
    await page.getByRole('textbox', { name: 'URLs' }).fill('notaurl');
    await page.locator('input[type=file]').setInputFiles({
      name: 'sites.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`url,name\n${shop.url}/,The shop again\n`),
    });
    await page.getByRole('button', { name: 'Add sites' }).click();
    const results = page.getByRole('table');
    await results.waitFor();
    const text = await results.innerText();
    expect(text).toMatch(/notaurl\s+invalid/i);
    expect(text).toMatch(/duplicate/i);
    await page.getByText('0 of 2 sites added').waitFor();
    expect(consoleErrors, JSON.stringify(consoleErrors)).toEqual([]);
  });

  it('creates an API key shown once, which works until it is revoked', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await heading('Settings');
    await page.getByRole('tab', { name: 'API keys' }).click();
    // The profile tab has a "Name" box too, shown until the route change renders this tab: fill
    // only the key form's, or a loaded machine types the key's name into the profile.
    const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Create key' }) });
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Nightly export');
    await form.getByRole('button', { name: 'Create key' }).click();
    // If the key never shows, say what the page showed instead (a refusal comes as a
    // notification, a refused field as its error), within the test's own time limit.
    const secretBox = page.getByTestId('api-key-secret');
    await secretBox.waitFor({ timeout: 45_000 }).catch(async (error: unknown) => {
      const notices = await page.locator('.mantine-Notification-root, .mantine-InputWrapper-error').allInnerTexts();
      throw new Error(`no key secret shown; notices on the page: ${JSON.stringify(notices)}`, { cause: error });
    });
    const secret = (await secretBox.innerText()).trim();
    expect(secret).toMatch(/^sp_/);
    await page.getByRole('button', { name: 'Done' }).click();
    const keys = page.getByRole('table', { name: 'API keys' });
    await keys.getByText('Nightly export').waitFor();
    expect(await keys.innerText()).not.toContain(secret);
    const withKey = () => fetch(`${server.url}/api/v1/sites`, { headers: { 'x-api-key': secret } }).then((response) => response.status);
    expect(await withKey()).toBe(200);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'settings-desktop.png'), fullPage: true });

    await page.getByRole('button', { name: 'Revoke Nightly export' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await keys.waitFor({ state: 'detached' });
    expect(await withKey()).toBe(401);
    expect(consoleErrors, JSON.stringify(consoleErrors)).toEqual([]);
  });

  it('fits every main page into 360 px without horizontal scrolling or console errors', async () => {
    const pages: Array<[string, string, string | RegExp]> = [
      ['overview', '/', 'Overview'],
      ['sites', '/sites', 'Sites'],
      ['add-site', '/sites/new', 'Add sites'],
      ['jobs', '/jobs', 'Jobs'],
      ['analytics', '/analytics', 'Analytics'],
      ['reports', '/reports', 'Reports'],
      ['admin', '/admin', 'Admin'],
      ['settings', '/settings/members', 'Settings'],
    ];
    pages.push(
      ['site', `${sitePath}/blueprint`, siteName],
      ['site-health', `${sitePath}/health`, siteName],
      ['site-versions', `${sitePath}/versions`, siteName],
    );

    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: width === 360 ? 740 : 860 });
      for (const [name, url, title] of pages) {
        await page.goto(`${server.url}${url}`);
        await heading(title);
        // The live event stream never lets the network idle; wait for the page's loaders instead.
        await page.getByRole('status', { name: 'Loading' }).first().waitFor({ state: 'detached' });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${name} at ${width}px overflows by ${overflow}px`).toBeLessThanOrEqual(0);
        expect(await accessibilityProblems(page)).toEqual([]);
        if (name === 'overview') {
          // Recent jobs name their site, and the job totals add up: finished = succeeded + failed + cancelled.
          await page.getByRole('main').getByRole('link', { name: siteName }).first().waitFor();
          expect(await page.getByText('Finished jobs').locator('..').innerText()).toMatch(
            /Finished jobs\s+1\s+1 succeeded · 0 failed · 0 cancelled/i,
          );
        }
        if (width === 360 && (name === 'jobs' || name === 'overview')) {
          // Every job's status, progress, start and duration are readable on a phone.
          await wholeOnScreen(page.getByText('succeeded', { exact: true }), 'job status');
          await wholeOnScreen(page.getByRole('progressbar'), 'job progress');
          await wholeOnScreen(page.getByText(/^Started .+ · .+/), 'job start and duration');
        }
        if (width === 360 && (name === 'site' || name.startsWith('site-'))) await wholeOnScreen(page.getByRole('tab'), 'site tab');
        await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width === 360 ? 'mobile' : 'desktop'}.png`), fullPage: true });
      }
    }
    // Dark mode, chosen in the header, passes the same checks.
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto(`${server.url}${sitePath}/blueprint`);
    await page.getByRole('button', { name: 'Switch to dark mode' }).click();
    await page.getByRole('table', { name: 'product fields' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.mantineColorScheme)).toBe('dark');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'blueprint-dark-desktop.png'), fullPage: true });
    await page.getByRole('button', { name: 'Switch to light mode' }).click();

    // At 360 px the navigation hides behind the menu button.
    await page.setViewportSize({ width: 360, height: 740 });
    const navigation = page.getByRole('navigation', { name: 'Main navigation' });
    const offScreen = async () => {
      const box = await navigation.boundingBox();
      return !box || box.x + box.width <= 0;
    };
    await expect.poll(offScreen).toBe(true);
    await page.getByRole('button', { name: 'Toggle navigation' }).click();
    await expect.poll(offScreen).toBe(false);
    await navigation.getByRole('link', { name: 'Reports' }).click();
    await heading('Reports');
    // Choosing a page closes the menu again.
    await expect.poll(offScreen).toBe(true);
    expect(consoleErrors, JSON.stringify(consoleErrors)).toEqual([]);
  }, 180_000);

  it('changes the password and stays signed in; logs out, signed-out visitors land on the sign-in page, and the new password signs them back in where they were going', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto(`${server.url}/settings/profile`);
    await heading('Settings');
    await page.getByLabel('Current password').fill('correct horse battery');
    await page.getByLabel('New password', { exact: true }).fill('a longer horse battery');
    await page.getByLabel('Repeat the new password').fill('a longer horse battery');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed').waitFor();
    // The session that changed the password goes on, across a reload (a refresh from the cookie) too.
    await page.reload();
    await heading('Settings');

    await page.getByRole('button', { name: 'Account menu' }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await heading('Sign in');
    await page.goto(`${server.url}/sites`);
    await heading('Sign in');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'login-desktop.png') });
    // Signing in again takes the new password and returns to the page that was asked for.
    await page.getByRole('textbox', { name: 'Email' }).fill('dana@example.com');
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('a longer horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Sites');
    expect(consoleErrors, JSON.stringify(consoleErrors)).toEqual([]);
  });
});

describe.runIf(chromiumAvailable())('the first account of a fresh instance, in a real browser', () => {
  it('opens the link the server printed with the setup token filled in, and the account is created', async () => {
    const logs = new LogCapture();
    const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'siteprint-first-admin-')) });
    const server = await startServer(config, createLogger({ level: 'info', destination: logs }));
    const browser = await launchTestBrowser();
    try {
      // What the operator copies from the log; PUBLIC_URL is left at its default, so the test swaps in the real port.
      const printed = logs.lines.map((line) => JSON.parse(line)).find((entry) => entry.setupUrl);
      const link = new URL(printed.setupUrl);
      expect(link.hash).toBe(`#setup-token=${server.setupToken}`);
      // A visitor from elsewhere, as a reverse proxy on this machine forwards them: the token is needed.
      const visitor = () => browser.newPage({ extraHTTPHeaders: { 'x-forwarded-for': '198.51.100.4' } });
      const first = await visitor();
      await first.goto(`${server.url}/register`);
      await first.getByRole('textbox', { name: 'Name', exact: true }).fill('Mallory');
      await first.getByRole('textbox', { name: 'Email' }).fill('mallory@example.com');
      await first.getByRole('textbox', { name: 'Password', exact: true }).fill('correct horse battery');
      await first.getByRole('button', { name: 'Create account' }).click();
      // The server asks for the setup token it printed, and the form grows a field for it.
      await first
        .getByRole('alert')
        .getByText(/setup token printed in the server log/)
        .waitFor();
      await first.screenshot({ path: path.join(SCREENSHOTS, 'register-setup-token-desktop.png'), fullPage: true });
      await first.close();
      const page = await visitor();
      await page.goto(`${server.url}${link.pathname}${link.hash}`);
      await page.getByRole('heading', { level: 1, name: 'Create your account' }).waitFor();
      expect(await page.getByRole('textbox', { name: 'Setup token' }).inputValue()).toBe(server.setupToken);
      // The token leaves the address bar (and so the history) at once.
      expect(new URL(page.url()).hash).toBe('');
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Olga Operator');
      await page.getByRole('textbox', { name: 'Email' }).fill('olga@example.com');
      await page.getByRole('textbox', { name: 'Password', exact: true }).fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: 15_000 });
      // The request log never saw the token: fragments are not sent.
      expect(logs.lines.filter((line) => line.includes(server.setupToken!))).toHaveLength(1);
    } finally {
      await browser.close();
      await server.close();
    }
    // A fresh data directory, a server and a browser of its own: most of a minute on a loaded machine.
  }, 120_000);
});
