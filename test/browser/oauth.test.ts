import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer } from '../../src/app/server.js';
import { chromiumAvailable, launchTestBrowser, recordPageErrors, startDashboardServer } from '../support/browser.js';
import { FakeOAuthProvider } from '../support/fake-oauth-provider.js';
import { freePort } from '../support/network.js';

describe.runIf(chromiumAvailable())('signing in to the dashboard with Google or GitHub in a real browser', () => {
  const google = new FakeOAuthProvider('google', 'google-client', 'google-secret');
  const github = new FakeOAuthProvider('github', 'github-client', 'github-secret');
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    await Promise.all([google.start(), github.start()]);
    const port = await freePort();
    server = await startDashboardServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ...google.env(), ...github.env() });
    browser = await launchTestBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    recordPageErrors(page, consoleErrors);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await Promise.all([google.stop(), github.stop()]);
  });

  async function signInWith(provider: 'Google' | 'GitHub') {
    await page.goto(`${server.url}/login`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByRole('link', { name: provider }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: 15_000 });
  }

  async function accountName(): Promise<string> {
    await page.getByRole('button', { name: 'Account menu' }).click();
    const menu = page.getByRole('menu');
    const text = await menu.innerText();
    await page.keyboard.press('Escape');
    return text;
  }

  it('offers the configured providers and signs in through GitHub, staying signed in across a reload', async () => {
    github.nextUser = { id: '4242', email: 'octo@example.com', emailVerified: true, name: 'Octo Cat' };
    await signInWith('GitHub');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await accountName()).toContain('octo@example.com');
    // The session lives in the refresh cookie the callback set, not in the page.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();

    await page.getByRole('button', { name: 'Account menu' }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(consoleErrors).toEqual([]);
  });

  it('signs in through Google as a separate account', async () => {
    google.nextUser = { id: 'g-77', email: 'grace@example.com', emailVerified: true, name: 'Grace' };
    await signInWith('Google');
    expect(await accountName()).toContain('grace@example.com');
    expect(google.tokenRequests.at(-1)?.codeVerifier).toMatch(/^[\w-]{43,}$/);
    expect(consoleErrors).toEqual([]);
  });
});
