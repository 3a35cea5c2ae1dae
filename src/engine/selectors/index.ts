export {
  generateSelectors,
  type Candidate,
  type CandidateOrigin,
  type ExamplePage,
  type FieldCandidates,
  type FieldSpec,
  type GenerateOptions,
} from './generate.js';
export { cssEscape, isStableClass, isStableId, selectorsFor, type SelectorCandidate } from './css.js';
export { labelMatch, profileField, type FieldProfile, type ValueKind } from './knowledge.js';
export { comparable, sameValue } from './values.js';
export { detectListItems, generateItemSelectors, nextPageCandidates } from './list.js';
