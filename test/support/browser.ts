import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
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
 * `siteprint serve` in this process on a loopback port, over a fresh data directory, serving the
 * built dashboard; `env` adds to or overrides that configuration. Nothing is written to standard
 * output; with `LOG_LEVEL` set, lines of that level still reach the process's ring of recent
 * lines (the admin Logs panel).
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
  return startServer(config, createLogger({ level: config.LOG_LEVEL, destination: { write: () => undefined } }));
}

/** One JSON call to a running server, as a script would make it; the answer's status and body. */
export async function callApi(
  server: { url: string },
  method: string,
  url: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${url}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Collects the page's console errors and uncaught exceptions into `errors`, each with the address it happened on. */
export function recordPageErrors(page: Page, errors: string[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
}

/** Labels, names, roles and contrast on the page as it is: axe's WCAG 2 A/AA rules, serious or worse. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // Checked on the settled page: halfway through a drawer's fade-in its text has not reached its
  // colours yet, and a closing dialog is still in the document.
  await page.evaluate(() => Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => undefined))));
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${page.url()}: ${violation.id} ${violation.nodes
          .slice(0, 3)
          .map((node) => `${node.target.join(' ')}: ${node.failureSummary ?? ''}`)
          .join('; ')}`,
    );
}
