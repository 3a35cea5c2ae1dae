import SwaggerParser from '@apidevtools/swagger-parser';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/client.js';
import { runMigrations } from '../db/migrations.js';
import { createTestApp, LogCapture } from '../../test/support/app.js';
import type { AppInstance } from './app-instance.js';
import { HttpProblem } from './problem.js';

let database: Database;
let app: AppInstance;
const logs = new LogCapture();

beforeAll(async () => {
  database = await openDatabase({ pgliteDir: 'memory://' });
  await runMigrations(database);
  app = await createTestApp({ database, logs, env: { BODY_LIMIT_BYTES: '2048', CORS_ORIGINS: 'https://ui.example' } });
  // A schema'd route exercising the shared request pipeline the product routes go through.
  // Public test routes: the shared pipeline is under test here, not authentication (see src/http/auth.test.ts).
  app.post(
    '/api/v1/echo',
    {
      config: { public: true },
      schema: {
        body: z.object({ name: z.string().min(2), count: z.number().int().positive() }),
        response: { 200: z.object({ name: z.string(), count: z.number() }) },
      },
    },
    async (request) => request.body,
  );
  app.get('/api/v1/conflict', { config: { public: true } }, async () => {
    throw new HttpProblem(409, 'Site already exists in this workspace');
  });
  app.get('/api/v1/crash', { config: { public: true } }, async () => {
    throw new Error('database password is hunter2');
  });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await database.close();
});

const problemContentType = /^application\/problem\+json/;

describe('health', () => {
  it('is live and ready with the database migrated', async () => {
    expect((await app.inject('/health/live')).json()).toEqual({ status: 'live' });
    const ready = await app.inject('/health/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({
      status: 'ready',
      checks: { database: { ok: true }, migrations: { ok: true }, queue: { ok: true } },
    });
  });

  it('answers 503 when the queue backend is unreachable', async () => {
    const unreachable = await createTestApp({ database, env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      const ready = await unreachable.inject('/health/ready');
      expect(ready.statusCode).toBe(503);
      expect(ready.json().checks).toMatchObject({ database: { ok: true }, queue: { ok: false } });
    } finally {
      await unreachable.close();
    }
  });

  it('answers 503 naming the failing dependency', async () => {
    const empty = await openDatabase({ pgliteDir: 'memory://' });
    const unmigrated = await createTestApp({ database: empty });
    try {
      const ready = await unmigrated.inject('/health/ready');
      expect(ready.statusCode).toBe(503);
      expect(ready.json().checks.migrations).toEqual({ ok: false, detail: expect.stringMatching(/^0 of \d+ migrations/) });
      expect(ready.json().checks.database).toEqual({ ok: true });
    } finally {
      await unmigrated.close();
      await empty.close();
    }
  });
});

describe('errors are RFC 9457 problem+json', () => {
  it('404s unknown routes', async () => {
    const response = await app.inject('/api/v1/nothing-here?x=1');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(problemContentType);
    expect(response.json()).toMatchObject({
      type: 'urn:siteprint:problem:not-found',
      title: 'Not Found',
      status: 404,
      detail: 'No route for GET /api/v1/nothing-here',
    });
  });

  it('400s a malformed JSON body', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "ab",',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(problemContentType);
    expect(response.json()).toMatchObject({ status: 400, title: 'Bad Request', detail: expect.stringMatching(/JSON/) });
  });

  it('400s a body with prototype keys, naming the key and where it is', async () => {
    for (const [payload, path] of [
      ['{"name": "ab", "count": 1, "__proto__": {"admin": true}}', '/__proto__'],
      ['{"name": "ab", "count": 1, "nested": [{"constructor": {"prototype": {"admin": true}}}]}', '/nested/0/constructor/prototype'],
    ] as const) {
      const response = await app.inject({ method: 'POST', url: '/api/v1/echo', headers: { 'content-type': 'application/json' }, payload });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(problemContentType);
      const body = response.json();
      expect(body.type).toBe('urn:siteprint:problem:forbidden-json-key');
      expect(body.detail).toContain(path);
      expect(body.detail).toMatch(/__proto__, constructor\.prototype\) are refused/);
      expect(body.detail).not.toMatch(/not valid JSON/);
      expect(body.errors).toEqual([{ in: 'body', path, message: expect.any(String) }]);
    }
    // The words themselves are ordinary data.
    const harmless = await app.inject({ method: 'POST', url: '/api/v1/echo', payload: { name: '__proto__', count: 1, constructor: 'x' } });
    expect(harmless.statusCode).toBe(200);
  });

  it('400s schema violations with an error per field', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/echo', payload: { name: 'a', count: -1 } });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.type).toBe('urn:siteprint:problem:validation');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: 'body', path: '/name' }),
        expect.objectContaining({ in: 'body', path: '/count' }),
      ]),
    );
  });

  it('413s a body over the limit and 415s an unsupported media type', async () => {
    const tooLarge = await app.inject({
      method: 'POST',
      url: '/api/v1/echo',
      payload: { name: 'x'.repeat(5000), count: 1 },
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.headers['content-type']).toMatch(problemContentType);
    const unsupported = await app.inject({
      method: 'POST',
      url: '/api/v1/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect(unsupported.statusCode).toBe(415);
    expect(unsupported.json().status).toBe(415);
  });

  it('turns an HttpProblem into its status', async () => {
    const response = await app.inject('/api/v1/conflict');
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ title: 'Conflict', detail: 'Site already exists in this workspace' });
  });

  it('hides the cause of a 500 from the client but logs it with the request id', async () => {
    const response = await app.inject({ url: '/api/v1/crash', headers: { 'x-request-id': 'trace-500' } });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/hunter2|at .*\.ts/);
    expect(response.json()).toMatchObject({ status: 500, requestId: 'trace-500' });
    const logged = logs.lines.map((line) => JSON.parse(line)).find((line) => line.requestId === 'trace-500' && line.err);
    expect(logged?.err.message).toBe('database password is hunter2');
  });
});

describe('request ids', () => {
  it('honours a sane X-Request-Id and returns it', async () => {
    const response = await app.inject({ url: '/health/live', headers: { 'x-request-id': 'abc-123' } });
    expect(response.headers['x-request-id']).toBe('abc-123');
  });

  it('replaces an unsafe one with a generated id', async () => {
    const response = await app.inject({ url: '/health/live', headers: { 'x-request-id': 'bad id\nwith newline' } });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('OpenAPI and Swagger UI', () => {
  it('serves a valid OpenAPI 3.1 document', async () => {
    const response = await app.inject('/api/v1/openapi.json');
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    expect(document.paths['/api/v1/version']).toBeDefined();
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeDefined();
  });

  it('serves Swagger UI with the same document', async () => {
    const page = await app.inject('/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('swagger-ui');
    expect(page.body).toContain('<title>Siteprint API</title>');
    const favicon = /<link rel="icon" type="image\/svg\+xml" href="\.\/([^"]+)"/.exec(page.body)?.[1];
    expect((await app.inject(`/docs/${favicon}`)).body).toContain('fill="#228be6"');
    const initializer = await app.inject('/docs/static/swagger-initializer.js');
    expect(initializer.body).toContain(
      `data:image/svg+xml;base64,${Buffer.from((await app.inject(`/docs/${favicon}`)).body).toString('base64')}`,
    );
    const uiDocument = await app.inject('/docs/json');
    expect(uiDocument.json()).toEqual((await app.inject('/api/v1/openapi.json')).json());
  });
});

describe('security headers and CORS', () => {
  it('sets helmet headers', async () => {
    const response = await app.inject('/health/live');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('sends HSTS only over HTTPS, which behind a proxy counts only with TRUST_PROXY', async () => {
    const overHttps = { url: '/health/live', headers: { 'x-forwarded-proto': 'https' } };
    expect((await app.inject('/health/live')).headers['strict-transport-security']).toBeUndefined();
    // Without TRUST_PROXY anyone can send the header, so it proves nothing.
    expect((await app.inject(overHttps)).headers['strict-transport-security']).toBeUndefined();
    const proxied = await createTestApp({ database, env: { TRUST_PROXY: 'true' } });
    try {
      expect((await proxied.inject(overHttps)).headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(
        (await proxied.inject({ url: '/health/live', headers: { 'x-forwarded-proto': 'http' } })).headers['strict-transport-security'],
      ).toBeUndefined();
    } finally {
      await proxied.close();
    }
  });

  it('allows configured origins only', async () => {
    const allowed = await app.inject({ url: '/api/v1/version', headers: { origin: 'https://ui.example' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://ui.example');
    const other = await app.inject({ url: '/api/v1/version', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('version and metrics', () => {
  it('reports the version and database kind', async () => {
    expect((await app.inject('/api/v1/version')).json()).toMatchObject({ name: 'siteprint', database: 'pglite' });
  });

  it('exposes request durations by route pattern, plus process metrics', async () => {
    await app.inject('/api/v1/version');
    await app.inject('/api/v1/unknown/123');
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/version",status_code="200"\} \d+/);
    expect(metrics).toMatch(/http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} \d+/);
    expect(metrics).not.toContain('/api/v1/unknown/123');
    expect(metrics).toContain('process_cpu_user_seconds_total');
  });
});
