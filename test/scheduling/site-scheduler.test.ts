import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { createLogger } from '../../src/logging/logger.js';
import { createJobQueue } from '../../src/queue/index.js';
import { SiteScheduler } from '../../src/scheduling/site-scheduler.js';
import { SitesRepository } from '../../src/sites/sites.repository.js';
import { createTestWorkspace, databaseTargets, type TestDatabase } from '../support/databases.js';

const logger = createLogger({ level: 'silent' });

async function schedulerOn(database: Database): Promise<SiteScheduler> {
  const queue = await createJobQueue({ database, logger, jobTypes: ['check_site'] });
  return new SiteScheduler({ sites: new SitesRepository(database.db), queue, logger });
}

describe.each(databaseTargets())('site scheduler on $name', (target) => {
  let database: TestDatabase;
  const extra: Database[] = [];
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((peer) => peer.close()));
    await database?.close();
  });

  it('enqueues each due check once, even with several schedulers at the same moment', async () => {
    database = await target.open();
    const sites = new SitesRepository(database.db);
    const now = new Date('2026-11-25T12:00:00Z');
    const workspaceId = await createTestWorkspace(database);
    const due = await sites.insert({
      workspaceId,
      url: 'https://due.example',
      name: 'due',
      status: 'ready',
      schedule: 'every 1h',
      nextCheckAt: new Date('2026-11-25T11:59:00Z'),
    });
    await sites.insert({
      workspaceId,
      url: 'https://later.example',
      name: 'later',
      status: 'ready',
      schedule: 'every 1h',
      nextCheckAt: new Date('2026-11-25T12:30:00Z'),
    });
    await sites.insert({ workspaceId, url: 'https://off.example', name: 'off', status: 'ready', schedule: null, nextCheckAt: null });
    await sites.insert({
      workspaceId,
      url: 'https://new.example',
      name: 'analysing',
      status: 'analyzing',
      schedule: 'every 1h',
      nextCheckAt: new Date('2026-11-25T11:00:00Z'),
    });

    // Other processes are other connections to the same database (PGlite has only one).
    const peers =
      target.name === 'postgres'
        ? [database, ...(await Promise.all([1, 2].map(() => openDatabase({ url: database.url }))))]
        : [database, database];
    extra.push(...peers.filter((peer) => peer !== database));
    const counts = await Promise.all(peers.map(async (peer) => (await schedulerOn(peer)).tick(now)));
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(1);

    const jobs = await database.query<{ site_id: string; type: string; priority: number }>(sql`select site_id, type, priority from jobs`);
    expect(jobs).toEqual([{ site_id: due.id, type: 'check_site', priority: 2 }]);
    expect((await sites.get(due.id))?.nextCheckAt?.toISOString()).toBe('2026-11-25T13:00:00.000Z');

    // Nothing is due again until the next slot.
    expect(await (await schedulerOn(database)).tick(new Date('2026-11-25T12:10:00Z'))).toBe(0);
    // At 13:00 both the first site's next slot and the other site's 12:30 slot have come.
    expect(await (await schedulerOn(database)).tick(new Date('2026-11-25T13:00:01Z'))).toBe(2);
  });
});
