import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/index.js';
import { siteprintVersion } from '../system/version.js';
import { registerAdminCommand } from './commands/admin.js';
import { registerBackupCommands } from './commands/backup.js';
import { registerBlueprintCommand } from './commands/blueprint.js';
import { registerCheckCommand } from './commands/check.js';
import { registerDiscoverCommand } from './commands/discover.js';
import { registerExtractCommand } from './commands/extract.js';
import { registerFingerprintCommand } from './commands/fingerprint.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerOpenApiCommand } from './commands/openapi.js';
import { registerRemoteCommand } from './commands/remote.js';
import { registerRepairCommand } from './commands/repair.js';
import { registerSampleCommand } from './commands/sample.js';
import { registerServeCommand } from './commands/serve.js';
import { registerWorkerCommand } from './commands/worker.js';

const program = new Command('siteprint')
  .description('Siteprint: fingerprint websites, discover their data, keep extraction blueprints healthy')
  .version(siteprintVersion)
  .showHelpAfterError()
  .enablePositionalOptions()
  .exitOverride();

registerServeCommand(program);
registerMigrateCommand(program);
registerWorkerCommand(program);
registerBlueprintCommand(program);
registerExtractCommand(program);
registerCheckCommand(program);
registerRepairCommand(program);
registerAdminCommand(program);
registerBackupCommands(program);
registerFingerprintCommand(program);
registerSampleCommand(program);
registerDiscoverCommand(program);
registerOpenApiCommand(program);
registerRemoteCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(`siteprint: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
