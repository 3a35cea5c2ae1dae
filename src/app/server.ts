import closeWithGrace from 'close-with-grace';
import { FirstAdminSetup } from '../accounts/first-admin.js';
import type { Config } from '../config/index.js';
import type { AppInstance } from '../http/app-instance.js';
import type { Logger } from '../logging/logger.js';
import { openApplication } from './index.js';
import type { Platform } from './platform.js';

export interface RunningServer {
  app: AppInstance;
  platform: Platform;
  url: string;
  /** The one-time first-administrator setup token printed at start, while the instance has no administrator. */
  setupToken?: string;
  /** Stops accepting connections, lets in-flight requests and jobs finish, then closes the database. */
  close(): Promise<void>;
}

/**
 * `siteprint serve`. In embedded mode (no REDIS_URL) this one process also runs the jobs; in
 * scaled mode `siteprint worker` processes do. Every API process runs the scheduler: claiming
 * a due check is atomic, so each check is enqueued once.
 */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const { app, platform } = await openApplication(config, logger);
  try {
    await app.listen({ host: config.HOST, port: config.PORT });
    if (!config.REDIS_URL) await platform.runJobs('server');
    platform.scheduler.start();
    const setupToken = await new FirstAdminSetup(platform.database.db, logger, config.PUBLIC_URL).announce();
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
    const url = `http://${host}:${port}`;
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await app.close();
        await platform.close();
      })());
    return { app, platform, url, setupToken, close };
  } catch (error) {
    await app.close().catch(() => undefined);
    await platform.close().catch(() => undefined);
    throw error;
  }
}

/** Closes on SIGTERM/SIGINT, forcing exit if shutdown outlasts the timeout. */
export function closeOnSignals(close: () => Promise<void>, logger: Logger, timeoutMs: number): void {
  closeWithGrace({ delay: timeoutMs }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an uncaught error');
    else logger.info({ signal }, 'shutting down');
    await close();
    logger.info('stopped');
  });
}
