import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer } from '../../src/app/server.js';
import { chromiumAvailable, launchTestBrowser, recordPageErrors, startDashboardServer } from '../support/browser.js';
import { FixtureShop } from '../support/fixture-shop.js';

/** Screenshots of the Overview charts and the site's history and version timeline, for the docs. */
const SCREENSHOTS = path.resolve('docs', 'screenshots');
const EMAIL = 'tove@example.com';
const PASSWORD = 'correct horse battery';

/** The Overview's charts (updated live over SSE) and a site's health history and blueprint timeline, at 1280 and 360 px. */
describe.runIf(chromiumAvailable())('Overview charts and site history in the dashboard', () => {
  let server: RunningServer;
  let shop: FixtureShop;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let sitePath = '';
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    shop = await new FixtureShop().start();
    server = await startDashboardServer({ ALLOW_PRIVATE_NETWORK: 'true', API_USAGE_FLUSH_MS: '500' });
    browser = await launchTestBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    recordPageErrors(page, consoleErrors);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await shop?.stop();
  });

  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name }).waitFor({ timeout: 15_000 });
  /** The card of a chart, found by its title. */
  const card = (target: Page, title: string): Locator =>
    target.locator('.mantine-Card-root').filter({ has: target.getByRole('heading', { name: title, exact: true }) });

  async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const response = await fetch(`${server.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    expect(response.status, await response.clone().text()).toBeLessThan(300);
    return (await response.json()) as T;
  }

  it('charts an empty workspace with explanations, then shows a new analysis live without a reload', async () => {
    await page.goto(`${server.url}/register`);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Tove Lind');
    await page.getByRole('textbox', { name: 'Email' }).fill(EMAIL);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await heading('Overview');
    await card(page, 'Jobs by status').getByText('No jobs were requested in this period.').waitFor();
    await card(page, 'Success rate (%)').getByText('No job finished in this period.').waitFor();
    await card(page, 'Sites by health')
      .getByText(/once they are added/)
      .waitFor();
    await card(page, 'Pages extracted').getByText('No extraction ran in this period.').waitFor();

    // The site is added from a second tab; the first never reloads (the marker on window survives).
    await page.evaluate(() => Object.assign(window, { stillTheSamePage: true }));
    const other = await context.newPage();
    await other.goto(`${server.url}/sites/new`);
    await other.getByRole('heading', { level: 1, name: 'Add sites' }).waitFor({ timeout: 15_000 });
    await other.getByRole('textbox', { name: 'Website URL' }).fill(`${shop.url}/`);
    await other.getByRole('textbox', { name: 'Pages to sample' }).fill('8');
    await other.getByRole('button', { name: 'Add and analyse' }).click();
    await other.waitForURL(/\/sites\/[0-9a-f-]{36}$/);
    sitePath = new URL(other.url()).pathname;

    // The queued/running analysis appears in the jobs chart, then its success in the success rate.
    await card(page, 'Jobs by status').locator('.recharts-surface').waitFor({ timeout: 60_000 });
    await card(page, 'Success rate (%)').locator('.recharts-surface').waitFor({ timeout: 180_000 });
    await card(page, 'Sites by health').locator('.recharts-surface').waitFor({ timeout: 60_000 });
    await card(page, 'Sites by health').getByText('Healthy 1').waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(true);
    // The chart's figure matches the API: one succeeded analysis in the last 7 days.
    const jobs = await api<{ points: Array<{ values: Record<string, number> }> }>(
      'GET',
      `/api/v1/analytics/timeseries?metric=jobs&interval=day&from=${new Date(Date.now() - 7 * 86_400_000).toISOString()}`,
    );
    expect(jobs.points.reduce((sum, point) => sum + (point.values.succeeded ?? 0), 0)).toBe(1);
    await other.close();

    // Another period re-asks the API; the charts stay.
    await page.getByText('24h', { exact: true }).click();
    await expect.poll(() => page.getByRole('radio', { name: '24h' }).isChecked()).toBe(true);
    await card(page, 'Jobs by status').locator('.recharts-surface').waitFor();
    await page.getByText('7d', { exact: true }).click();
    await card(page, 'Success rate (%)').locator('.recharts-surface').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'overview-desktop.png'), fullPage: true });
  }, 300_000);

  it("charts the site's health and coverage and shows why each blueprint version was written", async () => {
    // Two manual edits (a field's description) make versions 2 and 3, so the timeline has changes to show.
    const siteId = sitePath.split('/').pop()!;
    const active = await api<{ content: { pageTypes: Array<{ fields: Array<{ name: string; description?: string }> }> } }>(
      'GET',
      `/api/v1/sites/${siteId}/blueprint`,
    );
    const pageTypes = structuredClone(active.content.pageTypes);
    const field = pageTypes.find((pageType) => pageType.fields.length > 0)!.fields[0]!;
    for (const description of ['Edited for the timeline test', 'Edited again']) {
      field.description = description;
      expect(await api<{ created: boolean }>('PATCH', `/api/v1/sites/${siteId}/blueprint`, { pageTypes })).toMatchObject({ created: true });
    }

    await page.goto(`${server.url}${sitePath}/health`);
    await page.getByRole('heading', { name: 'History' }).waitFor({ timeout: 15_000 });
    await card(page, 'Checks by health').locator('.recharts-surface').waitFor();
    await card(page, 'Field coverage (%)').locator('.recharts-surface').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'site-health-desktop.png'), fullPage: true });

    await page.getByRole('tab', { name: 'Versions' }).click();
    const timeline = page.getByLabel('Blueprint version timeline');
    await timeline.getByText('v3 · Manual edit').waitFor();
    await timeline.getByText('v2 · Manual edit').waitFor();
    await timeline.getByText('v1 · Analysis').waitFor();
    await timeline.getByText('First version of the blueprint.').waitFor();
    await expect.poll(() => timeline.getByText('1 field property changed.').count()).toBe(2);
    await timeline.getByRole('link', { name: 'by its job' }).first().waitFor();
    // The comparison below starts at the latest change; the timeline's link shows an earlier one.
    await page.getByLabel('Changes from version 2 to 3').waitFor();
    await timeline.getByRole('button', { name: 'Diff with v1' }).click();
    const changes = page.getByLabel('Changes from version 1 to 2');
    await changes.waitFor();
    expect(await changes.innerText()).toMatch(/description of/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'site-versions-timeline-desktop.png'), fullPage: true });
  }, 300_000);

  it('fits a 360 px screen', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    for (const [url, name, chart] of [
      ['/', 'overview-mobile.png', 'Jobs by status'],
      [`${sitePath}/health`, 'site-health-mobile.png', 'Field coverage (%)'],
      [`${sitePath}/versions`, 'site-versions-timeline-mobile.png', 'Timeline'],
    ] as const) {
      await page.goto(`${server.url}${url}`);
      await page.getByRole('heading', { name: chart, exact: true }).waitFor({ timeout: 15_000 });
      if (chart !== 'Timeline') await card(page, chart).locator('.recharts-surface').waitFor();
      else await page.getByLabel('Blueprint version timeline').getByText('v3 · Manual edit').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${url} is wider than the screen`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
    }
    expect(consoleErrors).toEqual([]);
  });
});
