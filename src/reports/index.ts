import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AnalyticsRepository } from '../analytics/index.js';
import type { BlueprintsRepository } from '../blueprints/blueprints.repository.js';
import type { Config } from '../config/index.js';
import type { Database } from '../db/client.js';
import type { AppInstance } from '../http/app.js';
import type { Logger } from '../logging/logger.js';
import type { JobQueue } from '../queue/index.js';
import type { SitesRepository } from '../sites/sites.repository.js';
import { PdfRenderer } from './pdf-renderer.js';
import { ReportContentBuilder } from './report-content.js';
import { ReportFiles } from './report-files.js';
import { registerReportRoutes } from './reports.routes.js';
import { ReportsRepository } from './reports.repository.js';
import { ReportsService } from './reports.service.js';

export { REPORT_JOB_TYPE, ReportsService } from './reports.service.js';

const SWEEP_EVERY_MS = 3_600_000;

/** The reports service over the platform's database, queue and repositories (API and workers alike). */
export function createReportsService(deps: {
  config: Config;
  logger: Logger;
  database: Database;
  queue: JobQueue;
  sites: SitesRepository;
  blueprints: BlueprintsRepository;
}): { service: ReportsService; close(): Promise<void> } {
  const reports = new ReportsRepository(deps.database);
  const pdf = new PdfRenderer();
  const content = new ReportContentBuilder({ analytics: new AnalyticsRepository(deps.database), sites: deps.sites, blueprints: deps.blueprints, reports });
  const service = new ReportsService({
    reports,
    sites: deps.sites,
    queue: deps.queue,
    content,
    files: new ReportFiles(deps.config.dataDir),
    pdf,
    logger: deps.logger,
    retentionDays: deps.config.REPORT_RETENTION_DAYS,
  });
  return { service, close: () => pdf.close() };
}

/** Reports API (encapsulated), plus the retention sweep: at start, then hourly, while the app runs. */
export async function reportsPlugin(fastify: FastifyInstance, { service, logger }: { service: ReportsService; logger: Logger }): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>() as unknown as AppInstance;
  registerReportRoutes(app, { service });
  const sweep = () => service.sweep().catch((error: unknown) => logger.warn({ err: error }, 'old reports could not be deleted'));
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    await sweep();
    timer = setInterval(() => void sweep(), SWEEP_EVERY_MS).unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
}
