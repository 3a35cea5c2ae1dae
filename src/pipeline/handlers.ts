import type { BlueprintsRepository } from '../blueprints/blueprints.repository.js';
import type { Config } from '../config/index.js';
import type { ExtractionResultsRepository } from '../extraction/extraction-results.repository.js';
import type { LlmService } from '../llm/index.js';
import type { Logger } from '../logging/logger.js';
import { PermanentJobError, type JobHandler, type JobHandlers, type JobQueue, type JobsRepository } from '../queue/index.js';
import type { SiteRecord, SitesRepository } from '../sites/sites.repository.js';
import type { AnalysisCoordinator } from './analysis.js';
import type { EngineThreads } from './engine-threads.js';
import type { PipelineJobType } from './job-types.js';
import type { Fetcher, Renderer } from '../engine/index.js';
import { discoverCategoriesStep, fingerprintSiteStep } from './steps/analyse-site.js';
import { generateSelectorsStep, testSelectorsStep } from './steps/build-blueprint.js';
import { checkSiteHandler } from './steps/check-site.js';
import { extractBatchHandler } from './steps/extract-batch.js';
import { repairBlueprintHandler } from './steps/repair-blueprint.js';
import { updateBlueprintStep } from './steps/update-blueprint.js';

export interface PipelineDeps {
  config: Config;
  logger: Logger;
  analysis: AnalysisCoordinator;
  sites: SitesRepository;
  blueprints: BlueprintsRepository;
  jobs: JobsRepository;
  queue: JobQueue;
  fetcher: Fetcher;
  renderer: Renderer;
  results: ExtractionResultsRepository;
  /** Hands out an LLM client per job, or none without LLM_API_KEY (heuristics only). */
  llm: LlmService;
  /** Worker threads for the steps' CPU-heavy engine work. */
  engine: EngineThreads;
}

/** A standalone (non-analysis) job about one site. */
function siteJob(sites: SitesRepository, work: (context: Parameters<JobHandler>[0], site: SiteRecord) => Promise<unknown>): JobHandler {
  return async (context) => {
    const site = await sites.get(String(context.job.payload.siteId));
    if (!site) throw new PermanentJobError('the site no longer exists');
    return work(context, site);
  };
}

/** One handler per job type. */
export function createPipelineHandlers(deps: PipelineDeps): JobHandlers {
  const { analysis, sites } = deps;
  const handlers: Record<PipelineJobType, JobHandler> = {
    fingerprint_site: analysis.step(fingerprintSiteStep(deps)),
    discover_categories: analysis.step(discoverCategoriesStep(deps)),
    generate_selectors: analysis.step(generateSelectorsStep(deps)),
    test_selectors: analysis.step(testSelectorsStep(deps)),
    update_blueprint: analysis.step(updateBlueprintStep(deps)),
    check_site: siteJob(sites, checkSiteHandler(deps)),
    repair_blueprint: siteJob(sites, repairBlueprintHandler(deps)),
    extract_batch: siteJob(sites, extractBatchHandler(deps)),
  };
  return handlers;
}
