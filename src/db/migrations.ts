import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { readMigrationFiles, type MigrationConfig } from 'drizzle-orm/migrator';
import type { Database } from './client.js';

// src/db and dist/db are both two levels below the package root, where drizzle/ lives.
const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));
const config: MigrationConfig = { migrationsFolder: path.normalize(migrationsFolder) };

export interface MigrationStatus {
  applied: number;
  available: number;
  current: boolean;
}

export async function runMigrations(database: Database): Promise<MigrationStatus> {
  await database.migrate(config);
  return migrationStatus(database);
}

/** Compares the migrations shipped with this build to those recorded in the database. */
export async function migrationStatus(database: Database): Promise<MigrationStatus> {
  const available = readMigrationFiles(config);
  const latest = available.at(-1)?.folderMillis ?? 0;
  // Before the first migration the bookkeeping table does not exist: nothing is applied.
  const rows = await database
    .query<{ count: string | number; latest: string | number | null }>(
      sql`select count(*) as count, max(created_at) as latest from drizzle.__drizzle_migrations`,
    )
    .catch(() => []);
  const row = rows[0];
  const applied = Number(row?.count ?? 0);
  const appliedLatest = Number(row?.latest ?? 0);
  return { applied, available: available.length, current: appliedLatest >= latest };
}
