import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
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

/** Screenshots of the admin panels, for the docs. */
const SCREENSHOTS = path.resolve('docs', 'screenshots');
const DOWNLOADS = path.resolve('test-results', 'admin');
const PASSWORD = 'correct horse battery';

/**
 * The admin area in Chromium against a real server: a system administrator goes through every panel
 * with real data (a second account with a shared workspace and API keys, the audit entries the steps
 * write); a member who is no administrator sees no admin area and is refused by the API. One server,
 * one browser; the tests run in order on the state the ones before leave.
 */
describe.runIf(chromiumAvailable())('admin area in the dashboard', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  let admin = { id: '', token: '' };
  let bo = { id: '', token: '', workspaceId: '', keySecret: '', ciKeySecret: '' };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    mkdirSync(DOWNLOADS, { recursive: true });
    // Info lines reach the ring the Logs panel reads.
    server = await startDashboardServer({ LOG_LEVEL: 'info' });
    browser = await launchTestBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true })).newPage();
    recordPageErrors(page, consoleErrors);

    // The first account, registered on the server's own machine, is the administrator.
    const signUp = async (email: string, name: string) => {
      expect((await callApi(server, 'POST', '/api/v1/auth/register', { body: { email, name, password: PASSWORD } })).status).toBe(201);
      const login = await callApi(server, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
      return { id: String((login.json.user as { id: string }).id), token: String(login.json.accessToken) };
    };
    admin = await signUp('admin@example.com', 'Ada Admin');
    const boAccount = await signUp('bo@example.com', 'Bo Member');
    const shared = await callApi(server, 'POST', '/api/v1/workspaces', { token: boAccount.token, body: { name: 'Bo Team' } });
    expect(shared.status).toBe(201);
    const key = async (name: string) =>
      String(
        (await callApi(server, 'POST', '/api/v1/api-keys', { token: boAccount.token, body: { name, scopes: ['sites:read'] } })).json.secret,
      );
    bo = { ...boAccount, workspaceId: String(shared.json.id), keySecret: await key('Nightly export'), ciKeySecret: await key('CI') };
    // Used once, so the panels have a last use to show.
    expect((await callApi(server, 'GET', '/api/v1/sites', { token: bo.keySecret })).status).toBe(200);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function heading(name: string, on: Page = page) {
    await on.getByRole('heading', { level: 1, name }).waitFor({ timeout: 15_000 });
  }

  async function signIn(on: Page, email: string) {
    await on.goto(`${server.url}/login`);
    await on.getByRole('textbox', { name: 'Email' }).fill(email);
    await on.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD);
    await on.getByRole('button', { name: 'Sign in' }).click();
    await heading('Overview', on);
  }

  /** Each panel has its address: a test opens its own, so one that fails leaves the next a clean page. */
  async function openTab(name: string, slug: string) {
    await page.goto(`${server.url}/admin/${slug}`);
    await heading('Admin');
    await expect.poll(() => page.getByRole('tab', { name, exact: true }).getAttribute('aria-selected')).toBe('true');
  }

  const confirmDialog = (title: string) => page.getByRole('dialog', { name: title });

  it('shows a member who is no administrator no admin area, and the admin API refuses them', async () => {
    const boPage = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    await signIn(boPage, 'bo@example.com');
    expect(await boPage.getByRole('navigation').getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await boPage.goto(`${server.url}/admin/users`);
    await boPage.getByText('Only system administrators can open the admin panel.').waitFor();
    expect(await boPage.getByRole('tab').count()).toBe(0);
    for (const url of [
      '/api/v1/admin/users',
      '/api/v1/admin/system',
      '/api/v1/admin/audit',
      `/api/v1/admin/workspaces/${bo.workspaceId}/usage`,
    ])
      expect((await callApi(server, 'GET', url, { token: bo.token })).status, url).toBe(403);
    await boPage.context().close();
  });

  it('lists workspaces with members and usage, and edits a workspace’s quota overrides', async () => {
    await signIn(page, 'admin@example.com');
    await page.getByRole('navigation').getByRole('link', { name: 'Admin' }).click();
    await heading('Admin');
    await page.waitForURL(/\/admin\/users$/);
    await page.getByRole('tab', { name: 'Workspaces' }).click();
    await page.waitForURL(/\/admin\/workspaces$/);
    await page.getByRole('textbox', { name: 'Search workspaces' }).fill('Bo Team');
    await page.getByRole('table', { name: 'Workspaces' }).getByRole('row').nth(2).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Bo Team' }).click();
    const drawer = page.getByRole('dialog', { name: 'Bo Team' });
    await drawer.getByRole('table', { name: 'Members of the workspace' }).getByRole('cell', { name: 'bo@example.com' }).waitFor();
    await drawer.getByText('0 of unlimited').first().waitFor();

    await drawer.getByRole('combobox', { name: 'Sites: kind' }).click();
    await page.getByRole('option', { name: 'Limit', exact: true }).click();
    await drawer.getByRole('textbox', { name: 'Sites', exact: true }).fill('5');
    await drawer.getByRole('button', { name: 'Save overrides' }).click();
    await page.getByText('Quotas saved').waitFor();
    await drawer.getByText('0 of 5').waitFor();
    const quota = await callApi(server, 'GET', `/api/v1/admin/workspaces/${bo.workspaceId}/quota`, { token: admin.token });
    expect(quota.json).toMatchObject({ overrides: { sites: 5 }, limits: { sites: 5 } });
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-workspace-desktop.png') });
    await page.keyboard.press('Escape');
  });

  it('shows the role × permission matrix read-only', async () => {
    await openTab('Roles', 'roles');
    const matrix = page.getByRole('table', { name: 'Role permissions' });
    await matrix.getByRole('img', { name: 'owner: workspace:delete' }).waitFor();
    expect(await matrix.getByRole('img', { name: 'viewer: not sites:write' }).count()).toBe(1);
    expect(await matrix.getByRole('img', { name: 'system admin: system:admin' }).count()).toBe(1);
    expect(await matrix.getByRole('button').count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it('lists every API key with owner, scopes and last use, and revokes one so it stops working', async () => {
    await openTab('API keys', 'api-keys');
    const keys = page.getByRole('table', { name: 'All API keys' });
    const nightly = keys.getByRole('row').filter({ hasText: 'Nightly export' });
    await nightly.waitFor();
    expect(await nightly.innerText()).toContain('bo@example.com');
    expect(await nightly.innerText()).toContain('sites:read');
    expect(await nightly.innerText()).not.toContain('never');
    await nightly.getByRole('button', { name: 'Revoke Nightly export of bo@example.com' }).click();
    await confirmDialog('Revoke Nightly export?').getByRole('button', { name: 'Revoke' }).click();
    await page.getByText('API key revoked').waitFor();
    await nightly.waitFor({ state: 'detached' });
    expect((await callApi(server, 'GET', '/api/v1/sites', { token: bo.keySecret })).status).toBe(401);
    expect((await callApi(server, 'GET', '/api/v1/sites', { token: bo.ciKeySecret })).status).toBe(200);
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it('finds a user, shows their detail, disables them (their session and keys stop at once), enables, resets the password and changes admin rights', async () => {
    await openTab('Users', 'users');
    await page.getByRole('textbox', { name: 'Search users' }).fill('bo@');
    const users = page.getByRole('table', { name: 'Users' });
    await users.getByRole('row').nth(2).waitFor({ state: 'detached' });
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'disabled' }).click();
    await page.getByText('No users match').waitFor();
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'active' }).click();

    await users.getByRole('button', { name: 'bo@example.com' }).click();
    const drawer = page.getByRole('dialog', { name: 'bo@example.com' });
    await drawer.getByRole('table', { name: 'Workspaces of the user' }).getByRole('cell', { name: 'Bo Team' }).waitFor();
    expect(await drawer.getByRole('table', { name: 'Live sessions' }).getByRole('row').count()).toBeGreaterThanOrEqual(2);
    await drawer.getByRole('table', { name: 'API keys of the user' }).getByText('CI', { exact: true }).waitFor();
    expect(await drawer.getByText('Last sign-in').count()).toBe(1);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-user-detail-desktop.png') });

    // Deleting Bo would be refused: Bo is the only owner of a shared workspace, and the confirmation says so.
    await drawer.getByRole('button', { name: 'Delete' }).click();
    const deletion = confirmDialog('Delete bo@example.com?');
    await deletion.getByText('The deletion will be refused: this account is the only owner of Bo Team.').waitFor();
    await deletion.getByRole('button', { name: 'Cancel' }).click();

    expect((await callApi(server, 'GET', '/api/v1/auth/me', { token: bo.token })).status).toBe(200);
    await drawer.getByRole('button', { name: 'Disable' }).click();
    await confirmDialog('Disable bo@example.com?').getByRole('button', { name: 'Disable' }).click();
    await drawer.getByText('disabled', { exact: true }).waitFor();
    await drawer.getByText('No live sessions.').waitFor();
    expect((await callApi(server, 'GET', '/api/v1/auth/me', { token: bo.token })).status).toBe(401);
    expect((await callApi(server, 'GET', '/api/v1/sites', { token: bo.ciKeySecret })).status).toBe(401);
    const refused = await callApi(server, 'POST', '/api/v1/auth/login', { body: { email: 'bo@example.com', password: PASSWORD } });
    expect(refused.status).not.toBe(200);

    await drawer.getByRole('button', { name: 'Enable' }).click();
    await drawer.getByText('active', { exact: true }).waitFor();
    expect((await callApi(server, 'POST', '/api/v1/auth/login', { body: { email: 'bo@example.com', password: PASSWORD } })).status).toBe(
      200,
    );

    await drawer.getByRole('button', { name: 'Force password reset' }).click();
    await confirmDialog('Reset the password of bo@example.com?').getByRole('button', { name: 'Reset password' }).click();
    const temporary = (await page.getByTestId('temporary-password').innerText()).trim();
    await page.getByRole('button', { name: 'Done' }).click();
    const withTemporary = await callApi(server, 'POST', '/api/v1/auth/login', { body: { email: 'bo@example.com', password: temporary } });
    expect(withTemporary.json.user).toMatchObject({ passwordChangeRequired: true });

    await drawer.getByRole('button', { name: 'Make system admin' }).click();
    await confirmDialog('Make bo@example.com a system administrator?').getByRole('button', { name: 'Grant' }).click();
    await drawer.getByText('system administrator', { exact: true }).waitFor();
    await drawer.getByRole('button', { name: 'Revoke system admin' }).click();
    await confirmDialog('Revoke system administration from bo@example.com?').getByRole('button', { name: 'Revoke' }).click();
    await drawer.getByRole('button', { name: 'Make system admin' }).waitFor();
    await page.keyboard.press('Escape');

    // The only administrator cannot revoke themself: the API's problem is shown.
    await page.getByRole('textbox', { name: 'Search users' }).fill('admin@');
    await users.getByRole('button', { name: 'admin@example.com' }).click();
    const self = page.getByRole('dialog', { name: 'admin@example.com' });
    await self.getByRole('button', { name: 'Revoke system admin' }).click();
    await confirmDialog('Revoke system administration from admin@example.com?').getByRole('button', { name: 'Revoke' }).click();
    await self
      .getByRole('alert')
      .getByText('This is the last active system administrator; make someone else administrator first')
      .waitFor();
    // Chromium logs the refused request (409) as a console error: that one is expected.
    const refusal = consoleErrors.findIndex((error) => error.includes('status of 409'));
    expect(refusal).toBeGreaterThanOrEqual(0);
    consoleErrors.splice(refusal, 1);
    await page.keyboard.press('Escape');
  });

  it('deletes an account after spelling out what happens to its workspaces', async () => {
    const leaving = await callApi(server, 'POST', '/api/v1/auth/register', {
      body: { email: 'cy@example.com', name: 'Cy Leaving', password: PASSWORD },
    });
    expect(leaving.status).toBe(201);
    await openTab('Users', 'users');
    await page.getByRole('textbox', { name: 'Search users' }).fill('cy@');
    await page.getByRole('table', { name: 'Users' }).getByRole('button', { name: 'cy@example.com' }).click();
    const drawer = page.getByRole('dialog', { name: 'cy@example.com' });
    await drawer.getByRole('table', { name: 'Workspaces of the user' }).waitFor();
    const personal = await drawer.getByRole('table', { name: 'Workspaces of the user' }).getByRole('cell').first().innerText();
    await drawer.getByRole('button', { name: 'Delete' }).click();
    const deletion = confirmDialog('Delete cy@example.com?');
    await deletion.getByText(`Deleted with the account: ${personal.replace(' (personal)', '')}, with its sites`).waitFor();
    await deletion.getByText('It belongs to no shared workspace.').waitFor();
    await deletion.getByRole('button', { name: 'Delete account' }).click();
    await page.getByText('cy@example.com deleted').waitFor();
    await page.getByText('No users match').waitFor();
    expect((await callApi(server, 'GET', `/api/v1/admin/users/${String(leaving.json.id)}`, { token: admin.token })).status).toBe(404);
    await page.getByRole('textbox', { name: 'Search users' }).fill('');
    await page.getByRole('table', { name: 'Users' }).getByRole('button', { name: 'bo@example.com' }).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-users-desktop.png') });
  });

  it('filters the audit log, opens an entry and exports the filtered log as CSV', async () => {
    const errorsBefore = consoleErrors.length;
    await openTab('Audit log', 'audit');
    await page.getByRole('textbox', { name: 'Action' }).fill('admin.');
    const log = page.getByRole('table', { name: 'Audit log' });
    await log.getByRole('button', { name: 'admin.user-disabled' }).waitFor();
    await log.getByRole('button', { name: 'admin.user-deleted' }).waitFor();
    await expect.poll(() => log.getByRole('button', { name: 'api-key.revoked' }).count()).toBe(0);
    // The actor is shown, and filtered, by email.
    await expect.poll(() => log.getByRole('row').filter({ hasText: 'admin.user-disabled' }).innerText()).toContain('admin@example.com');
    await page.getByRole('textbox', { name: 'Target' }).fill(`user:${bo.id}`);
    await log.getByRole('button', { name: 'admin.user-deleted' }).waitFor({ state: 'detached' });
    await log.getByRole('button', { name: 'admin.user-disabled' }).click();
    const entry = page.getByRole('dialog', { name: 'Audit entry: admin.user-disabled' });
    await entry.getByText(`user:${bo.id}`).waitFor();
    await entry.getByText('127.0.0.1').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-audit-desktop.png') });
    await page.keyboard.press('Escape');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = path.join(DOWNLOADS, 'audit-log.csv');
    await (await download).saveAs(file);
    const rows = readFileSync(file, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('time,action,actor_user_id,workspace_id,target,details,ip,user_agent,id');
    expect(rows.slice(1).map((row) => row.split(',')[1])).toEqual(expect.arrayContaining(['admin.user-disabled', 'admin.user-enabled']));
    expect(rows.slice(1).every((row) => row.includes(`user:${bo.id}`))).toBe(true);

    // A period before anything happened matches nothing; the actor picker filters by account.
    await page.getByRole('textbox', { name: 'Target' }).fill('');
    await page.getByLabel('Until').fill('2020-01-01T00:00');
    await page.getByText('No audit entries match').waitFor();
    await page.getByLabel('Until').fill('');
    await page.getByRole('textbox', { name: 'Action' }).fill('');
    await page.getByRole('combobox', { name: 'Actor' }).fill('bo@');
    await page.getByRole('option', { name: 'bo@example.com' }).click();
    await log.getByRole('button', { name: 'api-key.created' }).first().waitFor();
    expect(await log.getByRole('button', { name: /^admin\./ }).count()).toBe(0);
    // Looking up the deleted account (an actor of earlier entries) answers 404, which Chromium logs.
    const lookups = consoleErrors.splice(errorsBefore);
    expect(lookups.every((error) => error.includes('status of 404'))).toBe(true);
  });

  it('shows system health, searches the log ring and takes and downloads a backup', async () => {
    await openTab('System', 'system');
    const database = page.getByRole('region', { name: 'Database' });
    await database.getByText('PGlite (embedded)').waitFor();
    expect(await database.getByText('ok', { exact: true }).count()).toBe(1);
    await page.getByRole('region', { name: 'Versions and uptime' }).getByText(process.versions.node).waitFor();
    await page.getByRole('region', { name: 'Redis' }).getByText('not configured').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-system-desktop.png') });

    const requestId = 'admin-panel-logs-test';
    expect((await callApi(server, 'GET', '/api/v1/version', { headers: { 'x-request-id': requestId } })).status).toBe(200);
    await openTab('Logs', 'logs');
    await page.getByRole('textbox', { name: 'Request id' }).fill(requestId);
    const lines = page.getByRole('table', { name: 'Log lines' });
    await lines.getByText(`request ${requestId}`).first().waitFor();
    expect(await lines.getByRole('row').count()).toBeGreaterThanOrEqual(2);
    await page.getByRole('combobox', { name: 'Level' }).click();
    await page.getByRole('option', { name: 'error and above' }).click();
    await page.getByText('No log lines match').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);

    await openTab('Backups', 'backups');
    await page.getByText('No backups yet').waitFor();
    await page.getByRole('button', { name: 'Back up now' }).click();
    const backup = page.getByRole('table', { name: 'Backups' }).getByRole('row').nth(1);
    await backup.waitFor({ timeout: 60_000 });
    const name = (await backup.getByRole('cell').first().innerText()).trim();
    const download = page.waitForEvent('download');
    await backup.getByRole('button', { name: `Download ${name}` }).click();
    const file = path.join(DOWNLOADS, name);
    await (await download).saveAs(file);
    // A gzipped tar: the tar header's magic after unzipping.
    expect(gunzipSync(readFileSync(file)).subarray(257, 262).toString()).toBe('ustar');
    expect(await accessibilityProblems(page)).toEqual([]);
  }, 120_000);

  it('creates a plan, edits its limits and sets the default quotas; the queues are still there', async () => {
    await openTab('Plans & quotas', 'plans');
    await page.getByRole('textbox', { name: 'New plan name' }).fill('Team');
    await page.getByRole('textbox', { name: 'Monthly price' }).fill('29');
    await page.getByRole('textbox', { name: 'Currency' }).fill('EUR');
    await page.getByRole('button', { name: 'Create plan' }).click();
    const plans = page.getByRole('table', { name: 'Plans' });
    const team = plans.getByRole('row').filter({ hasText: 'Team' });
    await team.getByText('29.00 EUR / month').waitFor();
    await team.getByRole('button', { name: 'Edit Team' }).click();
    const editor = page.getByRole('dialog', { name: 'Plan Team' });
    await editor.getByRole('combobox', { name: 'Analyses per month: kind' }).click();
    await page.getByRole('option', { name: 'Limit', exact: true }).click();
    await editor.getByRole('textbox', { name: 'Analyses per month', exact: true }).fill('100');
    await editor.getByRole('button', { name: 'Save plan limits' }).click();
    await page.getByText('Plan Team saved').waitFor();
    await team.getByRole('cell', { name: '100' }).waitFor();

    const defaults = page.getByRole('region', { name: 'Default quotas' });
    await defaults.getByRole('combobox', { name: 'Sites: kind' }).click();
    await page.getByRole('option', { name: 'Limit', exact: true }).click();
    await defaults.getByRole('textbox', { name: 'Sites', exact: true }).fill('50');
    await defaults.getByRole('button', { name: 'Save defaults' }).click();
    await page.getByText('Default quotas saved').waitFor();
    expect((await callApi(server, 'GET', '/api/v1/admin/quota-defaults', { token: admin.token })).json).toEqual({ sites: 50 });
    expect(await accessibilityProblems(page)).toEqual([]);

    await openTab('Queues', 'queues');
    await page.getByRole('table', { name: 'Queues' }).waitFor();
    await page.getByRole('button', { name: 'Pause processing' }).waitFor();
  });

  it('fits a 360 px screen on every panel', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    for (const tab of ['users', 'workspaces', 'roles', 'api-keys', 'audit', 'system', 'logs', 'backups', 'plans', 'queues']) {
      await page.goto(`${server.url}/admin/${tab}`);
      await heading('Admin');
      try {
        // A table, the system's sections, or an empty list's title (every API key is revoked by now).
        await page.getByRole('tabpanel').locator('table, section, h3').first().waitFor();
      } catch (error) {
        await page.screenshot({ path: path.join(DOWNLOADS, `failed-${tab}-mobile.png`), fullPage: true });
        throw new Error(`/admin/${tab} at 360 px shows nothing`, { cause: error });
      }
      expect(await overflow(), `/admin/${tab} is wider than the screen`).toBeLessThanOrEqual(0);
      if (tab === 'users' || tab === 'system')
        await page.screenshot({ path: path.join(SCREENSHOTS, `admin-${tab}-mobile.png`), fullPage: true });
    }
    // A detail drawer fits too.
    await page.goto(`${server.url}/admin/users`);
    await page.getByRole('button', { name: 'bo@example.com' }).click();
    await page.getByRole('dialog', { name: 'bo@example.com' }).getByRole('table', { name: 'Workspaces of the user' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    // Polled: the drawer slides in from the right before it settles.
    await expect
      .poll(
        async () => {
          const box = await page.getByRole('dialog', { name: 'bo@example.com' }).boundingBox();
          return box !== null && box.x >= 0 && box.x + box.width <= 360;
        },
        { message: 'the drawer lies within the screen' },
      )
      .toBe(true);
    expect(consoleErrors).toEqual([]);
  }, 120_000);
});
