import type { ChangeFeed } from '../db/change-feed.js';
import { CacheCounters, type ManagedCache } from '../system/cache-stats.js';
import type { RefreshTokensRepository, SessionAccess } from './refresh-tokens.repository.js';

/** How long a session's access is reused at most; changes clear it sooner. */
const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/**
 * Remembers what live sessions may access, so the auth hook does not ask the database on every
 * request. A change to sessions, users, workspaces or memberships clears it: at once when this
 * process made it (the repositories call `clear()` after each write: logout, password change, role
 * change, removal, deletion), and when the database announces a commit of any process (`feed`).
 * While the feed is not live, changes of other processes could go unseen, so it asks every time.
 */
export class SessionAccessCache {
  readonly counters = new CacheCounters();
  private readonly entries = new Map<string, { access: SessionAccess; until: number }>();
  /** Bumped by every clear, so a lookup that raced with a write does not store what it read before it. */
  private generation = 0;

  constructor(
    private readonly source: Pick<RefreshTokensRepository, 'sessionAccess'>,
    private readonly feed: ChangeFeed,
  ) {
    feed.subscribe((change) => {
      if (change.kind === 'access' || change.kind === 'reset') this.clear();
    });
  }

  async sessionAccess(familyId: string, userId: string, workspaceId: string | undefined): Promise<SessionAccess | undefined> {
    if (!this.feed.live) return this.source.sessionAccess(familyId, userId, workspaceId);
    const key = `${familyId} ${userId} ${workspaceId ?? ''}`;
    const hit = this.entries.get(key);
    if (hit && Date.now() < hit.until) {
      this.counters.hit();
      return hit.access;
    }
    this.counters.miss();
    const generation = this.generation;
    const access = await this.source.sessionAccess(familyId, userId, workspaceId);
    // Only grants are remembered: a refusal is asked again, so access given a moment later works at once.
    if (access && generation === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, { access, until: Math.min(Date.now() + TTL_MS, access.sessionExpiresAt.getTime()) });
    }
    return access;
  }

  clear = (): number => {
    const dropped = this.entries.size;
    this.generation++;
    this.entries.clear();
    return dropped;
  };

  /** This cache as administrators see and clear it (GET /api/v1/admin/caches). */
  managed(): ManagedCache {
    return {
      name: 'session-access',
      description: 'What each live session may access, read by the auth hook on every request (5 s at most; cleared by any access change)',
      stats: () => ({ entries: this.entries.size, ...this.counters }),
      clear: this.clear,
    };
  }
}
