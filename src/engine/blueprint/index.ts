export * from './schema.js';
export { compileUrlPattern, inferUrlPattern, matchesUrlPattern } from './url-pattern.js';
export {
  canonicalJson,
  contentHash,
  diffBlueprints,
  updateBlueprint,
  type BlueprintDiff,
  type BlueprintUpdate,
  type FieldChange,
  type PropertyChange,
  type SourcesChange,
} from './versions.js';
export { exportBlueprint, formatFromPath, importBlueprint, type ExportFormat } from './export.js';
export { blueprintJsonSchema } from './json-schema.js';
export { buildBlueprint, buildSiteBlueprint, combineBlueprints, type BuildOptions, type BuildResult, type PageTypeSpec } from './build.js';
