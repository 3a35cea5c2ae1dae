import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
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
