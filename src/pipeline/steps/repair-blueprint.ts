import type { BlueprintsRepository } from '../../blueprints/blueprints.repository.js';
import {
  checkUrls,
  fetchPages,
  RepairError,
  repairBlueprint,
  servedPages,
  type Blueprint,
  type Fetcher,
  type RepairWork,
} from '../../engine/index.js';
import { PermanentJobError, type JobContext } from '../../queue/index.js';
import type { SiteState } from '../../sites/site-state.js';
import type { SiteRecord, SitesRepository } from '../../sites/sites.repository.js';
import type { EngineThreads } from '../engine-threads.js';
import type { JobResult } from '../job-types.js';
import { analysisLlmUse, reportLlm, stepLlm, type LlmDeps, type StepLlm } from '../llm-help.js';
import { saveBlueprint } from './update-blueprint.js';

export interface RepairDeps extends LlmDeps {
  sites: SitesRepository;
  siteState: SiteState;
  blueprints: BlueprintsRepository;
  fetcher: Fetcher;
  engine: EngineThreads;
}

/** The repair's engine work, in the worker threads. */
const threaded = (engine: EngineThreads): RepairWork => ({
  build: (input) => engine.run('build', input),
  verify: (input) => engine.run('verify', input),
  known: (input) => engine.run('known', input),
  reproduce: (input) => engine.run('reproduce', input),
});

/**
 * repair_blueprint: the engine's repair use-case (the one `siteprint repair` runs) on the pages a check
 * reads, fetched now, with the site's stored pages as the last known good state; the LLM (when
 * configured) helps with fields the heuristics could not re-locate. A repaired blueprint becomes a new
 * version, and the fresh pages the next repair's last known good state.
 */
export function repairBlueprintHandler(deps: RepairDeps) {
  return async (context: JobContext, site: SiteRecord): Promise<JobResult<'repair_blueprint'>> => {
    const active = await deps.blueprints.active(site.id);
    if (!active) throw new PermanentJobError('the site has no blueprint to repair');
    const blueprint = active.content;
    const stored = await deps.sites.pages(site.id);
    const outcomes = await fetchPages(deps.fetcher, checkUrls(blueprint, stored), () => context.checkpoint());
    let llm: StepLlm | undefined;
    let outcome;
    try {
      outcome = await repairBlueprint(
        { blueprint, fresh: servedPages(outcomes), stored },
        {
          work: threaded(deps.engine),
          checkpoint: () => context.checkpoint(),
          log: (level, message, data) => context.log(level, message, data),
          llm: async () => {
            llm = await stepLlm(deps, context, site);
            const step = llm;
            return step && { options: step.options, report: (report) => reportLlm(deps, context, step, report) };
          },
        },
      );
    } catch (error) {
      // A site that did not answer may answer later; a repair the pages cannot support will not pass on a retry.
      if (error instanceof RepairError && !error.retryable) throw new PermanentJobError(error.message);
      throw error;
    }
    if (outcome.status === 'intact') {
      await context.log('info', 'every field still matches; nothing to repair', { coverage: outcome.coverage });
      return { repaired: [], version: active.version };
    }
    // The job's own LLM calls; the previous version's record belonged to the job that wrote it.
    const llmUse: Blueprint['llm'] = llm && (await analysisLlmUse(deps, llm));
    const saved = await saveBlueprint(deps, context, site, { ...outcome.blueprint, ...(llmUse ? { llm: llmUse } : {}) }, 'repair');
    // The fresh pages become the last known good state for the next repair.
    await deps.sites.upsertPages(site.id, outcome.fresh);
    await deps.siteState.repaired(site.id);
    await context.log('info', `repaired ${outcome.repaired.join(', ')}`, { coverage: outcome.coverage });
    return { repaired: outcome.repaired, ...saved };
  };
}
