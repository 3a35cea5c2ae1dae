import type { RefreshTokensRepository, SessionAccess } from './refresh-tokens.repository.js';

/** How long a session's access is reused at most; writes that could change it clear it at once. */
const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/**
 * Remembers what live sessions may access, for the one process that owns an embedded (PGlite)
 * database: its queries run on the main thread, so the auth hook's lookup costs as much as the
 * request's own work. It is only correct where every change to sessions, users, workspaces and
 * memberships goes through this process's repositories, which call `clear()` after each write
 * (logout, password change, role change, removal, deletion): a revoked session or a changed role
 * takes effect on the next request. With PostgreSQL other processes write too, so it is not used.
 */
export class SessionAccessCache {
  private readonly entries = new Map<string, { access: SessionAccess; until: number }>();
  /** Bumped by every clear, so a lookup that raced with a write does not store what it read before it. */
  private generation = 0;

  constructor(private readonly source: Pick<RefreshTokensRepository, 'sessionAccess'>) {}

  async sessionAccess(familyId: string, userId: string, workspaceId: string | undefined): Promise<SessionAccess | undefined> {
    const key = `${familyId} ${userId} ${workspaceId ?? ''}`;
    const hit = this.entries.get(key);
    if (hit && Date.now() < hit.until) return hit.access;
    const generation = this.generation;
    const access = await this.source.sessionAccess(familyId, userId, workspaceId);
    // Only grants are remembered: a refusal is asked again, so access given a moment later works at once.
    if (access && generation === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, { access, until: Math.min(Date.now() + TTL_MS, access.sessionExpiresAt.getTime()) });
    }
    return access;
  }

  clear = (): void => {
    this.generation++;
    this.entries.clear();
  };
}
