import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, pgliteDirFor, type Database } from '../../src/db/client.js';
import { migrationStatus } from '../../src/db/migrations.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import type { Platform } from '../../src/app/platform.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { createPostgresDatabase, databaseTargets, type TestDatabase } from '../support/databases.js';
import { FixtureShop } from '../support/fixture-shop.js';

/**
 * A backup the server takes of itself while an analysis runs restores to a consistent instance:
 * no row refers to a missing one, and the analysis caught mid-way finishes on the restored instance.
 */
describe.each(databaseTargets())('a backup taken while an analysis runs ($name)', (target) => {
  let shop: FixtureShop;
  let database: TestDatabase;
  let app: AppInstance;
  let platform: Platform;
  let alice: TestUser;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'siteprint-live-backup-'));

  beforeAll(async () => {
    shop = await new FixtureShop().start();
    database = await target.open();
    ({ app, platform } = await createTestStack({ database, env: { ALLOW_PRIVATE_NETWORK: 'true', DATABASE_URL: database.url ?? '' } }));
    alice = await signUp(app, 'alice@example.com');
    await platform.queue.work(platform.handlers, { concurrency: 2 });
  });

  afterAll(async () => {
    await app?.close();
    await database?.close();
    await shop?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function settled(on: AppInstance, jobId: string): Promise<{ status: string; error: string | null }> {
    for (let i = 0; i < 2400; i++) {
      const job = (await on.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}`, headers: alice.headers })).json();
      if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`job ${jobId} did not finish`);
  }

  it('restores to a consistent state, and the interrupted analysis completes there', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: alice.headers,
      payload: { url: `${shop.url}/`, maxPages: 8 },
    });
    const { site, job } = created.json();
    const backup = await app.inject({ method: 'POST', url: '/api/v1/admin/backups', headers: alice.headers });
    expect(backup.statusCode, backup.body).toBe(201);
    const atBackup = (await app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}`, headers: alice.headers })).json();
    expect((await settled(app, job.id)).status).toBe('succeeded');
    // The backup caught the analysis before its end (it was written before this read of the job).
    expect(['queued', 'running']).toContain(atBackup.status);

    const archive = path.join(dataDir, 'live.tar.gz');
    await writeFile(
      archive,
      (await app.inject({ method: 'GET', url: `/api/v1/admin/backups/${backup.json().name}`, headers: alice.headers })).rawPayload,
    );
    const created2 = target.name === 'postgres' ? await createPostgresDatabase(new URL(database.url!).toString()) : undefined;
    const restoreEnv = { DATA_DIR: path.join(dataDir, 'restored'), DATABASE_URL: created2?.url ?? '' };
    const restored = await runCli(['restore', archive], restoreEnv);
    expect(restored.code, restored.stderr).toBe(0);

    const copy: Database = created2
      ? await openDatabase({ url: created2.url, poolSize: 4 })
      : await openDatabase({ pgliteDir: pgliteDirFor(restoreEnv.DATA_DIR) });
    try {
      expect((await migrationStatus(copy)).current).toBe(true);
      const [orphans] = await copy.query<{ jobs: number; versions: number; pages: number; steps: number }>(sql`select
        (select count(*)::int from jobs j where j.site_id is not null and not exists (select 1 from sites s where s.id = j.site_id)) as jobs,
        (select count(*)::int from blueprint_versions v where not exists (select 1 from sites s where s.id = v.site_id)) as versions,
        (select count(*)::int from site_pages p where not exists (select 1 from sites s where s.id = p.site_id)) as pages,
        (select count(*)::int from jobs j where j.parent_id is not null and not exists (select 1 from jobs p where p.id = j.parent_id)) as steps`);
      expect(orphans).toEqual({ jobs: 0, versions: 0, pages: 0, steps: 0 });

      // The restored instance picks the analysis up where the backup left it (a running step's lease lapses) and finishes it.
      const stack = await createTestStack({ database: copy, env: { ...restoreEnv, ALLOW_PRIVATE_NETWORK: 'true', JOB_LEASE_MS: '1000' } });
      try {
        await stack.platform.queue.work(stack.platform.handlers, { concurrency: 2 });
        expect(await settled(stack.app, job.id)).toMatchObject({ status: 'succeeded' });
        const blueprint = await stack.app.inject({ method: 'GET', url: `/api/v1/sites/${site.id}/blueprint`, headers: alice.headers });
        expect(blueprint.statusCode, blueprint.body).toBe(200);
      } finally {
        await stack.app.close();
      }
    } finally {
      await copy.close();
      await created2?.drop();
    }
  }, 600_000);
});
