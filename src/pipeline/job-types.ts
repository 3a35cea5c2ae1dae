import type { Blueprint } from '../engine/index.js';

/**
 * Every job of the platform, declared once: its name, the payload it is enqueued with and the
 * result its handler returns (stored in `jobs.result`). The payload is JSON in the `jobs` row;
 * `payloadOf` is the one place it is read back as its type.
 */

/** The record that tracks an analysis; it has no handler of its own (see analysis.ts). */
export const ANALYZE_SITE = 'analyze_site';

/**
 * The steps of `analyze_site`, in order; each is its own job type with its own handler.
 * `discover_categories` finds the site's page types (the code's one name for them): the job keeps
 * its first name because job types are stored in `jobs` rows and are part of the API (the `type`
 * filter, job details, events), which existing jobs and clients rely on.
 */
export const ANALYSIS_STEPS = [
  'fingerprint_site',
  'discover_categories',
  'generate_selectors',
  'test_selectors',
  'update_blueprint',
] as const;
export type AnalysisStep = (typeof ANALYSIS_STEPS)[number];

export const CHECK_SITE = 'check_site';
export const REPAIR_BLUEPRINT = 'repair_blueprint';
export const EXTRACT_BATCH = 'extract_batch';

/** Reports (src/reports): its handler comes from the reports module, not the pipeline. */
export const GENERATE_REPORT = 'generate_report';

/** Notifications (src/notifications): sends one (event, channel, recipient); its handler comes from that module. */
export const DELIVER_NOTIFICATION = 'deliver_notification';

/** Every job type a worker runs, one handler each. */
export const JOB_TYPES = [...ANALYSIS_STEPS, CHECK_SITE, REPAIR_BLUEPRINT, EXTRACT_BATCH, GENERATE_REPORT, DELIVER_NOTIFICATION] as const;
export type JobType = (typeof JOB_TYPES)[number];

/** The job types whose handlers other modules provide. */
export const MODULE_JOB_TYPES: readonly JobType[] = [GENERATE_REPORT, DELIVER_NOTIFICATION];

/** The job types whose handlers the pipeline builds (createPipelineHandlers). */
export type PipelineJobType = Exclude<JobType, typeof GENERATE_REPORT | typeof DELIVER_NOTIFICATION>;

/** Every job but a report's is about one site. */
export type SitePayload = {
  siteId: string;
};

/** What `saveBlueprint` reports: the active version after the save, and whether this job wrote it. */
export type SavedBlueprint = {
  version: number;
  created: boolean;
  diff?: unknown;
};

export type Health = 'healthy' | 'degraded' | 'down';

/**
 * Name → payload → result. An analysis step is enqueued with its site only; each step's result is
 * stored as its own output (the step job's `result`), and a later step reads the outputs it needs
 * (AnalysisCoordinator.output).
 */
export interface JobMap {
  fingerprint_site: { payload: SitePayload; result: { sampledPages: number } };
  discover_categories: { payload: SitePayload; result: { pageTypes: number } };
  generate_selectors: { payload: SitePayload; result: { draft: Blueprint; heldOutUrls: string[] } };
  test_selectors: {
    payload: SitePayload;
    result: { blueprint: Blueprint; heldOut: { pages: number; coverage: number; broken: string[] } };
  };
  update_blueprint: { payload: SitePayload; result: SavedBlueprint & { health: Health | null } };
  check_site: { payload: SitePayload; result: { health: Health; coverage: number; baseline: number } };
  repair_blueprint: { payload: SitePayload; result: { repaired: string[] } & Partial<SavedBlueprint> };
  extract_batch: { payload: SitePayload & { urls: string[] }; result: { pages: number; failed: number; blueprintVersion: number } };
  generate_report: { payload: { reportId: string }; result: { reportId: string; sizeBytes: number | null } };
  deliver_notification: { payload: { deliveryId: string }; result: { deliveryId: string; status: string } };
}

export type JobPayload<Type extends JobType> = JobMap[Type]['payload'];
export type JobResult<Type extends JobType> = JobMap[Type]['result'];

/** A job's payload as its type declares it: what the code that enqueued it wrote. */
export function payloadOf<Type extends JobType>(job: { type: string; payload: Record<string, unknown> }, _type: Type): JobPayload<Type> {
  return job.payload as unknown as JobPayload<Type>;
}
