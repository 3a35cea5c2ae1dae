import type { FetchedDocument } from '../fetch/fetcher.js';
import { looksLikeAppShell, type Renderer, type RenderedPage, type RenderMode } from './renderer.js';

export type AnalyzedPage = FetchedDocument | RenderedPage;

export interface RenderPagesOptions {
  /** Told which pages stayed static and why (no Chromium, a render that failed) and what was rendered. */
  onNotice?: (level: 'info' | 'warn', message: string) => Promise<void> | void;
  /** Awaited before each render: a cancellation checkpoint for long jobs. */
  beforeEach?: () => Promise<void> | void;
}

/**
 * Renders the fetched pages that need a browser: all of them with `always`, app shells with
 * `auto`, none with `never`. Without Chromium, or when a render fails, the static page is
 * kept and `onNotice` says so, so analysis degrades instead of failing.
 */
export async function renderWhereNeeded(
  pages: FetchedDocument[],
  renderer: Renderer,
  mode: RenderMode,
  options: RenderPagesOptions = {},
): Promise<AnalyzedPage[]> {
  if (mode === 'never') return pages;
  const wanted = pages.filter((page) => mode === 'always' || looksLikeAppShell(page.html));
  if (wanted.length === 0) return pages;
  if (!renderer.available) {
    await options.onNotice?.(
      'warn',
      `${wanted.length} page(s) need JavaScript rendering but no Chromium was found at ${renderer.executablePath} (set CHROMIUM_PATH); using the static HTML`,
    );
    return pages;
  }
  const rendered = new Map<string, AnalyzedPage>();
  for (const page of wanted) {
    await options.beforeEach?.();
    try {
      rendered.set(page.finalUrl, await renderer.render(page.finalUrl));
    } catch (error) {
      await options.onNotice?.('warn', `could not render ${page.finalUrl}: ${(error as Error).message}; using the static HTML`);
    }
  }
  await options.onNotice?.('info', `rendered ${rendered.size} of ${pages.length} page(s) in Chromium`);
  return pages.map((page) => rendered.get(page.finalUrl) ?? page);
}
