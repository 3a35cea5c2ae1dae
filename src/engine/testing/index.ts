export { testSelectors, type CandidateReport, type FieldReport, type SelectorTestResult } from './test-selectors.js';
export { isValidGtin, isValidIsbn10, isValidIsbn13, validity } from './validators.js';
