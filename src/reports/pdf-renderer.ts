import type { Browser } from 'playwright-core';
import { CHROMIUM_ARGS, defaultChromiumPath } from '../engine/render/index.js';

/**
 * Prints report HTML to PDF in the system Chromium. The browser starts with the first report and
 * stays for the next; the page may load nothing (every request is refused), since a report's
 * HTML carries its styles and charts inline.
 */
export class PdfRenderer {
  #browser: Promise<Browser> | undefined;

  constructor(private readonly executablePath = defaultChromiumPath()) {}

  async render(html: string): Promise<Buffer> {
    const browser = await (this.#browser ??= import('playwright-core')
      .then(({ chromium }) => chromium.launch({ executablePath: this.executablePath, args: CHROMIUM_ARGS }))
      .catch((error: unknown) => {
        this.#browser = undefined;
        throw error;
      }));
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    } finally {
      await context.close();
    }
  }

  async close(): Promise<void> {
    const browser = this.#browser;
    this.#browser = undefined;
    if (browser) await (await browser.catch(() => undefined))?.close();
  }
}
