import type { Database } from './client.js';

/** The channel the database's triggers announce changes on (migration 0013_change_notifications). */
export const CHANGES_CHANNEL = 'siteprint_changes';

/**
 * What changed: a site of a workspace (its sites list), or who may access what (sessions, users,
 * workspaces, memberships); `cache` is an administrator clearing the named cache in every process.
 * `reset` means changes may have gone unseen: forget everything.
 */
export type Change = { kind: 'sites'; workspaceId: string } | { kind: 'access' } | { kind: 'cache'; name: string } | { kind: 'reset' };

/**
 * Committed changes of every process, as the database announces them, for the caches of this
 * process. While `live` is false (the listening connection is lost) changes may go unseen, so a
 * cache must not answer from memory then.
 */
export interface ChangeFeed {
  readonly live: boolean;
  subscribe(listener: (change: Change) => void): () => void;
}

export class DatabaseChangeFeed implements ChangeFeed {
  private readonly listeners = new Set<(change: Change) => void>();
  private stop?: () => Promise<void>;
  live = false;

  static async open(database: Pick<Database, 'listen'>): Promise<DatabaseChangeFeed> {
    const feed = new DatabaseChangeFeed();
    feed.stop = await database.listen(
      CHANGES_CHANNEL,
      (payload) => feed.received(payload),
      (live) => feed.setLive(live),
    );
    return feed;
  }

  subscribe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.setLive(false);
    await this.stop?.();
  }

  private setLive(live: boolean): void {
    // Both ways: whatever was remembered before a loss, or during it, may be stale.
    this.live = live;
    this.emit({ kind: 'reset' });
  }

  private received(payload: string): void {
    // `<kind> <argument>`: the workspace of a sites change, the name of a cleared cache.
    const [kind, workspaceId] = payload.split(' ');
    if (kind === 'sites' && workspaceId) this.emit({ kind: 'sites', workspaceId });
    else if (kind === 'access') this.emit({ kind: 'access' });
    else if (kind === 'cache' && workspaceId) this.emit({ kind: 'cache', name: workspaceId });
    else this.emit({ kind: 'reset' });
  }

  private emit(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }
}
