import type { Config } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { openPlatform, type Platform } from './platform.js';

/** `siteprint worker`: the platform without the HTTP app, running jobs from the shared queue. */
export async function startWorker(config: Config, logger: Logger): Promise<Platform> {
  const platform = await openPlatform(config, logger);
  try {
    await platform.queue.work(platform.handlers, { concurrency: config.WORKER_CONCURRENCY });
    return platform;
  } catch (error) {
    await platform.close().catch(() => undefined);
    throw error;
  }
}
