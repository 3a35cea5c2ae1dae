import { spawn } from 'node:child_process';
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

/** The examples under examples/, run as a user would against a live server and the fixture shop. */
describe('examples', () => {
  let server: LiveServer;
  let dir: string;

  beforeAll(async () => {
    server = await startLiveServer();
    dir = mkdtempSync(path.join(tmpdir(), 'siteprint-examples-'));
  });

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
