import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app/index.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import { SettingsRepository } from '../../src/settings/settings.repository.js';
import { ProcessWatch } from '../../src/system/process-watch.js';
import { ProcessesRepository } from '../../src/system/processes.repository.js';
import { PASSWORD, signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { FakeOAuthProvider } from '../support/fake-oauth-provider.js';
import { startSmtpListener, type SmtpListener } from '../support/smtp-listener.js';

/**
 * Runtime settings, caches and worker heartbeats over HTTP, with two API processes (two
 * applications, each with its own platform and caches) on one database, as a scaled deployment runs.
 */
describe.each(databaseTargets())('admin settings, caches and workers on $name', (target) => {
  let database: TestDatabase;
  let first: { app: AppInstance; platform: Platform };
  let second: { app: AppInstance; platform: Platform };
  let app: AppInstance;
  let admin: TestUser;
  let member: TestUser;
  let smtp: SmtpListener;
  const google = new FakeOAuthProvider('google', 'google-client', 'google-secret');

  beforeAll(async () => {
    await google.start();
    smtp = await startSmtpListener();
    database = await target.open();
    // Registration is closed before anyone registers: the first administrator's setup still works.
    await new SettingsRepository(database.db).set('registration-mode', 'closed');
    const env = {
      ...google.env(),
      PUBLIC_URL: 'http://siteprint.test',
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      MAIL_FROM: 'Siteprint <ops@siteprint.test>',
      WORKER_CONCURRENCY: '1',
      // Processes of one deployment share the signing key.
      JWT_SECRET: 'a shared signing key of the deployment, 32+ chars',
    };
    first = await createTestStack({ database, env });
    // PGlite has one process by nature; the second application matters on PostgreSQL.
    second = target.name === 'postgres' ? await createTestStack({ database, env }) : first;
    app = first.app;
    await Promise.all([first.app.ready(), second.app.ready()]);
    admin = await signUp(app, 'root@example.com');
  });

  afterAll(async () => {
    await first?.app.close();
    if (second !== first) await second?.app.close();
    await database?.close();
    await smtp?.close();
    await google.stop();
  });

  const as = (user: TestUser | null, method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown, on = app) =>
    on.inject({ method, url, headers: user ? user.headers : {}, ...(payload === undefined ? {} : { payload: payload as object }) });
  const register = (email: string) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, name: email.split('@')[0], password: PASSWORD } });
  const settings = (payload: unknown) => as(admin, 'PUT', '/api/v1/admin/settings', payload);
  const auditOf = async (action: string) =>
    (await as(admin, 'GET', `/api/v1/admin/audit?action=${action}`)).json<{
      items: Array<{ target: string; details: Record<string, unknown> }>;
    }>().items;

  /** Signs a new person in with Google through the fake provider; the callback's answer. */
  async function googleSignIn(id: string, email: string) {
    google.nextUser = { id, email, emailVerified: true, name: id };
    const start = await app.inject({ method: 'GET', url: '/api/v1/auth/oauth/google' });
    if (start.statusCode !== 302) return start;
    const atProvider = await fetch(start.headers.location!, { redirect: 'manual' });
    const callback = new URL(atProvider.headers.get('location')!);
    const cookie = start.cookies.find((c) => c.name === 'siteprint_oauth')!.value;
    return app.inject({ method: 'GET', url: callback.pathname + callback.search, cookies: { siteprint_oauth: cookie } });
  }

  it('closed registration refuses password and OAuth sign-ups but let the first administrator in', async () => {
    expect((await as(admin, 'GET', '/api/v1/auth/me')).json()).toMatchObject({ systemAdmin: true });
    const refused = await register('late@example.com');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ type: 'urn:siteprint:problem:registration-closed' });
    const oauth = await googleSignIn('g-closed', 'oauth-late@example.com');
    expect(oauth.statusCode).toBe(403);
    expect(oauth.json()).toMatchObject({ type: 'urn:siteprint:problem:registration-closed' });
    // Existing accounts still sign in.
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: admin.email, password: PASSWORD } })).statusCode,
    ).toBe(200);
  });

  it('shows the settings with what the environment decides, to system administrators only', async () => {
    const shown = await as(admin, 'GET', '/api/v1/admin/settings');
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toEqual({
      registrationMode: 'closed',
      allowedOAuthProviders: null,
      llmDefaultMonthlyBudgetUsd: null,
      defaultQuotas: {},
      environment: {
        configuredOAuthProviders: ['google'],
        llmMonthlyBudgetUsd: 20,
        smtpConfigured: true,
        mailFrom: 'Siteprint <ops@siteprint.test>',
      },
    });
    expect((await settings({ registrationMode: 'open' })).statusCode).toBe(200);
    member = await signUp(app, 'member@example.com');
    for (const [method, url] of [
      ['GET', '/api/v1/admin/settings'],
      ['PUT', '/api/v1/admin/settings'],
      ['POST', '/api/v1/admin/settings/smtp-test'],
      ['GET', '/api/v1/admin/caches'],
      ['POST', '/api/v1/admin/caches/site-lists/clear'],
    ] as const) {
      expect((await as(null, method, url, method === 'GET' ? undefined : {})).statusCode, url).toBe(401);
      const forbidden = await as(member, method, url, method === 'GET' ? undefined : {});
      expect(forbidden.statusCode, url).toBe(403);
      expect(forbidden.headers['content-type']).toMatch(/problem\+json/);
    }
  });

  it('validates changes and audits each with its before and after', async () => {
    for (const bad of [
      { registrationMode: 'sometimes' },
      { allowedOAuthProviders: ['gitlab'] },
      { allowedOAuthProviders: ['google', 'google'] },
      { llmDefaultMonthlyBudgetUsd: -1 },
      { defaultQuotas: { sites: -2 } },
      { smtpUrl: 'smtp://elsewhere' },
    ]) {
      const response = await settings(bad);
      expect(response.statusCode, JSON.stringify(bad)).toBe(400);
      expect(response.headers['content-type']).toMatch(/problem\+json/);
    }
    // A provider without credentials in the environment cannot be allowed.
    const unconfigured = await settings({ allowedOAuthProviders: ['github'] });
    expect(unconfigured.statusCode).toBe(400);
    expect(unconfigured.json().errors).toEqual([expect.objectContaining({ in: 'body', path: '/allowedOAuthProviders' })]);
    expect((await as(admin, 'GET', '/api/v1/admin/settings')).json()).toMatchObject({
      registrationMode: 'open',
      allowedOAuthProviders: null,
    });

    const changed = await settings({ llmDefaultMonthlyBudgetUsd: 5, defaultQuotas: { sites: 50 } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ llmDefaultMonthlyBudgetUsd: 5, defaultQuotas: { sites: 50 } });
    // One home for the default quotas: the quota-defaults resource shows the same.
    expect((await as(admin, 'GET', '/api/v1/admin/quota-defaults')).json()).toEqual({ sites: 50 });
    const [entry] = await auditOf('admin.settings-changed');
    expect(entry).toMatchObject({ target: 'settings', details: { changed: { llmDefaultMonthlyBudgetUsd: { from: null, to: 5 } } } });
    expect(await auditOf('admin.quota-defaults-changed')).toHaveLength(1);
  });

  it('the default LLM budget applies to workspaces that set none, at once in every process', async () => {
    const budget = await as(member, 'GET', '/api/v1/llm/budget', undefined, second.app);
    expect(budget.json()).toMatchObject({ monthlyUsd: 5, source: 'default', defaultMonthlyUsd: 5 });
    expect((await settings({ llmDefaultMonthlyBudgetUsd: null })).statusCode).toBe(200);
    expect((await as(member, 'GET', '/api/v1/llm/budget', undefined, second.app)).json()).toMatchObject({
      monthlyUsd: 20,
      defaultMonthlyUsd: 20,
    });
  });

  it('invite-only registration admits only an invited address, by password and OAuth alike', async () => {
    expect((await settings({ registrationMode: 'invite-only' })).statusCode).toBe(200);
    const refused = await register('stranger@example.com');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ type: 'urn:siteprint:problem:invitation-required' });
    expect((await googleSignIn('g-stranger', 'oauth-stranger@example.com')).statusCode).toBe(403);
    for (const email of ['Invited@Example.com', 'oauth-invited@example.com']) {
      const invited = await as(member, 'POST', '/api/v1/workspace/invitations', { email, role: 'viewer' });
      expect(invited.statusCode, invited.body).toBe(201);
    }
    // The other API process enforces the mode just the same.
    const admitted = await second.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: 'invited@example.com', name: 'Invited', password: PASSWORD },
    });
    expect(admitted.statusCode, admitted.body).toBe(201);
    const viaOAuth = await googleSignIn('g-invited', 'oauth-invited@example.com');
    expect(viaOAuth.statusCode, viaOAuth.body).toBe(200);
    expect((await settings({ registrationMode: 'open' })).statusCode).toBe(200);
    expect((await register('anyone@example.com')).statusCode).toBe(201);
  });

  it('allowed OAuth providers decide the providers list and the OAuth start and callback', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/providers' })).json()).toEqual({ providers: ['google'] });
    const start = await app.inject({ method: 'GET', url: '/api/v1/auth/oauth/google' });
    expect(start.statusCode).toBe(302);
    expect((await settings({ allowedOAuthProviders: [] })).statusCode).toBe(200);
    expect((await second.app.inject({ method: 'GET', url: '/api/v1/auth/providers' })).json()).toEqual({ providers: [] });
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/oauth/google' })).statusCode).toBe(404);
    // A sign-in started before the switch is refused at the callback.
    const atProvider = await fetch(start.headers.location!, { redirect: 'manual' });
    const callback = new URL(atProvider.headers.get('location')!);
    const cookie = start.cookies.find((c) => c.name === 'siteprint_oauth')!.value;
    const late = await app.inject({ method: 'GET', url: callback.pathname + callback.search, cookies: { siteprint_oauth: cookie } });
    expect(late.statusCode).toBe(404);
    expect((await settings({ allowedOAuthProviders: ['google'] })).json()).toMatchObject({ allowedOAuthProviders: ['google'] });
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/providers' })).json()).toEqual({ providers: ['google'] });
  });

  it('sends an SMTP test email through SMTP_URL, audited, and reports a server that does not take it', async () => {
    const sent = await as(admin, 'POST', '/api/v1/admin/settings/smtp-test', {});
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json()).toMatchObject({ to: admin.email, response: expect.stringMatching(/^250/) });
    // Invitations sent earlier went through the same server; the tests are what this is about.
    const tests = () => smtp.messages.filter((message) => message.subject === 'Siteprint SMTP test');
    await expect.poll(() => tests().length).toBe(1);
    expect(tests()[0]).toMatchObject({
      subject: 'Siteprint SMTP test',
      to: { text: admin.email },
      from: { text: expect.stringContaining('ops@siteprint.test') },
    });
    expect((await as(admin, 'POST', '/api/v1/admin/settings/smtp-test', { to: 'ops@example.net' })).statusCode).toBe(200);
    expect(tests()[1]?.to).toMatchObject({ text: 'ops@example.net' });
    expect((await as(admin, 'POST', '/api/v1/admin/settings/smtp-test', { to: 'not an address' })).statusCode).toBe(400);
    await smtp.close();
    const failed = await as(admin, 'POST', '/api/v1/admin/settings/smtp-test', {});
    expect(failed.statusCode).toBe(422);
    expect(failed.json()).toMatchObject({ type: 'urn:siteprint:problem:smtp-failed', detail: expect.stringContaining('ECONNREFUSED') });
    const audited = await auditOf('admin.smtp-tested');
    expect(audited.map((entry) => entry.details.ok)).toEqual([false, true, true]);
  });

  it('lists the caches with entries and hit rates, and clearing one reaches the other process', async () => {
    // The member's sites list is remembered by the second process.
    for (let i = 0; i < 3; i++) expect((await as(member, 'GET', '/api/v1/sites', undefined, second.app)).statusCode).toBe(200);
    const listed = await as(admin, 'GET', '/api/v1/admin/caches', undefined, second.app);
    expect(listed.statusCode, listed.body).toBe(200);
    const body = listed.json<{
      items: Array<{ name: string; entries: number; hits: number; misses: number; hitRate: number | null }>;
      process: { pid: number };
    }>();
    expect(body.items.map((cache) => cache.name)).toEqual(['quota-limits', 'robots-txt', 'session-access', 'site-lists']);
    expect(body.process.pid).toBe(process.pid);
    const siteLists = body.items.find((cache) => cache.name === 'site-lists')!;
    expect(siteLists).toMatchObject({ entries: 1, hits: 2, misses: 1 });
    expect(siteLists.hitRate).toBeCloseTo(2 / 3);
    expect(body.items.find((cache) => cache.name === 'session-access')!.hits).toBeGreaterThan(0);

    const cleared = await as(admin, 'POST', '/api/v1/admin/caches/site-lists/clear', {});
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json()).toMatchObject({ name: 'site-lists' });
    const entriesIn = async (on: AppInstance) =>
      (await as(admin, 'GET', '/api/v1/admin/caches', undefined, on))
        .json<{ items: Array<{ name: string; entries: number }> }>()
        .items.find((cache) => cache.name === 'site-lists')!.entries;
    await expect.poll(() => entriesIn(second.app), { timeout: 5_000, interval: 20 }).toBe(0);
    const [entry] = await auditOf('admin.cache-cleared');
    // The answering process held none (another did), unless it is the only one.
    expect(entry).toMatchObject({ target: 'cache:site-lists', details: { dropped: second === first ? 1 : 0, pid: process.pid } });

    expect((await as(admin, 'POST', '/api/v1/admin/caches/no-such-cache/clear', {})).statusCode).toBe(404);
    expect((await as(admin, 'POST', '/api/v1/admin/caches/Bad%20Name/clear', {})).statusCode).toBe(400);
  });

  it('shows the heartbeats of processes running jobs, flags stale ones, and counts running jobs', async () => {
    await second.platform.runJobs('server');
    const processes = new ProcessesRepository(database.db);
    // A worker that died a minute ago without recording its stop.
    const lastBeat = new Date(Date.now() - 60_000);
    const dead = await processes.register({
      role: 'worker',
      queue: 'bullmq',
      host: 'gone.example',
      pid: 4242,
      version: '0.0.0',
      concurrency: 4,
      startedAt: new Date(Date.now() - 3_600_000),
    });
    await processes.heartbeat(dead.id, 2, lastBeat);
    // One that stopped cleanly is no worker any more.
    const gone = await processes.register({
      role: 'worker',
      queue: 'bullmq',
      host: 'gone.example',
      pid: 4243,
      version: '0.0.0',
      concurrency: 4,
    });
    await processes.stopped(gone.id);
    const system = (await as(admin, 'GET', '/api/v1/admin/system')).json<{
      workers: { items: Array<Record<string, unknown>>; staleAfterSeconds: number };
    }>();
    expect(system.workers.staleAfterSeconds).toBe((3 * second.platform.config.WORKER_HEARTBEAT_MS) / 1000);
    expect(system.workers.items).toEqual([
      expect.objectContaining({ id: dead.id, stale: true, jobsRunning: 2, lastBeatAt: lastBeat.toISOString() }),
      expect.objectContaining({ queue: 'embedded', pid: process.pid, concurrency: 1, jobsRunning: 0, stale: false }),
    ]);

    // Jobs running are counted by the handlers the registry wraps, and written with the next beat.
    const watch = new ProcessWatch({
      repository: processes,
      role: 'server',
      queue: 'embedded',
      version: 'test',
      concurrency: 1,
      report: async () => {},
      logger: second.platform.logger,
      heartbeatMs: 60_000,
      host: 'watched.example',
    });
    let finish!: () => void;
    const handlers = watch.track({ slow: () => new Promise<void>((resolve) => (finish = resolve)) });
    await watch.start();
    const running = handlers.slow!({} as never);
    await watch.beat();
    const rowOf = async () => (await processes.unstopped(60_000)).find((row) => row.id === watch.id);
    expect(await rowOf()).toMatchObject({ jobsRunning: 1, host: 'watched.example' });
    finish();
    await running;
    await watch.beat();
    expect(await rowOf()).toMatchObject({ jobsRunning: 0 });
    await watch.stop();
    expect(await rowOf()).toBeUndefined();
    await database.db.execute(sql`delete from worker_processes where host = 'gone.example'`);

    // A process that closes records its clean stop and leaves the panel.
    await second.app.close();
    expect(await processes.unstopped(3_600_000)).toEqual([]);
  });
});
