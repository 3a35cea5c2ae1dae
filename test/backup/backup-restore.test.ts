import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, pgliteDirFor, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrations.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { createPostgresDatabase } from '../support/databases.js';
import { FixtureShop } from '../support/fixture-shop.js';
import { serviceUrl } from '../support/services.js';

/** An instance the CLI can be pointed at: a data dir, plus a PostgreSQL database in scaled mode. */
interface Instance {
  dataDir: string;
  env: Record<string, string>;
  open(): Promise<Database>;
  dispose(): Promise<void>;
}

interface Target {
  name: 'pglite' | 'postgres';
  create(): Promise<Instance>;
}

function targets(): Target[] {
  const list: Target[] = [
    {
      name: 'pglite',
      create: async () => {
        const dataDir = mkdtempSync(path.join(tmpdir(), 'siteprint-backup-test-'));
        return {
          dataDir,
          env: { DATA_DIR: dataDir, DATABASE_URL: '' },
          open: () => openDatabase({ pgliteDir: pgliteDirFor(dataDir) }),
          dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
        };
      },
    },
  ];
  const baseUrl = serviceUrl('TEST_DATABASE_URL');
  if (baseUrl) {
    list.push({
      name: 'postgres',
      create: async () => {
        const dataDir = mkdtempSync(path.join(tmpdir(), 'siteprint-backup-test-'));
        const created = await createPostgresDatabase(baseUrl);
        return {
          dataDir,
          env: { DATA_DIR: dataDir, DATABASE_URL: created.url },
          open: () => openDatabase({ url: created.url, poolSize: 2 }),
          dispose: async () => {
            await created.drop();
            rmSync(dataDir, { recursive: true, force: true });
          },
        };
      },
    });
  }
  return list;
}

/** Rows per table of the product schema and the migrations bookkeeping. */
async function rowCounts(database: Database): Promise<Record<string, number>> {
  const tables = await database.query<{ schema: string; name: string }>(
    sql`select table_schema as schema, table_name as name from information_schema.tables
        where table_schema in ('public', 'drizzle') and table_type = 'BASE TABLE' order by 1, 2`,
  );
  const counts: Record<string, number> = {};
  for (const { schema, name } of tables) {
    const [row] = await database.query<{ count: number }>(sql.raw(`select count(*)::int as count from "${schema}"."${name}"`));
    counts[`${schema}.${name}`] = row!.count;
  }
  return counts;
}

describe.each(targets())('siteprint backup and restore on $name', (target) => {
  let shop: FixtureShop;
  let source: Instance;
  let restored: Instance;
  let alice: TestUser;
  let siteId: string;
  let counts: Record<string, number>;
  let activeBlueprint: unknown;
  const archive = path.join(mkdtempSync(path.join(tmpdir(), 'siteprint-archives-')), 'instance.tar.gz');

  beforeAll(async () => {
    shop = await new FixtureShop().start();
    source = await target.create();
    restored = await target.create();
    const database = await source.open();
    await runMigrations(database);
    const { app, platform } = await createTestStack({ database, env: { ...source.env, ALLOW_PRIVATE_NETWORK: 'true' } });
    try {
      alice = await signUp(app, 'alice@example.com');
      await signUp(app, 'bob@example.com');
      await platform.queue.work(platform.handlers, { concurrency: 2 });
      const created = await app.inject({
        method: 'POST',
        url: '/api/v1/sites',
        headers: alice.headers,
        payload: { url: `${shop.url}/`, name: 'Quire', maxPages: 8 },
      });
      expect(created.statusCode, created.body).toBe(201);
      siteId = created.json().site.id;
      const jobId = created.json().job.id as string;
      for (let i = 0; ; i++) {
        const job = (await app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}`, headers: alice.headers })).json();
        if (job.status === 'succeeded') break;
        expect(['queued', 'running'], job.error).toContain(job.status);
        expect(i).toBeLessThan(1200);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // A second version by hand: the blueprint minus one field.
      const base = `/api/v1/sites/${siteId}/blueprint`;
      const [pageType, ...others] = (await app.inject({ method: 'GET', url: base, headers: alice.headers })).json().content.pageTypes;
      const edited = { ...pageType, fields: pageType.fields.slice(0, -1) };
      const patched = await app.inject({ method: 'PATCH', url: base, headers: alice.headers, payload: { pageTypes: [edited, ...others] } });
      expect(patched.json(), patched.body).toMatchObject({ version: 2, created: true });
      activeBlueprint = (await app.inject({ method: 'GET', url: base, headers: alice.headers })).json();
      await platform.queue.close(1_000);
    } finally {
      await app.close();
    }
    counts = await rowCounts(database);
    await database.close();
  }, 300_000);

  afterAll(async () => {
    await shop?.stop();
    await source?.dispose();
    await restored?.dispose();
  });

  it('backs up, restores into a fresh instance with the same rows and blueprint, and refuses to overwrite without --force', async () => {
    expect(counts['public.users']).toBe(2);
    expect(counts['public.blueprint_versions']).toBe(2);
    expect(counts['public.jobs']).toBeGreaterThanOrEqual(6);

    const backup = await runCli(['backup', '--out', archive], source.env);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout.trim()).toBe(`Backed up the ${target.name} database and 1 instance file(s) to ${archive}`);

    const restore = await runCli(['restore', archive], restored.env);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(new RegExp(`^Restored the ${target.name} backup of \\d{4}-`));
    // The generated JWT secret came along, so sessions signed before the backup still verify.
    expect(readFileSync(path.join(restored.dataDir, 'jwt-secret'), 'utf8')).toBe(
      readFileSync(path.join(source.dataDir, 'jwt-secret'), 'utf8'),
    );

    const database = await restored.open();
    try {
      expect(await rowCounts(database)).toEqual(counts);
      const { app } = await createTestStack({ database, env: restored.env });
      try {
        const blueprint = await app.inject({ method: 'GET', url: `/api/v1/sites/${siteId}/blueprint`, headers: alice.headers });
        expect(blueprint.statusCode, blueprint.body).toBe(200);
        expect(blueprint.json()).toEqual(activeBlueprint);
        const history = (await app.inject({ method: 'GET', url: `/api/v1/sites/${siteId}/blueprints`, headers: alice.headers })).json();
        expect(history.items.map((item: { version: number }) => item.version)).toEqual([2, 1]);
        const login = await app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 'bob@example.com', password: 'correct horse battery' },
        });
        expect(login.statusCode).toBe(200);
      } finally {
        await app.close();
      }
    } finally {
      await database.close();
    }

    // The restored instance now holds data: a second restore is refused, and changes nothing.
    const refused = await runCli(['restore', archive], restored.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      'siteprint: the target instance is not empty (2 users, 2 workspaces, 1 site); restore with --force to replace it',
    );
    const forced = await runCli(['restore', archive, '--force'], restored.env);
    expect(forced.code, forced.stderr).toBe(0);
    const again = await restored.open();
    try {
      expect(await rowCounts(again)).toEqual(counts);
    } finally {
      await again.close();
    }
  }, 300_000);

  it('refuses files that are not backups and backups of the other database kind', async () => {
    const notBackup = await runCli(['restore', path.join(import.meta.dirname, 'backup-restore.test.ts')], restored.env);
    expect(notBackup.code).toBe(1);
    expect(notBackup.stderr).toMatch(/is not a Siteprint backup/);
    const otherKind = target.name === 'pglite' ? { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' } : { DATABASE_URL: '' };
    const wrong = await runCli(['restore', archive], { ...restored.env, ...otherKind });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(target.name === 'pglite' ? /restore it with DATABASE_URL unset/ : /restore it with DATABASE_URL set/);
    expect(existsSync(archive)).toBe(true);
  }, 60_000);
});
