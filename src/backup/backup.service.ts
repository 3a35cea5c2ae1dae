import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { Config } from '../config/index.js';
import { openDatabase, pgliteDirFor, type Database } from '../db/client.js';
import { lockDataDirectory } from '../db/data-dir-lock.js';
import { migrationStatus } from '../db/migrations.js';
import { siteprintVersion } from '../system/version.js';
import { DATABASE_ENTRY, readArchive, scratchDirectory, writeArchive, type BackupManifest } from './archive.js';

const run = promisify(execFile);

/** Files of DATA_DIR that belong to the instance beside its database. */
const INSTANCE_FILES = ['jwt-secret'];

/** A refusal the operator can act on (non-empty target, wrong database kind, newer backup). */
export class RestoreRefusedError extends Error {}

/**
 * Writes a backup of the open database plus the instance files to `out`. PGlite's dump is taken
 * between queries, so it holds exactly the committed transactions of that moment (PostgreSQL
 * replays the WAL it contains on start); pg_dump reads one snapshot.
 */
export async function createBackup(database: Database, config: Config, out: string): Promise<BackupManifest> {
  const scratch = await scratchDirectory();
  try {
    const status = await migrationStatus(database);
    const entry = path.join(scratch.dir, DATABASE_ENTRY[database.kind]);
    if (database.kind === 'pglite') {
      // A checkpoint first keeps the WAL a restore has to replay short.
      await database.query(sql`checkpoint`);
      const dump = await database.dumpDataDir!();
      await writeFile(entry, Buffer.from(await dump.arrayBuffer()));
    } else {
      await postgresTool('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${entry}`], config.DATABASE_URL!);
    }
    const files: string[] = [];
    await mkdir(path.join(scratch.dir, 'files'));
    for (const name of INSTANCE_FILES) {
      const source = path.join(config.dataDir, name);
      if (!existsSync(source)) continue;
      await copyFile(source, path.join(scratch.dir, 'files', name));
      files.push(name);
    }
    const manifest: BackupManifest = {
      format: 'siteprint-backup',
      formatVersion: 1,
      database: database.kind,
      createdAt: new Date().toISOString(),
      siteprintVersion,
      migrations: status.applied,
      files,
    };
    await mkdir(path.dirname(path.resolve(out)), { recursive: true });
    await writeArchive(scratch.dir, manifest, out);
    return manifest;
  } finally {
    await scratch.dispose();
  }
}

export interface RestoreOptions {
  /** Replace a database that already holds users, workspaces or sites. */
  force?: boolean;
}

/**
 * Restores a backup into the configured instance (DATA_DIR's PGlite, or DATABASE_URL). The
 * target must be empty unless `force`; the server must not be running on it (PGlite's data
 * directory lock enforces that in embedded mode).
 */
export async function restoreBackup(config: Config, file: string, options: RestoreOptions = {}): Promise<BackupManifest> {
  const scratch = await scratchDirectory();
  try {
    const manifest = await readArchive(file, scratch.dir);
    const kind = config.DATABASE_URL ? 'postgres' : 'pglite';
    if (manifest.database !== kind) {
      throw new RestoreRefusedError(
        manifest.database === 'pglite'
          ? 'this backup is of an embedded (PGlite) instance; restore it with DATABASE_URL unset'
          : 'this backup is of a PostgreSQL instance; restore it with DATABASE_URL set',
      );
    }
    const entry = path.join(scratch.dir, DATABASE_ENTRY[kind]);
    if (kind === 'pglite') await restorePglite(config, entry, manifest, options);
    else await restorePostgres(config, entry, manifest, options);
    await mkdir(config.dataDir, { recursive: true });
    for (const name of manifest.files) {
      const target = path.join(config.dataDir, name);
      await copyFile(path.join(scratch.dir, 'files', name), target);
      await chmod(target, 0o600);
    }
    return manifest;
  } finally {
    await scratch.dispose();
  }
}

async function restorePglite(config: Config, entry: string, manifest: BackupManifest, options: RestoreOptions): Promise<void> {
  const dir = pgliteDirFor(config.dataDir);
  if (existsSync(path.join(dir, 'PG_VERSION'))) {
    const database = await openDatabase({ pgliteDir: dir });
    try {
      await refuseUnlessRestorable(database, manifest, options);
    } finally {
      await database.close();
    }
  }
  await mkdir(dir, { recursive: true });
  const unlock = lockDataDirectory(dir);
  try {
    for (const name of await readdir(dir)) if (name !== 'siteprint.pid') await rm(path.join(dir, name), { recursive: true, force: true });
    const client = await PGlite.create(dir, { loadDataDir: new Blob([await readFile(entry)]), relaxedDurability: false });
    try {
      await client.query('select 1');
    } finally {
      await client.close();
    }
  } finally {
    unlock();
  }
}

async function restorePostgres(config: Config, entry: string, manifest: BackupManifest, options: RestoreOptions): Promise<void> {
  const database = await openDatabase({ url: config.DATABASE_URL, poolSize: 1 });
  try {
    await refuseUnlessRestorable(database, manifest, options);
  } finally {
    await database.close();
  }
  // --clean drops what the backup recreates (a migrated but empty database has every table); one
  // transaction, so a failed restore leaves the database as it was.
  await postgresTool(
    'pg_restore',
    ['--clean', '--if-exists', '--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', entry],
    config.DATABASE_URL!,
  );
}

async function refuseUnlessRestorable(database: Database, manifest: BackupManifest, options: RestoreOptions): Promise<void> {
  const status = await migrationStatus(database);
  if (manifest.migrations > status.available) {
    throw new RestoreRefusedError(
      `this backup was taken by a newer Siteprint (${manifest.siteprintVersion}, ${manifest.migrations} migrations; this build has ${status.available}); upgrade first`,
    );
  }
  if (options.force) return;
  const held = await heldData(database);
  if (held.length) {
    throw new RestoreRefusedError(`the target instance is not empty (${held.join(', ')}); restore with --force to replace it`);
  }
}

/** What a target database already holds, e.g. ["2 users", "1 site"]; empty when it holds none of it. */
async function heldData(database: Database): Promise<string[]> {
  const [exists] = await database.query<{ users: string | null }>(sql`select to_regclass('public.users')::text as users`);
  if (!exists?.users) return [];
  const [row] = await database.query<{ users: number; workspaces: number; sites: number }>(
    sql`select (select count(*)::int from users) as users, (select count(*)::int from workspaces) as workspaces, (select count(*)::int from sites) as sites`,
  );
  return Object.entries(row ?? {})
    .filter(([, count]) => Number(count) > 0)
    .map(([table, count]) => `${count} ${Number(count) === 1 ? table.replace(/s$/, '') : table}`);
}

/**
 * Runs pg_dump or pg_restore against a postgres:// URL. The password travels in PGPASSWORD, not
 * on the command line where other users of the machine could read it.
 */
async function postgresTool(tool: 'pg_dump' | 'pg_restore', args: string[], databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  try {
    await run(tool, [...args, `--dbname=${url.toString()}`], {
      env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') throw new Error(`${tool} was not found; install the PostgreSQL client tools (e.g. postgresql-client)`);
    throw new Error(`${tool} failed: ${(failure.stderr ?? failure.message).trim().split('\n').slice(-3).join(' ')}`);
  }
}
