import type { BlueprintsRepository } from '../../blueprints/blueprints.repository.js';
import { parseBlueprint, updateBlueprint, type Blueprint } from '../../engine/index.js';
import type { JobContext } from '../../queue/index.js';
import type { SiteState } from '../../sites/site-state.js';
import type { SiteRecord, SitesRepository } from '../../sites/sites.repository.js';
import type { AnalysisCoordinator } from '../analysis.js';
import type { JobResult, SavedBlueprint } from '../job-types.js';
import type { EngineThreads } from '../engine-threads.js';
import { recordCheck, siteCheckUrls } from './check-site.js';

/**
 * Saves a tested blueprint as the site's active version. Unchanged content keeps the current
 * version; a retried job finds its version already written and reuses it.
 */
export async function saveBlueprint(
  deps: { sites: SitesRepository; blueprints: BlueprintsRepository },
  context: JobContext,
  site: SiteRecord,
  candidate: Blueprint,
  reason: string,
): Promise<SavedBlueprint> {
  const active = await deps.blueprints.active(site.id);
  const { fingerprint } = site;
  const withFingerprint: Blueprint = fingerprint?.technologies ? { ...candidate, fingerprint } : candidate;
  const update = updateBlueprint(active?.content ?? null, withFingerprint);
  if (!update.created && active) {
    await context.log('info', `blueprint unchanged; version ${active.version} stays active`);
    return { version: active.version, created: false };
  }
  const { version, created } = await deps.blueprints.saveAndActivate({
    siteId: site.id,
    workspaceId: site.workspaceId,
    blueprint: update.blueprint,
    reason,
    jobId: context.job.id,
  });
  await context.log('info', created ? `blueprint version ${version.version} saved` : `blueprint version ${version.version} already saved`);
  return { version: version.version, created, diff: update.diff };
}

/**
 * update_blueprint: the last analysis step. The analysis's own test becomes the site's first health
 * record, so a site shows its health as soon as it is analysed rather than after its first scheduled
 * check: the active blueprint is run over the stored copies of the pages it was tested on (the held-out
 * pages, or the pages a check reads when none were held out).
 */
export function updateBlueprintStep(deps: {
  sites: SitesRepository;
  siteState: SiteState;
  blueprints: BlueprintsRepository;
  engine: EngineThreads;
  analysis: AnalysisCoordinator;
}) {
  return async (context: JobContext, site: SiteRecord): Promise<JobResult<'update_blueprint'>> => {
    const tested = await deps.analysis.output(context.job, 'test_selectors');
    const output = await saveBlueprint(deps, context, site, parseBlueprint(tested.blueprint), 'analysis');
    const active = (await deps.blueprints.active(site.id))!;
    const heldOut = new Set((await deps.analysis.output(context.job, 'generate_selectors')).heldOutUrls);
    const testedOn = heldOut.size ? heldOut : new Set(await siteCheckUrls(deps.sites, site, active.content));
    const pages = (await deps.sites.pages(site.id)).filter((page) => testedOn.has(page.url));
    // Without a stored tested page there is no result to record (and no reason to call the site down).
    const recorded = pages.length
      ? await recordCheck(
          deps,
          site,
          active.content,
          pages.map((page) => ({ url: page.url, page })),
          'analysis',
        )
      : undefined;
    if (recorded)
      await context.log(recorded.health === 'healthy' ? 'info' : 'warn', `site is ${recorded.health} on the ${pages.length} tested pages`, {
        coverage: recorded.verification.coverage,
      });
    await deps.siteState.scheduleChecks(site);
    return { ...output, health: recorded?.health ?? null };
  };
}
