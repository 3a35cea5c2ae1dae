import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, signUp } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import type { AppInstance } from '../http/app.js';
import { LoginLimiter, MemoryAttemptStore, type LoginAttempt } from './login-limiter.js';

const limits = { perAccount: 3, perIp: 5, windowMs: 60_000 };

function proceeds(result: LoginAttempt | { retryAfter: number }): LoginAttempt {
  if ('retryAfter' in result) throw new Error(`blocked for ${result.retryAfter}s`);
  return result;
}

describe('LoginLimiter', () => {
  it('blocks an account after its limit until the window ends, and a success forgives it', async () => {
    let now = 1_000_000;
    const limiter = new LoginLimiter(new MemoryAttemptStore(() => now), limits, () => now);
    for (let attempt = 0; attempt < 3; attempt += 1) proceeds(await limiter.begin('Ada@example.com', '192.0.2.1'));
    now += 20_000;
    expect(await limiter.begin('ada@EXAMPLE.com', '192.0.2.2')).toEqual({ retryAfter: 40 });
    now += 40_000;
    const afterWindow = proceeds(await limiter.begin('ada@example.com', '192.0.2.1'));
    await afterWindow.succeeded();
    for (let attempt = 0; attempt < 3; attempt += 1) proceeds(await limiter.begin('ada@example.com', '192.0.2.3'));
  });

  it('counts failures per address across accounts, but not successful sign-ins', async () => {
    const limiter = new LoginLimiter(new MemoryAttemptStore(), limits);
    for (let attempt = 0; attempt < 10; attempt += 1) await proceeds(await limiter.begin(`user${attempt}@example.com`, '192.0.2.9')).succeeded();
    for (let attempt = 0; attempt < 5; attempt += 1) proceeds(await limiter.begin(`spray${attempt}@example.com`, '192.0.2.9'));
    expect(await limiter.begin('someone@example.com', '192.0.2.9')).toMatchObject({ retryAfter: 60 });
    proceeds(await limiter.begin('someone@example.com', '192.0.2.10'));
  });
});

// The limiter holds no database state, so one database is enough for the HTTP check.
describe('login throttling under a burst of parallel guesses', () => {
  let database: TestDatabase;
  let app: AppInstance;

  beforeAll(async () => {
    database = await databaseTargets()[0]!.open();
    app = await createTestApp({ database });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    await database.close();
  });

  it('lets only the allowed number of guesses reach the password check', async () => {
    await signUp(app, 'burst@example.com');
    const guesses = await Promise.all(
      Array.from({ length: 12 }, (_, n) =>
        app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: `198.51.100.${n}`, payload: { email: 'burst@example.com', password: `guess number ${n}` } }),
      ),
    );
    const statuses = guesses.map((response) => response.statusCode).sort();
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(7).fill(429)]);
    for (const limited of guesses.filter((response) => response.statusCode === 429)) {
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.headers['content-type']).toContain('application/problem+json');
    }
    const rightPassword = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'burst@example.com', password: PASSWORD } });
    expect(rightPassword.statusCode).toBe(429);
  });
});
