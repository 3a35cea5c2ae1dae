import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/logger.js';
import { startServer, type RunningServer } from '../../src/app/server.js';
import { chromiumAvailable, launchTestBrowser } from '../support/browser.js';

describe.runIf(chromiumAvailable())('Swagger UI in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'siteprint-docs-'));
    const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    server = await startServer(config, createLogger({ level: 'silent' }));
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('runs "Try it out" against the running server without console errors', async () => {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));

    await page.goto(`${server.url}/docs/`);
    // Swagger UI anchors an operation by its tag and operationId.
    const operation = page.locator('#operations-system-getVersion');
    await operation.locator('.opblock-summary').click();
    // "Try it out" is switched on for every operation, so Execute is there at once.
    await operation.getByRole('button', { name: 'Execute' }).click();
    const responses = operation.locator('.responses-wrapper');
    await expect.poll(() => responses.innerText(), { timeout: 15_000 }).toContain('"name": "siteprint"');
    expect(await responses.innerText()).toContain(`${server.url}/api/v1/version`);
    expect(consoleErrors).toEqual([]);
  });
});
