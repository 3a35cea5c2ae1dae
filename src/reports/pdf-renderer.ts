import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_ARGS, defaultChromiumPath } from '../engine/render/index.js';

export interface PdfRendererOptions {
  executablePath?: string;
  /** Reports printed by one browser before it is replaced, so a long-lived process never grows one without bound. */
  maxReportsPerBrowser?: number;
  /** The browser closes after this long without a report; the next one starts it again. */
  idleMs?: number;
}

interface Printer {
  browser: Browser;
  page: Page;
}

/**
 * Prints report HTML to PDF in the system Chromium. Most of a report's time used to be Chromium
 * making a context and a page (a renderer process) per report, so one page stays warm and prints
 * report after report, one at a time; the browser is replaced after `maxReportsPerBrowser`
 * reports or on any error, and closed when idle. A report's HTML carries its styles and charts
 * inline and has no script, so the page runs no JavaScript and loads nothing (every request is
 * refused): nothing of one report can reach the next.
 */
export class PdfRenderer {
  readonly #executablePath: string;
  readonly #maxReports: number;
  readonly #idleMs: number;
  #printer: Promise<Printer> | undefined;
  #printed = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #idle: NodeJS.Timeout | undefined;

  constructor(options: PdfRendererOptions = {}) {
    this.#executablePath = options.executablePath ?? defaultChromiumPath();
    this.#maxReports = options.maxReportsPerBrowser ?? 100;
    this.#idleMs = options.idleMs ?? 120_000;
  }

  /** How many browsers this renderer has started (for tests and benchmarks). */
  launches = 0;

  render(html: string): Promise<Buffer> {
    const printed = this.#queue.then(() => this.#print(html));
    this.#queue = printed.catch(() => undefined);
    return printed;
  }

  async #print(html: string): Promise<Buffer> {
    clearTimeout(this.#idle);
    if (this.#printed >= this.#maxReports) await this.#retire();
    try {
      const { page } = await (this.#printer ??= this.#start());
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    } catch (error) {
      await this.#retire();
      throw error;
    } finally {
      this.#printed++;
      this.#idle = setTimeout(() => {
        this.#queue = this.#queue.then(() => this.#retire()).catch(() => undefined);
      }, this.#idleMs).unref();
    }
  }

  async #start(): Promise<Printer> {
    this.#printed = 0;
    this.launches++;
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: this.#executablePath, args: CHROMIUM_ARGS });
    try {
      const context = await browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      await page.route('**/*', (route) => route.abort());
      return { browser, page };
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  async #retire(): Promise<void> {
    const printer = this.#printer;
    this.#printer = undefined;
    if (printer) await (await printer.catch(() => undefined))?.browser.close();
  }

  async close(): Promise<void> {
    clearTimeout(this.#idle);
    await this.#queue;
    await this.#retire();
  }
}
