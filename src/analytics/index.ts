import fp from 'fastify-plugin';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../config/index.js';
import type { Database } from '../db/client.js';
import type { AppInstance } from '../http/app-instance.js';
import type { Logger } from '../logging/logger.js';
import { AnalyticsRepository } from './analytics.repository.js';
import { registerAnalyticsRoutes } from './analytics.routes.js';
import { AnalyticsService } from './analytics.service.js';
import { ApiUsageRecorder } from './api-usage.recorder.js';
import { traceService } from '../logging/tracing.js';

export { AnalyticsRepository, type AnalyticsSummary, type Period } from './analytics.repository.js';
export { AnalyticsService } from './analytics.service.js';

export interface AnalyticsPluginOptions {
  config: Config;
  database: Database;
  logger: Logger;
}

/**
 * The analytics API plus the API-usage counter. Not encapsulated (fastify-plugin): the counter's
 * hook must see every /api route of the app, not only this plugin's.
 */
export const analyticsPlugin = fp<AnalyticsPluginOptions>(
  async (fastify, { config, database, logger }) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>() as unknown as AppInstance;
    const recorder = new ApiUsageRecorder(database.db, logger, config.API_USAGE_FLUSH_MS);
    recorder.start();
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url;
      if (!route?.startsWith('/api/')) return;
      recorder.record({
        at: new Date(),
        workspaceId: request.auth?.workspaceId,
        method: request.method,
        route,
        status: reply.statusCode,
        apiKeyId: request.auth?.apiKeyId,
        userId: request.auth?.userId,
        durationMs: reply.elapsedTime,
      });
    });
    app.addHook('onClose', () => recorder.close());
    registerAnalyticsRoutes(app, { service: traceService(new AnalyticsService(new AnalyticsRepository(database))) });
  },
  { name: 'siteprint-analytics' },
);
