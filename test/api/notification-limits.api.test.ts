import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app/platform.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import { deliveryBackoffBaseMs, DIGEST_ITEMS, NotificationRelay } from '../../src/notifications/index.js';
import { Priority } from '../../src/queue/index.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { FixtureShop } from '../support/fixture-shop.js';
import { startSmtpListener, type SmtpListener } from '../support/smtp-listener.js';
import { until } from '../support/until.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

/** An HTTP receiver on loopback that keeps every POST and answers `status`. */
/** The day-long retry window, shrunk: a webhook's 16 tries span these few seconds instead. */
const RETRY_WINDOW_MS = 6_000;
/** The health cool-down: long enough for a quick flap to fit inside, short enough to wait out. */
const COOLDOWN_MS = 20_000;
/** Twelve hours from now: the running relay (real clock) never finds the summary due while the suite runs. */
const SUMMARY_HOUR = (new Date().getUTCHours() + 12) % 24;

/**
 * The limits of notification delivery through the API, the relay and real receivers: a webhook
 * endpoint that keeps failing is retried across the (configured) retry window and then disabled
 * with one email to the owner; digest events are listed in the daily summary; a flapping site
 * alerts once per change of state with a cool-down.
 */
describe.each(databaseTargets().slice(-1))('notification limits on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  let platform: Platform;
  let shop: FixtureShop;
  let mailbox: SmtpListener;
  let failing: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let alerts: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let alice: TestUser;

  beforeAll(async () => {
    [shop, mailbox, failing, alerts] = await Promise.all([
      new FixtureShop().start(),
      startSmtpListener(),
      startWebhookReceiver(500),
      startWebhookReceiver(200),
    ]);
    database = await target.open();
    ({ app, platform } = await createTestStack({
      database,
      env: {
        SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`,
        PUBLIC_URL: 'https://siteprint.example',
        ALLOW_PRIVATE_NETWORK: 'true',
        NOTIFY_RELAY_INTERVAL_MS: '100',
        EMAIL_SEND_INTERVAL_MS: '100',
        NOTIFY_WEBHOOK_RETRY_WINDOW_MS: String(RETRY_WINDOW_MS),
        NOTIFY_HEALTH_COOLDOWN_MS: String(COOLDOWN_MS),
      },
    }));
    await app.ready();
    alice = await signUp(app, 'alice@example.com');
    await as('PUT', '/api/v1/notification-settings', { summaryHour: SUMMARY_HOUR });
    await platform.queue.work(platform.handlers, { concurrency: 2 });
  });

  afterAll(async () => {
    await app?.close();
    await database?.close();
    await Promise.all([
      shop.stop(),
      mailbox.close(),
      new Promise((resolve) => failing.server.close(resolve)),
      new Promise((resolve) => alerts.server.close(resolve)),
    ]);
  });

  const as = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: alice.headers, ...(payload === undefined ? {} : { payload: payload as object }) });

  /** Every event fanned out and every delivery finished: nothing more will arrive. */
  const quiet = () =>
    until('deliveries to finish', async () => {
      const [row] = await platform.database.query<{ open: number }>(
        sql`select
          (select count(*) from notification_events where dispatched_at is null)
          + (select count(*) from notification_deliveries where status not in ('delivered', 'failed'))::int as open`,
      );
      return Number(row!.open) === 0;
    });

  it('retries a failing endpoint across the retry window, then disables it, stops its other deliveries and emails the owner once', async () => {
    const created = await as('POST', '/api/v1/webhooks', { url: failing.url, eventTypes: ['report.ready'] });
    expect(created.statusCode, created.body).toBe(201);
    const endpointId = created.json().id as string;
    const posts = (id: string) => failing.received.filter((post) => post.headers['webhook-id'] === id);

    expect((await as('POST', `/api/v1/webhooks/${endpointId}/test`)).statusCode).toBe(202);
    await until('the first try', () => failing.received.length > 0);
    const first = String(failing.received[0]!.headers['webhook-id']);
    // A second delivery starts when the first has two tries left (at most a quarter of the window
    // plus two polls away), and has the whole window of its own to go: it is still retrying when
    // the first fails for good.
    await until('the first delivery’s 14th try', () => posts(first).length === 14);
    expect((await as('POST', `/api/v1/webhooks/${endpointId}/test`)).statusCode).toBe(202);
    await until('the second delivery', () => failing.received.some((post) => post.headers['webhook-id'] !== first));
    const second = String(failing.received.find((post) => post.headers['webhook-id'] !== first)!.headers['webhook-id']);

    const endpoint = async () =>
      ((await as('GET', '/api/v1/webhooks')).json().items as Array<{ id: string; enabled: boolean }>).find(
        (item) => item.id === endpointId,
      );
    await until('the endpoint to be disabled', async () => (await endpoint())?.enabled === false);
    await quiet();
    expect(await endpoint()).toMatchObject({
      enabled: false,
      disabledReason: 'receiver answered 500',
    });

    const log = (await as('GET', `/api/v1/webhooks/${endpointId}/deliveries`)).json().items as Array<{
      id: string;
      status: string;
      attempts: number;
      error: string | null;
      attemptLog: Array<{ attempt: number; outcome: string; responseStatus: number | null; error: string | null; startedAt: string }>;
    }>;
    const full = log.find((delivery) => delivery.id === first)!;
    expect(full).toMatchObject({ status: 'failed', attempts: 16, error: 'receiver answered 500' });
    expect(full.attemptLog.map((attempt) => [attempt.attempt, attempt.outcome, attempt.responseStatus])).toEqual(
      Array.from({ length: 16 }, (_, i) => [i + 1, 'failed', 500]),
    );
    // Every try carried the same webhook-id, each wait at least the doubling one the schedule sets,
    // the whole adding up to the window.
    expect(posts(first)).toHaveLength(16);
    const starts = full.attemptLog.map((attempt) => Date.parse(attempt.startedAt));
    const base = deliveryBackoffBaseMs(RETRY_WINDOW_MS);
    for (let attempt = 12; attempt < 16; attempt++)
      expect(starts[attempt]! - starts[attempt - 1]!, `the wait before try ${attempt + 1}`).toBeGreaterThanOrEqual(
        Math.floor(base * 2 ** (attempt - 1)),
      );
    expect(starts[15]! - starts[0]!).toBeGreaterThanOrEqual(RETRY_WINDOW_MS - 16);

    // The second delivery stopped at its next try once the endpoint was off, without sending it.
    const cut = log.find((delivery) => delivery.id === second)!;
    expect(cut).toMatchObject({ status: 'failed', error: 'the webhook endpoint is disabled' });
    expect(cut.attempts).toBeLessThan(16);
    expect(posts(second)).toHaveLength(cut.attempts - 1);
    expect(cut.attemptLog.at(-1)).toMatchObject({ outcome: 'failed', responseStatus: null, error: 'the webhook endpoint is disabled' });

    // One email to the owner, through the email outbox and a real SMTP server.
    await until('the owner’s email', () => mailbox.messages.some((mail) => mail.subject === 'Siteprint disabled a webhook endpoint'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const told = mailbox.messages.filter((mail) => mail.subject === 'Siteprint disabled a webhook endpoint');
    expect(told).toHaveLength(1);
    expect(told[0]!.to).toMatchObject({ text: 'alice@example.com' });
    expect(told[0]!.text).toContain(failing.url);
    expect(told[0]!.text).toContain('Last error: receiver answered 500');
    expect(told[0]!.text).toContain('https://siteprint.example/settings/notifications');

    // Nothing is sent to a disabled endpoint until someone enables it again.
    expect((await as('POST', `/api/v1/webhooks/${endpointId}/test`)).statusCode).toBe(409);
    expect((await as('POST', `/api/v1/webhooks/${endpointId}/deliveries/${first}/redeliver`)).statusCode).toBe(409);
    failing.status = 200;
    const enabled = await as('PATCH', `/api/v1/webhooks/${endpointId}`, { enabled: true });
    expect(enabled.json()).toMatchObject({ enabled: true, disabledReason: null });
    expect((await as('POST', `/api/v1/webhooks/${endpointId}/deliveries/${first}/redeliver`)).statusCode).toBe(202);
    await quiet();
    expect(posts(first)).toHaveLength(17);
    const redelivered = (await as('GET', `/api/v1/webhooks/${endpointId}/deliveries`))
      .json()
      .items.find((delivery: { id: string }) => delivery.id === first);
    expect(redelivered).toMatchObject({ status: 'delivered', attempts: 17 });
    expect((await as('DELETE', `/api/v1/webhooks/${endpointId}`)).statusCode).toBe(204);
  });

  it('lists the events set to "digest" in the daily summary, by title and link, up to a bound', async () => {
    const set = await as('PUT', '/api/v1/notification-preferences', {
      items: [{ eventType: 'report.ready', email: 'digest', inApp: true }],
    });
    expect(set.statusCode, set.body).toBe(200);
    const reports = DIGEST_ITEMS + 2;
    for (let i = 0; i < reports; i++) {
      const created = await as('POST', '/api/v1/reports', { type: 'workspace_summary', format: 'json' });
      expect(created.statusCode, created.body).toBe(202);
    }
    await until(
      'the reports',
      async () =>
        (await as('GET', '/api/v1/reports')).json().items.filter((report: { status: string }) => report.status === 'succeeded').length ===
        reports,
      120_000,
    );
    await quiet();
    // A digest event sends no email of its own.
    expect(mailbox.messages.filter((mail) => mail.subject?.startsWith('Report ready'))).toEqual([]);

    // The next summary hour, within a day of the reports, on a fixed clock.
    const now = new Date();
    const due = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), SUMMARY_HOUR));
    if (due <= now) due.setUTCDate(due.getUTCDate() + 1);
    const relay = new NotificationRelay({
      repository: platform.notifications.repository,
      queue: platform.queue,
      config: platform.config,
      logger: platform.logger,
      llmSpend: async () => 0,
      now: () => due,
    });
    const mailBefore = mailbox.messages.length;
    await relay.tick();
    await quiet();
    const [summary, ...others] = mailbox.messages.slice(mailBefore);
    expect(others).toEqual([]);
    expect(summary!.subject).toBe(`Daily summary for ${due.toISOString().slice(0, 10)}`);
    const text = summary!.text!;
    expect(text).toContain(`report.ready: ${reports}`);
    // The first of them, each by its title and a link back to the dashboard; the rest counted.
    const names = ((await as('GET', '/api/v1/reports')).json().items as Array<{ fileName: string }>).map(
      (report) => `• Report ready: ${report.fileName}: https://siteprint.example/reports`,
    );
    const listed = text.split('\n').filter((line) => line.startsWith('• '));
    expect(listed).toHaveLength(DIGEST_ITEMS);
    expect(new Set(listed).size).toBe(DIGEST_ITEMS);
    for (const line of listed) expect(names).toContain(line);
    expect(text).toMatch(new RegExp(`In your digest:\\n(• .*\\n){${DIGEST_ITEMS}}and 2 more\\n`));
    const html = String(summary!.html);
    expect(html.match(/<li[^>]*><a href="https:\/\/siteprint\.example\/reports">Report ready: [\w.-]+<\/a><\/li>/g)).toHaveLength(
      DIGEST_ITEMS,
    );
    expect(html).toContain('and 2 more');
  });

  it('alerts once when a flapping site goes down, and tells the recovery after the cool-down: no storm', async () => {
    const subscribed = await as('POST', '/api/v1/webhooks', { url: alerts.url, eventTypes: ['site.health_changed'] });
    expect(subscribed.statusCode, subscribed.body).toBe(201);
    const added = await as('POST', '/api/v1/sites', { url: shop.url });
    expect(added.statusCode, added.body).toBe(201);
    const siteId = added.json().site.id as string;
    await until('the analysis', async () => (await as('GET', `/api/v1/sites/${siteId}`)).json().status === 'ready', 120_000);
    expect((await as('GET', `/api/v1/sites/${siteId}`)).json().health).toBe('healthy');

    const check = async () => {
      const job = await platform.queue.enqueue({
        workspaceId: alice.workspaceId,
        siteId,
        type: 'check_site',
        payload: { siteId },
        priority: Priority.scheduled,
      });
      await until(
        'the check',
        async () => ['succeeded', 'failed'].includes((await as('GET', `/api/v1/jobs/${job.id}`)).json().status),
        60_000,
      );
      return (await as('GET', `/api/v1/sites/${siteId}`)).json().health as string;
    };
    const told = async () => {
      await quiet();
      return alerts.received.map((post) => {
        const { data } = JSON.parse(post.body) as { data: { from: string; to: string } };
        return `${data.from}→${data.to}`;
      });
    };

    // Down, up, down, up: four changes of state within the cool-down.
    const port = Number(new URL(shop.url).port);
    const flapStarted = Date.now();
    const seen = [];
    for (let i = 0; i < 2; i++) {
      await shop.stop();
      seen.push(await check());
      await shop.start(port);
      seen.push(await check());
    }
    expect(seen).toEqual(['down', 'healthy', 'down', 'healthy']);
    expect(Date.now() - flapStarted, 'the flap took longer than the cool-down, so it tests nothing').toBeLessThan(COOLDOWN_MS);
    expect(await told()).toEqual(['healthy→down']);

    // Healthy since: checks within the cool-down stay quiet; the first after it tells the recovery, once.
    while ((await told()).length === 1) {
      expect(Date.now() - flapStarted, 'no recovery told well after the cool-down').toBeLessThan(COOLDOWN_MS + 60_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await check();
    }
    expect(await told()).toEqual(['healthy→down', 'down→healthy']);
    await check();
    expect(await told()).toHaveLength(2);
    const inApp = (await as('GET', '/api/v1/notifications'))
      .json()
      .items.filter((item: { type: string }) => item.type === 'site.health_changed');
    expect(inApp.map((item: { title: string }) => item.title)).toEqual([
      expect.stringMatching(/^Recovered:/),
      expect.stringMatching(/is down$/),
    ]);
  });
});
