import type { Command } from 'commander';
import { loadConfig, loadDotEnv } from '../../config/index.js';
import { createLogger } from '../../logging/logger.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the HTTP API (and, in embedded mode, everything else) in this process')
    .option('-p, --port <port>', 'port to listen on (overrides PORT)')
    .action(async (options: { port?: string }) => {
      loadDotEnv();
      const config = loadConfig(options.port ? { ...process.env, PORT: options.port } : process.env);
      const logger = createLogger({ level: config.LOG_LEVEL });
      // The server stack loads only when a command needs it, so the other commands start fast.
      const { closeOnSignals, startServer } = await import('../../app/server.js');
      // Signals are handled from before the server listens: one arriving while it finishes
      // starting (jobs, scheduler, first-administrator check) waits for the start, then closes.
      const starting = startServer(config, logger);
      closeOnSignals(async () => (await starting).close(), logger, config.SHUTDOWN_TIMEOUT_MS);
      const server = await starting;
      logger.info({ url: server.url, docs: `${server.url}/docs` }, `Siteprint is running at ${server.url}`);
    });
}
