import type { Command } from 'commander';
import { loadConfig, loadDotEnv } from '../../config/index.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations (PGlite in DATA_DIR, or DATABASE_URL) and exit')
    .action(async () => {
      loadDotEnv();
      const config = loadConfig();
      const [{ runMigrations }, { openConfiguredDatabase }] = await Promise.all([
        import('../../db/migrations.js'),
        import('../../app/platform.js'),
      ]);
      const database = await openConfiguredDatabase(config);
      try {
        const status = await runMigrations(database);
        console.log(`${database.kind}: ${status.applied} of ${status.available} migrations applied; schema is current`);
      } finally {
        await database.close();
      }
    });
}
