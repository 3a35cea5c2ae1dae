import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import type { MigrationConfig } from 'drizzle-orm/migrator';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import pRetry from 'p-retry';
import { traceQuery } from '../logging/tracing.js';
import { lockDataDirectory } from './data-dir-lock.js';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
/** The query builder shared by both drivers; repositories depend on this type only. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  readonly db: Db;
  /** `pglite` (embedded, on disk) or `postgres` (DATABASE_URL). */
  readonly kind: 'pglite' | 'postgres';
  ping(): Promise<void>;
  /** Runs raw SQL and returns its rows, for the few statements the query builder cannot express. */
  query<Row extends Record<string, unknown>>(statement: SQL): Promise<Row[]>;
  /** Applies pending migrations; safe to call from several processes at once. */
  migrate(config: MigrationConfig): Promise<void>;
  /** PGlite only: a gzipped tarball of the data directory, taken between queries (backups). */
  dumpDataDir?(): Promise<Blob>;
  /**
   * Hands `onPayload` each NOTIFY payload on `channel`, from commits of any process. `onLive(false)`
   * says notifications may be missed from now on (the listening connection was lost); `onLive(true)`
   * that they arrive again (possibly after some were missed). Resolves once listening; the returned
   * function stops.
   */
  listen(channel: string, onPayload: (payload: string) => void, onLive: (live: boolean) => void): Promise<() => Promise<void>>;
  /** PostgreSQL only: connections of this process's pool, for the metrics. */
  poolStats?(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A postgres:// URL; when absent the embedded PGlite database is used. */
  url?: string;
  /** Directory of the embedded database; `memory://` keeps it in memory (tests). */
  pgliteDir?: string;
  poolSize?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.poolSize ?? 10);
  if (!options.pgliteDir) throw new Error('openDatabase needs either a url or a pgliteDir');
  return openPglite(options.pgliteDir);
}

/** The embedded database lives in `<DATA_DIR>/db`. */
export function pgliteDirFor(dataDir: string): string {
  return path.join(dataDir, 'db');
}

/**
 * PostgreSQL's 128MB default buffer cache is allocated and zeroed in PGlite's WebAssembly memory at
 * every start: 0.5–1 s of CPU and 115 MB of resident memory before the first query. 16MB is a
 * cache, not a limit: pages beyond it are read again from the data directory's files (through the
 * OS page cache) and written back when evicted, so only very large embedded databases read more
 * often; commits and WAL durability are unchanged. A larger instance belongs on PostgreSQL.
 */
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];

async function openPglite(dir: string): Promise<Database> {
  let unlock = () => {};
  if (!dir.startsWith('memory://')) {
    mkdirSync(dir, { recursive: true });
    unlock = lockDataDirectory(dir);
  }
  // relaxedDurability stays false: every commit is written through to the data directory
  // before the query resolves, so committed rows survive a crash of the process.
  const client = await PGlite.create(dir, { relaxedDurability: false, startParams: PGLITE_START_PARAMS }).catch((error: unknown) => {
    unlock();
    throw error;
  });
  const pgliteDb = drizzlePglite(tracedPglite(client), { schema });
  return {
    db: pgliteDb as unknown as Db,
    kind: 'pglite',
    ping: async () => {
      await client.query('select 1');
    },
    query: async <Row extends Record<string, unknown>>(statement: SQL) => (await pgliteDb.execute(statement)).rows as Row[],
    migrate: (config) => migratePglite(pgliteDb, config),
    // One process owns the database, so its connection cannot be lost: notifications are never missed.
    listen: async (channel, onPayload, onLive) => {
      const stop = await client.listen(channel, onPayload);
      onLive(true);
      return () => stop();
    },
    dumpDataDir: () => client.dumpDataDir('gzip'),
    close: async () => {
      await client.close();
      unlock();
    },
  };
}

/** The SQL text of a query call's first argument (a string or a `{ text }` / `{ query }` config). */
function statementOf(query: unknown): string {
  if (typeof query === 'string') return query;
  const config = query as { text?: unknown; query?: unknown } | null;
  return String(config?.text ?? config?.query ?? '');
}

type QueryFunction = (...args: unknown[]) => unknown;

/** `query` of `target` run inside a span (OpenTelemetry, when on); the callback form is left as it is. */
function tracedQueryOf(target: { query: QueryFunction }): QueryFunction {
  const query = target.query.bind(target);
  return (...args) => (typeof args.at(-1) === 'function' ? query(...args) : traceQuery(statementOf(args[0]), async () => query(...args)));
}

/**
 * The pool drizzle queries, with a span per statement. Statements outside a transaction go
 * through `pool.query`; a transaction checks out a client with `pool.connect()` and queries it,
 * so that client is handed out behind a proxy whose `query` is traced. The proxy, not the
 * client, so the pool's own use of the client (under `pool.query`) is not counted twice. Spans
 * start where drizzle calls, in its caller's context, even when a query waits for a connection.
 */
function tracedPool(pool: pg.Pool): pg.Pool {
  const query = tracedQueryOf(pool as unknown as { query: QueryFunction });
  const connect = pool.connect.bind(pool);
  const traced = async () => {
    const client = await connect();
    const clientQuery = tracedQueryOf(client as unknown as { query: QueryFunction });
    return new Proxy(client, { get: (target, key, receiver) => (key === 'query' ? clientQuery : Reflect.get(target, key, receiver)) });
  };
  // The callback form of connect is pg-pool's own (under pool.query): it stays as it is.
  const connectTraced = (...args: unknown[]) =>
    typeof args[0] === 'function' ? (connect as (...forwarded: unknown[]) => unknown)(...args) : traced();
  return new Proxy(pool, {
    get: (target, key, receiver) => {
      if (key === 'query') return query;
      if (key === 'connect') return connectTraced;
      return Reflect.get(target, key, receiver);
    },
  });
}

/**
 * Hands out PGlite statements one per turn of the event loop, in the order they were issued. PGlite
 * runs each statement synchronously on this thread and resolves at once, so statements issued
 * together (an analysis storing its pages, fifty list requests in flight) would otherwise run one
 * after another in a single turn, with their callers' work in between, and keep every waiting HTTP
 * request (a liveness probe) out until the last. One statement a turn lets the loop read and answer
 * sockets between any two.
 */
class StatementTurns {
  readonly #waiting: Array<() => void> = [];
  #scheduled = false;

  /** Resolves on a later turn of the loop, after every statement issued before. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#grant);
      }
    });
  }

  // An immediate queued while immediates run waits for the next turn: one statement each.
  readonly #grant = () => {
    this.#waiting.shift()?.();
    if (this.#waiting.length) setImmediate(this.#grant);
    else this.#scheduled = false;
  };
}

/** `query` of a PGlite instance or transaction that waits for its statement's turn first. */
function turnTakingQueryOf(target: { query: QueryFunction }, turns: StatementTurns): QueryFunction {
  const query = tracedQueryOf(target);
  return async (...args) => {
    await turns.next();
    return query(...args);
  };
}

/** PGlite for drizzle: a span per statement, in and out of transactions (see tracedPool), each in its turn. */
function tracedPglite(client: PGlite): PGlite {
  const turns = new StatementTurns();
  const query = turnTakingQueryOf(client as unknown as { query: QueryFunction }, turns);
  const transaction: PGlite['transaction'] = (work) =>
    client.transaction((tx) => {
      const txQuery = turnTakingQueryOf(tx as unknown as { query: QueryFunction }, turns);
      return work(new Proxy(tx, { get: (target, key, receiver) => (key === 'query' ? txQuery : Reflect.get(target, key, receiver)) }));
    });
  return new Proxy(client, {
    get: (target, key) => {
      if (key === 'query') return query;
      if (key === 'transaction') return transaction;
      // PGlite's methods use private fields: they run on the instance, not on the proxy.
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as QueryFunction).bind(target) : value;
    },
  });
}

/** Arbitrary constant identifying Siteprint's migration lock among advisory locks. */
const MIGRATION_LOCK_ID = 7_302_114_001;

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const nodePgDb = drizzleNodePg(tracedPool(pool), { schema });
  const db = nodePgDb as unknown as Db;
  await db.execute(sql`select 1`);
  return {
    db,
    query: async <Row extends Record<string, unknown>>(statement: SQL) => (await nodePgDb.execute(statement)).rows as Row[],
    kind: 'postgres',
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    migrate: async (config) => {
      // One connection holds an advisory lock for the whole run, so API and worker processes
      // starting together apply each migration exactly once.
      const connection = await pool.connect();
      try {
        await connection.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
        await migrateNodePg(drizzleNodePg(connection, { schema }), config);
      } finally {
        await connection.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
        connection.release();
      }
    },
    listen: (channel, onPayload, onLive) => listenPostgres(url, channel, onPayload, onLive),
    close: () => pool.end(),
  };
}

/**
 * LISTEN on a connection of its own (a pooled one would be handed to queries). When it is lost,
 * `onLive(false)` at once, then reconnects with backoff until it listens again.
 */
async function listenPostgres(
  url: string,
  channel: string,
  onPayload: (payload: string) => void,
  onLive: (live: boolean) => void,
): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | undefined;
  const connect = async (): Promise<void> => {
    const connection = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    // Until it listens, a failure is the attempt's error (retried by the caller), not a loss.
    connection.on('error', () => undefined);
    connection.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) onPayload(message.payload);
    });
    try {
      await connection.connect();
      await connection.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      await connection.end().catch(() => undefined);
      throw error;
    }
    if (stopped) {
      await connection.end().catch(() => undefined);
      return;
    }
    let lost = false;
    const onLost = () => {
      if (lost || stopped) return;
      lost = true;
      connection.end().catch(() => undefined);
      onLive(false);
      void pRetry(connect, { forever: true, minTimeout: 250, maxTimeout: 5_000, shouldRetry: () => !stopped }).catch(() => undefined);
    };
    connection.on('error', onLost);
    connection.on('end', onLost);
    client = connection;
    onLive(true);
  };
  await connect();
  return async () => {
    stopped = true;
    await client?.end().catch(() => undefined);
  };
}
