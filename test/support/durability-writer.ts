// Child process for the crash test: inserts rows one committed transaction at a time and
// acknowledges each on stdout only after its commit returned, until it is killed.
import { openDatabase } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrations.js';
import { SettingsRepository } from '../../src/settings/settings.repository.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: durability-writer <pglite dir>');
const database = await openDatabase({ pgliteDir: dir });
await runMigrations(database);
const settings = new SettingsRepository(database.db);
for (let n = 0; ; n++) {
  await settings.set(`row-${n}`, { n, padding: 'x'.repeat(512) });
  process.stdout.write(`${n}\n`);
}
