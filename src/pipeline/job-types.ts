/**
 * Every job type of the product, one handler each. `analyze_site` chains the five analysis
 * steps; `check_site` runs on a schedule and may enqueue `repair_blueprint`.
 */
export const JOB_TYPES = [
  'analyze_site',
  'fingerprint_site',
  'discover_categories',
  'generate_selectors',
  'test_selectors',
  'update_blueprint',
  'check_site',
  'repair_blueprint',
  'extract_batch',
] as const;

export type JobType = (typeof JOB_TYPES)[number];
