/**
 * Counts sign-in attempts per key in fixed windows: in memory for a single process
 * (`MemoryAttemptStore`), in Redis when several API processes share the count (`RedisAttemptStore`).
 */
export interface AttemptStore {
  /** Atomically counts one attempt and returns the window after counting it. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetAt: number }>;
  /** Takes back one counted attempt (a sign-in that turned out to be legitimate). */
  release(key: string): Promise<void>;
  clear(key: string): Promise<void>;
}

export class MemoryAttemptStore implements AttemptStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async hit(key: string, windowMs: number) {
    let window = this.windows.get(key);
    if (!window || window.resetAt <= this.now()) {
      window = { count: 0, resetAt: this.now() + windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return { ...window };
  }

  async release(key: string) {
    const window = this.windows.get(key);
    if (window && window.count > 0) window.count -= 1;
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

/** An attempt that may proceed; the caller reports how it ended. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
}

/**
 * Failed-login throttling per account and per client address. Every attempt is counted before the
 * password is checked, so a burst of parallel guesses cannot all slip in before the first failure
 * is recorded; a successful sign-in then gives its slots back.
 */
export class LoginLimiter {
  constructor(
    private readonly store: AttemptStore,
    private readonly limits: LoginLimits = defaultLoginLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** The attempt, or the seconds to wait (Retry-After) when the account or the address is over its limit. */
  async begin(email: string, ip: string): Promise<LoginAttempt | { retryAfter: number }> {
    const account = accountKey(email);
    const address = ipKey(ip);
    const [forAccount, forAddress] = await Promise.all([
      this.store.hit(account, this.limits.windowMs),
      this.store.hit(address, this.limits.windowMs),
    ]);
    const blockedUntil = Math.max(
      forAccount.count > this.limits.perAccount ? forAccount.resetAt : 0,
      forAddress.count > this.limits.perIp ? forAddress.resetAt : 0,
    );
    if (blockedUntil) return { retryAfter: Math.max(1, Math.ceil((blockedUntil - this.now()) / 1000)) };
    return {
      // A successful sign-in forgives the account's failures; the address only gets this attempt back.
      succeeded: () => Promise.all([this.store.clear(account), this.store.release(address)]).then(() => undefined),
    };
  }
}

const accountKey = (email: string) => `account:${email.toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;
