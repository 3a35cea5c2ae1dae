import type { Command } from 'commander';
import { loadConfig, loadDotEnv } from '../../config/index.js';

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description('Back up the database (PGlite in DATA_DIR, or DATABASE_URL with pg_dump) and the instance files into one archive')
    .requiredOption('--out <file>', 'archive to write (e.g. siteprint-backup.tar.gz)')
    .action(async (options: { out: string }) => {
      loadDotEnv();
      const config = loadConfig();
      const [{ createBackup }, { openConfiguredDatabase }, { runMigrations }] = await Promise.all([
        import('../../backup/backup.service.js'),
        import('../../app/platform.js'),
        import('../../db/migrations.js'),
      ]);
      // On PGlite this fails while `siteprint serve` holds the data directory: the running server
      // backs itself up (POST /api/v1/admin/backups or BACKUP_SCHEDULE) instead.
      const database = await openConfiguredDatabase(config);
      try {
        await runMigrations(database);
        const manifest = await createBackup(database, config, options.out);
        console.log(`Backed up the ${manifest.database} database and ${manifest.files.length} instance file(s) to ${options.out}`);
      } finally {
        await database.close();
      }
    });

  program
    .command('restore')
    .description('Restore a backup into this instance; it must be empty (no users, workspaces or sites) unless --force')
    .argument('<file>', 'archive written by `siteprint backup`')
    .option('--force', 'replace the data of a non-empty instance')
    .action(async (file: string, options: { force?: boolean }) => {
      loadDotEnv();
      const config = loadConfig();
      const { restoreBackup } = await import('../../backup/backup.service.js');
      const manifest = await restoreBackup(config, file, { force: options.force === true });
      console.log(`Restored the ${manifest.database} backup of ${manifest.createdAt} (Siteprint ${manifest.siteprintVersion})`);
    });
}
