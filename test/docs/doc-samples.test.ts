import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveServer, type LiveServer } from '../support/live-server.js';
import { pythonWithHttpx } from '../support/python.js';
import { localLinksOf, outputPattern, samplesOf, type Sample } from './samples.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOCS = path.join(ROOT, 'docs');
const python = pythonWithHttpx();
const TSX = fileURLToPath(import.meta.resolve('tsx'));

/** The reader's path: getting started first (it creates the account, key and site later pages use), then the rest. */
const pages = readdirSync(DOCS)
  .filter((name) => name.endsWith('.md'))
  .sort((a, b) => Number(b === 'getting-started.md') - Number(a === 'getting-started.md') || a.localeCompare(b));

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    // Its own process group, so a timeout also ends what a sample left in the background (curl -N).
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('exit', () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Nothing left in the group.
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('documentation code samples', () => {
  it('mark every code block: run, norun or data, and each output follows a run', () => {
    const problems = pages.flatMap((page) => samplesOf(path.join(DOCS, page)).problems);
    expect(problems.map(({ file, line, message }) => `${path.relative(ROOT, file)}:${line}: ${message}`)).toEqual([]);
    expect(pages).toContain('getting-started.md');
  });

  it('link only to files that exist', () => {
    const broken = pages.flatMap((page) =>
      localLinksOf(path.join(DOCS, page))
        .filter((link) => !existsSync(path.resolve(DOCS, decodeURIComponent(link))))
        .map((link) => `${page}: ${link}`),
    );
    expect(broken).toEqual([]);
  });

  /**
   * Each page's `run` samples in order, against one live server on PGlite and the fixture shop,
   * as a reader would type them: the variables a bash sample exports reach every later sample
   * (of any language, on any page). The server and the shop stand in for the addresses the docs
   * use, http://localhost:8080 and https://books.example, and '@siteprint/sdk' is the SDK's source.
   */
  describe('run against a live server', { timeout: 120_000 }, () => {
    let server: LiveServer;
    let work: string;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      server = await startLiveServer();
      work = mkdtempSync(path.join(tmpdir(), 'siteprint-doc-samples-'));
      const bin = path.join(work, 'bin');
      mkdirSync(bin);
      // `siteprint` as installed, from source; `siteprint remote` straight to the client CLI it loads (the SDK's
      // siteprint-remote), which spares compiling the server's commands on every call.
      writeFileSync(
        path.join(bin, 'siteprint'),
        `#!/bin/sh\nnode="${process.execPath}"; tsx="${TSX}"\n` +
          `if [ "$1" = remote ]; then shift; exec "$node" --import "$tsx" "${ROOT}/sdk/typescript/src/cli/main.ts" "$@"; fi\n` +
          `exec "$node" --import "$tsx" "${ROOT}/src/cli/main.ts" "$@"\n`,
      );
      chmodSync(path.join(bin, 'siteprint'), 0o755);
      env = { ...process.env, HOME: work, PATH: `${bin}:${process.env.PATH}`, PYTHONPATH: path.join(ROOT, 'sdk', 'python') };
      delete env.XDG_CONFIG_HOME;
      delete env.SITEPRINT_CONFIG;
    }, 120_000);

    afterAll(async () => {
      await server?.close();
    });

    const localise = (text: string) =>
      text.replaceAll('http://localhost:8080', server.url).replaceAll('https://books.example', server.shop.url);

    async function execute(sample: Sample, index: number) {
      const code = localise(sample.code);
      const where = `${path.relative(ROOT, sample.file)}:${sample.line}`;
      const file = path.join(work, `sample-${index}`);
      let result;
      const started = Date.now();
      if (sample.runner === 'bash') {
        // -a: every variable the sample sets is exported, and handed on to the samples after it.
        writeFileSync(`${file}.sh`, `set -euo pipefail -a\n${code}\nenv -0 > "${file}.env"\n`);
        result = await run('bash', [`${file}.sh`], { cwd: work, env, timeoutMs: 90_000 });
        if (result.code === 0) {
          const after = readFileSync(`${file}.env`, 'utf8').split('\0').filter(Boolean);
          for (const entry of after) {
            const at = entry.indexOf('=');
            const [name, value] = [entry.slice(0, at), entry.slice(at + 1)];
            if (!['PWD', 'OLDPWD', 'SHLVL', '_'].includes(name)) env[name] = value;
          }
        }
      } else if (sample.runner === 'ts') {
        const source = code.replaceAll(`'@siteprint/sdk'`, `'${path.join(ROOT, 'sdk', 'typescript', 'src', 'index.ts')}'`);
        writeFileSync(`${file}.mts`, source);
        result = await run(process.execPath, ['--import', TSX, `${file}.mts`], { cwd: work, env, timeoutMs: 90_000 });
      } else {
        if (!python) return console.warn(`${where}: skipped, no python3 with httpx`);
        writeFileSync(`${file}.py`, code);
        result = await run(python, [`${file}.py`], { cwd: work, env, timeoutMs: 90_000 });
      }
      if (process.env.DOC_SAMPLES_TIMING) console.log(`${where}: ${Date.now() - started} ms`);
      expect(result.code, `${where} failed:\n${code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`).toBe(0);
      if (sample.output !== undefined) {
        expect(result.stdout.trim(), `${where}: output differs from the block after it`).toMatch(outputPattern(localise(sample.output)));
      }
    }

    it('are served by the server at /docs/guide/, which Swagger UI links to', async () => {
      const document = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { externalDocs?: { url: string } };
      expect(document.externalDocs?.url).toBe('/docs/guide/');
      const index = await fetch(new URL(document.externalDocs!.url, server.url));
      expect(index.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await index.text();
      expect(html).toContain('<h1>Siteprint documentation</h1>');
      for (const page of ['getting-started.md', 'api.md', 'concepts.md']) {
        expect(html).toContain(`href="${page}"`);
        const served = await fetch(`${server.url}/docs/guide/${page}`);
        expect(served.status, page).toBe(200);
        expect(await served.text()).toContain('<pre><code class="language-bash">');
      }
      expect((await fetch(`${server.url}/docs/guide/../package.json`)).status).not.toBe(200);
      expect((await fetch(`${server.url}/docs/guide/missing.md`)).status).toBe(404);
    });

    let counter = 0;
    it.each(pages)('%s', async (page) => {
      const runnable = samplesOf(path.join(DOCS, page)).samples.filter((sample) => sample.mark === 'run');
      for (const sample of runnable) await execute(sample, counter++);
    });
  });
});
