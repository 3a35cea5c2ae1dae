import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer } from '../../src/app/server.js';
import {
  accessibilityProblems,
  callApi,
  chromiumAvailable,
  launchTestBrowser,
  recordPageErrors,
  startDashboardServer,
} from '../support/browser.js';

const PASSWORD = 'correct horse battery';

/**
 * Suspending a workspace from the admin Workspaces panel in Chromium against a real server: the
 * list shows the state, the drawer suspends with a reason after a confirmation (the member's API
 * calls are refused at once) and unsuspends again; on a 360 px screen too.
 */
describe.runIf(chromiumAvailable())('workspace suspension in the admin dashboard', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  let admin = { id: '', token: '' };
  let kim = { id: '', token: '', workspaceId: '' };

  beforeAll(async () => {
    server = await startDashboardServer();
    browser = await launchTestBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    recordPageErrors(page, consoleErrors);
    const signUp = async (email: string, name: string) => {
      expect((await callApi(server, 'POST', '/api/v1/auth/register', { body: { email, name, password: PASSWORD } })).status).toBe(201);
      const login = await callApi(server, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
      return { id: String((login.json.user as { id: string }).id), token: String(login.json.accessToken) };
    };
    admin = await signUp('admin@example.com', 'Ada Admin');
    const account = await signUp('kim@example.com', 'Kim Member');
    const team = await callApi(server, 'POST', '/api/v1/workspaces', { token: account.token, body: { name: 'Kim Team' } });
    expect(team.status).toBe(201);
    kim = { ...account, workspaceId: String(team.json.id) };
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const inTeam = () => ({ token: kim.token, headers: { 'x-workspace-id': kim.workspaceId } });

  async function openTeam() {
    await page.goto(`${server.url}/admin/workspaces`);
    await page.getByRole('heading', { level: 1, name: 'Admin' }).waitFor({ timeout: 15_000 });
    await page.getByRole('textbox', { name: 'Search workspaces' }).fill('Kim Team');
    await page.getByRole('table', { name: 'Workspaces' }).getByRole('row').nth(2).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Kim Team' }).click();
    return page.getByRole('dialog', { name: 'Kim Team' });
  }

  it('suspends a workspace with a reason after confirming, shows it in the list, and unsuspends it', async () => {
    await page.goto(`${server.url}/login`);
    await page.getByRole('textbox', { name: 'Email' }).fill('admin@example.com');
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: 15_000 });
    expect((await callApi(server, 'GET', '/api/v1/sites', inTeam())).status).toBe(200);

    const drawer = await openTeam();
    const suspend = drawer.getByRole('button', { name: 'Suspend workspace' });
    expect(await suspend.isDisabled()).toBe(true);
    await drawer.getByRole('textbox', { name: 'Reason' }).fill('Unpaid invoice');
    await suspend.click();
    // Cancelling the confirmation suspends nothing.
    await page.getByRole('dialog', { name: 'Suspend Kim Team?' }).getByRole('button', { name: 'Cancel' }).click();
    expect((await callApi(server, 'GET', '/api/v1/sites', inTeam())).status).toBe(200);
    await suspend.click();
    await page.getByRole('dialog', { name: 'Suspend Kim Team?' }).getByRole('button', { name: 'Suspend' }).click();
    await page.getByText('Kim Team is suspended').waitFor();
    await drawer.getByText('Unpaid invoice').waitFor();
    await drawer.getByText(/^Suspended since/).waitFor();
    const refused = await callApi(server, 'GET', '/api/v1/sites', inTeam());
    expect(refused.status).toBe(403);
    expect(refused.json.type).toBe('urn:siteprint:problem:workspace-suspended');
    expect((await callApi(server, 'GET', '/api/v1/workspace', inTeam())).json).toMatchObject({ suspendedReason: 'Unpaid invoice' });
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.keyboard.press('Escape');
    const row = page.getByRole('table', { name: 'Workspaces' }).getByRole('row', { name: /Kim Team/ });
    await row.getByText('suspended').waitFor();

    await page.getByRole('button', { name: 'Kim Team' }).click();
    await page.getByRole('dialog', { name: 'Kim Team' }).getByRole('button', { name: 'Unsuspend' }).click();
    await page.getByRole('dialog', { name: 'Unsuspend Kim Team?' }).getByRole('button', { name: 'Unsuspend' }).click();
    await page.getByText('Kim Team is no longer suspended').waitFor();
    await page.getByRole('dialog', { name: 'Kim Team' }).getByRole('button', { name: 'Suspend workspace' }).waitFor();
    expect((await callApi(server, 'GET', '/api/v1/sites', inTeam())).status).toBe(200);
    await page.keyboard.press('Escape');
    await row.getByText('suspended').waitFor({ state: 'detached' });
    const audit = await callApi(server, 'GET', `/api/v1/admin/audit?target=workspace:${kim.workspaceId}`, { token: admin.token });
    expect((audit.json.items as Array<{ action: string }>).map((entry) => entry.action)).toEqual([
      'admin.workspace-unsuspended',
      'admin.workspace-suspended',
    ]);
  }, 120_000);

  it('fits a 360 px screen: the list with a suspended workspace and the drawer with its suspension', async () => {
    expect(
      (
        await callApi(server, 'POST', `/api/v1/admin/workspaces/${kim.workspaceId}/suspend`, {
          token: admin.token,
          body: { reason: 'Abuse report' },
        })
      ).status,
    ).toBe(204);
    await page.setViewportSize({ width: 360, height: 780 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    const drawer = await openTeam();
    await drawer.getByText('Abuse report').waitFor();
    await drawer.getByRole('button', { name: 'Unsuspend' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await expect
      .poll(async () => {
        const box = await drawer.boundingBox();
        return box !== null && box.x >= 0 && box.x + box.width <= 360;
      })
      .toBe(true);
    await page.keyboard.press('Escape');
    await page
      .getByRole('table', { name: 'Workspaces' })
      .getByRole('row', { name: /Kim Team/ })
      .getByText('suspended')
      .waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(consoleErrors).toEqual([]);
  }, 120_000);
});
