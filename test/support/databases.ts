import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrations.js';
import { workspaces } from '../../src/db/schema/index.js';
import { serviceUrl } from './services.js';

export interface DatabaseTarget {
  name: 'pglite' | 'postgres';
  /** A fresh, migrated, empty database; close it when done. */
  open(): Promise<TestDatabase>;
}

export interface TestDatabase extends Database {
  /** postgres:// URL of this database (postgres target only), for spawning processes on it. */
  url?: string;
}

/**
 * Creates an empty PostgreSQL database next to TEST_DATABASE_URL's, so test files running in
 * parallel never share tables. Dropped again by `close()`.
 */
export async function createPostgresDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `siteprint_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

async function migrated(database: Database): Promise<Database> {
  await runMigrations(database);
  return database;
}

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (required when REQUIRE_SERVICES=1). */
export function databaseTargets(): DatabaseTarget[] {
  const targets: DatabaseTarget[] = [{ name: 'pglite', open: () => openDatabase({ pgliteDir: 'memory://' }).then(migrated) }];
  const baseUrl = serviceUrl('TEST_DATABASE_URL');
  if (baseUrl) {
    targets.push({
      name: 'postgres',
      open: async () => {
        const created = await createPostgresDatabase(baseUrl);
        const database = await migrated(await openDatabase({ url: created.url, poolSize: 4 }));
        return {
          ...database,
          url: created.url,
          close: async () => {
            await database.close();
            await created.drop();
          },
        };
      },
    });
  }
  return targets;
}

/** A workspace row to own test resources (sites and jobs belong to a workspace). */
export async function createTestWorkspace(database: Database, name = 'Test workspace'): Promise<string> {
  const [row] = await database.db.insert(workspaces).values({ name }).returning({ id: workspaces.id });
  return row!.id;
}
