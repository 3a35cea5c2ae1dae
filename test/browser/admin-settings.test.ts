import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/app/server.js';
import { accessibilityProblems, chromiumAvailable, launchTestBrowser, recordPageErrors, startDashboardServer } from '../support/browser.js';
import { startSmtpListener, type SmtpListener } from '../support/smtp-listener.js';

const PASSWORD = 'correct horse battery';

/** The admin page's workers, caches and settings panels in a real browser, wide and at 360 px. */
describe.runIf(chromiumAvailable())('admin settings, caches and workers panels in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;
  let smtp: SmtpListener;

  beforeAll(async () => {
    smtp = await startSmtpListener();
    server = await startDashboardServer({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
    browser = await launchTestBrowser();
    // The first account, registered on the server's own machine, is the administrator.
    const registered = await fetch(`${server.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.com', name: 'admin', password: PASSWORD }),
    });
    expect(registered.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  async function signedIn(width: number, tab: string): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width, height: 860 } });
    const page = await context.newPage();
    const errors: string[] = [];
    recordPageErrors(page, errors);
    await page.goto(`${server.url}/login`);
    await page.getByRole('textbox', { name: 'Email' }).fill('admin@example.com');
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.goto(`${server.url}/admin/${tab}`);
    return { page, errors };
  }

  it('shows this server as a worker, clears a cache, changes the registration mode and sends a test email', async () => {
    const { page, errors } = await signedIn(1280, 'workers');
    const workers = page.getByRole('table', { name: 'Workers' });
    await workers.getByRole('cell', { name: 'embedded' }).waitFor();
    await expect.poll(() => workers.getByText('stale').count()).toBe(0);

    await page.getByRole('tab', { name: 'Caches' }).click();
    const caches = page.getByRole('table', { name: 'Caches' });
    await caches.getByText('robots-txt', { exact: true }).waitFor();
    await caches.getByRole('button', { name: 'Clear session-access' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Clear' }).click();
    await page.getByText(/session-access cleared in every process/).waitFor();

    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('combobox', { name: 'Registration' }).click();
    await page.getByRole('option', { name: /Closed/ }).click();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved; every process uses them now').waitFor();
    const refused = await fetch(`${server.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'late@example.com', name: 'late', password: PASSWORD }),
    });
    expect(refused.status).toBe(403);

    await page.getByRole('textbox', { name: 'Send a test email to' }).fill('ops@example.net');
    await page.getByRole('button', { name: 'Send test email' }).click();
    await page.getByText('Test email sent to ops@example.net').waitFor();
    expect(smtp.messages.map((message) => message.subject)).toContain('Siteprint SMTP test');

    expect(await accessibilityProblems(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('fits 360 px without sideways scrolling', async () => {
    const { page, errors } = await signedIn(360, 'caches');
    await page.getByRole('table', { name: 'Caches' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.goto(`${server.url}/admin/settings`);
    await page.getByRole('button', { name: 'Save settings' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    // The mode saved above is what the form shows.
    await expect.poll(() => page.getByRole('combobox', { name: 'Registration' }).inputValue()).toMatch(/^Closed/);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
