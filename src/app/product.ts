import { registerEmailDelivery } from '../accounts/email-sender.js';
import { AnalyticsRepository, AnalyticsService, analyticsPlugin } from '../analytics/index.js';
import { registerBlueprintRoutes } from '../blueprints/blueprints.routes.js';
import { BlueprintsService } from '../blueprints/blueprints.service.js';
import { registerEventRoutes } from '../events/events.routes.js';
import { registerGraphqlRoutes } from '../graphql/index.js';
import { registerExtractionRoutes } from '../extraction/extraction.routes.js';
import { ExtractionService } from '../extraction/extraction.service.js';
import { featurePlugin, type AppInstance } from '../http/app-instance.js';
import { workspaceOf } from '../http/auth.js';
import { IdempotencyRepository, registerIdempotency } from '../http/idempotency.js';
import { registerJobRoutes } from '../jobs/jobs.routes.js';
import { registerLlmRoutes } from '../llm/index.js';
import { NotificationsService, registerNotificationRoutes } from '../notifications/index.js';
import { OverviewRepository, OverviewService, registerOverviewRoutes } from '../overview/index.js';
import { reportsPlugin } from '../reports/index.js';
import { threadedExtraction } from '../pipeline/engine-threads.js';
import { registerSiteRoutes, siteDetailReader } from '../sites/sites.routes.js';
import { ApiRateLimits, registerUsageRoutes } from '../usage/index.js';
import { registerAdmin } from './admin.js';
import type { Platform } from './platform.js';
import { traceService } from '../logging/tracing.js';

/**
 * The product's API, each area an encapsulated plugin over its services: sites, jobs and queues,
 * blueprints, extraction, live events, the overview totals, LLM usage, analytics and reports (with the email they send), usage
 * against quotas (with the API rate limits), read-only GraphQL over the same services, and system administration.
 */
export async function registerProduct(app: AppInstance, platform: Platform): Promise<void> {
  const { services, repositories, config } = platform;
  // Rate limits run before the idempotency replay, so a replayed request counts like any other.
  const rateLimits = await ApiRateLimits.create({
    limitsOf: (workspaceId) => services.quotas.limitsOf(workspaceId),
    redisUrl: config.REDIS_URL,
    prefix: config.QUEUE_PREFIX,
    logger: platform.logger,
  });
  app.addHook('onRequest', (request, reply) => rateLimits.check(request, reply));
  platform.caches.register(rateLimits.managed());
  app.addHook('onClose', () => rateLimits.close());
  registerIdempotency(app, new IdempotencyRepository(platform.database.db), workspaceOf);
  const blueprints = traceService(new BlueprintsService(repositories.blueprints, repositories.sites, services.sites));
  await app.register(featurePlugin(registerSiteRoutes), { service: services.sites, workspaceOf });
  await app.register(featurePlugin(registerJobRoutes), { service: services.jobs, workspaceOf });
  await app.register(featurePlugin(registerBlueprintRoutes), { service: blueprints, workspaceOf });
  await app.register(featurePlugin(registerExtractionRoutes), {
    service: traceService(
      new ExtractionService(
        blueprints,
        platform.fetcher,
        platform.queue,
        threadedExtraction(platform.engine),
        services.jobs,
        repositories.extractionResults,
        services.quotas,
      ),
    ),
    workspaceOf,
    siteDetail: async (workspaceId: string, siteId: string) =>
      siteDetailReader(services.sites)(await services.sites.get(workspaceId, siteId)),
  });
  await app.register(featurePlugin(registerEventRoutes), { events: platform.events, workspaceOf });
  await app.register(featurePlugin(registerOverviewRoutes), {
    overview: traceService(new OverviewService(new OverviewRepository(platform.database.db))),
    workspaceOf,
  });
  await app.register(featurePlugin(registerLlmRoutes), { service: services.llm, workspaceOf });
  await app.register(reportsPlugin, {
    service: services.reports,
    schedules: services.reportSchedules,
    logger: platform.logger,
    schedulerIntervalMs: platform.config.REPORT_SCHEDULER_INTERVAL_MS,
  });
  await app.register(featurePlugin(registerNotificationRoutes), {
    service: traceService(
      new NotificationsService(platform.notifications.repository, { allowPrivateNetwork: platform.config.ALLOW_PRIVATE_NETWORK }),
    ),
  });
  // Every API process moves the notification outbox forward; the relay's steps are safe to run concurrently.
  app.addHook('onReady', async () => platform.notifications.relay.start(platform.config.NOTIFY_RELAY_INTERVAL_MS));
  registerEmailDelivery(app, { config: platform.config, db: platform.database.db, logger: platform.logger });
  await app.register(analyticsPlugin, { config: platform.config, database: platform.database, logger: platform.logger });
  // GraphQL reads through the same services as the routes above; GraphiQL is a development aid only.
  await app.register(featurePlugin(registerGraphqlRoutes), {
    services: {
      sites: services.sites,
      jobs: services.jobs,
      blueprints,
      analytics: traceService(new AnalyticsService(new AnalyticsRepository(platform.database))),
    },
    graphiql: config.NODE_ENV !== 'production',
  });
  await app.register(featurePlugin(registerUsageRoutes), { quotas: services.quotas, rateLimits, workspaceOf });
  await registerAdmin(app, platform, { rateLimits });
}
