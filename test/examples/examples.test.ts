import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Siteprint } from '../../sdk/typescript/src/index.js';
import { startLiveServer, type LiveServer } from '../support/live-server.js';
import { pythonWithHttpx } from '../support/python.js';

const python = pythonWithHttpx();

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** A long-running example whose output a test waits on; `stop()` ends it. */
function start(command: string, args: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(command, args, { env: { ...process.env, ...env } });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    output: () => output,
    waitFor: (pattern: RegExp) => expect.poll(() => output, { timeout: 90_000, interval: 200 }).toMatch(pattern),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The examples under examples/, run as a user would against a live server and the fixture shop. */
describe('examples', { timeout: 300_000 }, () => {
  let server: LiveServer;
  let dir: string;

  beforeAll(async () => {
    server = await startLiveServer();
    dir = mkdtempSync(path.join(tmpdir(), 'siteprint-examples-'));
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  /** A new account (so its own workspace) and an API key for it. */
  async function apiKey(email: string): Promise<string> {
    await new Siteprint({ baseUrl: server.url }).auth.register({ email, name: 'Example', password: 'correct horse battery' });
    const session = await Siteprint.login({ baseUrl: server.url, email, password: 'correct horse battery' });
    return (await session.apiKeys.create({ name: 'examples', scopes: ['sites:read', 'sites:write', 'jobs:read', 'blueprints:read'] }))
      .secret;
  }

  function sitesCsv(): string {
    const book = server.shop.books.at(-1)!;
    const file = path.join(dir, `sites-${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(file, `url,name,page\n${server.shop.url}/,Quire,${server.shop.productUrl(book)}\nnot a url,Broken,\n`);
    return file;
  }

  function expectRecords(file: string) {
    const rows = parse(readFileSync(file), { columns: true }) as Array<{ site: string; page: string; data: string }>;
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.data).title).toBe(server.shop.books.at(-1)!.title);
  }

  it('TypeScript: bulk-adds sites from CSV and exports extraction results', async () => {
    const output = path.join(dir, 'ts-results.csv');
    const result = await run(process.execPath, ['--import', 'tsx', 'examples/typescript/bulk-extract.ts', sitesCsv(), output], {
      SITEPRINT_URL: server.url,
      SITEPRINT_API_KEY: await apiKey('ts@example.com'),
    });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/not a url: invalid/);
    expect(result.output).toMatch(/wrote 1 records/);
    expectRecords(output);
  });

  /**
   * Runs a monitor example on a workspace with one analysed site, then redesigns the shop and
   * runs the site's check, as the scheduler would: the monitor prints the check's health change
   * and the repair's.
   */
  async function monitors(email: string, command: string, args: string[], env: Record<string, string>, arrow: string) {
    const key = await apiKey(email);
    const client = new Siteprint({ baseUrl: server.url, apiKey: key });
    const { site } = await client.sites.addAndAnalyze(
      { url: `${server.shop.url}/`, name: 'Quire', fields: [{ name: 'title' }, { name: 'isbn_13' }], maxPages: 10 },
      { intervalMs: 250, timeoutMs: 150_000 },
    );
    const monitor = start(command, args, { SITEPRINT_URL: server.url, SITEPRINT_API_KEY: key, ...env });
    try {
      await monitor.waitFor(/watching 1 sites for health changes/);
      expect(monitor.output()).toContain(`Quire (${site.url}): healthy`);
      server.shop.redesigned = true;
      const workspaceId = (await server.platform.repositories.sites.get(site.id))!.workspaceId;
      await server.platform.queue.enqueue({ workspaceId, siteId: site.id, type: 'check_site', payload: { siteId: site.id }, priority: 2 });
      await monitor.waitFor(new RegExp(`Quire \\(${site.url.replace(/[.]/g, '\\.')}\\): healthy ${arrow} degraded`));
      await monitor.waitFor(new RegExp(`degraded ${arrow} healthy`));
    } finally {
      server.shop.redesigned = false;
      await monitor.stop();
    }
  }

  it('TypeScript: monitors sites and prints health changes', async () => {
    await monitors('ts-monitor@example.com', process.execPath, ['--import', 'tsx', 'examples/typescript/monitor.ts'], {}, '→');
  });

  it.skipIf(!python)('Python: monitors sites and prints health changes', async () => {
    await monitors('py-monitor@example.com', python!, ['examples/python/monitor.py'], { PYTHONPATH: 'sdk/python' }, '->');
  });

  it.skipIf(!python)('Python: bulk-adds sites from CSV and exports extraction results', async () => {
    const output = path.join(dir, 'py-results.csv');
    const result = await run(python!, ['examples/python/bulk_extract.py', sitesCsv(), output], {
      SITEPRINT_URL: server.url,
      SITEPRINT_API_KEY: await apiKey('py@example.com'),
      PYTHONPATH: 'sdk/python',
    });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/wrote 1 records/);
    expectRecords(output);
  });
});
