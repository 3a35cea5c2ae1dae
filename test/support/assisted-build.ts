import { buildBlueprint } from '../../src/engine/blueprint/build.js';
import { assistBlueprint, type LlmOptions } from '../../src/engine/llm/index.js';
import type { PageInput } from '../../src/engine/pages.js';
import type { FieldSpec } from '../../src/engine/selectors/index.js';

/**
 * Selector generation as an analysis runs it: the heuristics build the page type, then the LLM (when
 * given) is asked only about the fields they missed or found weakly. Returns the page type's fields
 * and the LLM report.
 */
export async function assistedBuild(pages: PageInput[], fields: FieldSpec[], options: { llm?: LlmOptions } = {}) {
  const built = buildBlueprint(pages, { fields }).blueprint;
  const { blueprint, llm } = await assistBlueprint(built, pages, { fields, ...(options.llm ? { llm: options.llm } : {}) });
  const pageType = blueprint.pageTypes[0]!;
  return { fields: (pageType.list ?? pageType).fields, llm };
}
