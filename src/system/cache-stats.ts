/** Hits and misses of one in-process cache, for the administrators' cache page. */
export class CacheCounters {
  hits = 0;
  misses = 0;

  hit(): void {
    this.hits++;
  }

  miss(): void {
    this.misses++;
  }
}

/** What a cache tells the registry about itself right now. */
export interface CacheStats {
  entries: number;
  hits: number;
  misses: number;
}

/** A cache the platform keeps in each process, as administrators see and clear it. */
export interface ManagedCache {
  name: string;
  description: string;
  stats(): CacheStats;
  /** Empties it; resolves to how many entries were dropped. */
  clear(): number;
}
