import { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import type { AttemptStore } from './login-limiter.js';

// Gives back one attempt only while its window lives: a DECR on an expired key would create a
// counter without expiry.
const RELEASE = `local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then return redis.call('DECR', KEYS[1]) end
return 0`;

/**
 * Failed-login counters in Redis, shared by every API process of a scaled deployment, so an
 * attacker cannot multiply the limit by spreading guesses over processes. A window starts with
 * the first attempt (SET NX with its expiry); INCR keeps that expiry.
 */
export class RedisAttemptStore implements AttemptStore {
  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly now: () => number,
  ) {}

  static connect(url: string, prefix: string, logger?: Logger, now: () => number = Date.now): RedisAttemptStore {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    // Reconnection is ioredis's job; a sign-in meanwhile fails with a 500 rather than going uncounted.
    redis.on('error', (err: Error) => logger?.warn({ err: { message: err.message } }, 'Redis login-attempt store error'));
    return new RedisAttemptStore(redis, `${prefix}:login-attempts:`, now);
  }

  async hit(key: string, windowMs: number): Promise<{ count: number; resetAt: number }> {
    const name = this.prefix + key;
    const replies = await this.redis.multi().set(name, 0, 'PX', windowMs, 'NX').incr(name).pttl(name).exec();
    if (!replies) throw new Error('Redis discarded the login attempt transaction');
    for (const [error] of replies) if (error) throw error;
    const count = Number(replies[1]![1]);
    const ttl = Number(replies[2]![1]);
    return { count, resetAt: this.now() + (ttl > 0 ? ttl : windowMs) };
  }

  async release(key: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.prefix + key);
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}
