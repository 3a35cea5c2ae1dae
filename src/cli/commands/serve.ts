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
      const server = await startServer(config, logger);
      closeOnSignals(server.close, logger, config.SHUTDOWN_TIMEOUT_MS);
      logger.info({ url: server.url, docs: `${server.url}/docs` }, `Siteprint is running at ${server.url}`);
    });
}
