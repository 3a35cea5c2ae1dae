import { analyticsPlugin } from '../analytics/index.js';
import { registerEmailDelivery } from '../accounts/email-sender.js';
import { reportsPlugin } from '../reports/index.js';
import { registerBlueprintRoutes } from '../blueprints/blueprints.routes.js';
import { BlueprintsService } from '../blueprints/blueprints.service.js';
import { registerEventRoutes } from '../events/events.routes.js';
import { registerExtractionRoutes } from '../extraction/extraction.routes.js';
import { ExtractionService } from '../extraction/extraction.service.js';
import { registerJobRoutes } from '../jobs/jobs.routes.js';
import { registerLlmRoutes } from '../llm/index.js';
import { OverviewRepository, registerOverviewRoutes } from '../overview/index.js';
import type { Platform } from '../platform.js';
import { registerSiteRoutes, siteDetailReader } from '../sites/sites.routes.js';
import type { AppInstance } from './app.js';
import { IdempotencyRepository, registerIdempotency } from './idempotency.js';
import type { WorkspaceOf } from './route-context.js';

/** The product's API: sites, jobs and queues, blueprints, extraction, live events and the overview totals. */
export function registerProductRoutes(app: AppInstance, platform: Platform, workspaceOf: WorkspaceOf): void {
  const { services, repositories } = platform;
  registerIdempotency(app, new IdempotencyRepository(platform.database.db), workspaceOf);
  const blueprints = new BlueprintsService(repositories.blueprints, repositories.sites, services.sites);
  registerSiteRoutes(app, { service: services.sites, sites: repositories.sites, blueprints: repositories.blueprints, workspaceOf });
  registerJobRoutes(app, { service: services.jobs, jobs: repositories.jobs, queue: platform.queue, workspaceOf });
  registerBlueprintRoutes(app, { service: blueprints, workspaceOf });
  registerExtractionRoutes(app, {
    service: new ExtractionService(blueprints, platform.fetcher, platform.queue),
    jobs: services.jobs,
    results: repositories.extractionResults,
    workspaceOf,
    siteDetail: async (workspaceId, siteId) => siteDetailReader(repositories)(await services.sites.get(workspaceId, siteId)),
  });
  registerEventRoutes(app, { events: platform.events, workspaceOf });
  registerOverviewRoutes(app, { overview: new OverviewRepository(platform.database.db), workspaceOf });
  registerLlmRoutes(app, { service: services.llm, workspaceOf });
  void app.register(reportsPlugin, { service: services.reports, schedules: services.reportSchedules, logger: platform.logger, schedulerIntervalMs: platform.config.REPORT_SCHEDULER_INTERVAL_MS });
  registerEmailDelivery(app, { config: platform.config, db: platform.database.db, logger: platform.logger });
  void app.register(analyticsPlugin, { config: platform.config, database: platform.database, logger: platform.logger });
}
