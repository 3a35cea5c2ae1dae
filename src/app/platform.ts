import { AuditRepository } from '../audit/audit.repository.js';
import { BlueprintsRepository } from '../blueprints/blueprints.repository.js';
import type { Config } from '../config/index.js';
import { openDatabase, pgliteDirFor, type Database } from '../db/client.js';
import { runMigrations } from '../db/migrations.js';
import { DatabaseChangeFeed, type ChangeFeed } from '../db/change-feed.js';
import { createEventBus, type EventBus } from '../events/index.js';
import { CacheRegistry } from '../system/cache-registry.js';
import { ExtractionResultsRepository } from '../extraction/extraction-results.repository.js';
import { JobsService } from '../jobs/jobs.service.js';
import { LlmRepository, LlmService } from '../llm/index.js';
import { flushErrorReports, startErrorReports } from '../logging/error-reports.js';
import { startTracing, stopTracing, traceService } from '../logging/tracing.js';
import type { Logger } from '../logging/logger.js';
import { AnalysisCoordinator } from '../pipeline/analysis.js';
import { engineThreads, type EngineThreads } from '../pipeline/engine-threads.js';
import type { PipelineDeps } from '../pipeline/handlers.js';
import { DELIVER_NOTIFICATION, GENERATE_REPORT, JOB_TYPES, MODULE_JOB_TYPES } from '../pipeline/job-types.js';
import { EmailOutboxRepository } from '../accounts/email-outbox.repository.js';
import {
  deliveryBackoffBaseMs,
  healthChangeEvents,
  NotificationDelivery,
  NotificationRelay,
  NotificationsRepository,
  recordBudgetThreshold,
  recordQuotaThreshold,
  recordJobOutcome,
  SystemErrors,
} from '../notifications/index.js';
import { extractionBatchFinished } from '../extraction/extraction.service.js';
import { ProcessWatch } from '../system/process-watch.js';
import { ProcessesRepository } from '../system/processes.repository.js';
import { Fetcher } from '../engine/fetch/index.js';
import type { Renderer } from '../engine/render/index.js';
import {
  createJobQueue,
  JobsRepository,
  type JobContext,
  type JobFinishedListener,
  type JobHandlers,
  type JobQueue,
  type JobRecord,
} from '../queue/index.js';
import { SiteScheduler } from '../scheduling/site-scheduler.js';
import { SiteState } from '../sites/site-state.js';
import { SiteListCache } from '../sites/site-list-cache.js';
import { SitesRepository } from '../sites/sites.repository.js';
import { SitesService } from '../sites/sites.service.js';
import { RuntimeSettings } from '../settings/runtime-settings.js';
import { SettingsRepository } from '../settings/settings.repository.js';
import { QuotasService, UsageRepository } from '../usage/index.js';
import type { Registry } from 'prom-client';
import { createMetricsRegistry, metrics } from '../system/metrics.js';
import { registerPlatformGauges } from '../system/platform-metrics.js';
import { siteprintVersion } from '../system/version.js';
import { createReportsService, type ReportSchedulesService, type ReportsService } from '../reports/index.js';

/**
 * The composition root: one place that builds the database, queue, event bus, repositories
 * and services, for the API server and for worker processes alike. Services are handed out
 * through traceService, so with tracing on each call of theirs is a span (as are those the HTTP
 * wiring builds in accounts.ts, product.ts and admin.ts).
 */
export interface Platform {
  config: Config;
  logger: Logger;
  database: Database;
  /** Changes committed by any process, for this process's caches (sessions, sites lists). */
  changes: ChangeFeed;
  /** This process's caches, which administrators list and clear (in every process at once). */
  caches: CacheRegistry;
  queue: JobQueue;
  events: EventBus;
  repositories: {
    jobs: JobsRepository;
    sites: SitesRepository;
    blueprints: BlueprintsRepository;
    extractionResults: ExtractionResultsRepository;
  };
  services: {
    sites: SitesService;
    jobs: JobsService;
    llm: LlmService;
    reports: ReportsService;
    reportSchedules: ReportSchedulesService;
    quotas: QuotasService;
  };
  analysis: AnalysisCoordinator;
  handlers: JobHandlers;
  fetcher: Fetcher;
  /** Worker threads running the jobs' CPU-heavy engine work off the event loop. */
  engine: EngineThreads;
  scheduler: SiteScheduler;
  /** This platform's gauges (queue, sites, budgets, pool), scraped with the process's metrics. */
  metrics: Registry;
  /** The notification outbox: its repository and the relay every API process runs. */
  notifications: { repository: NotificationsRepository; relay: NotificationRelay; systemErrors: SystemErrors };
  /**
   * Runs jobs in this process (`siteprint worker`, or `serve` in embedded mode), with the heartbeat
   * the System page shows, and watched: a crash loop at start and database outages are reported
   * to system administrators.
   */
  runJobs(role: 'worker' | 'server'): Promise<void>;
  close(): Promise<void>;
}

/** How long an analysis must sit with no step running before it is taken as stalled; also how often that is looked for. */
const STALLED_ANALYSIS_GRACE_S = 60;

export function openConfiguredDatabase(config: Config): Promise<Database> {
  return openDatabase({ url: config.DATABASE_URL, pgliteDir: pgliteDirFor(config.dataDir) });
}

export async function openPlatform(config: Config, logger: Logger, database?: Database): Promise<Platform> {
  // Both the API and workers open the platform, so both trace and report their unhandled errors.
  await startTracing(
    {
      endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
      serviceName: config.OTEL_SERVICE_NAME,
      sampleRatio: config.OTEL_TRACES_SAMPLER_ARG,
      version: siteprintVersion,
    },
    logger,
  );
  await startErrorReports({ dsn: config.SENTRY_DSN, environment: config.NODE_ENV }, logger);
  const db = database ?? (await openConfiguredDatabase(config));
  let changes: DatabaseChangeFeed | undefined;
  try {
    if (!database) {
      const migrations = await runMigrations(db);
      logger.info({ database: db.kind, migrations: migrations.applied }, 'database ready');
    }
    const events = await createEventBus(config.REDIS_URL, logger, config.QUEUE_PREFIX);
    const quotas = traceService(
      new QuotasService(
        new UsageRepository(db.db),
        new SettingsRepository(db.db),
        new AuditRepository(db.db),
        undefined,
        recordQuotaThreshold,
      ),
    );
    // What a job's final state writes in the transaction recording it: notification events, and an extraction batch's pages settled.
    const settleBatch = extractionBatchFinished(quotas);
    const onJobFinished: JobFinishedListener = async (tx, job) => {
      await recordJobOutcome(tx, job);
      await settleBatch(tx, job);
    };
    const jobs = new JobsRepository(db.db, onJobFinished);
    // Committed changes of every process, announced by the database, keep this process's caches true.
    changes = await DatabaseChangeFeed.open(db);
    const siteLists = new SiteListCache(changes);
    const caches = new CacheRegistry(db, changes, logger);
    caches.register(siteLists.managed());
    const sites = new SitesRepository(db.db, siteLists.changed);
    const blueprints = new BlueprintsRepository(db.db, siteLists.changed);
    const extractionResults = new ExtractionResultsRepository(db.db);
    // LLM help is optional: without LLM_API_KEY the service hands out no client and every job runs heuristics-only.
    const llmRepository = new LlmRepository(db.db);
    const runtimeSettings = new RuntimeSettings(new SettingsRepository(db.db));
    const llm = traceService(
      new LlmService(llmRepository, new AuditRepository(db.db), config, undefined, recordBudgetThreshold, () =>
        runtimeSettings.get('llmDefaultMonthlyBudgetUsd'),
      ),
    );
    const notifications = new NotificationsRepository(db.db);
    const systemErrors = new SystemErrors(notifications, config.SYSTEM_ALERT_COOLDOWN_MS, logger);
    const siteState = new SiteState(sites, healthChangeEvents(notifications, config.NOTIFY_HEALTH_COOLDOWN_MS));
    // The coordinator and the queue refer to each other: job changes drive the pipeline, and
    // the listener only runs once both exist.
    const queue = await createJobQueue({
      database: db,
      logger,
      redisUrl: config.REDIS_URL,
      jobTypes: JOB_TYPES,
      prefix: config.QUEUE_PREFIX,
      leaseMs: config.JOB_LEASE_MS,
      backoffBaseMsByType: { [DELIVER_NOTIFICATION]: deliveryBackoffBaseMs(config.NOTIFY_WEBHOOK_RETRY_WINDOW_MS) },
      onFinished: onJobFinished,
      // A job handed out again because its worker stopped renewing it: that worker died or hung.
      onStalled: ({ type, jobIds }) =>
        void systemErrors.report({
          kind: 'queue.stalled',
          subject: type,
          message: `${jobIds.length} ${type} job(s) stalled: the worker running them stopped renewing their lock (it died or blocked), so they were handed out again`,
          details: { jobType: type, jobIds },
        }),
      onChange: async (job: JobRecord) => {
        await analysis.onJobChange(job);
        await events.publish({ type: 'job.updated', workspaceId: job.workspaceId, data: jobEvent(job) });
      },
      onLog: (job, entry) =>
        events.publish({
          type: 'job.log',
          workspaceId: job.workspaceId,
          data: { jobId: job.id, parentId: job.parentId, siteId: job.siteId, level: entry.level, message: entry.message },
        }),
    });
    const analysis = new AnalysisCoordinator(jobs, queue, sites);
    const fetcher = new Fetcher({
      allowPrivateNetwork: config.ALLOW_PRIVATE_NETWORK,
      onFetch: (outcome, bytes) => {
        metrics.fetches.inc({ outcome });
        metrics.fetchBytes.inc(bytes);
      },
    });
    caches.register({
      name: 'robots-txt',
      description: 'Parsed robots.txt per site origin, read once by the jobs (and extraction requests) of this process',
      stats: () => fetcher.robotsCacheStats(),
      clear: () => fetcher.clearRobotsCache(),
    });
    const metricsRegistry = createMetricsRegistry();
    registerPlatformGauges(metricsRegistry, { database: db, jobTypes: JOB_TYPES, defaultLlmBudgetUsd: () => llm.defaultMonthlyUsd() });
    const engine = engineThreads(config.WORKER_CONCURRENCY);
    let renderer: Renderer | undefined;
    const reports = createReportsService({ config, logger, database: db, queue, sites, blueprints });
    const reportsService = traceService(reports.service);
    const pipelineHandlers = lazyHandlers(async () => {
      const [{ createPipelineHandlers }, { rendererFor }] = await Promise.all([
        import('../pipeline/handlers.js'),
        import('../engine/render/index.js'),
      ]);
      renderer = rendererFor(fetcher, {
        allowPrivateNetwork: config.ALLOW_PRIVATE_NETWORK,
        onRender: (outcome, seconds) => {
          metrics.renders.inc({ outcome });
          metrics.renderDuration.observe(seconds);
        },
      });
      const deps: PipelineDeps = {
        config,
        logger,
        analysis,
        sites,
        siteState,
        blueprints,
        jobs,
        queue,
        fetcher,
        renderer,
        results: extractionResults,
        quotas,
        llm,
        engine,
      };
      return createPipelineHandlers(deps);
    });
    const delivery = new NotificationDelivery({ repository: notifications, outbox: new EmailOutboxRepository(db.db), config, logger });
    const relay = new NotificationRelay({
      repository: notifications,
      queue,
      config,
      logger,
      llmSpend: async (workspaceId, from, to) => (await llmRepository.totals(workspaceId, from, to)).costUsd,
    });
    const handlers: JobHandlers = {
      ...pipelineHandlers,
      [GENERATE_REPORT]: (context) => reportsService.generate(context),
      [DELIVER_NOTIFICATION]: (context) => delivery.handle(context),
    };
    const scheduler = new SiteScheduler({ sites, queue, logger });
    let watch: ProcessWatch | undefined;
    let closing: Promise<void> | undefined;
    // Analyses a dead process or a failed change listener left running with nothing to move them on.
    let resuming: Promise<void> | undefined;
    let resumeTimer: NodeJS.Timeout | undefined;
    const resumeStalledAnalyses = () => {
      resuming ??= analysis
        .resumeStalled(STALLED_ANALYSIS_GRACE_S)
        .then((count) => {
          if (count) logger.warn({ analyses: count }, 'moved on analyses that had stalled between steps');
        })
        .catch((err: unknown) => logger.error({ err }, 'could not move on stalled analyses'))
        .finally(() => {
          resuming = undefined;
        });
    };
    return {
      config,
      logger,
      database: db,
      changes,
      caches,
      queue,
      events,
      repositories: { jobs, sites, blueprints, extractionResults },
      services: {
        sites: traceService(
          new SitesService(sites, jobs, analysis, { allowPrivateNetwork: config.ALLOW_PRIVATE_NETWORK }, quotas, blueprints, siteLists),
        ),
        jobs: traceService(new JobsService(jobs, queue, analysis, llm, quotas)),
        llm,
        reports: reportsService,
        reportSchedules: traceService(reports.schedules),
        quotas,
      },
      analysis,
      handlers,
      fetcher,
      engine,
      scheduler,
      metrics: metricsRegistry,
      notifications: { repository: notifications, relay, systemErrors },
      runJobs: async (role) => {
        watch ??= new ProcessWatch({
          repository: new ProcessesRepository(db.db),
          role,
          queue: queue.kind,
          version: siteprintVersion,
          concurrency: config.WORKER_CONCURRENCY,
          report: systemErrors.report,
          logger,
          heartbeatMs: config.WORKER_HEARTBEAT_MS,
        });
        await watch.start();
        await queue.work(watch.track(handlers), { concurrency: config.WORKER_CONCURRENCY });
        resumeTimer ??= setInterval(resumeStalledAnalyses, STALLED_ANALYSIS_GRACE_S * 1000);
        resumeStalledAnalyses();
      },
      close: () =>
        (closing ??= (async () => {
          clearInterval(resumeTimer);
          await resuming;
          await scheduler.stop();
          await relay.stop();
          await queue.close(config.SHUTDOWN_TIMEOUT_MS);
          // After the queue: the registry shows the process running until its jobs have ended.
          await watch?.stop();
          await events.close();
          await fetcher.close();
          await renderer?.close();
          await reports.close();
          await delivery.close();
          await changes!.close();
          if (!database) await db.close();
          await flushErrorReports(config.SHUTDOWN_TIMEOUT_MS);
          await stopTracing();
        })()),
    };
  } catch (error) {
    await changes?.close().catch(() => undefined);
    if (!database) await db.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The job handlers, whose modules (the analysis pipeline and most of the engine under it) load
 * when the first job runs rather than at start: they are most of the code, and neither the API
 * nor an idle worker needs them to be ready.
 */
function lazyHandlers(load: () => Promise<JobHandlers>): JobHandlers {
  let loading: Promise<JobHandlers> | undefined;
  return Object.fromEntries(
    JOB_TYPES.filter((type) => !MODULE_JOB_TYPES.includes(type)).map((type) => [
      type,
      async (context: JobContext) => {
        // A failed load (a broken install) is retried by the next job rather than remembered.
        const handlers = await (loading ??= load().catch((error: unknown) => {
          loading = undefined;
          throw error;
        }));
        return handlers[type]!(context);
      },
    ]),
  );
}

function jobEvent(job: JobRecord): Record<string, unknown> {
  return {
    id: job.id,
    type: job.type,
    status: job.status,
    step: job.step,
    progress: job.progress,
    siteId: job.siteId,
    parentId: job.parentId,
    error: job.error,
  };
}
