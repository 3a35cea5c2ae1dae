import { XMLParser } from 'fast-xml-parser';
import { Parser } from 'htmlparser2';
import { FetchError, type FetchedDocument, type FetchErrorCode, type Fetcher } from '../fetch/index.js';
import { withSkippingTokenizer } from '../skipping-tokenizer.js';
import { urlShape } from './url-shape.js';

export interface SampleOptions {
  /** Pages to collect (default 30). */
  maxPages?: number;
  signal?: AbortSignal;
  /** Called after each page is fetched (progress and cancellation checkpoints). */
  onPage?: (page: FetchedDocument, collected: number) => Promise<void> | void;
}

export interface SampleResult {
  pages: FetchedDocument[];
  /** URLs that failed, with why (and the fetcher's error code when it refused or failed the fetch). */
  failures: Array<{ url: string; error: string; code?: FetchErrorCode }>;
  /** Where candidate URLs came from. */
  sitemaps: string[];
}

const MAX_CANDIDATES = 5000;
const MAX_SITEMAPS = 10;
const NOT_PAGES = /\.(jpe?g|png|gif|webp|svg|ico|css|js|mjs|json|xml|pdf|zip|gz|mp[34]|avi|mov|woff2?|ttf|txt)$/i;

const xml = new XMLParser({ ignoreAttributes: true, isArray: (name) => name === 'url' || name === 'sitemap' });

/**
 * The href of every link of a page, read by the tokenizer without building a document: sampling runs
 * on the event loop that serves HTTP, where building a tree of a large page (90–150 ms for a 1.6 MB
 * page) held every request; reading its links this way takes a tenth of that.
 */
function linkTargets(html: string): string[] {
  const hrefs: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'a' && attributes.href !== undefined) hrefs.push(attributes.href);
      },
    },
    withSkippingTokenizer,
  );
  parser.end(html);
  return hrefs;
}

function sameSiteUrl(href: string, base: string, origin: string): string | null {
  try {
    const url = new URL(href, base);
    if (url.origin !== origin || NOT_PAGES.test(url.pathname)) return null;
    url.hash = '';
    return url.href;
  } catch {
    return null;
  }
}

/** Sitemap locations of a site: its robots.txt `Sitemap:` lines, else /sitemap.xml. */
async function sitemapUrls(fetcher: Fetcher, origin: string, signal?: AbortSignal): Promise<{ urls: string[]; sitemaps: string[] }> {
  const robots = await fetcher.robotsFor(origin).catch(() => null);
  const queue = robots?.getSitemaps().length ? robots.getSitemaps() : [`${origin}/sitemap.xml`];
  const urls: string[] = [];
  const read: string[] = [];
  while (queue.length && read.length < MAX_SITEMAPS && urls.length < MAX_CANDIDATES) {
    const sitemap = queue.shift()!;
    read.push(sitemap);
    try {
      const result = await fetcher.fetch(sitemap, { anyText: true, signal });
      if (result.status >= 400) continue;
      const parsed = xml.parse(result.html) as {
        urlset?: { url?: Array<{ loc?: string }> };
        sitemapindex?: { sitemap?: Array<{ loc?: string }> };
      };
      for (const entry of parsed.sitemapindex?.sitemap ?? []) if (entry.loc) queue.push(String(entry.loc).trim());
      for (const entry of parsed.urlset?.url ?? []) if (entry.loc) urls.push(String(entry.loc).trim());
    } catch {
      // An unreadable sitemap just contributes no URLs; links still lead through the site.
    }
  }
  return { urls, sitemaps: read };
}

/**
 * Collects up to N pages of one site: the start page, then URLs from its sitemaps and from the
 * links of fetched pages. The next URL always comes from the URL shape sampled least so far, so
 * a shop with 10 000 product pages still yields its home, listings and other page kinds.
 */
export async function sampleSite(fetcher: Fetcher, siteUrl: string, options: SampleOptions = {}): Promise<SampleResult> {
  const maxPages = options.maxPages ?? 30;
  const start = new URL(siteUrl);
  let origin = start.origin;
  const seen = new Set<string>();
  /** Candidate URLs by shape, in discovery order. */
  const byShape = new Map<string, string[]>();
  const taken = new Map<string, number>();
  const add = (url: string | null) => {
    if (!url || seen.has(url) || seen.size >= MAX_CANDIDATES) return;
    seen.add(url);
    const shape = urlShape(url);
    const urls = byShape.get(shape);
    if (urls) urls.push(url);
    else byShape.set(shape, [url]);
  };
  const next = (): string | undefined => {
    let best: string | undefined;
    let fewest = Infinity;
    for (const [shape, urls] of byShape) {
      const count = taken.get(shape) ?? 0;
      if (urls.length && count < fewest) {
        fewest = count;
        best = shape;
      }
    }
    if (best === undefined) return undefined;
    taken.set(best, fewest + 1);
    return byShape.get(best)!.shift();
  };

  const pages: FetchedDocument[] = [];
  const failures: SampleResult['failures'] = [];
  const take = async (url: string) => {
    options.signal?.throwIfAborted();
    try {
      const page = await fetcher.fetch(url, { signal: options.signal });
      if (page.status >= 400 || !page.html) {
        failures.push({ url, error: `HTTP ${page.status}` });
        return;
      }
      // Where the start page lands (http → https, bare domain → www) is the site's origin.
      if (!pages.length) origin = new URL(page.finalUrl).origin;
      // A redirect onto a page already sampled adds nothing new; a sampled final URL is not queued again.
      if (page.finalUrl !== url && pages.some((known) => known.finalUrl === page.finalUrl)) return;
      seen.add(page.finalUrl);
      pages.push(page);
      for (const href of linkTargets(page.html)) add(sameSiteUrl(href, page.finalUrl, origin));
      await options.onPage?.(page, pages.length);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      failures.push({
        url,
        error: error instanceof Error ? error.message : String(error),
        ...(error instanceof FetchError ? { code: error.code } : {}),
      });
    }
  };

  add(sameSiteUrl(start.href, start.href, origin));
  // The start page first: its final origin decides which sitemaps and links belong to the site.
  const first = next();
  if (first) await take(first);
  const { urls, sitemaps } = await sitemapUrls(fetcher, origin, options.signal);
  for (const url of urls) add(sameSiteUrl(url, origin, origin));
  for (let url = next(); url && pages.length < maxPages; url = next()) await take(url);
  return { pages, failures, sitemaps };
}
