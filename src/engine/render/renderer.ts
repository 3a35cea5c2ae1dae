import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { isBlockedAddress as defaultIsBlocked, systemResolver, type Resolver } from '../fetch/address-guard.js';
import type { FetchedDocument } from '../fetch/fetcher.js';
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
}

export interface RenderedPage extends Omit<FetchedDocument, 'rendered'> {
  rendered: true;
  /** JavaScript globals the fingerprint database looks for, read from the live page. */
  js: Record<string, string>;
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

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
  const mountPoint = /<(div|main|app-root)[^>]+(id=["'](root|app|__next|__nuxt|svelte|main-app)["']|ng-version|data-reactroot)/i.test(html) || /<app-root\b/i.test(html);
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
    this.browser ??= chromium.launch({ executablePath: this.executablePath, args: CHROMIUM_ARGS });
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
    const isBlocked = this.options.isBlockedAddress ?? defaultIsBlocked;
    if (/^[\d.]+$|:/.test(host)) return !isBlocked(host);
    const addresses = await (this.options.resolver ?? systemResolver)(host).catch(() => []);
    return addresses.length > 0 && !addresses.some((entry) => isBlocked(entry.address));
  }

  async render(url: string): Promise<RenderedPage> {
    if (!(await this.allowed(url))) throw new Error(`${url} resolves to a private, loopback, link-local or otherwise non-public address`);
    const started = Date.now();
    const browser = await this.launch();
    const context = await browser.newContext({ ...(this.options.userAgent ? { userAgent: this.options.userAgent } : {}) });
    try {
      const page = await context.newPage();
      // The browser resolves names itself, so each request is checked before it leaves.
      await page.route('**/*', async (route) => ((await this.allowed(route.request().url())) ? route.continue() : route.abort('blockedbyclient')));
      const response = await page.goto(url, { waitUntil: 'load', timeout: this.options.timeoutMs ?? 20_000 });
      await page.waitForLoadState('networkidle', { timeout: 3_000 }).catch(() => undefined);
      const js = await page.evaluate((paths: string[]) => {
        const found: Record<string, string> = {};
        for (const path of paths) {
          try {
            let value: unknown = window;
            for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
            if (value !== undefined && value !== null) found[path] = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
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
