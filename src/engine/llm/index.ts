// LLM help for the engine: an OpenAI-compatible client with cost reporting, HTML pruning, and tasks whose
// proposals are only used after testSelectors verifies them. Optional everywhere: no key, no calls.
export {
  DEFAULT_LLM_BASE_URL,
  LlmClient,
  LlmError,
  PriceTableSchema,
  type BudgetGuard,
  type LlmCallContext,
  type LlmClientOptions,
  type LlmErrorKind,
  type LlmUsage,
  type ModelPrice,
  type PriceTable,
  type UsageRecorder,
} from './client.js';
export { pruneHtml, type PrunedHtml } from './prune.js';
export { proposePageTypes, proposeSelectors, relocateField, type PageTypeProposal } from './tasks.js';
export { verifyProposals, type RejectedProposal, type SelectorProposal, type VerifiedField } from './verify.js';
export {
  assistBlueprint,
  discoverWithLlm,
  llmUse,
  mergePageTypeProposals,
  repairField,
  type AnalysisPage,
  type BlueprintAssist,
  type DiscoveryAssist,
  type FieldRepair,
  type LlmOptions,
  type LlmReport,
} from './analysis.js';
