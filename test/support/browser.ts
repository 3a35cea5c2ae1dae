import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../src/app/server.js';
import { loadConfig } from '../../src/config/index.js';
import { DASHBOARD_DIR } from '../../src/http/dashboard.js';
import { createLogger } from '../../src/logging/logger.js';
import { servicesRequired } from './services.js';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Browser tests need Debian's Chromium; CI installs it, and requires it. */
export function chromiumAvailable(): boolean {
  if (existsSync(chromiumPath)) return true;
  if (servicesRequired) throw new Error(`Chromium not found at ${chromiumPath} but REQUIRE_SERVICES=1`);
  return false;
}

export function launchTestBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * `siteprint serve` in this process on a loopback port, over a fresh data directory, logging
 * nothing, serving the built dashboard; `env` adds to or overrides that configuration.
 */
export async function startDashboardServer(env: Record<string, string> = {}): Promise<RunningServer> {
  if (!existsSync(path.join(DASHBOARD_DIR, 'index.html')))
    throw new Error('the dashboard is not built: run npm run build:web (npm test does)');
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'siteprint-dashboard-')),
    LOG_LEVEL: 'silent',
    ...env,
  });
  return startServer(config, createLogger({ level: 'silent' }));
}

/** Collects the page's console errors and uncaught exceptions into `errors`, each with the address it happened on. */
export function recordPageErrors(page: Page, errors: string[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
}
