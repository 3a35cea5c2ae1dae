/**
 * Counts failed attempts per key in fixed windows. In memory for a single process; scaled mode
 * will put a Redis implementation behind the same interface.
 */
export interface AttemptStore {
  /** Attempts recorded for key in its current window and when that window ends. */
  get(key: string): Promise<{ count: number; resetAt: number } | undefined>;
  increment(key: string, windowMs: number): Promise<void>;
  clear(key: string): Promise<void>;
}

export class MemoryAttemptStore implements AttemptStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(key: string) {
    const window = this.windows.get(key);
    if (window && window.resetAt <= this.now()) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  async increment(key: string, windowMs: number) {
    const window = await this.get(key);
    if (window) window.count += 1;
    else this.windows.set(key, { count: 1, resetAt: this.now() + windowMs });
  }

  async clear(key: string) {
    this.windows.delete(key);
  }
}

export interface LoginLimits {
  perAccount: number;
  perIp: number;
  windowMs: number;
}

export const defaultLoginLimits: LoginLimits = { perAccount: 5, perIp: 20, windowMs: 15 * 60_000 };

/** Failed-login throttling per account and per client address. */
export class LoginLimiter {
  constructor(
    private readonly store: AttemptStore,
    private readonly limits: LoginLimits = defaultLoginLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until another attempt is allowed, or 0 when the attempt may proceed. */
  async retryAfter(email: string, ip: string): Promise<number> {
    const [account, address] = await Promise.all([this.store.get(accountKey(email)), this.store.get(ipKey(ip))]);
    const blockedUntil = Math.max(
      account && account.count >= this.limits.perAccount ? account.resetAt : 0,
      address && address.count >= this.limits.perIp ? address.resetAt : 0,
    );
    return blockedUntil ? Math.max(1, Math.ceil((blockedUntil - this.now()) / 1000)) : 0;
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    await Promise.all([
      this.store.increment(accountKey(email), this.limits.windowMs),
      this.store.increment(ipKey(ip), this.limits.windowMs),
    ]);
  }

  /** A successful login forgives the account's failures, not the address's. */
  async recordSuccess(email: string): Promise<void> {
    await this.store.clear(accountKey(email));
  }
}

const accountKey = (email: string) => `account:${email.toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;
