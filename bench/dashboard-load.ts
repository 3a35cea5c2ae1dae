// First load of the built dashboard, served by the built server (`npm start`), in a cold
// Chromium context; Swagger UI at /docs, served by the same process, is the baseline.
// usage: npm run bench:dashboard   (builds first)
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { launchTestBrowser } from '../test/support/browser.js';

const RUNS = 7;
const TARGET_MS = 2000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startBuiltServer(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/cli/main.js', 'serve'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'siteprint-bench-')),
      LOG_LEVEL: 'warn',
    },
    stdio: 'inherit',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    const ready = await fetch(`${url}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { url, stop: () => child.kill('SIGTERM') };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the built server did not become ready');
}

/** Milliseconds from navigation start until `selector` is visible, and the gzip size of the JS it loaded. */
async function coldLoad(browser: Browser, url: string, selector: string): Promise<{ ms: number; jsGzipBytes: number }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const scripts: Array<Promise<number>> = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script')
      scripts.push(
        response.body().then(
          (body) => gzipSync(body).length,
          () => 0,
        ),
      );
  });
  await page.goto(url, { waitUntil: 'commit' });
  await page.locator(selector).first().waitFor({ state: 'visible', timeout: 20_000 });
  const ms = await page.evaluate(() => performance.now());
  const jsGzipBytes = (await Promise.all(scripts)).reduce((sum, size) => sum + size, 0);
  await context.close();
  return { ms, jsGzipBytes };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const server = await startBuiltServer();
const browser = await launchTestBrowser();
try {
  const dashboard: Array<{ ms: number; jsGzipBytes: number }> = [];
  const docs: Array<{ ms: number; jsGzipBytes: number }> = [];
  // Alternating keeps both measured under the same machine load.
  for (let run = 0; run < RUNS; run++) {
    dashboard.push(await coldLoad(browser, `${server.url}/`, 'h1:has-text("Sign in")'));
    docs.push(await coldLoad(browser, `${server.url}/docs/`, '.swagger-ui .info'));
  }
  const dashboardMs = median(dashboard.map((load) => load.ms));
  const docsMs = median(docs.map((load) => load.ms));
  const jsKb = dashboard[0]!.jsGzipBytes / 1024;
  console.log(`dashboard first load (sign-in page visible), median of ${RUNS}: ${dashboardMs.toFixed(0)} ms (target < ${TARGET_MS} ms)`);
  console.log(`Swagger UI first load (baseline), median of ${RUNS}: ${docsMs.toFixed(0)} ms`);
  console.log(`ratio dashboard / Swagger UI: ${(dashboardMs / docsMs).toFixed(2)}`);
  console.log(
    `initial JavaScript: ${jsKb.toFixed(0)} KB gzip (target ≤ 300 KB); Swagger UI: ${(docs[0]!.jsGzipBytes / 1024).toFixed(0)} KB gzip`,
  );
  console.log(dashboardMs < TARGET_MS && jsKb <= 300 ? 'PASS' : 'FAIL');
  process.exitCode = dashboardMs < TARGET_MS && jsKb <= 300 ? 0 : 1;
} finally {
  await browser.close();
  server.stop();
}
