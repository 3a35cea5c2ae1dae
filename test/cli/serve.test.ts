import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type RunningCli } from '../support/cli.js';
import { createPostgresDatabase } from '../support/databases.js';
import { serviceUrl } from '../support/services.js';

const freshDataDir = () => mkdtempSync(path.join(tmpdir(), 'siteprint-cli-'));
const running: RunningCli[] = [];

afterAll(() => {
  for (const cli of running) cli.child.kill('SIGKILL');
});

async function serve(env: Record<string, string>): Promise<{ cli: RunningCli; url: string }> {
  const cli = startCli(['serve'], { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env });
  running.push(cli);
  const [, url] = await cli.waitFor(/Siteprint is running at (http:\/\/[^"\s]+)/);
  return { cli, url: url! };
}

describe('siteprint CLI', () => {
  it('documents its commands', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/serve/);
    expect(help.stdout).toMatch(/migrate/);
    for (const command of ['serve', 'migrate']) {
      const commandHelp = await runCli([command, '--help']);
      expect(commandHelp.code).toBe(0);
      expect(commandHelp.stdout).toContain(`Usage: siteprint ${command}`);
    }
  });

  it('exits 2 with one clear line on invalid configuration', async () => {
    const result = await runCli(['serve'], { PORT: 'abc', DATA_DIR: freshDataDir() });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Invalid configuration: PORT=abc: /)]);
  });

  it('migrates the embedded database', async () => {
    const result = await runCli(['migrate'], { DATA_DIR: freshDataDir() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^pglite: (\d+) of \1 migrations applied; schema is current/);
  });

  it('serves on embedded defaults, then shuts down gracefully on SIGTERM', async () => {
    const dataDir = freshDataDir();
    const { cli, url } = await serve({ DATA_DIR: dataDir });
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    expect((await (await fetch(`${url}/api/v1/version`)).json()).database).toBe('pglite');

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(/"msg":"stopped"/);

    // The database was closed cleanly: a new process opens the same directory at once.
    const again = await serve({ DATA_DIR: dataDir });
    expect((await fetch(`${again.url}/health/ready`)).status).toBe(200);
    again.cli.child.kill('SIGINT');
    expect(await again.cli.exited).toBe(0);
  });

  it('shuts down gracefully on a signal that arrives as soon as it listens', async () => {
    const cli = startCli(['serve'], { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', DATA_DIR: freshDataDir() });
    running.push(cli);
    // Readiness can answer from here on, before the jobs, the scheduler and the setup token start.
    await cli.waitFor(/Server listening at/);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(/"msg":"stopped"/);
  });

  it('prints a one-time setup token at start that a first registration from elsewhere needs', async () => {
    const { cli, url } = await serve({ DATA_DIR: freshDataDir() });
    const [, token] = await cli.waitFor(/give setup token (\S+) when registering/);
    const register = (email: string, setupToken?: string) =>
      fetch(`${url}/api/v1/auth/register`, {
        method: 'POST',
        // Through a reverse proxy, as a visitor from another machine arrives (straight to loopback needs no token).
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.4' },
        body: JSON.stringify({ email, name: 'Operator', password: 'correct horse battery', ...(setupToken ? { setupToken } : {}) }),
      });
    const refused = await register('stranger@example.com');
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/setup token printed in the server log/);
    const claimed = await register('operator@example.com', token);
    expect(claimed.status).toBe(201);
    expect(await claimed.json()).toMatchObject({ systemAdmin: true });
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    // Starting from source (tsx) on a fresh data directory takes most of a minute on a loaded machine.
  }, 180_000);

  const postgres = serviceUrl('TEST_DATABASE_URL');
  it.runIf(postgres)('serves on PostgreSQL when DATABASE_URL is set, applying the migrations', async () => {
    const database = await createPostgresDatabase(postgres!);
    try {
      const { cli, url } = await serve({ DATA_DIR: freshDataDir(), DATABASE_URL: database.url });
      const ready = await fetch(`${url}/health/ready`);
      expect(await ready.json()).toEqual({
        status: 'ready',
        checks: { database: { ok: true }, migrations: { ok: true }, queue: { ok: true } },
      });
      expect((await (await fetch(`${url}/api/v1/version`)).json()).database).toBe('postgres');
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
    } finally {
      await database.drop();
    }
  });
});
