import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/app/server.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logging/logger.js';
import { callApi, chromiumAvailable, launchTestBrowser } from '../support/browser.js';

/** A password an administrator reset is replaced before the dashboard shows anything, at both widths. */
describe.runIf(chromiumAvailable())('forced password change in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'siteprint-password-'));
    server = await startServer(
      loadConfig({ HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
      createLogger({ level: 'silent' }),
    );
    browser = await launchTestBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const call = (method: string, url: string, body?: unknown, token?: string) => callApi(server, method, url, { body, token });

  it('asks for a new password after an administrator reset, then opens the dashboard', async () => {
    // The first account, registered on the server's own machine, is the administrator.
    await call('POST', '/api/v1/auth/register', { email: 'admin@example.com', name: 'admin', password: 'correct horse battery' });
    const admin = await call('POST', '/api/v1/auth/login', { email: 'admin@example.com', password: 'correct horse battery' });
    for (const [width, email] of [
      [1280, 'wide@example.com'],
      [360, 'narrow@example.com'],
    ] as const) {
      const created = await call('POST', '/api/v1/auth/register', { email, name: 'user', password: 'correct horse battery' });
      expect(created.status).toBe(201);
      const reset = await call(
        'POST',
        `/api/v1/admin/users/${String(created.json.id)}/reset-password`,
        undefined,
        String(admin.json.accessToken),
      );
      expect(reset.status).toBe(200);
      const temporary = String(reset.json.temporaryPassword);

      const context = await browser.newContext({ viewport: { width, height: width === 360 ? 740 : 860 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${server.url}/login`);
      await page.getByRole('textbox', { name: 'Email' }).fill(email);
      await page.getByRole('textbox', { name: 'Password', exact: true }).fill(temporary);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await page.getByLabel('Password you were given').fill(temporary);
      await page.getByLabel('New password', { exact: true }).fill('my very own password');
      await page.getByLabel('Repeat the new password').fill('my very own password');
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      expect((await call('POST', '/api/v1/auth/login', { email, password: 'my very own password' })).json.user).toMatchObject({
        passwordChangeRequired: false,
      });
      expect(errors).toEqual([]);
      await context.close();
    }
  });
});
