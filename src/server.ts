import closeWithGrace from 'close-with-grace';
import type { Config } from './config/index.js';
import { openDatabase, pgliteDirFor, type Database } from './db/client.js';
import { runMigrations } from './db/migrations.js';
import { buildApp, type AppInstance } from './http/app.js';
import type { Logger } from './logging/logger.js';
import { JOB_TYPES } from './pipeline/job-types.js';
import { createJobQueue, type JobQueue } from './queue/index.js';

export interface RunningServer {
  app: AppInstance;
  database: Database;
  queue: JobQueue;
  url: string;
  /** Stops accepting connections, lets in-flight requests finish, then closes the database. */
  close(): Promise<void>;
}

export function openConfiguredDatabase(config: Config): Promise<Database> {
  return openDatabase({ url: config.DATABASE_URL, pgliteDir: pgliteDirFor(config.dataDir) });
}

/** BullMQ on Redis when REDIS_URL is set; otherwise the embedded queue over the database. */
export function createConfiguredQueue(config: Config, database: Database, logger: Logger): JobQueue {
  return createJobQueue({ database, logger, redisUrl: config.REDIS_URL, jobTypes: JOB_TYPES });
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const database = await openConfiguredDatabase(config);
  try {
    const migrations = await runMigrations(database);
    logger.info({ database: database.kind, migrations: migrations.applied }, 'database ready');
    const queue = createConfiguredQueue(config, database, logger);
    const app = await buildApp({ config, database, queue, logger });
    await app.listen({ host: config.HOST, port: config.PORT });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
    const url = `http://${host}:${port}`;
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await app.close();
        await queue.close(config.SHUTDOWN_TIMEOUT_MS);
        await database.close();
      })());
    return { app, database, queue, url, close };
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}

/** Closes the server on SIGTERM/SIGINT, forcing exit if shutdown outlasts the timeout. */
export function closeOnSignals(server: RunningServer, logger: Logger, timeoutMs: number): void {
  closeWithGrace({ delay: timeoutMs }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an uncaught error');
    else logger.info({ signal }, 'shutting down');
    await server.close();
    logger.info('stopped');
  });
}
