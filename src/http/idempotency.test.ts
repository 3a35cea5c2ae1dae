import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/support/app.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import type { AppInstance } from './app.js';
import { IdempotencyRepository, registerIdempotency } from './idempotency.js';

describe('Idempotency-Key on creating requests', () => {
  let database: TestDatabase;
  let app: AppInstance;
  let created = 0;
  let failNext = false;

  beforeAll(async () => {
    database = await databaseTargets()[0]!.open();
    app = await createTestApp({ database });
    registerIdempotency(app, new IdempotencyRepository(database.db), (request) => String(request.headers['x-scope'] ?? 'default'));
    app.post(
      '/api/v1/things',
      { config: { idempotent: true }, schema: { body: z.object({ name: z.string() }) } },
      async (request, reply) => {
        if (failNext) {
          failNext = false;
          throw new Error('database hiccup');
        }
        created++;
        return reply.status(201).send({ id: randomUUID(), name: request.body.name, n: created });
      },
    );
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    await database.close();
  });

  const post = (key: string | undefined, name: string, scope = 'w1') =>
    app.inject({
      method: 'POST',
      url: '/api/v1/things',
      headers: { 'x-scope': scope, ...(key ? { 'idempotency-key': key } : {}) },
      payload: { name },
    });

  it('replays the first response for a repeated key instead of creating again', async () => {
    const first = await post('key-1', 'alpha');
    const again = await post('key-1', 'alpha');
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(created).toBe(1);
  });

  it('refuses the same key with a different request', async () => {
    await post('key-2', 'beta');
    const other = await post('key-2', 'gamma');
    expect(other.statusCode).toBe(422);
    expect(other.json().type).toBe('urn:siteprint:problem:idempotency-key-reused');
  });

  it('keeps keys apart between scopes and runs every request without a key', async () => {
    const before = created;
    await post('shared', 'delta', 'w1');
    await post('shared', 'delta', 'w2');
    await post(undefined, 'delta');
    await post(undefined, 'delta');
    expect(created - before).toBe(4);
  });

  it('frees the key after a server error so the client can try again', async () => {
    failNext = true;
    expect((await post('key-3', 'epsilon')).statusCode).toBe(500);
    const retried = await post('key-3', 'epsilon');
    expect(retried.statusCode).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
  });

  it('rejects a malformed key', async () => {
    const response = await post('x'.repeat(300), 'zeta');
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].path).toBe('/idempotency-key');
  });
});
