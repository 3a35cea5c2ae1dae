import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer } from '../../src/app/server.js';
import { chromiumAvailable, launchTestBrowser, recordPageErrors, startDashboardServer } from '../support/browser.js';
import { FixtureShop } from '../support/fixture-shop.js';

/** Screenshots of the analytics and reports pages, for the docs. */
const SCREENSHOTS = path.resolve('docs', 'screenshots');
const DOWNLOADS = path.resolve('test-results', 'reports');

/** The Analytics and Reports pages and a site's "Download report", in Chromium, at desktop width and at 360 px. */
describe.runIf(chromiumAvailable())('analytics and reports in the dashboard', () => {
  let server: RunningServer;
  let shop: FixtureShop;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    mkdirSync(DOWNLOADS, { recursive: true });
    shop = await new FixtureShop().start();
    server = await startDashboardServer({ ALLOW_PRIVATE_NETWORK: 'true', API_USAGE_FLUSH_MS: '500' });
    browser = await launchTestBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true })).newPage();
    recordPageErrors(page, consoleErrors);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await shop?.stop();
  });

  const heading = (name: string) => page.getByRole('heading', { level: 1, name }).waitFor({ timeout: 15_000 });
  const open = async (link: string) => {
    await page.getByRole('navigation').getByRole('link', { name: link }).first().click();
    await heading(link);
  };

  it('explains what will appear before there is anything, then charts a site and makes its report', async () => {
    await page.goto(`${server.url}/register`);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Rhea Ports');
    await page.getByRole('textbox', { name: 'Email' }).fill('rhea@example.com');
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await heading('Overview');

    await open('Reports');
    await page.getByText('No reports yet').waitFor();
    await open('Analytics');
    await page.getByText('No jobs were requested in this period.').waitFor();

    await page.goto(`${server.url}/sites/new`);
    await heading('Add sites');
    await page.getByRole('textbox', { name: 'Website URL' }).fill(`${shop.url}/`);
    await page.getByRole('textbox', { name: 'Pages to sample' }).fill('8');
    await page.getByRole('button', { name: 'Add and analyse' }).click();
    await page.waitForURL(/\/sites\/[0-9a-f-]{36}$/);
    await page.getByText('ready', { exact: true }).waitFor({ timeout: 120_000 });
    const siteName = await page.getByRole('heading', { level: 1 }).innerText();

    const download = page.waitForEvent('download', { timeout: 120_000 });
    await page.getByRole('button', { name: 'Download report' }).click();
    const file = path.join(DOWNLOADS, 'site-report-from-dashboard.pdf');
    await (await download).saveAs(file);
    expect(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })).toContain(siteName);

    await open('Analytics');
    await page.getByRole('heading', { name: 'Jobs by status' }).waitFor();
    await page.locator('.recharts-surface').first().waitFor();
    await page.getByText('7d', { exact: true }).click();
    await expect.poll(() => page.getByRole('radio', { name: '7d' }).isChecked()).toBe(true);
    await page.locator('.recharts-surface').first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'analytics-desktop.png'), fullPage: true });

    await open('Reports');
    await page.getByRole('button', { name: 'Create report' }).click();
    await page.getByRole('cell', { name: 'Workspace summary' }).waitFor();
    await page.getByRole('button', { name: 'Download' }).nth(1).waitFor({ timeout: 60_000 });
    await page.getByRole('textbox', { name: 'Name' }).fill('Monday digest');
    await page.getByRole('combobox', { name: 'Recipients' }).fill('ops@example.com');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    await page.getByRole('cell', { name: 'Monday digest', exact: true }).first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'reports-desktop.png'), fullPage: true });
  }, 300_000);

  it('fits a 360 px screen', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    for (const [link, name, section] of [
      ['Analytics', 'analytics-mobile.png', 'Jobs by status'],
      ['Reports', 'reports-mobile.png', 'Scheduled reports'],
    ] as const) {
      await page.goto(`${server.url}/${link.toLowerCase()}`);
      await heading(link);
      await page.getByRole('heading', { name: section }).waitFor();
      await page.locator('table, .recharts-surface').first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${link} is wider than the screen`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
    }
    expect(consoleErrors).toEqual([]);
  });
});
