import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { HttpProblem } from '../http/problem.js';
import type { Logger } from '../logging/logger.js';
import { CacheCounters, type ManagedCache } from '../system/cache-stats.js';
import type { EffectiveLimits } from './quota-limits.js';

const WINDOW_SECONDS = 60;
/** How long a workspace's limits are reused before they are read again; admin changes in this process apply at once. */
const LIMITS_TTL_MS = 10_000;

interface Verdict {
  limit: number;
  remaining: number;
  resetSeconds: number;
  name: 'apiRequestsPerMinute' | 'apiRequestsPerMinutePerCaller';
  refused: boolean;
}

/**
 * Per-workspace and per-caller (user or API key) request limits over a one-minute window, counted
 * with rate-limiter-flexible: in Redis when REDIS_URL is set, so every API process of a scaled
 * deployment shares the counts, else in this process. Limits come from the workspace's quotas.
 */
export class ApiRateLimits {
  readonly #limiters = new Map<string, RateLimiterAbstract>();
  readonly #limits = new Map<string, { limits: EffectiveLimits; until: number }>();
  readonly #counters = new CacheCounters();

  private constructor(
    private readonly limitsOf: (workspaceId: string) => Promise<EffectiveLimits>,
    private readonly redis: Redis | undefined,
    private readonly prefix: string,
  ) {}

  /** The Redis client loads only in scaled mode (REDIS_URL). */
  static async create(options: {
    limitsOf: (workspaceId: string) => Promise<EffectiveLimits>;
    redisUrl?: string;
    prefix: string;
    logger: Logger;
  }): Promise<ApiRateLimits> {
    let redis: Redis | undefined;
    if (options.redisUrl) {
      const { Redis } = await import('ioredis');
      redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
      redis.on('error', (err: Error) => options.logger.warn({ err: { message: err.message } }, 'Redis rate-limit store error'));
    }
    return new ApiRateLimits(options.limitsOf, redis, options.prefix);
  }

  /** Forgets cached limits (of one workspace, or all after the defaults change). */
  forget(workspaceId?: string): void {
    if (workspaceId) this.#limits.delete(workspaceId);
    else this.#limits.clear();
  }

  /** The limits cache as administrators see and clear it (GET /api/v1/admin/caches). */
  managed(): ManagedCache {
    return {
      name: 'quota-limits',
      description: 'Each workspace’s API rate limits (from its plan, overrides and the defaults), read again after 10 s',
      stats: () => ({ entries: this.#limits.size, hits: this.#counters.hits, misses: this.#counters.misses }),
      clear: () => {
        const dropped = this.#limits.size;
        this.forget();
        return dropped;
      },
    };
  }

  /** The onRequest hook: counts the request and refuses it with a 429 problem over either limit. */
  async check(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const auth = request.auth;
    if (!auth) return;
    const limits = await this.#limitsOf(auth.workspaceId);
    const caller = auth.apiKeyId ? `key:${auth.apiKeyId}` : `user:${auth.userId}`;
    const verdicts = (
      await Promise.all([
        this.#count('apiRequestsPerMinute', limits.apiRequestsPerMinute, `ws:${auth.workspaceId}`),
        this.#count('apiRequestsPerMinutePerCaller', limits.apiRequestsPerMinutePerCaller, `${auth.workspaceId}:${caller}`),
      ])
    ).filter((verdict) => verdict !== undefined);
    if (verdicts.length === 0) return;
    // The headers describe the limit closest to refusing; a refusal names the limit that refused.
    const shown = verdicts.find((verdict) => verdict.refused) ?? verdicts.reduce((a, b) => (b.remaining < a.remaining ? b : a));
    const headers = {
      'ratelimit-limit': String(shown.limit),
      'ratelimit-remaining': String(shown.remaining),
      'ratelimit-reset': String(shown.resetSeconds),
    };
    if (!shown.refused) {
      reply.headers(headers);
      return;
    }
    const who = shown.name === 'apiRequestsPerMinute' ? 'this workspace' : auth.apiKeyId ? 'this API key' : 'you';
    throw new HttpProblem(
      429,
      `Too many requests: ${who} may make ${shown.limit} API requests a minute. Try again in ${shown.resetSeconds} s.`,
      {
        slug: 'rate-limited',
        headers: { ...headers, 'retry-after': String(shown.resetSeconds) },
        quota: {
          name: shown.name,
          limit: shown.limit,
          used: shown.limit - shown.remaining,
          resetAt: new Date(Date.now() + shown.resetSeconds * 1000).toISOString(),
        },
      },
    );
  }

  async close(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }

  async #limitsOf(workspaceId: string): Promise<EffectiveLimits> {
    const cached = this.#limits.get(workspaceId);
    if (cached && cached.until > Date.now()) {
      this.#counters.hit();
      return cached.limits;
    }
    this.#counters.miss();
    const limits = await this.limitsOf(workspaceId);
    this.#limits.set(workspaceId, { limits, until: Date.now() + LIMITS_TTL_MS });
    return limits;
  }

  async #count(name: Verdict['name'], limit: number | null, key: string): Promise<Verdict | undefined> {
    if (limit === null) return undefined;
    let result: RateLimiterRes;
    let refused = false;
    try {
      result = await this.#limiter(limit).consume(key);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      result = error;
      refused = true;
    }
    return { name, limit, remaining: result.remainingPoints, resetSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)), refused };
  }

  /** One limiter per limit value: the key prefix carries the value, so a changed limit starts a fresh count. */
  #limiter(points: number): RateLimiterAbstract {
    const cached = this.#limiters.get(String(points));
    if (cached) return cached;
    const options = { points, duration: WINDOW_SECONDS, keyPrefix: `${this.prefix}:rate:${points}` };
    const limiter = this.redis
      ? new RateLimiterRedis({ ...options, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(options) })
      : new RateLimiterMemory(options);
    this.#limiters.set(String(points), limiter);
    return limiter;
  }
}
