export {
  testInScopes,
  testSelectors,
  type CandidateReport,
  type FieldReport,
  type SelectorTestResult,
  type TestScope,
} from './test-selectors.js';
export { isValidGtin, isValidIsbn10, isValidIsbn13, validity } from './validators.js';
export { verifyBlueprint, type BlueprintVerification, type FieldVerification } from './verify-blueprint.js';
export { editBlueprint, type BlueprintEdit } from './edit-blueprint.js';
export { knownValues, reproduction } from './known-values.js';
