import type { Command } from 'commander';
import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../../accounts/passwords.js';
import { loadConfig, loadDotEnv } from '../../config/index.js';

const input = z.object({
  email: z.email({ message: '--email must be an email address' }),
  password: z.string().min(MIN_PASSWORD_LENGTH, { message: `--password must be at least ${MIN_PASSWORD_LENGTH} characters` }),
  name: z.string().trim().min(1).max(200),
});

export function registerAdminCommand(program: Command): void {
  const admin = program.command('admin').description('Manage platform administrators');
  admin
    .command('create')
    .description('Create a system administrator, or promote an existing account and set its password')
    .requiredOption('--email <email>', 'email address of the administrator')
    .requiredOption('--password <password>', `password (at least ${MIN_PASSWORD_LENGTH} characters)`)
    .option('--name <name>', 'display name (defaults to the part of the email before @)')
    .action(async (options: { email: string; password: string; name?: string }) => {
      const parsed = input.safeParse({ ...options, name: options.name ?? options.email.split('@')[0] });
      if (!parsed.success) throw new Error(parsed.error.issues[0]!.message);
      loadDotEnv();
      const config = loadConfig();
      const [{ createSystemAdmin }, { UsersRepository }, { openConfiguredDatabase }, { runMigrations }] = await Promise.all([
        import('../../accounts/system-admin.js'),
        import('../../accounts/users.repository.js'),
        import('../../app/platform.js'),
        import('../../db/migrations.js'),
      ]);
      const database = await openConfiguredDatabase(config);
      try {
        await runMigrations(database);
        const { user, created } = await createSystemAdmin(new UsersRepository(database.db), parsed.data);
        console.log(`${created ? 'Created' : 'Promoted'} system administrator ${user.email}`);
      } finally {
        await database.close();
      }
    });
}
