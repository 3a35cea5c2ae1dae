import { sql } from 'drizzle-orm';
import { CHANGES_CHANNEL, type ChangeFeed } from '../db/change-feed.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logging/logger.js';
import type { CacheStats, ManagedCache } from './cache-stats.js';

export interface CacheReport extends CacheStats {
  name: string;
  description: string;
  /** Hits over lookups since the process started or the counters were last reset; null before any lookup. */
  hitRate: number | null;
}

/**
 * The caches of this process (API or worker), by name. Clearing one clears it here at once and
 * announces it through the database (`NOTIFY siteprint_changes 'cache <name>'`), so every other
 * process of the instance that keeps it clears its own copy within the notification's delay.
 */
export class CacheRegistry {
  private readonly caches = new Map<string, ManagedCache>();

  constructor(
    private readonly database: Pick<Database, 'query'>,
    feed: ChangeFeed,
    private readonly logger: Logger,
  ) {
    feed.subscribe((change) => {
      if (change.kind === 'cache') this.caches.get(change.name)?.clear();
    });
  }

  register(cache: ManagedCache): void {
    if (this.caches.has(cache.name)) throw new Error(`cache ${cache.name} registered twice`);
    this.caches.set(cache.name, cache);
  }

  has(name: string): boolean {
    return this.caches.has(name);
  }

  list(): CacheReport[] {
    return [...this.caches.values()]
      .map((cache) => {
        const stats = cache.stats();
        const lookups = stats.hits + stats.misses;
        return { name: cache.name, description: cache.description, ...stats, hitRate: lookups ? stats.hits / lookups : null };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Clears the cache in this process and announces it to the others; the number dropped here. */
  async clearEverywhere(name: string): Promise<number> {
    const cache = this.caches.get(name);
    if (!cache) throw new Error(`no cache named ${name}`);
    const dropped = cache.clear();
    // Every process listening (this one too, harmlessly) clears its copy when the notification arrives.
    await this.database.query(sql`select pg_notify(${CHANGES_CHANNEL}, ${`cache ${name}`})`);
    this.logger.info({ cache: name, dropped }, 'cache cleared');
    return dropped;
  }
}
