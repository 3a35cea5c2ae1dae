/**
 * Every job type a worker runs, one handler each. An analysis (`analyze_site`) is not among
 * them: it is the record that tracks its five step jobs (see analysis.ts).
 */
export const JOB_TYPES = [
  'fingerprint_site',
  'discover_categories',
  'generate_selectors',
  'test_selectors',
  'update_blueprint',
  'check_site',
  'repair_blueprint',
  'extract_batch',
  // Reports (src/reports): its handler comes from the reports module, not the pipeline.
  'generate_report',
] as const;

export type PipelineJobType = Exclude<JobType, 'generate_report'>;

export type JobType = (typeof JOB_TYPES)[number];
