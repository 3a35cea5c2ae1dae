// The engine's public API: pure functions over pages, fields and options. No DB, no HTTP server.
export { leadingBaseUrl, readPagesDir, type PageInput } from './pages.js';
export {
  analyze,
  MAX_SAMPLES_PER_TYPE,
  planAnalysis,
  primaryPageType,
  type Analysis,
  type AnalysisOptions,
  type PlannedPageType,
} from './analyze.js';
export {
  CHECK_PAGES,
  checkBlueprint,
  checkUrls,
  COVERAGE_DROP_THRESHOLD,
  fetchPages,
  judgeHealth,
  servedPages,
  type CheckedPage,
  type CheckPage,
  type Health,
  type KnownPage,
  type SiteCheck,
} from './check.js';
export {
  BROKEN_BELOW,
  inProcessRepairWork,
  repairBlueprint,
  RepairError,
  type RepairLlm,
  type RepairOptions,
  type RepairOutcome,
  type RepairWork,
} from './repair.js';
export {
  BLUEPRINT_SCHEMA_VERSION,
  blueprintJsonSchema,
  buildBlueprint,
  combineBlueprints,
  compileUrlPattern,
  contentHash,
  diffBlueprints,
  exportBlueprint,
  fieldsOfPageType,
  importBlueprint,
  inferUrlPattern,
  matchesUrlPattern,
  parseBlueprint,
  updateBlueprint,
  // zod schemas, usable as values (validation, OpenAPI) and as types.
  Blueprint,
  type BlueprintDiff,
  type BlueprintUpdate,
  type BuildOptions,
  type BuildResult,
  type ExportFormat,
  Field,
  FieldType,
  LlmUse,
  PageType,
  Source,
} from './blueprint/index.js';
export {
  compileBlueprint,
  extractPage,
  PageContext,
  recordData,
  type CompiledBlueprint,
  type ExtractedRecord,
  type FieldResult,
  type Money,
  type TypedValue,
} from './extract/index.js';
export { generateSelectors, type Candidate, type ExamplePage, type FieldCandidates, type FieldSpec } from './selectors/index.js';
export {
  editBlueprint,
  knownValues,
  reproduction,
  testSelectors,
  verifyBlueprint,
  type BlueprintEdit,
  type BlueprintVerification,
  type CandidateReport,
  type FieldReport,
  type SelectorTestResult,
} from './testing/index.js';
export * from './fetch/index.js';
export * from './sample/index.js';
export * from './fingerprint/index.js';
export * from './discover/index.js';
export * from './render/index.js';
export * from './llm/index.js';
