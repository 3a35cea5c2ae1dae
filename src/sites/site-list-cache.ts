import type { ChangeFeed } from '../db/change-feed.js';
import { CacheCounters, type ManagedCache } from '../system/cache-stats.js';
import type { SiteFilter, SiteListRow, SiteSort } from './sites.repository.js';

type Page = { rows: SiteListRow[]; total: number };
type PageRequest = { limit: number; sort: SiteSort; after?: { value: string; id: string } };
type Workspace = {
  generation: number;
  pages: Map<string, { page: Page; until: number }>;
  /** Reads in flight since the last change, by page: requests missing the same page meanwhile share one. */
  reading: Map<string, Promise<Page>>;
};

/** A safety net only: every change to a workspace's sites clears its pages at once. */
const TTL_MS = 60_000;
const MAX_PAGES = 5_000;

/**
 * Remembers the pages of sites lists (what dashboards and scripts poll) per workspace until one of
 * its sites changes: at once when this process wrote it (`changed`, called by the repositories after
 * each write), and when the database announces a commit of any process (`feed`). While the feed is
 * not live, changes of other processes could go unseen, so every list is read from the database.
 */
export class SiteListCache {
  readonly counters = new CacheCounters();
  private readonly workspaces = new Map<string, Workspace>();
  private size = 0;
  /** Bumped when everything is forgotten, so a read that raced with it does not store what it read. */
  private epoch = 0;

  constructor(private readonly feed: ChangeFeed) {
    feed.subscribe((change) => {
      if (change.kind === 'sites') this.changed(change.workspaceId);
      else if (change.kind === 'reset') this.changed();
    });
  }

  async list(workspaceId: string, filter: SiteFilter, request: PageRequest, read: () => Promise<Page>): Promise<Page> {
    if (!this.feed.live) return read();
    const key = JSON.stringify([
      filter.status,
      filter.health,
      filter.technology,
      filter.search,
      request.limit,
      request.sort,
      request.after,
    ]);
    let entry = this.workspaces.get(workspaceId);
    const hit = entry?.pages.get(key);
    if (hit && Date.now() < hit.until) {
      this.counters.hit();
      return hit.page;
    }
    if (!entry) this.workspaces.set(workspaceId, (entry = { generation: 0, pages: new Map(), reading: new Map() }));
    // A change empties the workspace's pages, and every poller in flight misses at once: one read
    // serves them all, instead of as many queries and serialisations as there are requests. Only
    // reads of the database count as misses.
    const pending = entry.reading.get(key);
    if (pending) {
      this.counters.hit();
      return pending;
    }
    this.counters.miss();
    const reading = this.readAndStore(workspaceId, entry, key, read);
    entry.reading.set(key, reading);
    try {
      return await reading;
    } finally {
      if (entry.reading.get(key) === reading) entry.reading.delete(key);
    }
  }

  private async readAndStore(workspaceId: string, entry: Workspace, key: string, read: () => Promise<Page>): Promise<Page> {
    const { generation } = entry;
    const epoch = this.epoch;
    const page = await read();
    // Stored only if nothing changed while it was read; the workspace's entry may have been replaced meanwhile.
    if (epoch === this.epoch && this.workspaces.get(workspaceId) === entry && entry.generation === generation) {
      if (this.size >= MAX_PAGES) this.changed();
      else {
        if (!entry.pages.has(key)) this.size++;
        entry.pages.set(key, { page, until: Date.now() + TTL_MS });
      }
    }
    return page;
  }

  /** This cache as administrators see and clear it (GET /api/v1/admin/caches). */
  managed(): ManagedCache {
    return {
      name: 'site-lists',
      description: 'Pages of sites lists per workspace, as dashboards poll them (cleared by any change to the workspace’s sites)',
      stats: () => ({ entries: this.size, ...this.counters }),
      clear: () => {
        const dropped = this.size;
        this.changed();
        return dropped;
      },
    };
  }

  /** Forgets the pages of a workspace, or of every workspace when none is named. */
  changed = (workspaceId?: string): void => {
    if (workspaceId === undefined) {
      this.epoch++;
      this.workspaces.clear();
      this.size = 0;
      return;
    }
    const entry = this.workspaces.get(workspaceId);
    if (!entry) return;
    entry.generation++;
    this.size -= entry.pages.size;
    entry.pages.clear();
    // A request after the change must not be answered by a read that began before it.
    entry.reading.clear();
  };
}
