import { compileUrlPattern, matchesUrlPattern } from './blueprint/index.js';
import type { Blueprint } from './blueprint/schema.js';
import type { Fetcher } from './fetch/index.js';
import { verifyBlueprint, type BlueprintVerification } from './testing/index.js';

/**
 * The check use-case: which pages a blueprint is checked on, and whether it still reads them as well
 * as it did when it was made. `siteprint check` and the platform's `check_site` job (and the analysis's
 * first health record) both call it, so a site's health means the same thing wherever it is judged.
 */

/** A check is degraded when field coverage falls this far below the blueprint's own baseline. */
export const COVERAGE_DROP_THRESHOLD = 0.2;
/** A check reads at most this many pages. */
export const CHECK_PAGES = 5;

export type Health = 'healthy' | 'degraded' | 'down';

/** A page of the site known from before (sampled by an analysis, or saved): its URL and, when fetched, its HTTP status. */
export interface KnownPage {
  url: string;
  status?: number;
}

/**
 * The pages a blueprint is checked on: those it was built from, then other known pages of the site
 * that its page types claim by URL (pages that failed when they were sampled are left out).
 */
export function checkUrls(blueprint: Blueprint, known: KnownPage[]): string[] {
  const urls = new Set(blueprint.pageTypes.flatMap((type) => type.match.examples));
  // Extraction applies a lone page type to any page, but a home page says nothing about how a listing's fields are read.
  const patterns = blueprint.pageTypes.map((type) => compileUrlPattern(type.match.urlPattern));
  const claimed = (url: string) => patterns.some((pattern) => matchesUrlPattern(pattern, url));
  for (const page of known) {
    if (urls.size >= CHECK_PAGES) break;
    if ((page.status ?? 200) < 400 && claimed(page.url)) urls.add(page.url);
  }
  return [...urls].slice(0, CHECK_PAGES);
}

/**
 * A page a check read: fetched now (status and fetch time), the stored copy an analysis tested, or a
 * saved file (no status: it is served as it is). `error` says why a URL gave no page.
 */
export interface CheckedPage<Page extends CheckPage = CheckPage> {
  url: string;
  page?: Page;
  error?: string;
}

export interface CheckPage {
  url: string;
  html: string;
  status?: number;
  fetchMs?: number;
}

const isServed = (page: CheckPage | undefined): page is CheckPage => page !== undefined && (page.status ?? 200) < 400;

/** The pages among the outcomes that a blueprint can be run over. */
export function servedPages<Page extends CheckPage>(outcomes: Array<CheckedPage<Page>>): Page[] {
  return outcomes.flatMap((outcome) => (isServed(outcome.page) ? [outcome.page] : []));
}

/**
 * Fetches the URLs one by one; a URL that fails is an outcome with its error, not a failure of the
 * check. `checkpoint` runs before each fetch (a job's cancellation point).
 */
export async function fetchPages(
  fetcher: Pick<Fetcher, 'fetch'>,
  urls: string[],
  checkpoint?: () => Promise<void>,
): Promise<Array<CheckedPage<Awaited<ReturnType<Fetcher['fetch']>>>>> {
  const outcomes: Array<CheckedPage<Awaited<ReturnType<Fetcher['fetch']>>>> = [];
  for (const url of urls) {
    await checkpoint?.();
    try {
      outcomes.push({ url, page: await fetcher.fetch(url) });
    } catch (error) {
      outcomes.push({ url, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return outcomes;
}

/** Down when no page was served; degraded when a field broke or coverage fell too far below the baseline. */
export function judgeHealth(outcomes: CheckedPage[], verification: BlueprintVerification, baseline: number): Health {
  if (servedPages(outcomes).length === 0) return 'down';
  if (verification.broken.length || verification.coverage < baseline * (1 - COVERAGE_DROP_THRESHOLD)) return 'degraded';
  return 'healthy';
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export interface SiteCheck {
  health: Health;
  /** Field coverage on the served pages (the verification's, which is also given when none was served). */
  coverage: number;
  /** The blueprint's own coverage when it was made (1 when it records none). */
  baseline: number;
  /** The first page's HTTP status and the median fetch time, when pages were fetched. */
  httpStatus: number | null;
  responseMs: number | null;
  servedPages: number;
  pages: Array<{ url: string; status: number | null; ms: number | null; error: string | null }>;
  verification: BlueprintVerification;
}

/** Runs the blueprint over the served pages and judges the result against the blueprint's baseline. */
export function checkBlueprint(blueprint: Blueprint, outcomes: CheckedPage[]): SiteCheck {
  const served = servedPages(outcomes);
  const verification = verifyBlueprint(
    blueprint,
    served.map((page) => ({ url: page.url, html: page.html })),
  );
  const baseline = blueprint.validation?.coverage ?? 1;
  return {
    health: judgeHealth(outcomes, verification, baseline),
    coverage: verification.coverage,
    baseline,
    httpStatus: outcomes.find((outcome) => outcome.page)?.page?.status ?? null,
    responseMs: median(outcomes.flatMap((outcome) => (outcome.page?.fetchMs !== undefined ? [outcome.page.fetchMs] : []))),
    servedPages: served.length,
    pages: outcomes.map((outcome) => ({
      url: outcome.url,
      status: outcome.page?.status ?? null,
      ms: outcome.page?.fetchMs ?? null,
      error: outcome.error ?? null,
    })),
    verification,
  };
}
