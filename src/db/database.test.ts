import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { SettingsRepository } from '../settings/settings.repository.js';
import { openDatabase } from './client.js';
import { migrationStatus, runMigrations } from './migrations.js';

describe.each(databaseTargets())('database on $name', (target) => {
  let database: TestDatabase;
  afterEach(async () => {
    await database?.close();
  });

  it('applies every migration and reports the schema current', async () => {
    database = await target.open();
    const status = await migrationStatus(database);
    expect(status.current).toBe(true);
    expect(status.applied).toBe(status.available);
    expect(status.available).toBeGreaterThan(0);
    // A second run finds nothing to do.
    expect(await runMigrations(database)).toEqual(status);
  });

  it('stores and updates settings as JSON through the repository', async () => {
    database = await target.open();
    const settings = new SettingsRepository(database.db);
    await settings.set('signup', { open: true, domains: ['example.com'] });
    await settings.set('signup', { open: false });
    await settings.set('brand', 'Acme');
    expect((await settings.get('signup'))?.value).toEqual({ open: false });
    expect((await settings.list()).map((setting) => setting.key)).toEqual(['brand', 'signup']);
    expect(await settings.get('missing')).toBeUndefined();
  });

  if (target.name === 'postgres') {
    it('lets several processes migrate a fresh database at once', async () => {
      database = await target.open();
      await database.query(sql`drop schema drizzle cascade`);
      await database.query(sql`drop schema public cascade`);
      await database.query(sql`create schema public`);
      const peers = await Promise.all([1, 2, 3].map(() => openDatabase({ url: database.url, poolSize: 2 })));
      try {
        const results = await Promise.all(peers.map((peer) => runMigrations(peer)));
        for (const result of results) expect(result.current).toBe(true);
        const [row] = await database.query<{ count: string }>(sql`select count(*) as count from drizzle.__drizzle_migrations`);
        expect(Number(row?.count)).toBe(results[0]!.available);
      } finally {
        await Promise.all(peers.map((peer) => peer.close()));
      }
    });
  }
});
