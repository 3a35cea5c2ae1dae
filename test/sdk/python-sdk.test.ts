import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveServer, type LiveServer } from '../support/live-server.js';
import { pythonWithHttpx } from '../support/python.js';

const SDK_DIR = fileURLToPath(new URL('../../sdk/python', import.meta.url));
const python = pythonWithHttpx();

/** Runs a Python module's unittest suite against the live server; resolves with its exit code and output. */
function unittest(server: LiveServer, modules: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python!, ['-m', 'unittest', '-v', ...modules], {
      cwd: SDK_DIR,
      env: { ...process.env, SITEPRINT_URL: server.url, SITEPRINT_SHOP_URL: server.shop.url, PYTHONDONTWRITEBYTECODE: '1' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** The Python SDK's own suites (sdk/python/tests), run by python3 against a real server on PGlite. */
describe.skipIf(!python)('the Python SDK against a live server', () => {
  let server: LiveServer;

  beforeAll(async () => {
    server = await startLiveServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('matches the live OpenAPI document: every model and wrapped operation, and names the rest', async () => {
    const { code, output } = await unittest(server, ['tests.test_drift']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/Ran 2 tests/);
  });

  it('signs up, analyses, extracts, pages, streams events and raises typed problems', async () => {
    const { code, output } = await unittest(server, ['tests.test_live']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/Ran 5 tests/);
  }, 150_000);
});
