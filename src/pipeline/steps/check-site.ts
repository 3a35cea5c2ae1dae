import type { BlueprintsRepository } from '../../blueprints/blueprints.repository.js';
import type { Blueprint } from '../../engine/index.js';
import { compileUrlPattern, matchesUrlPattern, type BlueprintVerification } from '../../engine/index.js';
import { pageText, type EngineThreads } from '../engine-threads.js';
import { REPAIR_BLUEPRINT, type JobPayload, type JobResult } from '../job-types.js';
import { PermanentJobError, Priority, type JobContext, type JobQueue, type JobsRepository } from '../../queue/index.js';
import type { SiteState } from '../../sites/site-state.js';
import type { SiteRecord, SitesRepository } from '../../sites/sites.repository.js';
import type { FetchedDocument, Fetcher } from '../../engine/index.js';

/** A check is degraded when field coverage falls this far below the blueprint's own baseline. */
export const COVERAGE_DROP_THRESHOLD = 0.2;
const CHECK_PAGES = 5;

export interface CheckDeps {
  sites: SitesRepository;
  siteState: SiteState;
  blueprints: BlueprintsRepository;
  jobs: JobsRepository;
  queue: JobQueue;
  fetcher: Fetcher;
  engine: EngineThreads;
}

/** The pages a blueprint is checked on: those it was built from, then other sampled pages its page types claim. */
export async function checkUrls(sites: SitesRepository, site: SiteRecord, blueprint: Blueprint): Promise<string[]> {
  const urls = new Set(blueprint.pageTypes.flatMap((type) => type.match.examples));
  // Extraction applies a lone page type to any page, but a home page says nothing about how a listing's fields are read.
  const patterns = blueprint.pageTypes.map((type) => compileUrlPattern(type.match.urlPattern));
  const claimed = (url: string) => patterns.some((pattern) => matchesUrlPattern(pattern, url));
  for (const page of await sites.pages(site.id)) {
    if (urls.size >= CHECK_PAGES) break;
    if (page.status < 400 && claimed(page.url)) urls.add(page.url);
  }
  return [...urls].slice(0, CHECK_PAGES);
}

export interface FetchOutcome {
  url: string;
  page?: FetchedDocument;
  error?: string;
}

export async function fetchAll(fetcher: Fetcher, urls: string[], context: JobContext): Promise<FetchOutcome[]> {
  const outcomes: FetchOutcome[] = [];
  for (const url of urls) {
    await context.checkpoint();
    try {
      outcomes.push({ url, page: await fetcher.fetch(url) });
    } catch (error) {
      outcomes.push({ url, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return outcomes;
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A page a check read: fetched now by a scheduled check, or the stored copy an analysis tested. */
export interface CheckedPage {
  url: string;
  page?: { url: string; html: string; status: number; fetchMs: number };
  error?: string;
}

export function judgeHealth(
  outcomes: CheckedPage[],
  verification: BlueprintVerification,
  baseline: number,
): 'healthy' | 'degraded' | 'down' {
  const served = outcomes.filter((outcome) => outcome.page && outcome.page.status < 400);
  if (served.length === 0) return 'down';
  if (verification.broken.length || verification.coverage < baseline * (1 - COVERAGE_DROP_THRESHOLD)) return 'degraded';
  return 'healthy';
}

/**
 * Runs the blueprint over the served pages, judges the result against the blueprint's own
 * baseline, records it as a health record (status, latency, field coverage) and sets the
 * site's health from it.
 */
export async function recordCheck(
  { sites, siteState, engine }: { sites: SitesRepository; siteState: SiteState; engine: EngineThreads },
  site: SiteRecord,
  blueprint: Blueprint,
  outcomes: CheckedPage[],
  source: 'check' | 'analysis',
): Promise<{ health: 'healthy' | 'degraded' | 'down'; baseline: number; verification: BlueprintVerification }> {
  const served = outcomes.flatMap((outcome) => (outcome.page && outcome.page.status < 400 ? [outcome.page] : []));
  const verification = await engine.run('verify', { blueprint, pages: served.map(pageText) });
  const baseline = blueprint.validation?.coverage ?? 1;
  const health = judgeHealth(outcomes, verification, baseline);
  await sites.addCheck({
    siteId: site.id,
    httpStatus: outcomes.find((outcome) => outcome.page)?.page?.status ?? null,
    responseMs: median(outcomes.flatMap((outcome) => (outcome.page ? [outcome.page.fetchMs] : []))),
    coverage: served.length ? verification.coverage : null,
    baselineCoverage: baseline,
    health,
    details: {
      source,
      pages: outcomes.map((outcome) => ({
        url: outcome.url,
        status: outcome.page?.status ?? null,
        ms: outcome.page?.fetchMs ?? null,
        error: outcome.error ?? null,
      })),
      fields: verification.fields.map((field) => ({ pageType: field.pageType, field: field.field, coverage: field.coverage })),
    },
  });
  await siteState.checked(site.id, health);
  return { health, baseline, verification };
}

/**
 * check_site: fetch the blueprint's pages, extract, and compare field coverage with the
 * blueprint's baseline. A drop records a degraded check and starts a repair.
 */
export function checkSiteHandler(deps: CheckDeps) {
  return async (context: JobContext, site: SiteRecord): Promise<JobResult<'check_site'>> => {
    const active = await deps.blueprints.active(site.id);
    if (!active) throw new PermanentJobError('the site has no blueprint to check yet');
    const outcomes = await fetchAll(deps.fetcher, await checkUrls(deps.sites, site, active.content), context);
    const { health, baseline, verification } = await recordCheck(deps, site, active.content, outcomes, 'check');
    await context.log(health === 'healthy' ? 'info' : 'warn', `site is ${health}`, { coverage: verification.coverage, baseline });
    if (health === 'degraded') {
      if ((await deps.jobs.activeForSite(site.id, REPAIR_BLUEPRINT)).length === 0) {
        const repair = await deps.queue.enqueue({
          workspaceId: site.workspaceId,
          siteId: site.id,
          type: REPAIR_BLUEPRINT,
          payload: { siteId: site.id } satisfies JobPayload<'repair_blueprint'>,
          priority: Priority.scheduled,
        });
        await context.log('info', 'repair started', { jobId: repair.id });
      }
    }
    return { health, coverage: verification.coverage, baseline };
  };
}
