import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, signUp } from '../../test/support/accounts.js';
import { createTestApp } from '../../test/support/app.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { serviceUrl } from '../../test/support/services.js';
import type { AppInstance } from '../http/app-instance.js';
import { LoginLimiter, MemoryAttemptStore, type AttemptStore, type LoginAttempt } from './login-limiter.js';
import { RedisAttemptStore } from './redis-attempt-store.js';

const limits = { perAccountAndAddress: 3, perAddress: 5, windowMs: 60_000 };

function proceeds(result: LoginAttempt | { retryAfter: number }): LoginAttempt {
  if ('retryAfter' in result) throw new Error(`blocked for ${result.retryAfter}s`);
  return result;
}

describe('LoginLimiter', () => {
  it('blocks an account from one address after its limit until the window ends, and a success forgives it', async () => {
    let now = 1_000_000;
    const limiter = new LoginLimiter(new MemoryAttemptStore(() => now), limits, () => now);
    for (let attempt = 0; attempt < 3; attempt += 1) proceeds(await limiter.begin('Ada@example.com', '192.0.2.1'));
    now += 20_000;
    expect(await limiter.begin('ada@EXAMPLE.com', '192.0.2.1')).toEqual({ retryAfter: 40 });
    // The same account from another address is not held back by the guesses made elsewhere.
    await proceeds(await limiter.begin('ada@example.com', '192.0.2.2')).succeeded();
    now += 40_000;
    const afterWindow = proceeds(await limiter.begin('ada@example.com', '192.0.2.1'));
    await afterWindow.succeeded();
    for (let attempt = 0; attempt < 3; attempt += 1) proceeds(await limiter.begin('ada@example.com', '192.0.2.1'));
  });

  it('counts an IPv6 /64 as one address, and an IPv4-mapped address as its IPv4 one', async () => {
    const limiter = new LoginLimiter(new MemoryAttemptStore(), limits);
    for (let host = 1; host <= 5; host += 1) proceeds(await limiter.begin(`user${host}@example.com`, `2001:db8:1:2::${host}`));
    expect(await limiter.begin('other@example.com', '2001:db8:1:2:ffff::9')).toMatchObject({ retryAfter: 60 });
    proceeds(await limiter.begin('other@example.com', '2001:db8:1:3::1'));
    for (let attempt = 0; attempt < 3; attempt += 1) proceeds(await limiter.begin('ada@example.com', '::ffff:192.0.2.7'));
    expect(await limiter.begin('ada@example.com', '192.0.2.7')).toMatchObject({ retryAfter: 60 });
  });
});

const redisUrl = serviceUrl('TEST_REDIS_URL');
const stores: Array<{ name: string; open: () => { store: AttemptStore; close: () => Promise<void> } }> = [
  { name: 'memory', open: () => ({ store: new MemoryAttemptStore(), close: async () => undefined }) },
];
if (redisUrl) {
  stores.push({
    name: 'Redis',
    open: () => {
      const store = RedisAttemptStore.connect(redisUrl, `test-${randomUUID()}`);
      return { store, close: () => store.close() };
    },
  });
}

describe.each(stores)('LoginLimiter counting in $name', ({ open }) => {
  const opened: Array<() => Promise<void>> = [];
  const openStore = () => {
    const { store, close } = open();
    opened.push(close);
    return store;
  };
  afterAll(() => Promise.all(opened.map((close) => close())));

  it('counts failures per address across accounts, but not successful sign-ins', async () => {
    const limiter = new LoginLimiter(openStore(), limits);
    for (let attempt = 0; attempt < 10; attempt += 1)
      await proceeds(await limiter.begin(`user${attempt}@example.com`, '192.0.2.9')).succeeded();
    for (let attempt = 0; attempt < 5; attempt += 1) proceeds(await limiter.begin(`spray${attempt}@example.com`, '192.0.2.9'));
    expect(await limiter.begin('someone@example.com', '192.0.2.9')).toMatchObject({ retryAfter: 60 });
    proceeds(await limiter.begin('someone@example.com', '192.0.2.10'));
  });

  it('ends a window when it expires, and never gives back more attempts than were counted', async () => {
    const store = openStore();
    expect(await store.hit('ip:203.0.113.1', 200)).toMatchObject({ count: 1 });
    await store.release('ip:203.0.113.1');
    await store.release('ip:203.0.113.1');
    expect((await store.hit('ip:203.0.113.1', 200)).count).toBe(1);
    expect((await store.hit('ip:203.0.113.1', 200)).count).toBe(2);
    await expect.poll(async () => (await store.hit('ip:203.0.113.1', 200)).count, { timeout: 5_000, interval: 250 }).toBe(1);
  });
});

describe.runIf(redisUrl)('LoginLimiter in Redis, shared by several API processes', () => {
  it('lets the processes together allow no more than the limit', async () => {
    const prefix = `test-${randomUUID()}`;
    const processes = [RedisAttemptStore.connect(redisUrl!, prefix), RedisAttemptStore.connect(redisUrl!, prefix)];
    try {
      const limiters = processes.map((store) => new LoginLimiter(store, limits));
      const results = await Promise.all(Array.from({ length: 8 }, (_, n) => limiters[n % 2]!.begin('shared@example.com', '192.0.2.1')));
      expect(results.filter((result) => 'retryAfter' in result)).toHaveLength(5);
      // Another address still reaches the same account through either process.
      proceeds(await limiters[1]!.begin('shared@example.com', '192.0.2.2'));
    } finally {
      await Promise.all(processes.map((store) => store.close()));
    }
  });
});

const guess = (app: AppInstance, email: string, password: string, remoteAddress: string) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload: { email, password } });

function expectSlowedDown(guesses: Array<Awaited<ReturnType<typeof guess>>>): void {
  const statuses = guesses.map((response) => response.statusCode).sort();
  expect(statuses).toEqual([...Array(5).fill(401), ...Array(7).fill(429)]);
  for (const limited of guesses.filter((response) => response.statusCode === 429)) {
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toContain('application/problem+json');
  }
}

// The limiter holds no database state, so one database is enough for the HTTP checks.
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

  it('lets only the allowed number of guesses from one address reach the password check, and never locks the owner out', async () => {
    await signUp(app, 'burst@example.com');
    expectSlowedDown(
      await Promise.all(Array.from({ length: 12 }, (_, n) => guess(app, 'burst@example.com', `guess number ${n}`, '198.51.100.7'))),
    );
    expect((await guess(app, 'burst@example.com', PASSWORD, '198.51.100.7')).statusCode).toBe(429);
    // Guesses spread over many addresses never shut the account either: each address has its own allowance.
    const spread = await Promise.all(
      Array.from({ length: 12 }, (_, n) => guess(app, 'burst@example.com', `guess ${n}`, `198.51.100.${100 + n}`)),
    );
    expect(spread.map((response) => response.statusCode)).toEqual(Array(12).fill(401));
    expect((await guess(app, 'burst@example.com', PASSWORD, '203.0.113.50')).statusCode).toBe(200);
  });
});

describe.runIf(redisUrl)('login throttling across API processes sharing Redis', () => {
  let database: TestDatabase;
  let apps: AppInstance[];

  beforeAll(async () => {
    database = await databaseTargets()[0]!.open();
    // Two API processes of one scaled deployment: same database, same Redis, same prefix.
    const env = { REDIS_URL: redisUrl!, QUEUE_PREFIX: `test-${randomUUID()}`, JWT_SECRET: 'scaled-login-secret-0123456789abcdefgh' };
    apps = [await createTestApp({ database, env }), await createTestApp({ database, env })];
    await Promise.all(apps.map((app) => app.ready()));
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await database.close();
  });

  it('counts guesses from one address once across the processes, and the owner still signs in from elsewhere', async () => {
    await signUp(apps[0]!, 'scaled@example.com');
    expectSlowedDown(
      await Promise.all(
        Array.from({ length: 12 }, (_, n) => guess(apps[n % 2]!, 'scaled@example.com', `guess number ${n}`, '198.51.100.7')),
      ),
    );
    for (const app of apps) expect((await guess(app, 'scaled@example.com', PASSWORD, '198.51.100.7')).statusCode).toBe(429);
    for (const app of apps) expect((await guess(app, 'scaled@example.com', PASSWORD, '203.0.113.50')).statusCode).toBe(200);
  });
});
