import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { EmailOutboxRepository } from '../accounts/email-outbox.repository.js';
import { AnalyticsRepository } from '../analytics/index.js';
import type { BlueprintsRepository } from '../blueprints/blueprints.repository.js';
import type { Config } from '../config/index.js';
import type { Database } from '../db/client.js';
import type { AppInstance } from '../http/app-instance.js';
import type { Logger } from '../logging/logger.js';
import type { JobQueue } from '../queue/index.js';
import type { SitesRepository } from '../sites/sites.repository.js';
import { PdfRenderer } from './pdf-renderer.js';
import { ReportContentBuilder } from './report-content.js';
import { ReportSchedulesService } from './report-schedules.service.js';
import { ReportFiles } from './report-files.js';
import { registerReportRoutes } from './reports.routes.js';
import { ReportsRepository } from './reports.repository.js';
import { ReportsService } from './reports.service.js';

export { ReportsService } from './reports.service.js';
export { ReportSchedulesService } from './report-schedules.service.js';

const SWEEP_EVERY_MS = 3_600_000;

/** The reports service over the platform's database, queue and repositories (API and workers alike). */
export function createReportsService(deps: {
  config: Config;
  logger: Logger;
  database: Database;
  queue: JobQueue;
  sites: SitesRepository;
  blueprints: BlueprintsRepository;
}): { service: ReportsService; schedules: ReportSchedulesService; close(): Promise<void> } {
  const reports = new ReportsRepository(deps.database);
  const pdf = new PdfRenderer();
  const content = new ReportContentBuilder({
    analytics: new AnalyticsRepository(deps.database),
    sites: deps.sites,
    blueprints: deps.blueprints,
    reports,
  });
  const service = new ReportsService({
    reports,
    sites: deps.sites,
    queue: deps.queue,
    content,
    files: new ReportFiles(deps.config.dataDir),
    pdf,
    outbox: new EmailOutboxRepository(deps.database.db),
    logger: deps.logger,
    retentionDays: deps.config.REPORT_RETENTION_DAYS,
  });
  const schedules = new ReportSchedulesService({ reports, sites: deps.sites, service, logger: deps.logger });
  return { service, schedules, close: () => pdf.close() };
}

export interface ReportsPluginOptions {
  service: ReportsService;
  schedules: ReportSchedulesService;
  logger: Logger;
  schedulerIntervalMs: number;
}

/**
 * Reports and report schedules API (encapsulated), plus two timers while the app runs: the
 * retention sweep (at start, then hourly) and the schedule runner (every API process ticks;
 * claims in the database make each run happen once).
 */
export async function reportsPlugin(
  fastify: FastifyInstance,
  { service, schedules, logger, schedulerIntervalMs }: ReportsPluginOptions,
): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>() as unknown as AppInstance;
  registerReportRoutes(app, { service, schedules });
  const sweep = () => service.sweep().catch((error: unknown) => logger.warn({ err: error }, 'old reports could not be deleted'));
  let ticking: Promise<unknown> | undefined;
  const runDue = () => {
    ticking ??= schedules
      .runDue()
      .catch((error: unknown) => logger.error({ err: error }, 'report schedules tick failed'))
      .finally(() => (ticking = undefined));
    return ticking;
  };
  const timers: NodeJS.Timeout[] = [];
  app.addHook('onReady', async () => {
    await sweep();
    timers.push(setInterval(() => void sweep(), SWEEP_EVERY_MS).unref(), setInterval(() => void runDue(), schedulerIntervalMs).unref());
  });
  app.addHook('onClose', async () => {
    for (const timer of timers) clearInterval(timer);
    await ticking;
  });
}
