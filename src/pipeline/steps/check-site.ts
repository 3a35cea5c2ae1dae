import type { BlueprintsRepository } from '../../blueprints/blueprints.repository.js';
import { checkUrls, fetchPages, type Blueprint, type CheckedPage, type Fetcher, type SiteCheck } from '../../engine/index.js';
import type { EngineThreads } from '../engine-threads.js';
import { REPAIR_BLUEPRINT, type JobPayload, type JobResult } from '../job-types.js';
import { PermanentJobError, Priority, type JobContext, type JobQueue, type JobsRepository } from '../../queue/index.js';
import type { SiteState } from '../../sites/site-state.js';
import type { SiteRecord, SitesRepository } from '../../sites/sites.repository.js';

export interface CheckDeps {
  sites: SitesRepository;
  siteState: SiteState;
  blueprints: BlueprintsRepository;
  jobs: JobsRepository;
  queue: JobQueue;
  fetcher: Fetcher;
  engine: EngineThreads;
}

/** The pages a blueprint is checked on (the engine's rule), among the site's sampled pages. */
export async function siteCheckUrls(sites: SitesRepository, site: SiteRecord, blueprint: Blueprint): Promise<string[]> {
  return checkUrls(blueprint, await sites.pages(site.id));
}

/**
 * Runs the engine's check use-case (in a worker thread) over the pages a check read, records the
 * result as a health record (status, latency, field coverage) and sets the site's health from it.
 */
export async function recordCheck(
  { sites, siteState, engine }: { sites: SitesRepository; siteState: SiteState; engine: EngineThreads },
  site: SiteRecord,
  blueprint: Blueprint,
  outcomes: CheckedPage[],
  source: 'check' | 'analysis',
): Promise<SiteCheck> {
  // Only what the check reads crosses to the thread, not whole page records.
  const sent = outcomes.map(({ url, page, error }) => ({
    url,
    ...(page ? { page: { url: page.url, html: page.html, status: page.status, fetchMs: page.fetchMs } } : {}),
    ...(error !== undefined ? { error } : {}),
  }));
  const result = await engine.run('check', { blueprint, outcomes: sent });
  const { health, baseline, verification } = result;
  await sites.addCheck({
    siteId: site.id,
    httpStatus: result.httpStatus,
    responseMs: result.responseMs,
    coverage: result.servedPages ? verification.coverage : null,
    baselineCoverage: baseline,
    health,
    details: {
      source,
      pages: result.pages,
      fields: verification.fields.map((field) => ({ pageType: field.pageType, field: field.field, coverage: field.coverage })),
    },
  });
  await siteState.checked(site.id, health);
  return result;
}

/**
 * check_site: fetch the pages the engine's check rule picks, run the check use-case and record it.
 * A degraded check starts a repair (unless one is already queued or running).
 */
export function checkSiteHandler(deps: CheckDeps) {
  return async (context: JobContext, site: SiteRecord): Promise<JobResult<'check_site'>> => {
    const active = await deps.blueprints.active(site.id);
    if (!active) throw new PermanentJobError('the site has no blueprint to check yet');
    const urls = await siteCheckUrls(deps.sites, site, active.content);
    const outcomes = await fetchPages(deps.fetcher, urls, () => context.checkpoint());
    const { health, baseline, coverage } = await recordCheck(deps, site, active.content, outcomes, 'check');
    await context.log(health === 'healthy' ? 'info' : 'warn', `site is ${health}`, { coverage, baseline });
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
    return { health, coverage, baseline };
  };
}
