import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Siteprint } from '../../sdk/typescript/src/index.js';
import { runCli, type CliResult } from '../support/cli.js';
import { startLiveServer, type LiveServer } from '../support/live-server.js';

const PASSWORD = 'correct horse battery';
const FIELDS = ['title', 'author', 'isbn_13', 'price'];

/** The environment without the caller's own Siteprint settings, so only what a test passes counts. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && !key.startsWith('SITEPRINT_') && key !== 'XDG_CONFIG_HOME') env[key] = value;
  return { ...env, ...extra };
}

/** `siteprint-remote <args>`: the SDK's own bin, from source. */
function runRemoteBin(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'sdk/typescript/src/cli/main.ts', ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * `siteprint remote`, the client CLI, against a real Siteprint on PGlite over HTTP: configured
 * from its config file, it adds and analyses a site, follows jobs, reads and exports the
 * blueprint, extracts, creates a report, and fails with the documented exit codes.
 */
describe('siteprint remote against a live server', { timeout: 240_000 }, () => {
  let server: LiveServer;
  let apiKey: string;
  let dir: string;
  let env: Record<string, string>;
  let siteId: string;
  let analysisId: string;

  // Most calls go through the SDK's own bin, which loads less than the server's CLI (a machine
  // of two cores runs these tests); `siteprint remote` runs the same program (first and last test).
  const remote = (args: string[], extra: Record<string, string> = {}) => runRemoteBin(args, { ...env, ...extra });
  const serverCli = (args: string[], extra: Record<string, string> = {}) => runCli(['remote', ...args], { ...env, ...extra });

  beforeAll(async () => {
    server = await startLiveServer();
    await new Siteprint({ baseUrl: server.url }).auth.register({ email: 'cli@example.com', name: 'Cli', password: PASSWORD });
    const session = await Siteprint.login({ baseUrl: server.url, email: 'cli@example.com', password: PASSWORD });
    apiKey = (
      await session.apiKeys.create({
        name: 'cli test',
        scopes: ['sites:read', 'sites:write', 'jobs:read', 'jobs:write', 'blueprints:read'],
      })
    ).secret;
    dir = mkdtempSync(path.join(tmpdir(), 'siteprint-remote-'));
    env = cleanEnv({ SITEPRINT_CONFIG: path.join(dir, 'config', 'config.json') });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  it('refuses to run without a server or key, and stores them in an owner-only config file', async () => {
    const missing = await serverCli(['sites', 'list']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no server: pass --server URL, set SITEPRINT_URL/);

    const set = await serverCli(['config', 'set', '--server', server.url, '--api-key', apiKey]);
    expect(set.code, set.stderr).toBe(0);
    const file = env.SITEPRINT_CONFIG!;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      defaultProfile: 'default',
      profiles: { default: { server: server.url, apiKey } },
    });

    const shown = await remote(['config', 'show', '--json']);
    expect(JSON.parse(shown.stdout).profiles).toEqual([
      { profile: 'default', server: server.url, apiKey: `${apiKey.slice(0, 7)}…`, active: true },
    ]);
    expect(shown.stdout).not.toContain(apiKey);

    // Read from the file alone: an empty workspace.
    const list = await remote(['sites', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);

    // A file others can read is refused, not used.
    chmodSync(file, 0o644);
    const unsafe = await remote(['sites', 'list']);
    expect(unsafe.code).toBe(2);
    expect(unsafe.stderr).toMatch(/accessible to other users \(mode 644\); run: chmod 600/);
    chmodSync(file, 0o600);

    // A named profile that does not exist is a usage error; flags and the environment win over the file.
    expect((await remote(['--profile', 'staging', 'sites', 'list'])).code).toBe(2);
    const wrongKey = await remote(['sites', 'list'], { SITEPRINT_API_KEY: 'sp_not_a_real_key' });
    expect(wrongKey.code).toBe(3);
    expect(wrongKey.stderr).toMatch(/^error: .*\(HTTP 401, request [\w-]+\)/m);
  });

  it('adds a site and waits for its analysis, then lists and shows it', async () => {
    const added = await remote([
      'sites',
      'add',
      `${server.shop.url}/`,
      '--name',
      'Quire',
      '--field',
      ...FIELDS,
      '--max-pages',
      '10',
      '--wait',
      '--json',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const result = JSON.parse(added.stdout) as {
      site: { id: string; status: string; health: string };
      job: { id: string; status: string };
    };
    expect(result.site).toMatchObject({ status: 'ready', health: 'healthy' });
    expect(result.job.status).toBe('succeeded');
    expect(added.stderr).toMatch(/analyze_site running/);
    expect(added.stderr).toMatch(/analyze_site succeeded/);
    siteId = result.site.id;
    analysisId = result.job.id;

    const table = await remote(['sites', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+URL\s+STATUS\s+HEALTH\s+LAST CHECK$/);
    expect(table.stdout).toMatch(new RegExp(`${siteId}\\s+Quire\\s+${server.shop.url}/?\\s+ready\\s+healthy`));

    const shown = await remote(['sites', 'show', siteId]);
    expect(shown.stdout).toMatch(/^blueprint:\s+version 1$/m);
  });

  it('lists jobs, shows one with its steps and prints its logs', async () => {
    const jobs = JSON.parse((await remote(['jobs', 'list', '--site', siteId, '--json'])).stdout) as Array<{ id: string; type: string }>;
    expect(jobs.map((job) => job.type)).toEqual(['analyze_site']);
    const withSteps = JSON.parse(
      (await remote(['jobs', 'list', '--site', siteId, '--steps', '--limit', '3', '--json'])).stdout,
    ) as unknown[];
    expect(withSteps).toHaveLength(3);

    const shown = await remote(['jobs', 'show', analysisId]);
    expect(shown.stdout).toMatch(/^status:\s+succeeded$/m);
    expect(shown.stdout).toMatch(/update_blueprint\s+succeeded/);

    const logs = await remote(['jobs', 'logs', analysisId]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/ info +fingerprint_site: /);
    expect(logs.stdout).toMatch(/ update_blueprint: /);
  });

  it('cancels, waits for, retries and follows an analysis', async () => {
    // Workers paused, as on a busy server, so the analysis is still queued when it is cancelled.
    await server.platform.queue.pause();
    const started = JSON.parse((await remote(['analyze', siteId, '--json'])).stdout) as { job: { id: string } };
    const cancelled = await remote(['jobs', 'cancel', started.job.id]);
    await server.platform.queue.resume();
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toMatch(/cancelled/);
    const waited = await remote(['jobs', 'watch', started.job.id]);
    expect(waited.code).toBe(5);
    expect(waited.stderr).toMatch(/cancelled/);

    expect((await remote(['jobs', 'retry', started.job.id])).code).toBe(0);
    const followed = await remote(['jobs', 'logs', started.job.id, '--follow']);
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stdout).toMatch(/update_blueprint: /);
    expect((await remote(['jobs', 'show', started.job.id, '--json'])).stdout).toMatch(/"status": "succeeded"/);
    const again = await remote(['jobs', 'cancel', started.job.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/HTTP 409/);
  });

  it('shows, exports and compares the blueprint', async () => {
    const shown = await remote(['blueprint', 'show', siteId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^blueprint version 1 \(active\), analysis/);
    for (const field of FIELDS) expect(shown.stdout).toMatch(new RegExp(`\\s${field}\\s`));

    const out = path.join(dir, 'blueprint.yaml');
    const exported = await remote(['blueprint', 'export', siteId, '--format', 'yaml', '--out', out]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('pageTypes:');
    const json = await remote(['blueprint', 'export', siteId]);
    expect(JSON.parse(json.stdout)).toMatchObject({ schemaVersion: 1, version: 1 });

    const diff = await remote(['blueprint', 'diff', siteId, '1', '1']);
    expect(diff.stdout.trim()).toBe('versions 1 and 1 are identical');
    const badVersion = await remote(['blueprint', 'diff', siteId, '1', 'two']);
    expect(badVersion.code).toBe(2);
  });

  it('extracts pages, from URLs and from given HTML, and exits 1 when a URL gives no record', async () => {
    const book = server.shop.books.at(-1)!;
    const extracted = await remote(['extract', siteId, server.shop.productUrl(book), '--json']);
    expect(extracted.code, extracted.stderr).toBe(0);
    expect(JSON.parse(extracted.stdout)[0].data).toMatchObject({ title: book.title, isbn_13: book.isbn });

    const html = path.join(dir, 'page.html');
    writeFileSync(html, await (await fetch(server.shop.productUrl(book))).text());
    const fromHtml = await remote(['extract', siteId, server.shop.productUrl(book), '--html', html]);
    expect(fromHtml.code, fromHtml.stderr).toBe(0);
    expect(fromHtml.stdout).toContain(`  title: ${JSON.stringify(book.title)}`);

    const missing = await remote(['extract', siteId, `${server.shop.url}/product/does-not-exist`]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/error: HTTP 404/);
  });

  it('creates a report, waits for it and downloads it', async () => {
    const out = path.join(dir, 'report.json');
    const created = await remote([
      'reports',
      'create',
      '--type',
      'site_report',
      '--site',
      siteId,
      '--format',
      'json',
      '--wait',
      '--out',
      out,
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const report = JSON.parse(created.stdout) as { id: string; status: string };
    expect(report.status).toBe('succeeded');
    const file = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    const downloaded = await remote(['reports', 'download', report.id]);
    expect(JSON.parse(downloaded.stdout)).toEqual(file);
    expect((await remote(['reports', 'create', '--type', 'site_report'])).code).toBe(2);
  });

  it('answers problems with exit codes: 4 not found, 1 invalid input with its fields, JSON on stderr with --json', async () => {
    const missing = await remote(['sites', 'show', '00000000-0000-4000-8000-000000000000', '--json']);
    expect(missing.code).toBe(4);
    expect(JSON.parse(missing.stderr)).toMatchObject({ status: 404, type: expect.stringMatching(/not-found/) });

    const invalid = await remote(['sites', 'add', 'ftp://files.example/']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/\(HTTP 400, request [\w-]+\)\n {2}\/url: /);

    const unknown = await remote(['sites', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('runs as siteprint remote and as the SDK bin, and deletes the site', async () => {
    const list = await runRemoteBin(['--server', server.url, '--api-key', apiKey, 'sites', 'list', '--json'], cleanEnv({}));
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).map((site: { id: string }) => site.id)).toEqual([siteId]);

    const deleted = await serverCli(['sites', 'delete', siteId]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await remote(['sites', 'show', siteId])).code).toBe(4);
  });
});
