import { describe, expect, it } from 'vitest';
import type { Change, ChangeFeed } from '../db/change-feed.js';
import { SiteListCache } from './site-list-cache.js';
import type { SiteListRow } from './sites.repository.js';

/** A feed that is live and announces what the test says. */
function feed(): ChangeFeed & { announce(change: Change): void } {
  const listeners = new Set<(change: Change) => void>();
  return {
    live: true,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    announce: (change) => listeners.forEach((listener) => listener(change)),
  };
}

/** A database read the test completes when it likes, counting how often it was started. */
function reads() {
  const started: Array<{ resolve: (total: number) => void; reject: (error: Error) => void }> = [];
  const read = () =>
    new Promise<{ rows: SiteListRow[]; total: number }>((resolve, reject) =>
      started.push({ resolve: (total) => resolve({ rows: [], total }), reject }),
    );
  return { read, started };
}

const request = { limit: 50, sort: '-createdAt' as const };

describe('SiteListCache', () => {
  it('answers the requests that miss the same page at once with one read of the database', async () => {
    const cache = new SiteListCache(feed());
    const { read, started } = reads();
    const answers = Array.from({ length: 20 }, () => cache.list('w1', {}, request, read));
    expect(started).toHaveLength(1);
    started[0]!.resolve(3);
    const pages = await Promise.all(answers);
    expect(new Set(pages).size).toBe(1);
    expect(pages[0]!.total).toBe(3);
    expect(cache.managed().stats()).toMatchObject({ entries: 1, misses: 1, hits: 19 });
    // Another workspace, or another page of the same one, is a read of its own.
    void cache.list('w2', {}, request, read);
    void cache.list('w1', {}, { ...request, limit: 10 }, read);
    expect(started).toHaveLength(3);
  });

  it('does not answer a request made after a change with a read begun before it', async () => {
    const changes = feed();
    const cache = new SiteListCache(changes);
    const { read, started } = reads();
    const before = cache.list('w1', {}, request, read);
    changes.announce({ kind: 'sites', workspaceId: 'w1' });
    const after = cache.list('w1', {}, request, read);
    expect(started).toHaveLength(2);
    started[0]!.resolve(1);
    started[1]!.resolve(2);
    expect((await before).total).toBe(1);
    expect((await after).total).toBe(2);
    // What was read before the change is not kept; what was read after it is.
    expect((await cache.list('w1', {}, request, read)).total).toBe(2);
    expect(started).toHaveLength(2);
  });

  it('fails every request sharing a failed read, and reads again for the next one', async () => {
    const cache = new SiteListCache(feed());
    const { read, started } = reads();
    const first = cache.list('w1', {}, request, read);
    const second = cache.list('w1', {}, request, read);
    started[0]!.reject(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await expect(second).rejects.toThrow('connection lost');
    const third = cache.list('w1', {}, request, read);
    expect(started).toHaveLength(2);
    started[1]!.resolve(4);
    expect((await third).total).toBe(4);
  });
});
