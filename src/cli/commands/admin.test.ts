import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli.js';
import { openDatabase, pgliteDirFor } from '../../db/client.js';
import { UsersRepository } from '../../accounts/users.repository.js';
import { verifyPassword } from '../../accounts/passwords.js';

describe('siteprint admin create', () => {
  it('creates a system administrator, then promotes an existing account', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'siteprint-admin-'));
    const env = { DATA_DIR: dataDir, NODE_ENV: 'development', DATABASE_URL: '' };
    const created = await runCli(['admin', 'create', '--email', 'ops@example.com', '--password', 'operator-password-1'], env);
    expect(created.stderr).toBe('');
    expect(created.stdout.trim()).toBe('Created system administrator ops@example.com');
    expect(created.code).toBe(0);
    const again = await runCli(['admin', 'create', '--email', 'OPS@example.com', '--password', 'operator-password-2'], env);
    expect(again.stdout.trim()).toBe('Promoted system administrator ops@example.com');

    const database = await openDatabase({ pgliteDir: pgliteDirFor(dataDir) });
    try {
      const user = await new UsersRepository(database.db).findByEmail('ops@example.com');
      expect(user?.systemAdmin).toBe(true);
      expect(await verifyPassword(user!.passwordHash!, 'operator-password-2')).toBe(true);
    } finally {
      await database.close();
    }
    // Two CLI processes, each compiling from source and migrating an embedded database.
  }, 120_000);

  it('refuses a short password without touching the database', async () => {
    const result = await runCli(['admin', 'create', '--email', 'ops@example.com', '--password', 'short'], {
      DATA_DIR: '/nonexistent/never',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--password must be at least 10 characters');
  });
});

describe('JWT secret at startup', () => {
  it('refuses to start in production without JWT_SECRET: exit 2 and one line', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'siteprint-prod-'));
    const result = await runCli(['serve'], { NODE_ENV: 'production', DATA_DIR: dataDir, JWT_SECRET: '' });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('Invalid configuration: JWT_SECRET: required when NODE_ENV=production');
  });
});
