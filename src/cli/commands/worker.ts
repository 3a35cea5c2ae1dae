import type { Command } from 'commander';
import { ConfigError, loadConfig, loadDotEnv } from '../../config/index.js';
import { createLogger } from '../../logging/logger.js';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Run jobs from the Redis queue (scaled mode: needs REDIS_URL and DATABASE_URL); start as many as you like')
    .option('-c, --concurrency <n>', 'jobs run at once by this process, all types together (overrides WORKER_CONCURRENCY)')
    .action(async (options: { concurrency?: string }) => {
      loadDotEnv();
      const config = loadConfig(options.concurrency ? { ...process.env, WORKER_CONCURRENCY: options.concurrency } : process.env);
      if (!config.REDIS_URL) {
        throw new ConfigError(
          'REDIS_URL',
          'required by `siteprint worker`; in embedded mode `siteprint serve` runs the jobs itself',
          undefined,
        );
      }
      if (!config.DATABASE_URL) {
        throw new ConfigError('DATABASE_URL', 'required by `siteprint worker`: workers share PostgreSQL with the API', undefined);
      }
      const logger = createLogger({ level: config.LOG_LEVEL });
      const [{ startWorker }, { closeOnSignals }] = await Promise.all([import('../../app/worker.js'), import('../../app/server.js')]);
      const worker = await startWorker(config, logger);
      closeOnSignals(() => worker.close(), logger, config.SHUTDOWN_TIMEOUT_MS);
      logger.info({ concurrency: config.WORKER_CONCURRENCY, metrics: worker.metricsUrl }, 'worker started');
    });
}
