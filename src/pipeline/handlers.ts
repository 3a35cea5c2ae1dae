import type { BlueprintsRepository } from '../blueprints/blueprints.repository.js';
import type { Config } from '../config/index.js';
import type { ExtractionResultsRepository } from '../extraction/extraction-results.repository.js';
import type { LlmService } from '../llm/index.js';
import type { Logger } from '../logging/logger.js';
import {
  PermanentJobError,
  type JobContext,
  type JobHandler,
  type JobHandlers,
  type JobQueue,
  type JobsRepository,
} from '../queue/index.js';
import type { SiteState } from '../sites/site-state.js';
import type { SiteRecord, SitesRepository } from '../sites/sites.repository.js';
import type { AnalysisCoordinator } from './analysis.js';
import type { EngineThreads } from './engine-threads.js';
import {
  CHECK_SITE,
  EXTRACT_BATCH,
  payloadOf,
  REPAIR_BLUEPRINT,
  type AnalysisStep,
  type JobResult,
  type PipelineJobType,
} from './job-types.js';
import type { Fetcher, Renderer } from '../engine/index.js';
import { discoverPageTypesStep, fingerprintSiteStep } from './steps/analyze-site.js';
import { generateSelectorsStep, testSelectorsStep } from './steps/build-blueprint.js';
import { checkSiteHandler } from './steps/check-site.js';
import { extractBatchHandler } from './steps/extract-batch.js';
import { repairBlueprintHandler } from './steps/repair-blueprint.js';
import { updateBlueprintStep } from './steps/update-blueprint.js';
import type { QuotasService } from '../usage/quotas.service.js';

export interface PipelineDeps {
  config: Config;
  logger: Logger;
  analysis: AnalysisCoordinator;
  sites: SitesRepository;
  /** Every change of a site's status, health, schedule and findings. */
  siteState: SiteState;
  blueprints: BlueprintsRepository;
  jobs: JobsRepository;
  queue: JobQueue;
  fetcher: Fetcher;
  renderer: Renderer;
  results: ExtractionResultsRepository;
  /** The usage ledger an extraction batch counts its pages in. */
  quotas: QuotasService;
  /** Hands out an LLM client per job, or none without LLM_API_KEY (heuristics only). */
  llm: LlmService;
  /** Worker threads for the steps' CPU-heavy engine work. */
  engine: EngineThreads;
}

/** What a job type's work returns: its declared result. */
type Work<Type extends PipelineJobType> = (context: JobContext, site: SiteRecord) => Promise<JobResult<Type>>;

/** A standalone (non-analysis) job about one site. */
function siteJob<Type extends PipelineJobType>(sites: SitesRepository, type: Type, work: Work<Type>): JobHandler {
  return async (context) => {
    const site = await sites.get(payloadOf(context.job, type).siteId);
    if (!site) throw new PermanentJobError('the site no longer exists');
    return work(context, site);
  };
}

/** One handler per job type. */
export function createPipelineHandlers(deps: PipelineDeps): JobHandlers {
  const { analysis, sites } = deps;
  // Each step's work is checked against the result its job type declares.
  const steps: { [Step in AnalysisStep]: Work<Step> } = {
    fingerprint_site: fingerprintSiteStep(deps),
    discover_categories: discoverPageTypesStep(deps),
    generate_selectors: generateSelectorsStep(deps),
    test_selectors: testSelectorsStep(deps),
    update_blueprint: updateBlueprintStep(deps),
  };
  const handlers: Record<PipelineJobType, JobHandler> = {
    fingerprint_site: analysis.step(steps.fingerprint_site),
    discover_categories: analysis.step(steps.discover_categories),
    generate_selectors: analysis.step(steps.generate_selectors),
    test_selectors: analysis.step(steps.test_selectors),
    update_blueprint: analysis.step(steps.update_blueprint),
    check_site: siteJob(sites, CHECK_SITE, checkSiteHandler(deps)),
    repair_blueprint: siteJob(sites, REPAIR_BLUEPRINT, repairBlueprintHandler(deps)),
    extract_batch: siteJob(sites, EXTRACT_BATCH, extractBatchHandler(deps)),
  };
  return handlers;
}
