export {
  compileBlueprint,
  compileSource,
  extractPage,
  PageContext,
  recordData,
  recordTyped,
  typedFields,
  type CompiledBlueprint,
  type CompiledSource,
  type ExtractedRecord,
  type ExtractOptions,
  type FieldResult,
  type TypedField,
} from './runtime.js';
export { absoluteUrl, coerce, type TypedValue } from './coerce.js';
export { parseDate } from '../values/date.js';
export { parseMoney, parseNumber, type Money } from '../values/money.js';
export { normalizeText, parseHtml, textOf } from './dom.js';
export { buildLabelIndex, normalizeLabel, type LabelIndex, type LabelValue } from './labels.js';
export { jsonLdObjects, jsonLdTypes, jsonLdValues, metaTags, valuesAtPath, type JsonObject } from './structured.js';
