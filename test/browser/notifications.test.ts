import { mkdirSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer } from '../../src/app/server.js';
import { PASSWORD } from '../support/accounts.js';
import { callApi, chromiumAvailable, launchTestBrowser, recordPageErrors, startDashboardServer } from '../support/browser.js';

const SCREENSHOTS = path.resolve('test-results', 'screenshots');

/** The bell and Settings → Notifications in Chromium, at desktop width and at 360 px, against a webhook receiver on loopback. */
describe.runIf(chromiumAvailable())('notifications in the dashboard', () => {
  let server: RunningServer;
  let receiver: Server;
  let receiverUrl = '';
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    // The webhook receiver listens on loopback.
    server = await startDashboardServer({ ALLOW_PRIVATE_NETWORK: 'true', NOTIFY_RELAY_INTERVAL_MS: '200' });
    browser = await launchTestBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    recordPageErrors(page, consoleErrors);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const heading = (name: string) => page.getByRole('heading', { level: 1, name }).waitFor({ timeout: 20_000 });
  const bell = () => page.getByRole('button', { name: /^Notifications/ });

  it('sets preferences and the daily summary, adds a webhook with its secret shown once, tests it and reads its log', async () => {
    await page.goto(`${server.url}/register`);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Nia Bell');
    await page.getByRole('textbox', { name: 'Email' }).fill('nia@example.com');
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await heading('Overview');
    expect(await bell().getAttribute('aria-label')).toBe('Notifications');

    await page.goto(`${server.url}/settings/notifications`);
    await heading('Settings');
    await page.getByRole('tab', { name: 'Notifications' }).waitFor();

    // A preference is saved as soon as it changes, and survives a reload.
    const reportEmail = page.getByRole('combobox', { name: 'Email for Report ready' });
    await reportEmail.click();
    await page.getByRole('option', { name: 'In the daily summary' }).click();
    await page.getByRole('switch', { name: 'In the app for Blueprint version created' }).click({ force: true });
    await expect.poll(() => reportEmail.inputValue()).toBe('In the daily summary');

    // The daily summary: an hour on a chosen time zone's clock.
    await page.getByRole('combobox', { name: 'Hour' }).click();
    await page.getByRole('option', { name: '17:00' }).click();
    const zone = page.getByRole('combobox', { name: 'Time zone' });
    await zone.click();
    await zone.fill('Europe/Ber');
    await page.getByRole('option', { name: 'Europe/Berlin' }).click();
    await page.getByRole('button', { name: 'Save summary settings' }).click();
    await page.getByText('Daily summary settings saved').waitFor();

    await page.reload();
    await heading('Settings');
    await expect.poll(() => page.getByRole('combobox', { name: 'Email for Report ready' }).inputValue()).toBe('In the daily summary');
    expect(await page.getByRole('switch', { name: 'In the app for Blueprint version created' }).isChecked()).toBe(false);
    await expect.poll(() => page.getByRole('combobox', { name: 'Time zone' }).inputValue()).toBe('Europe/Berlin');
    expect(await page.getByRole('combobox', { name: 'Hour' }).inputValue()).toBe('17:00');

    // A bad URL is refused before it is sent.
    await page.getByRole('textbox', { name: 'Endpoint URL' }).fill('not a url');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByText('Enter the http(s) URL that receives the POSTs').waitFor();

    await page.getByRole('textbox', { name: 'Endpoint URL' }).fill(receiverUrl);
    await page.getByRole('textbox', { name: 'Description' }).fill('Ops alerts');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = (await page.getByTestId('webhook-secret').innerText()).trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    await page.getByRole('button', { name: 'Done' }).click();
    // Shown once: nowhere on the page after the dialog closes, nor after a reload.
    const endpointCard = page.getByLabel(`Webhook ${receiverUrl}`);
    await endpointCard.waitFor();
    expect(await page.getByText(secret).count()).toBe(0);

    await endpointCard.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText('Test event queued').waitFor();
    await expect.poll(() => received.length, { timeout: 30_000 }).toBe(1);
    // Signed with the secret the page showed.
    const [hook] = received;
    const verified = new Webhook(secret).verify(hook!.body, {
      'webhook-id': String(hook!.headers['webhook-id']),
      'webhook-timestamp': String(hook!.headers['webhook-timestamp']),
      'webhook-signature': String(hook!.headers['webhook-signature']),
    });
    expect(verified).toMatchObject({ type: 'webhook.test' });

    await endpointCard.getByRole('button', { name: 'Delivery log' }).click();
    const log = page.getByRole('dialog', { name: `Deliveries to ${receiverUrl}` });
    const delivery = log.getByLabel('Delivery webhook.test');
    await delivery.getByText('delivered', { exact: true }).waitFor({ timeout: 20_000 });
    await delivery.getByRole('cell', { name: 'delivered (200)' }).waitFor();
    await delivery.getByRole('cell', { name: 'thanks' }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'notifications-delivery-log-desktop.png') });
    await delivery.getByRole('button', { name: 'Redeliver' }).click();
    await expect.poll(() => received.length, { timeout: 30_000 }).toBe(2);
    expect(received[1]!.headers['webhook-id']).toBe(hook!.headers['webhook-id']);
    await delivery.getByRole('row').nth(2).waitFor({ timeout: 20_000 });
    expect(await delivery.getByRole('row').count()).toBe(3);
    await page.keyboard.press('Escape');

    await endpointCard.getByRole('button', { name: 'Disable' }).click();
    await endpointCard.getByText('disabled', { exact: true }).waitFor();
    await endpointCard.getByRole('button', { name: 'Enable' }).click();
    await endpointCard.getByText('enabled', { exact: true }).waitFor();

    await page.getByRole('textbox', { name: 'Channel name' }).fill('#ops');
    await page.getByRole('textbox', { name: 'Incoming webhook URL' }).fill(`${receiverUrl}/slack`);
    await page.getByRole('button', { name: 'Add channel' }).click();
    await page.getByLabel('Slack channel #ops').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'notifications-settings-desktop.png'), fullPage: true });
    await page.getByRole('button', { name: 'Remove #ops' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await page.getByText('No Slack channels yet.').waitFor();
  }, 240_000);

  it('counts unread notifications in the bell, opens the subject and marks them read', async () => {
    // A workspace report makes a report.ready notification for every member.
    for (let i = 0; i < 2; i++) {
      await page.goto(`${server.url}/reports`);
      await heading('Reports');
      await page.getByRole('button', { name: 'Create report' }).click();
      await page.getByRole('button', { name: 'Download' }).nth(i).waitFor({ timeout: 90_000 });
    }
    await page.goto(`${server.url}/`);
    await heading('Overview');
    await expect.poll(async () => bell().getAttribute('aria-label'), { timeout: 60_000, interval: 1_000 }).toBe('Notifications, 2 unread');

    await bell().click();
    const panel = page.getByRole('dialog', { name: 'Notifications' });
    const unread = panel.getByRole('button', { name: /^Unread: Report ready/ });
    await expect.poll(() => unread.count()).toBe(2);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'notifications-bell-desktop.png') });
    await unread.first().click();
    await heading('Reports');
    await expect.poll(async () => bell().getAttribute('aria-label')).toBe('Notifications, 1 unread');

    await bell().click();
    await panel.getByRole('button', { name: 'Mark all read' }).click();
    await expect.poll(async () => bell().getAttribute('aria-label')).toBe('Notifications');
    expect(await panel.getByRole('button', { name: /^Unread:/ }).count()).toBe(0);
    expect(await panel.getByRole('button', { name: /^Report ready/ }).count()).toBe(2);
    await page.keyboard.press('Escape');
  }, 240_000);

  it('fits a 360 px screen', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    await page.goto(`${server.url}/settings/notifications`);
    await heading('Settings');
    await page.getByLabel(`Webhook ${receiverUrl}`).waitFor();
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow(), 'Settings → Notifications is wider than the screen').toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'notifications-settings-mobile.png'), fullPage: true });

    await bell().click();
    const panel = page.getByRole('dialog', { name: 'Notifications' });
    await panel
      .getByRole('button', { name: /^Report ready/ })
      .first()
      .waitFor();
    const box = await panel.boundingBox();
    expect(box !== null && box.x >= 0 && box.x + box.width <= 360, `the bell's panel at ${JSON.stringify(box)}`).toBe(true);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'notifications-bell-mobile.png') });
    expect(consoleErrors).toEqual([]);
  }, 120_000);
  it('offers the event pickers only where the workspace grants notifications:manage, at desktop width and at 360 px', async () => {
    // Olga owns a team workspace and Mo is a member of it, set up through the API as a script would.
    const account = async (email: string, name: string) => {
      expect((await callApi(server, 'POST', '/api/v1/auth/register', { body: { email, name, password: PASSWORD } })).status).toBe(201);
      return String((await callApi(server, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } })).json.accessToken);
    };
    const olga = await account('olga@example.com', 'Olga Owner');
    const team = await callApi(server, 'POST', '/api/v1/workspaces', { token: olga, body: { name: 'Ops team' } });
    expect(team.status).toBe(201);
    const invited = await callApi(server, 'POST', '/api/v1/workspace/invitations', {
      token: olga,
      headers: { 'x-workspace-id': String(team.json.id) },
      body: { email: 'mo@example.com', role: 'member' },
    });
    expect(invited.status).toBe(201);
    const mo = await account('mo@example.com', 'Mo Member');
    const invitation = new URL(String(invited.json.acceptUrl)).searchParams.get('token');
    expect((await callApi(server, 'POST', '/api/v1/invitations/accept', { token: mo, body: { token: invitation } })).status).toBe(200);

    /** Signs in on a page of its own and opens Settings → Notifications of the team workspace. */
    const notificationsOf = async (email: string, width: number) => {
      const own = await (await browser.newContext({ viewport: { width, height: 860 } })).newPage();
      recordPageErrors(own, consoleErrors);
      await own.goto(`${server.url}/login`);
      await own.getByRole('textbox', { name: 'Email' }).fill(email);
      await own.getByRole('textbox', { name: 'Password', exact: true }).fill(PASSWORD);
      await own.getByRole('button', { name: 'Sign in' }).click();
      await own.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: 20_000 });
      await own.getByRole('combobox', { name: 'Workspace' }).click();
      await own.getByRole('option', { name: 'Ops team' }).click();
      await expect.poll(() => own.getByRole('combobox', { name: 'Workspace' }).inputValue()).toBe('Ops team');
      await own.goto(`${server.url}/settings/notifications`);
      await own.getByRole('heading', { level: 1, name: 'Settings' }).waitFor({ timeout: 20_000 });
      await own.getByRole('table', { name: 'Notification preferences' }).waitFor();
      return own;
    };
    const overflow = (on: Page) => on.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    /** What a picker offers, with the events it starts with (whether or not it lists those as picked). */
    const offered = async (on: Page, picker: string, picked: string[]) => {
      // Opened from the keyboard: the picked events' pills cover the picker's input.
      await on.getByRole('combobox', { name: picker, exact: true }).focus();
      await on.keyboard.press('ArrowDown');
      const listbox = on.getByRole('listbox', { name: picker, exact: true });
      await listbox.getByRole('option').first().waitFor();
      const listed = await listbox.getByRole('option').allInnerTexts();
      await on.keyboard.press('Escape');
      return new Set([...listed.map((option) => option.trim()), ...picked]);
    };
    // Every event type the API lets an endpoint or channel subscribe to; `system.error` is not one
    // of them (it goes to system administrators themselves), so no one is offered it.
    const subscribable = [
      'Every event',
      'Analysis succeeded (analysis.succeeded)',
      'Analysis failed (analysis.failed)',
      'Site health changed (site.health_changed)',
      'Blueprint version created (blueprint.version_created)',
      'Blueprint repair failed (blueprint.repair_failed)',
      'Job failed (job.failed)',
      'LLM budget threshold (llm.budget_threshold)',
      'Quota threshold (quota.threshold)',
      'Report ready (report.ready)',
      'Daily summary (daily.summary)',
    ];

    for (const width of [1280, 360]) {
      // The owner: the webhook and Slack event pickers, and the summary settings to change.
      const owner = await notificationsOf('olga@example.com', width);
      await owner.getByRole('heading', { name: 'Webhook endpoints' }).waitFor();
      expect(await offered(owner, 'Events', ['Every event'])).toEqual(new Set(subscribable));
      const slackDefaults = ['Site health changed (site.health_changed)', 'Analysis failed (analysis.failed)'];
      expect(await offered(owner, 'Slack events', slackDefaults)).toEqual(new Set(subscribable));
      expect(await owner.getByRole('switch', { name: 'Send a daily summary' }).isDisabled()).toBe(false);
      expect(await overflow(owner), `the owner's page at ${width} px`).toBeLessThanOrEqual(0);
      await owner.screenshot({ path: path.join(SCREENSHOTS, `notifications-owner-${width}.png`), fullPage: true });
      await owner.context().close();

      // The member: their own preferences only, the summary settings shown but not theirs to change.
      const member = await notificationsOf('mo@example.com', width);
      await member.getByRole('combobox', { name: 'Email for Report ready' }).waitFor();
      expect(await member.getByRole('switch', { name: 'Send a daily summary' }).isDisabled()).toBe(true);
      expect(await member.getByRole('heading', { name: 'Webhook endpoints' }).count()).toBe(0);
      expect(await member.getByRole('heading', { name: 'Slack channels' }).count()).toBe(0);
      expect(await member.getByRole('combobox', { name: 'Events', exact: true }).count()).toBe(0);
      expect(await overflow(member), `the member's page at ${width} px`).toBeLessThanOrEqual(0);
      await member.screenshot({ path: path.join(SCREENSHOTS, `notifications-member-${width}.png`), fullPage: true });
      await member.context().close();
    }
    expect(consoleErrors).toEqual([]);
  }, 240_000);
});
