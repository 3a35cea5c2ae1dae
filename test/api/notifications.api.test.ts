import { createHmac } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app/platform.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import { NotificationRelay } from '../../src/notifications/index.js';
import { Priority } from '../../src/queue/index.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { startSmtpListener, type SmtpListener } from '../support/smtp-listener.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { FixtureShop } from '../support/fixture-shop.js';
import { sample, scrapeMetrics } from '../support/metrics.js';
import { until } from '../support/until.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

/**
 * The summary hour the tests use: twelve hours from now, so the running relay (on the real clock) never
 * finds alice's summary due while the suite runs, whatever time of day it runs at.
 */
const SUMMARY_HOUR = (new Date().getUTCHours() + 12) % 24;

/** Shared by both app instances, so one sign-in works on each. */
const JWT_SECRET = 'notifications-test-secret-0123456789abcdef0123456789';

/**
 * Notifications end to end through the API and real receivers: a fixture site goes down and comes
 * back, and each change reaches a loopback SMTP server, a signed-webhook receiver and a
 * Slack-format receiver exactly once; the budget alert; the daily summary on a fixed clock.
 */
// One database (PostgreSQL when configured): the analysis this needs is most of its minute, and the
// outbox's SQL is the same on both drivers (the queue and repositories run on both in other suites).
describe.each(databaseTargets().slice(-1))('notifications on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  let platform: Platform;
  let strictApp: AppInstance;
  let shop: FixtureShop;
  let mailbox: SmtpListener;
  let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let slack: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let alice: TestUser;
  let endpoint: { id: string; secret: string };
  let siteId: string;

  beforeAll(async () => {
    [shop, mailbox, hooks, slack] = await Promise.all([
      new FixtureShop().start(),
      startSmtpListener(),
      startWebhookReceiver(),
      startWebhookReceiver(),
    ]);
    database = await target.open();
    const env = {
      JWT_SECRET,
      SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`,
      PUBLIC_URL: 'https://siteprint.example',
      NOTIFY_RELAY_INTERVAL_MS: '100',
      NOTIFY_HEALTH_COOLDOWN_MS: '0',
    };
    ({ app, platform } = await createTestStack({ database, env: { ...env, ALLOW_PRIVATE_NETWORK: 'true' } }));
    await app.ready();
    // The same API as an instance that keeps the default address policy, for the private-target refusal.
    // Its relay shares the outbox, so it is configured like the first: a relay without SMTP_URL that
    // fanned an event out first would leave its email out (the budget alert's email went missing so).
    strictApp = (await createTestStack({ database, env })).app;
    await strictApp.ready();
    alice = await signUp(app, 'alice@example.com');
    await as('PUT', '/api/v1/notification-settings', { summaryHour: SUMMARY_HOUR });
    await platform.queue.work(platform.handlers, { concurrency: 2 });
  });

  afterAll(async () => {
    await strictApp?.close();
    await app?.close();
    await database?.close();
    await Promise.all([
      shop.stop(),
      mailbox.close(),
      new Promise((resolve) => hooks.server.close(resolve)),
      new Promise((resolve) => slack.server.close(resolve)),
    ]);
  });

  const as = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, on = app) =>
    on.inject({ method, url, headers: alice.headers, ...(payload === undefined ? {} : { payload: payload as object }) });

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
  };

  it('refuses bad endpoints and preferences with clear 4xx answers', async () => {
    const bad = [
      [{ url: 'not a url', eventTypes: ['*'] }, '/url'],
      [{ url: 'ftp://hooks.example/', eventTypes: ['*'] }, '/url'],
      [{ url: 'https://hooks.example/', eventTypes: ['site.exploded'] }, '/eventTypes/0'],
    ] as const;
    for (const [body, path] of bad) {
      const response = await as('POST', '/api/v1/webhooks', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().errors[0].path).toBe(path);
    }
    const huge = await as('POST', '/api/v1/webhooks', {
      url: 'https://hooks.example/',
      eventTypes: ['*'],
      description: 'x'.repeat(20_000),
    });
    expect(huge.statusCode).toBe(413);
    const privateTarget = await as('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] }, strictApp);
    expect(privateTarget.statusCode, privateTarget.body).toBe(422);
    expect(privateTarget.json()).toMatchObject({ errors: [{ path: '/url', message: expect.stringMatching(/loopback/) }] });
    const privateSlack = await as(
      'POST',
      '/api/v1/notification-channels',
      { kind: 'slack', name: 'ops', url: 'http://10.1.2.3/x', eventTypes: ['*'] },
      strictApp,
    );
    expect(privateSlack.statusCode).toBe(422);
    const unknownPreference = await as('PUT', '/api/v1/notification-preferences', {
      items: [{ eventType: 'nope', email: 'off', inApp: true }],
    });
    expect(unknownPreference.statusCode).toBe(400);
    expect((await as('GET', '/api/v1/webhooks')).json().items).toEqual([]);
  });

  it('tells email, a signed webhook and Slack once when a site goes down, and once when it recovers', async () => {
    const created = await as('POST', '/api/v1/webhooks', { url: hooks.url, eventTypes: ['*'], description: 'ops' });
    expect(created.statusCode, created.body).toBe(201);
    endpoint = created.json();
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect((await as('GET', '/api/v1/webhooks')).json().items[0]).not.toHaveProperty('secret');
    const channel = await as('POST', '/api/v1/notification-channels', {
      kind: 'slack',
      name: 'ops',
      url: slack.url,
      eventTypes: ['site.health_changed'],
    });
    expect(channel.statusCode, channel.body).toBe(201);

    const added = await as('POST', '/api/v1/sites', { url: shop.url });
    expect(added.statusCode, added.body).toBe(201);
    siteId = added.json().site.id;
    await until('the analysis', async () => (await as('GET', `/api/v1/sites/${siteId}`)).json().status === 'ready', 90_000);
    await quiet();
    // The analysis told the webhook (subscribed to everything) once that it succeeded and once of the version it wrote.
    const analysisHooks = hooks.received.map((hook) => ({
      id: hook.headers['webhook-id'],
      ...(new Webhook(endpoint.secret).verify(hook.body, hook.headers as Record<string, string>) as { type: string; data: object }),
    }));
    expect(analysisHooks.map((hook) => hook.type).sort()).toEqual(['analysis.succeeded', 'blueprint.version_created']);
    expect(new Set(analysisHooks.map((hook) => hook.id)).size).toBe(2);
    const analysisId = (await as('GET', `/api/v1/jobs?siteId=${siteId}`))
      .json()
      .items.find((job: { type: string }) => job.type === 'analyze_site')?.id;
    expect(analysisHooks.find((hook) => hook.type === 'analysis.succeeded')!.data).toMatchObject({
      siteId,
      jobId: analysisId,
      siteUrl: shop.url,
    });
    expect(analysisHooks.find((hook) => hook.type === 'blueprint.version_created')!.data).toMatchObject({
      siteId,
      version: 1,
      reason: 'analysis',
    });
    // Neither is a failure: no email by default; Slack only takes health changes.
    expect(mailbox.messages).toHaveLength(0);
    expect(slack.received).toHaveLength(0);
    const afterAnalysis = { mail: mailbox.messages.length, hooks: hooks.received.length };

    const port = Number(new URL(shop.url).port);
    await shop.stop();
    await check();
    expect((await as('GET', `/api/v1/sites/${siteId}`)).json().health).toBe('down');
    await check(); // still down: no second alert
    await quiet();

    const downMail = mailbox.messages.slice(afterAnalysis.mail);
    expect(downMail).toHaveLength(1);
    expect(downMail[0]!.to).toMatchObject({ text: 'alice@example.com' });
    expect(downMail[0]!.subject).toMatch(/is down$/);
    expect(downMail[0]!.text).toContain(`https://siteprint.example/sites/${siteId}`);
    expect(downMail[0]!.html).toContain('Unsubscribe');
    const downHooks = hooks.received.slice(afterAnalysis.hooks);
    expect(downHooks).toHaveLength(1);
    const verified = new Webhook(endpoint.secret).verify(downHooks[0]!.body, downHooks[0]!.headers as Record<string, string>) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(verified).toMatchObject({ type: 'site.health_changed', data: { siteId, from: 'healthy', to: 'down' } });
    // The algorithm the README documents gives the same signature.
    const { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature } = downHooks[0]!.headers;
    const key = Buffer.from(endpoint.secret.slice('whsec_'.length), 'base64');
    expect(signature).toBe(`v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${downHooks[0]!.body}`).digest('base64')}`);
    // A tampered body fails the same check.
    expect(() =>
      new Webhook(endpoint.secret).verify(downHooks[0]!.body.replace('down', 'up'), downHooks[0]!.headers as Record<string, string>),
    ).toThrow();
    expect(slack.received).toHaveLength(1);
    const slackBody = JSON.parse(slack.received[0]!.body);
    expect(slackBody.blocks.at(-1).elements[0].url).toBe(`https://siteprint.example/sites/${siteId}`);

    await shop.start(port);
    await check();
    await quiet();
    expect(mailbox.messages.slice(afterAnalysis.mail).map((mail) => mail.subject)).toEqual([
      downMail[0]!.subject,
      expect.stringMatching(/^Recovered:/),
    ]);
    expect(hooks.received.slice(afterAnalysis.hooks)).toHaveLength(2);
    expect(slack.received).toHaveLength(2);
    expect(slack.received[1]!.body).toContain('Recovered');

    const inApp = (await as('GET', '/api/v1/notifications')).json();
    expect(inApp.items.filter((item: { type: string }) => item.type === 'site.health_changed')).toHaveLength(2);
    expect(inApp.unread).toBe(inApp.items.length);
    const marked = await as('POST', '/api/v1/notifications/read', { ids: [inApp.items[0].id] });
    expect(marked.json()).toEqual({ marked: 1 });
    expect((await as('GET', '/api/v1/notifications/unread-count')).json().unread).toBe(inApp.items.length - 1);
  });

  it('logs deliveries, sends a test event and redelivers with the same webhook-id', async () => {
    const webhookAttempts = async () => {
      const text = await scrapeMetrics(app);
      const count = (outcome: string) => sample(text, 'siteprint_notification_deliveries_total', { channel: 'webhook', outcome });
      return { delivered: count('delivered'), retrying: count('retrying'), failed: count('failed') };
    };
    const attemptsBefore = await webhookAttempts();
    const log = (await as('GET', `/api/v1/webhooks/${endpoint.id}/deliveries`)).json().items;
    expect(log.length).toBeGreaterThanOrEqual(2);
    expect(log[0]).toMatchObject({ status: 'delivered', responseStatus: 200, responseExcerpt: 'ok', attempts: 1 });
    expect(log[0].latencyMs).toBeGreaterThanOrEqual(0);

    const before = hooks.received.length;
    expect((await as('POST', `/api/v1/webhooks/${endpoint.id}/test`)).statusCode).toBe(202);
    await quiet();
    expect(hooks.received).toHaveLength(before + 1);
    expect(JSON.parse(hooks.received.at(-1)!.body).type).toBe('webhook.test');

    const redelivered = await as('POST', `/api/v1/webhooks/${endpoint.id}/deliveries/${log[0].id}/redeliver`);
    expect(redelivered.statusCode, redelivered.body).toBe(202);
    await quiet();
    expect(hooks.received).toHaveLength(before + 2);
    expect(hooks.received.at(-1)!.headers['webhook-id']).toBe(log[0].id);
    const again = (await as('GET', `/api/v1/webhooks/${endpoint.id}/deliveries`)).json().items;
    const redone = again.find((item: { id: string }) => item.id === log[0].id);
    expect(redone.attemptLog.map((attempt: { attempt: number; outcome: string }) => [attempt.attempt, attempt.outcome])).toEqual([
      [1, 'delivered'],
      [2, 'delivered'],
    ]);

    // A refused attempt stays in the log after the retry that got through.
    hooks.status = 503;
    expect((await as('POST', `/api/v1/webhooks/${endpoint.id}/test`)).statusCode).toBe(202);
    await until('the refused attempt', () => hooks.received.length === before + 3);
    hooks.status = 200;
    await quiet();
    const [retried] = (await as('GET', `/api/v1/webhooks/${endpoint.id}/deliveries?limit=1`)).json().items;
    expect(retried).toMatchObject({ eventType: 'webhook.test', status: 'delivered', attempts: 2, responseStatus: 200, error: null });
    expect(retried.attemptLog).toEqual([
      expect.objectContaining({
        attempt: 1,
        outcome: 'failed',
        responseStatus: 503,
        responseExcerpt: 'broken',
        error: 'receiver answered 503',
      }),
      expect.objectContaining({ attempt: 2, outcome: 'delivered', responseStatus: 200, responseExcerpt: 'ok', error: null }),
    ]);
    expect(Date.parse(retried.attemptLog[1].startedAt) - Date.parse(retried.attemptLog[0].startedAt)).toBeGreaterThanOrEqual(2_000);
    // The metrics counted each attempt by channel and outcome: test, redelivery and retry delivered, one refused.
    expect(await webhookAttempts()).toEqual({
      delivered: attemptsBefore.delivered! + 3,
      retrying: attemptsBefore.retrying! + 1,
      failed: attemptsBefore.failed,
    });
    const missing = await as('POST', `/api/v1/webhooks/${endpoint.id}/deliveries/00000000-0000-4000-8000-000000000000/redeliver`);
    expect(missing.statusCode).toBe(404);
  });

  it('alerts once when the LLM budget passes 80 %', async () => {
    expect((await as('PUT', '/api/v1/llm/budget', { monthlyUsd: 1 })).statusCode).toBe(200);
    const mailBefore = mailbox.messages.length;
    const hooksBefore = hooks.received.length;
    // The recorder the LLM client calls after every request.
    const record = platform.services.llm.recorder({ workspaceId: alice.workspaceId });
    const usage = {
      model: 'test',
      step: 'discover',
      context: {} as never,
      promptTokens: 10,
      completionTokens: 10,
      costSource: 'provider' as const,
      latencyMs: 5,
      status: 'ok' as const,
      error: null,
    };
    await record({ ...usage, costUsd: 0.85 });
    await record({ ...usage, costUsd: 0.01 });
    await quiet();
    expect(mailbox.messages.slice(mailBefore).map((mail) => mail.subject)).toEqual(['LLM budget 80 % reached']);
    const alerts = hooks.received.slice(hooksBefore).map((hook) => JSON.parse(hook.body));
    expect(alerts).toEqual([expect.objectContaining({ type: 'llm.budget_threshold', data: expect.objectContaining({ threshold: 80 }) })]);
  });

  it('keeps the daily summary settings, refusing unknown time zones and hours', async () => {
    const newcomer = await signUp(app, 'newcomer@example.com');
    const defaults = await app.inject({ method: 'GET', url: '/api/v1/notification-settings', headers: newcomer.headers });
    expect(defaults.json()).toEqual({
      summaryEnabled: true,
      summaryHour: 8,
      timeZone: 'UTC',
      summaryWhenQuiet: false,
    });
    for (const [body, path] of [
      [{ timeZone: 'Mars/Olympus_Mons' }, '/timeZone'],
      [{ timeZone: '+02:00' }, '/timeZone'],
      [{ summaryHour: 24 }, '/summaryHour'],
      [{ summaryHour: 7.5 }, '/summaryHour'],
      [{ sendAt: '08:00' }, ''],
    ] as const) {
      const response = await as('PUT', '/api/v1/notification-settings', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      if (path) expect(response.json().errors[0].path).toBe(path);
    }
    const set = await as('PUT', '/api/v1/notification-settings', { summaryHour: SUMMARY_HOUR, timeZone: 'Europe/Berlin' });
    expect(set.json()).toEqual({ summaryEnabled: true, summaryHour: SUMMARY_HOUR, timeZone: 'Europe/Berlin', summaryWhenQuiet: false });
    expect((await as('PUT', '/api/v1/notification-settings', { summaryWhenQuiet: true })).json()).toMatchObject({
      summaryHour: SUMMARY_HOUR,
      summaryWhenQuiet: true,
    });
    // Back to UTC for the summary below.
    await as('PUT', '/api/v1/notification-settings', { summaryHour: SUMMARY_HOUR, timeZone: 'UTC', summaryWhenQuiet: false });
  });

  it('produces one daily summary at the local hour, only for workspaces where something happened', async () => {
    const quietUser = await signUp(app, 'quiet@example.com');
    // The next summary hour: within a day of everything above, on a fixed clock.
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
    await relay.tick(); // the same slot again: still one summary
    await quiet();
    const summaries = mailbox.messages.slice(mailBefore);
    expect(summaries.map((mail) => mail.subject)).toEqual([`Daily summary for ${due.toISOString().slice(0, 10)}`]);
    expect(summaries[0]!.to).toMatchObject({ text: 'alice@example.com' });
    expect(summaries[0]!.text).toMatch(/site\.health_changed: 2/);
    expect(summaries[0]!.text).toMatch(/llm\.budget_threshold: 1/);
    const quietInbox = (await app.inject({ method: 'GET', url: '/api/v1/notifications', headers: quietUser.headers })).json();
    expect(quietInbox.items).toEqual([]);
  });

  it('keeps preferences per user and stops email after the unsubscribe link', async () => {
    const defaults = (await as('GET', '/api/v1/notification-preferences')).json().items;
    expect(defaults).toContainEqual({ eventType: 'site.health_changed', email: 'immediate', inApp: true });
    expect(defaults).toContainEqual({ eventType: 'analysis.succeeded', email: 'off', inApp: true });
    const set = await as('PUT', '/api/v1/notification-preferences', {
      items: [{ eventType: 'report.ready', email: 'immediate', inApp: false }],
    });
    expect(set.json().items).toContainEqual({ eventType: 'report.ready', email: 'immediate', inApp: false });

    const link = /https:\/\/siteprint\.example(\/api\/v1\/notifications\/unsubscribe\?token=[\w-]+)/.exec(mailbox.messages[0]!.text!)![1]!;
    expect((await app.inject({ method: 'GET', url: link })).json()).toEqual({ unsubscribed: true });
    expect((await app.inject({ method: 'GET', url: '/api/v1/notifications/unsubscribe?token=not-a-real-token' })).statusCode).toBe(404);
    const mailBefore = mailbox.messages.length;
    const hooksBefore = hooks.received.length;
    const port = Number(new URL(shop.url).port);
    await shop.stop();
    await check();
    await quiet();
    await shop.start(port);
    expect(mailbox.messages.length).toBe(mailBefore);
    expect(hooks.received.length).toBe(hooksBefore + 1);
  });
});
