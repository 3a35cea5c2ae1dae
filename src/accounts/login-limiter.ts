import ipaddr from 'ipaddr.js';

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
  /** Failed attempts one client address may make on one account per window. */
  perAccountAndAddress: number;
  /** Failed attempts one client address may make across all accounts per window. */
  perAddress: number;
  windowMs: number;
}

export const defaultLoginLimits: LoginLimits = { perAccountAndAddress: 5, perAddress: 20, windowMs: 15 * 60_000 };

/** An attempt that may proceed; the caller reports how it ended. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
}

/**
 * Failed-login throttling per (account, client address) and per client address. There is no
 * limit on an account as a whole: it would let anyone who knows an email address keep its owner
 * out, so guesses are slowed where they come from and the owner can still sign in from
 * elsewhere (OWASP authentication guidance). Every attempt is counted before the password is
 * checked, so a burst of parallel guesses cannot all slip in before the first failure is
 * recorded; a successful sign-in then gives its slots back.
 */
export class LoginLimiter {
  constructor(
    private readonly store: AttemptStore,
    private readonly limits: LoginLimits = defaultLoginLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** The attempt, or the seconds to wait (Retry-After) when the pair or the address is over its limit. */
  async begin(email: string, ip: string): Promise<LoginAttempt | { retryAfter: number }> {
    const address = addressKey(ip);
    const pair = `pair:${email.toLowerCase()}|${address}`;
    const [forPair, forAddress] = await Promise.all([
      this.store.hit(pair, this.limits.windowMs),
      this.store.hit(address, this.limits.windowMs),
    ]);
    const blockedUntil = Math.max(
      forPair.count > this.limits.perAccountAndAddress ? forPair.resetAt : 0,
      forAddress.count > this.limits.perAddress ? forAddress.resetAt : 0,
    );
    if (blockedUntil) return { retryAfter: Math.max(1, Math.ceil((blockedUntil - this.now()) / 1000)) };
    return {
      // A successful sign-in forgives this address's failures on the account; the address only gets this attempt back.
      succeeded: () => Promise.all([this.store.clear(pair), this.store.release(address)]).then(() => undefined),
    };
  }
}

/**
 * The unit one client is counted in: an IPv4 address, or an IPv6 /64, since one subscriber
 * usually holds a whole /64 and could otherwise take a fresh address for every guess.
 */
function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return `ip:${ip}`;
  let parsed = ipaddr.parse(ip);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (parsed.kind() === 'ipv4') return `ip:${parsed.toString()}`;
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `ip:${parts.join(':')}::/64`;
}
