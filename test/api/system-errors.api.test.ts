import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../src/app/platform.js';
import { startWorker } from '../../src/app/worker.js';
import { loadConfig } from '../../src/config/index.js';
import { openDatabase } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrations.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import { createLogger } from '../../src/logging/logger.js';
import { createJobQueue, Priority } from '../../src/queue/index.js';
import { ProcessesRepository } from '../../src/system/processes.repository.js';
import { JOB_TYPES } from '../../src/pipeline/job-types.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestStack, LogCapture } from '../support/app.js';
import { createPostgresDatabase } from '../support/databases.js';
import { serviceUrl } from '../support/services.js';
import { startSmtpListener, type SmtpListener } from '../support/smtp-listener.js';
import { until } from '../support/until.js';

/** A TCP relay to PostgreSQL that can be cut (every connection dropped, new ones refused) and restored on the same port. */
async function startDatabaseProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  await listen();
  return {
    url: () => Object.assign(new URL(target.href), { hostname: '127.0.0.1', port: String(port) }).href,
    cut: async () => {
      const closed = new Promise((resolve) => server!.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    restore: listen,
  };
}

/**
 * `system.error` end to end on PostgreSQL and Redis: trouble noticed where it happens (a BullMQ
 * job whose worker stops renewing its lock, a worker that loses its database, workers on one host
 * that keep dying) is recorded into the outbox once per cool-down and reaches the system
 * administrator's inbox (a real SMTP listener) and bell, and no one else's.
 */
describe('system errors for system administrators', () => {
  const postgres = serviceUrl('TEST_DATABASE_URL');
  const redis = serviceUrl('TEST_REDIS_URL');
  const enabled = Boolean(postgres && redis);
  let created: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let mailbox: SmtpListener;
  let app: AppInstance;
  let platform: Platform;
  let admin: TestUser;
  let member: TestUser;
  const prefix = `sysalert-${randomUUID()}`;
  const env = () => ({
    DATABASE_URL: created.url,
    REDIS_URL: redis!,
    QUEUE_PREFIX: prefix,
    SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`,
    PUBLIC_URL: 'https://siteprint.example',
    NOTIFY_RELAY_INTERVAL_MS: '100',
    JOB_LEASE_MS: '1000',
    WORKER_HEARTBEAT_MS: '200',
  });

  beforeAll(async () => {
    if (!enabled) return;
    [mailbox, created] = await Promise.all([startSmtpListener(), createPostgresDatabase(postgres!)]);
    const database = await openDatabase({ url: created.url, poolSize: 4 });
    await runMigrations(database);
    ({ app, platform } = await createTestStack({ database, env: env() }));
    app.addHook('onClose', () => database.close());
    await app.ready();
    admin = await signUp(app, 'root@example.com'); // the first account: the system administrator
    member = await signUp(app, 'member@example.com');
  });

  afterAll(async () => {
    if (!enabled) return;
    await app?.close();
    await mailbox?.close();
    await created?.drop();
  });

  const systemMail = (kind: string) => mailbox.messages.filter((mail) => mail.subject?.startsWith(`System error: ${kind}`));
  const bell = async (user: TestUser) =>
    (await app.inject({ method: 'GET', url: '/api/v1/notifications', headers: user.headers })).json().items as Array<{
      type: string;
      title: string;
      link: string;
    }>;

  it.runIf(enabled)('a BullMQ job whose worker stops renewing its lock alerts the system administrator once', async () => {
    const logger = createLogger({ level: 'fatal', destination: new LogCapture() });
    // Worker A takes the job and hangs; then its Redis connection goes, as a dead process's would.
    const workerA = await createJobQueue({
      database: platform.database,
      logger,
      redisUrl: redis,
      jobTypes: JOB_TYPES,
      prefix,
      leaseMs: 1000,
    });
    await workerA.work({ check_site: () => new Promise(() => undefined) }, { concurrency: 1 });
    const job = await platform.queue.enqueue({ workspaceId: member.workspaceId, type: 'check_site', payload: {}, priority: Priority.user });
    const status = async () => (await platform.repositories.jobs.get(job.id))?.status;
    await until('worker A to take the job', async () => (await status()) === 'running');
    await workerA.close(0);

    // Worker B (the platform, which reports what its queue notices) finds it stalled and runs it.
    await platform.queue.work({ ...platform.handlers, check_site: async () => ({ ok: true }) }, { concurrency: 1 });
    await until('worker B to finish the stalled job', async () => (await status()) === 'succeeded');
    await until('the alert email', () => systemMail('queue stalled').length > 0);
    const [mail] = systemMail('queue stalled');
    expect(mail!.subject).toBe('System error: queue stalled (check_site)');
    expect(mail!.to).toMatchObject({ text: 'root@example.com' });
    expect(mail!.text).toContain(job.id);
    expect(mail!.text).toContain('https://siteprint.example/admin');
    expect(mail!.text).toMatch(/Unsubscribe from these emails: https:\/\/siteprint\.example\/api\/v1\/notifications\/unsubscribe\?token=/);

    // In the administrator's bell, in whichever workspace; not in a plain member's.
    expect(await bell(admin)).toContainEqual(expect.objectContaining({ type: 'system.error', title: mail!.subject }));
    expect((await bell(member)).filter((item) => item.type === 'system.error')).toEqual([]);
  });

  it.runIf(enabled)('the same trouble reported at once and again within the cool-down is one event', async () => {
    const report = platform.notifications.systemErrors.report;
    const stall = { kind: 'queue.stalled' as const, subject: 'extract_batch', message: 'stalled' };
    await Promise.all(Array.from({ length: 5 }, () => report(stall)));
    await report(stall);
    await report({ ...stall, subject: 'generate_report' });
    const rows = await platform.database.query<{ subject: string }>(
      sql`select data->>'subject' as subject from notification_events where type = 'system.error' and data->>'kind' = 'queue.stalled'`,
    );
    expect(rows.map((row) => row.subject).sort()).toEqual(['check_site', 'extract_batch', 'generate_report']);
  });

  it.runIf(enabled)('a worker that loses its database reports the outage once it can reach it again', async () => {
    const proxy = await startDatabaseProxy(new URL(created.url));
    const dataDir = mkdtempSync(path.join(tmpdir(), 'siteprint-sysalert-'));
    const logs = new LogCapture();
    const worker = await startWorker(
      loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, ...env(), DATABASE_URL: proxy.url(), SHUTDOWN_TIMEOUT_MS: '1000' }),
      createLogger({ level: 'info', destination: logs }),
    );
    try {
      await proxy.cut();
      await until('the worker to notice', () => logs.text.includes('the database is unreachable from this process'));
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(systemMail('database unreachable')).toEqual([]);
      await proxy.restore();
      await until('the outage alert', () => systemMail('database unreachable').length > 0);
      const [mail] = systemMail('database unreachable');
      expect(mail!.subject).toMatch(/^System error: database unreachable from a worker \(worker@.+\)$/);
      expect(mail!.text).toMatch(/The database was unreachable from worker .+ for about \d+ s/);
      expect(mail!.to).toMatchObject({ text: 'root@example.com' });
    } finally {
      await worker.close();
    }
  });

  it.runIf(enabled)('workers on one host that keep dying are a crash loop, told once', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'siteprint-sysalert-'));
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, ...env(), SHUTDOWN_TIMEOUT_MS: '1000' });
    const logger = createLogger({ level: 'fatal', destination: new LogCapture() });
    // Workers that stop cleanly are no crash loop.
    for (let i = 0; i < 3; i++) await (await startWorker(config, logger)).close();
    // What three killed workers leave behind: a registered start, no stop, no heartbeat since.
    const processes = new ProcessesRepository(platform.database.db);
    for (let i = 0; i < 3; i++)
      await processes.register({ role: 'worker', queue: 'bullmq', host: hostname(), pid: 100_000 + i, version: 'test', concurrency: 1 });
    await new Promise((resolve) => setTimeout(resolve, 700)); // silent for three heartbeats: dead
    await (await startWorker(config, logger)).close();
    await (await startWorker(config, logger)).close(); // still looping, within the cool-down
    await until('the crash-loop alert', () => systemMail('worker crash loop').length > 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const mails = systemMail('worker crash loop');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`System error: worker crash loop (worker@${hostname()})`);
    expect(mails[0]!.text).toMatch(/3 worker processes on .+ died without stopping in the last 10 minutes/);
  });
});
