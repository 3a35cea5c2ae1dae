import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { recordNotificationEvent } from '../../src/notifications/index.js';
import { startCli, type RunningCli } from '../support/cli.js';
import { createPostgresDatabase } from '../support/databases.js';
import { serviceUrl } from '../support/services.js';
import { startSmtpListener } from '../support/smtp-listener.js';
import { callJson } from '../support/network.js';
import { until } from '../support/until.js';

const PASSWORD = 'correct horse battery';
const running: RunningCli[] = [];
afterAll(() => {
  for (const cli of running) cli.child.kill('SIGKILL');
});

/** A loopback webhook receiver that, while `hold` is set, reads a request and never answers it. */
async function startReceiver() {
  const receiver = {
    hold: true,
    seen: [] as Array<{ headers: IncomingHttpHeaders; body: string; accepted: boolean }>,
    held: [] as ServerResponse[],
    url: '',
    close: async () => {},
  };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      receiver.seen.push({ headers: request.headers, body, accepted: !receiver.hold });
      if (receiver.hold) receiver.held.push(response);
      else response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

/**
 * The outbox's delivery guarantee across a SIGKILL: a real `serve` process is killed while a
 * webhook receiver and an SMTP listener hold its sends open and other deliveries wait, then
 * started again on the same database. Every (event, channel, recipient) arrives; no email is
 * accepted twice; a webhook may arrive again, but always with the same webhook-id.
 */
describe('notification delivery across a SIGKILL', () => {
  const postgres = serviceUrl('TEST_DATABASE_URL');
  it.runIf(postgres)(
    'redelivers what was pending or in flight after a restart, without a duplicate email',
    async () => {
      const [mailbox, hooks, created] = await Promise.all([
        startSmtpListener({ hold: true }),
        startReceiver(),
        createPostgresDatabase(postgres!),
      ]);
      const env = {
        DATABASE_URL: created.url,
        DATA_DIR: mkdtempSync(path.join(tmpdir(), 'siteprint-notify-crash-')),
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        ALLOW_PRIVATE_NETWORK: 'true',
        SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`,
        NOTIFY_RELAY_INTERVAL_MS: '100',
        // A dead process's claim on a delivery lapses after 4 × 1.5 s, its job's lease after 2 s.
        NOTIFY_SEND_TIMEOUT_MS: '1500',
        JOB_LEASE_MS: '2000',
        WORKER_CONCURRENCY: '4',
      };
      const serve = () => {
        const cli = startCli(['serve'], env);
        running.push(cli);
        return cli;
      };
      const database = await openDatabase({ url: created.url, poolSize: 2 });
      try {
        const first = serve();
        const [, url] = await first.waitFor(/Siteprint is running at (http:\/\/[^"\s]+)/);
        const [, setupToken] = await first.waitFor(/give setup token (\S+) when registering/);
        await callJson(url!, 'POST', '/api/v1/auth/register', undefined, {
          email: 'ops@example.com',
          name: 'Ops',
          password: PASSWORD,
          setupToken,
        });
        const token = (await callJson(url!, 'POST', '/api/v1/auth/login', undefined, { email: 'ops@example.com', password: PASSWORD })).body
          .accessToken as string;
        const endpoint = await callJson(url!, 'POST', '/api/v1/webhooks', token, { url: hooks.url, eventTypes: ['*'] });
        expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
        // The daily summary would fall due whenever this runs at its hour, adding deliveries of its own.
        const summary = await callJson(url!, 'PUT', '/api/v1/notification-settings', token, { summaryEnabled: false });
        expect(summary.status, JSON.stringify(summary.body)).toBe(200);

        // Three failed analyses (owners are emailed those by default): six deliveries for four send slots.
        const [{ id: workspaceId }] = (await database.query<{ id: string }>(sql`select id from workspaces`)) as [{ id: string }];
        const sites = ['alpha.example', 'beta.example', 'gamma.example'];
        await database.db.transaction(async (tx) => {
          for (const site of sites)
            await recordNotificationEvent(tx, { workspaceId, type: 'analysis.failed', data: { siteName: site, error: 'fetch failed' } });
        });
        await until('an email and a webhook held in flight', () => mailbox.held > 0 && hooks.held.length > 0, 30_000);
        const pendingAtKill = await database.query<{ status: string }>(sql`select status from notification_deliveries`);
        first.child.kill('SIGKILL');
        await first.exited;
        expect(pendingAtKill.length).toBe(6);
        expect(pendingAtKill.some((row) => row.status === 'sending')).toBe(true);

        mailbox.hold = false;
        hooks.hold = false;
        for (const response of hooks.held) response.destroy();
        const second = serve();
        await second.waitFor(/Siteprint is running at/);
        let last: unknown[] = [];
        await until(
          () => `every delivery to be delivered (last seen: ${JSON.stringify(last)})`,
          async () => {
            const rows = await database.query<{ status: string; type: string; channel: string }>(
              // The restart finds the killed process's jobs stalled and tells the administrator (system.error): not counted here.
              sql`select d.status, e.type, d.channel from notification_deliveries d join notification_events e on e.id = d.event_id
                  where e.type = 'analysis.failed'`,
            );
            last = rows;
            return rows.length === 6 && rows.every((row) => row.status === 'delivered');
          },
          45_000,
        );

        // Email: each event once at the SMTP listener; the held messages were never accepted, and were sent again.
        const failures = mailbox.messages.filter((mail) => mail.subject?.startsWith('Analysis failed'));
        expect(failures.map((mail) => mail.subject).sort()).toEqual(sites.map((site) => `Analysis failed: ${site}`));
        expect(new Set(failures.map((mail) => mail.messageId)).size).toBe(3);
        // Webhooks: each event accepted; every POST of one event (held or not) carries one webhook-id.
        const byEvent = new Map<string, { ids: Set<string>; accepted: number }>();
        for (const hook of hooks.seen) {
          const eventId = (JSON.parse(hook.body) as { data: { eventId: string } }).data.eventId;
          const entry = byEvent.get(eventId) ?? { ids: new Set(), accepted: 0 };
          entry.ids.add(String(hook.headers['webhook-id']));
          entry.accepted += hook.accepted ? 1 : 0;
          byEvent.set(eventId, entry);
        }
        expect(byEvent.size).toBe(3);
        for (const entry of byEvent.values()) {
          expect(entry.ids.size).toBe(1);
          expect(entry.accepted).toBeGreaterThanOrEqual(1);
        }
        expect(hooks.seen.length).toBeGreaterThan(3); // the held ones arrived twice
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
      } finally {
        await database.close();
        await Promise.all([mailbox.close(), hooks.close()]);
        await created.drop();
      }
    },
    120_000,
  );
});
