import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { checkHost, type Resolver } from '../fetch/address-guard.js';
import type { FetchedDocument, Fetcher } from '../fetch/fetcher.js';
import { technologyDatabase } from '../fingerprint/database.js';

export type RenderMode = 'auto' | 'never' | 'always';

export interface RendererOptions {
  /** Debian's Chromium by default; CHROMIUM_PATH overrides it. */
  executablePath?: string;
  allowPrivateNetwork?: boolean;
  resolver?: Resolver;
  isBlockedAddress?: (address: string) => boolean;
  timeoutMs?: number;
  userAgent?: string;
  /** Whether the page may navigate to a URL (the fetcher's robots.txt check), asked on every hop. */
  mayNavigate?: (url: string) => Promise<boolean>;
  /** Told the outcome and duration of every render (for metrics). */
  onRender?: (outcome: 'ok' | 'error', seconds: number) => void;
}

export interface RenderedPage extends Omit<FetchedDocument, 'rendered'> {
  rendered: true;
  /** JavaScript globals the fingerprint database looks for, read from the live page. */
  js: Record<string, string>;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function defaultChromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/**
 * A static page that is only a shell for a JavaScript app: almost no text, a mount point,
 * and scripts that will fill it in.
 */
export function looksLikeAppShell(html: string): boolean {
  const body = /<body[^>]*>([\s\S]*)<\/body>/i.exec(html)?.[1] ?? html;
  const text = body
    .replace(/<(script|style|noscript|template)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const scripts = (html.match(/<script\b/gi) ?? []).length;
  const mountPoint =
    /<(div|main|app-root)[^>]+(id=["'](root|app|__next|__nuxt|svelte|main-app)["']|ng-version|data-reactroot)/i.test(html) ||
    /<app-root\b/i.test(html);
  return text.length < 200 && (mountPoint || scripts >= 3);
}

let jsPaths: string[] | undefined;
function fingerprintGlobals(): string[] {
  jsPaths ??= [...new Set(Object.values(technologyDatabase().technologies).flatMap((technology) => Object.keys(technology.js ?? {})))];
  return jsPaths;
}

/**
 * Renders pages in the system's Chromium (playwright-core; no browser is ever downloaded).
 * Every request the page makes passes the same address guard as the fetcher.
 */
export class Renderer {
  private browser?: Promise<Browser>;
  private readonly options: RendererOptions;

  constructor(options: RendererOptions = {}) {
    this.options = options;
  }

  get executablePath(): string {
    return this.options.executablePath ?? defaultChromiumPath();
  }

  /** False when no Chromium is installed: callers then keep the static HTML and say so. */
  get available(): boolean {
    return existsSync(this.executablePath);
  }

  private launch(): Promise<Browser> {
    // Playwright loads with the first browser: it is the heaviest module of the engine, and the
    // server, the worker and most commands start without ever rendering a page.
    this.browser ??= import('playwright-core').then(({ chromium }) =>
      chromium.launch({ executablePath: this.executablePath, args: CHROMIUM_ARGS }),
    );
    return this.browser;
  }

  private async allowed(url: string): Promise<boolean> {
    if (this.options.allowPrivateNetwork) return true;
    let host: string;
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') return true;
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
      host = parsed.hostname.replace(/^\[|\]$/g, '');
    } catch {
      return false;
    }
    return (await checkHost(host, this.options.resolver, this.options.isBlockedAddress)).verdict === 'public';
  }

  /**
   * Checks every request the page makes, each redirect hop included, before it leaves: Playwright's
   * routes never see the hops of a redirect the browser follows, Chromium's Fetch domain pauses each.
   * Documents of the main frame also ask `mayNavigate` (robots.txt).
   */
  private async guard(context: BrowserContext, page: Page): Promise<void> {
    const session = await context.newCDPSession(page);
    const { frameTree } = await session.send('Page.getFrameTree');
    session.on('Fetch.requestPaused', (event) => {
      const decide = async () => {
        const mainDocument = event.resourceType === 'Document' && event.frameId === frameTree.frame.id;
        const allowed =
          (await this.allowed(event.request.url)) &&
          (!mainDocument || !this.options.mayNavigate || (await this.options.mayNavigate(event.request.url)));
        await (allowed
          ? session.send('Fetch.continueRequest', { requestId: event.requestId })
          : session.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'BlockedByClient' }));
      };
      // A page closed mid-request has no request left to decide on.
      decide().catch(() => undefined);
    });
    await session.send('Fetch.enable', { patterns: [{ urlPattern: '*', requestStage: 'Request' }] });
  }

  async render(url: string): Promise<RenderedPage> {
    const report = this.options.onRender;
    if (!report) return this.renderUnobserved(url);
    const started = performance.now();
    try {
      const page = await this.renderUnobserved(url);
      report('ok', (performance.now() - started) / 1000);
      return page;
    } catch (error) {
      report('error', (performance.now() - started) / 1000);
      throw error;
    }
  }

  private async renderUnobserved(url: string): Promise<RenderedPage> {
    if (!(await this.allowed(url))) throw new Error(`${url} resolves to a private, loopback, link-local or otherwise non-public address`);
    const started = Date.now();
    const browser = await this.launch();
    const context = await browser.newContext({
      serviceWorkers: 'block',
      ...(this.options.userAgent ? { userAgent: this.options.userAgent } : {}),
    });
    try {
      // Shared workers, service workers and pop-ups make their requests from targets of their own, out
      // of the guard's reach (a page's dedicated workers stay within it); reading a page needs none of
      // them. Scripts see what a browser without shared workers and with a pop-up blocker would show.
      await context.addInitScript(() => {
        const fixed = (value: unknown) => ({ value, writable: false, configurable: false });
        Object.defineProperties(window, { SharedWorker: fixed(undefined), open: fixed(() => null) });
      });
      const page = await context.newPage();
      context.on('page', (other) => void (other === page ? undefined : other.close()));
      await this.guard(context, page);
      const response = await page.goto(url, { waitUntil: 'load', timeout: this.options.timeoutMs ?? 20_000 });
      await page.waitForLoadState('networkidle', { timeout: 3_000 }).catch(() => undefined);
      const js = await page.evaluate((paths: string[]) => {
        const found: Record<string, string> = {};
        for (const path of paths) {
          try {
            let value: unknown = window;
            for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
            if (value !== undefined && value !== null)
              found[path] = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
          } catch {
            // getters that throw say nothing about the page
          }
        }
        return found;
      }, fingerprintGlobals());
      return {
        url,
        finalUrl: page.url(),
        status: response?.status() ?? 200,
        headers: (await response?.allHeaders()) ?? {},
        html: await page.content(),
        rendered: true,
        fetchMs: Date.now() - started,
        js,
      };
    } finally {
      await context.close();
    }
  }

  async close(): Promise<void> {
    if (this.browser) await (await this.browser).close().catch(() => undefined);
  }
}

/** A renderer that goes by a fetcher's rules: its user agent, and its robots.txt on every document hop. */
export function rendererFor(fetcher: Fetcher, options: Omit<RendererOptions, 'userAgent' | 'mayNavigate'> = {}): Renderer {
  return new Renderer({ ...options, userAgent: fetcher.userAgent, mayNavigate: (url) => fetcher.mayFetch(url) });
}
