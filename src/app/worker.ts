import type { Config } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { serveMetrics } from '../system/metrics.js';
import { openPlatform, type Platform } from './platform.js';

export interface RunningWorker {
  platform: Platform;
  /** The metrics endpoint's URL when METRICS_PORT is set. */
  metricsUrl?: string;
  close(): Promise<void>;
}

/** `siteprint worker`: the platform without the HTTP app, running jobs from the shared queue. */
export async function startWorker(config: Config, logger: Logger): Promise<RunningWorker> {
  const platform = await openPlatform(config, logger);
  try {
    await platform.runJobs('worker');
    if (config.METRICS_PORT === undefined) return { platform, close: () => platform.close() };
    const server = await serveMetrics(platform.metrics, config.HOST, config.METRICS_PORT);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.METRICS_PORT;
    const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
    return {
      platform,
      metricsUrl: `http://${host}:${port}/metrics`,
      close: async () => {
        server.close();
        await platform.close();
      },
    };
  } catch (error) {
    await platform.close().catch(() => undefined);
    throw error;
  }
}
