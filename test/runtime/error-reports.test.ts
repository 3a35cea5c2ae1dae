import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrations.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import { createLogger } from '../../src/logging/logger.js';
import { createJobQueue, PermanentJobError, Priority, type JobQueue } from '../../src/queue/index.js';
import { createTestApp } from '../support/app.js';
import { createTestWorkspace } from '../support/databases.js';

/** A loopback stand-in for Sentry's ingest: it accepts envelopes as the real endpoint does and keeps their items. */
class FakeSentry {
  readonly events: Array<{ project: string; raw: string; event: Record<string, unknown> }> = [];
  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const match = /^\/api\/(\d+)\/envelope\/$/.exec(request.url?.split('?')[0] ?? '');
      if (request.method !== 'POST' || !match) {
        response.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks);
      const raw = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
      // Envelope: a header line, then pairs of item-header and item-payload lines.
      const lines = raw.split('\n').filter(Boolean);
      for (let index = 1; index + 1 < lines.length; index += 2) {
        const itemHeader = JSON.parse(lines[index]!) as { type: string };
        if (itemHeader.type === 'event') this.events.push({ project: match[1]!, raw, event: JSON.parse(lines[index + 1]!) });
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://publickey@127.0.0.1:${(this.server.address() as AddressInfo).port}/42`;
  }

  async next(predicate: (event: Record<string, unknown>) => boolean, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((entry) => predicate(entry.event));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching Sentry event within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const secrets = {
  token: 'Bearer sk-secret-token-4242',
  cookie: 'session=cookie-secret-4242',
  password: 'password-secret-4242',
  payloadKey: 'payload-api-key-4242',
};

const tagsOf = (event: Record<string, unknown>) => (event.tags ?? {}) as Record<string, unknown>;

function crashRoute(app: AppInstance, message: string): void {
  app.post('/api/v1/test-crash/:siteId', { config: { public: true } }, async () => {
    throw new Error(message);
  });
}

describe('error reports to Sentry', () => {
  const sentry = new FakeSentry();
  let dsn: string;
  let database: Database;

  beforeAll(async () => {
    dsn = await sentry.start();
    database = await openDatabase({ pgliteDir: 'memory://' });
    await runMigrations(database);
  });

  afterAll(async () => {
    await database?.close();
    await sentry.close();
  });

  const crash = (app: AppInstance, requestId: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/test-crash/site-1',
      headers: { 'x-request-id': requestId, authorization: secrets.token, cookie: secrets.cookie },
      payload: { password: secrets.password },
    });

  // First, while the process has never started reporting: the order matters, Sentry is process-wide.
  it('sends nothing when SENTRY_DSN is unset', async () => {
    const app = await createTestApp({ database });
    crashRoute(app, 'unreported failure');
    await app.ready();
    try {
      expect((await crash(app, 'no-dsn')).statusCode).toBe(500);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(sentry.events).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('reports a failing route with its pattern and request id, and no token, cookie or password', async () => {
    const app = await createTestApp({ database, env: { SENTRY_DSN: dsn } });
    crashRoute(app, 'route blew up');
    await app.ready();
    try {
      const response = await crash(app, 'req-sentry-1');
      expect(response.statusCode).toBe(500);
      const { project, raw, event } = await sentry.next((candidate) => tagsOf(candidate).request_id === 'req-sentry-1');
      expect(project).toBe('42');
      expect(tagsOf(event)).toMatchObject({ kind: 'request', route: '/api/v1/test-crash/:siteId', method: 'POST' });
      expect(JSON.stringify(event.exception)).toContain('route blew up');
      for (const secret of [secrets.token, 'sk-secret-token-4242', secrets.cookie, 'cookie-secret-4242', secrets.password]) {
        expect(raw).not.toContain(secret);
      }
      expect(raw.toLowerCase()).not.toContain('authorization');
    } finally {
      await app.close();
    }
  });

  it('reports a job that finally failed with its type and id, and not its payload', async () => {
    const workspaceId = await createTestWorkspace(database, 'Sentry jobs');
    let queue: JobQueue | undefined;
    try {
      queue = await createJobQueue({
        database,
        logger: createLogger({ level: 'silent' }),
        jobTypes: ['test.explode'],
        prefix: `test-${randomUUID()}`,
        pollIntervalMs: 50,
        leaseMs: 5_000,
      });
      await queue.work(
        {
          'test.explode': async () => {
            throw new PermanentJobError('job blew up');
          },
        },
        { concurrency: 1 },
      );
      const job = await queue.enqueue({
        workspaceId,
        type: 'test.explode',
        payload: { apiKey: secrets.payloadKey },
        priority: Priority.user,
      });
      const { raw, event } = await sentry.next((candidate) => tagsOf(candidate).job_id === job.id);
      expect(tagsOf(event)).toMatchObject({ kind: 'job', job_type: 'test.explode', attempt: 1 });
      expect(JSON.stringify(event.exception)).toContain('job blew up');
      expect(raw).not.toContain(secrets.payloadKey);
    } finally {
      await queue?.close(2_000);
    }
  });
});
