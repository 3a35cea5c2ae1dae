import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, pgliteDirFor } from '../../src/db/client.js';
import { migrationStatus, runMigrations } from '../../src/db/migrations.js';
import { SettingsRepository } from '../../src/settings/settings.repository.js';
import { runCli } from '../support/cli.js';

const freshDir = () => mkdtempSync(path.join(tmpdir(), 'siteprint-durability-'));

describe('embedded database durability', () => {
  it('keeps data across a clean restart', async () => {
    const dir = freshDir();
    const first = await openDatabase({ pgliteDir: dir });
    await runMigrations(first);
    await new SettingsRepository(first.db).set('greeting', { text: 'hello' });
    await first.close();

    const second = await openDatabase({ pgliteDir: dir });
    try {
      expect((await migrationStatus(second)).current).toBe(true);
      expect((await new SettingsRepository(second.db).get('greeting'))?.value).toEqual({ text: 'hello' });
    } finally {
      await second.close();
    }
  });

  it('keeps every committed row when the process is killed with SIGKILL mid-write', async () => {
    const dir = freshDir();
    const writer = spawn(process.execPath, ['--import', 'tsx', 'test/support/durability-writer.ts', dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let acknowledged = -1;
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      writer.on('error', reject);
      writer.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      writer.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) acknowledged = Number(line);
        if (acknowledged >= 150) {
          writer.removeAllListeners('exit');
          writer.kill('SIGKILL');
          writer.on('exit', () => resolve());
        }
      });
    });

    const reopened = await openDatabase({ pgliteDir: dir });
    try {
      const settings = new SettingsRepository(reopened.db);
      const keys = new Set((await settings.list()).map((setting) => setting.key));
      const missing = Array.from({ length: acknowledged + 1 }, (_, n) => `row-${n}`).filter((key) => !keys.has(key));
      expect(missing).toEqual([]);
      // The database is writable again after recovery.
      await settings.set('after-crash', true);
      expect((await settings.get('after-crash'))?.value).toBe(true);
    } finally {
      await reopened.close();
    }
  });
});

describe('embedded database ownership', () => {
  it('refuses a second process on the same data directory while the first runs', async () => {
    const dataDir = freshDir();
    const owner = await openDatabase({ pgliteDir: pgliteDirFor(dataDir) });
    try {
      const second = await runCli(['migrate'], { DATA_DIR: dataDir });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/embedded database in .* is in use by process \d+/);
    } finally {
      await owner.close();
    }
    // Released on close: another process may now take it.
    const after = await runCli(['migrate'], { DATA_DIR: dataDir });
    expect(after.code).toBe(0);
  });
});
