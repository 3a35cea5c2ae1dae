import { z } from 'zod';
import { FieldType, type Source } from '../blueprint/schema.js';
import type { DiscoveredPageType } from '../discover/index.js';
import type { FieldCandidates, FieldSpec } from '../selectors/generate.js';
import type { LlmCallContext, LlmClient, LlmUsage } from './client.js';
import { pruneHtml } from './prune.js';
import type { SelectorProposal } from './verify.js';

/** Token budget of the page excerpts in one prompt (the rest of the prompt is small). */
export const PAGE_TOKENS = 6_000;

export interface TaskResult<T> {
  value: T;
  usage: LlmUsage[];
}

const SYSTEM = [
  'You help a web data extraction tool. You read pruned HTML (scripts, styles and site chrome removed;',
  'comments like "<!-- 12 more li.item -->" stand for repeated siblings) and answer only with JSON matching the schema.',
  'CSS selectors must be standard CSS (no :contains, no XPath) and should rely on stable ids, classes,',
  'itemprop and data-* attributes rather than positions. Every selector you give is tested on real pages before use.',
].join(' ');

const ProposedSource = z.strictObject({
  field: z.string(),
  css: z.string().min(1),
  read: z
    .string()
    .regex(/^(text|attr:[a-z-]+)$/)
    .describe('text, or attr:<name> to read an attribute such as attr:href'),
});
const SelectorAnswer = z.strictObject({ selectors: z.array(ProposedSource) });

function toProposal(answer: z.infer<typeof ProposedSource>): SelectorProposal {
  const source: Source = answer.read === 'text' ? { css: answer.css } : { css: answer.css, read: answer.read as `attr:${string}` };
  return { field: answer.field, source };
}

function pagesBlock(pages: { url: string; html: string }[]): string {
  const share = Math.floor(PAGE_TOKENS / Math.max(1, pages.length));
  return pages.map((page, i) => `Page ${i + 1}: ${page.url}\n${pruneHtml(page.html, { maxTokens: share }).html}`).join('\n\n');
}

function describeField(field: FieldCandidates): string {
  const spec = field.spec;
  return `- ${spec.name} (${field.type}${field.multiple ? ', several values' : ''})${spec.description ? `: ${spec.description}` : ''}`;
}

/**
 * generate_selectors help: for fields the heuristics missed or found weakly, the model picks among the
 * heuristic candidates or proposes new CSS selectors from the pruned pages. On listing pages
 * (`records`: the selector of one record) the fields belong to each record and the selectors are
 * evaluated inside it.
 */
export async function proposeSelectors(
  llm: LlmClient,
  input: { fields: FieldCandidates[]; pages: { url: string; html: string }[]; records?: string; context: LlmCallContext },
): Promise<TaskResult<SelectorProposal[]>> {
  const fieldLines = input.fields.map((field) => {
    const css = field.candidates.flatMap((candidate) => ('css' in candidate.source ? [candidate.source.css] : [])).slice(0, 5);
    return `${describeField(field)}${css.length ? `\n  heuristic candidates: ${css.join(' | ')}` : ''}`;
  });
  const { value, usage } = await llm.structured({
    name: 'selectors',
    schema: SelectorAnswer,
    system: SYSTEM,
    context: input.context,
    user: [
      input.records
        ? `These are listing pages: each record is an element matching \`${input.records}\`. Give one or two CSS selectors for each field below that locate its value inside every record; they are evaluated within each record element.`
        : 'Give one or two CSS selectors for each field below that locate its value on every page of this type.',
      'You may choose a heuristic candidate when it is right. Leave out fields the pages do not show.',
      `Fields:\n${fieldLines.join('\n')}`,
      pagesBlock(input.pages),
    ].join('\n\n'),
  });
  return { value: value.selectors.map(toProposal), usage };
}

/**
 * repair_blueprint help: the field's selectors stopped matching; the model finds where the last known good
 * values now live on the same pages. On listing pages (`records`: the selector of one record) the values
 * are those of the page's records and the selectors are evaluated inside each record.
 */
export async function relocateField(
  llm: LlmClient,
  input: { field: FieldCandidates; lastGood: { url: string; html: string; values: string[] }[]; records?: string; context: LlmCallContext },
): Promise<TaskResult<SelectorProposal[]>> {
  const known = input.lastGood.map((page, i) => `Page ${i + 1} last showed: ${page.values.map((v) => JSON.stringify(v)).join(', ')}`);
  const { value, usage } = await llm.structured({
    name: 'relocated',
    schema: SelectorAnswer,
    system: SYSTEM,
    context: input.context,
    user: [
      `The site changed its layout and this field's selector stopped matching:\n${describeField(input.field)}`,
      `Known values before the change:\n${known.join('\n')}`,
      input.records
        ? `These are listing pages: each record is an element matching \`${input.records}\`, and the values above are those of the records. Give up to three CSS selectors that read the value inside each record; they are evaluated within each record element.`
        : 'Give up to three CSS selectors that read these values on the pages below.',
      pagesBlock(input.lastGood),
    ].join('\n\n'),
  });
  return { value: value.selectors.filter((s) => s.field === input.field.spec.name).map(toProposal), usage };
}

const FieldName = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/);
const PageTypeAnswer = z.strictObject({
  types: z.array(
    z.strictObject({
      index: z.number().int().nonnegative(),
      name: FieldName,
      description: z.string(),
      fields: z.array(z.strictObject({ name: FieldName, description: z.string(), type: FieldType })),
    }),
  ),
});

export interface PageTypeProposal {
  /** Index into the discovered page types this names. */
  index: number;
  name: string;
  description: string;
  /** Fields to look for; they become selectors only after testSelectors verifies them. */
  fields: FieldSpec[];
}

/** discover_categories help: names and describes the heuristically grouped page types and proposes their fields. */
export async function proposePageTypes(
  llm: LlmClient,
  input: { types: DiscoveredPageType[]; pages: { url: string; html: string }[]; context: LlmCallContext },
): Promise<TaskResult<PageTypeProposal[]>> {
  const groups = input.types.map((type, index) => {
    const example = input.pages.find((page) => type.urls.includes(page.url));
    const fields = type.fields.map((field) => field.name).join(', ') || 'none';
    return [
      `Group ${index}: ${type.kind} pages like ${type.urlPattern} (${type.urls.length} pages), heuristic name "${type.name}", fields found: ${fields}`,
      example ? pruneHtml(example.html, { maxTokens: Math.floor(PAGE_TOKENS / input.types.length) }).html : '',
    ].join('\n');
  });
  const { value, usage } = await llm.structured({
    name: 'page_types',
    schema: PageTypeAnswer,
    system: SYSTEM,
    context: input.context,
    user: [
      'Name each group of pages below with a short snake_case noun, describe it in one sentence, and list the data fields',
      'a user would want from it that are not among the fields found (snake_case names, a description, a type). Keep the group index.',
      groups.join('\n\n'),
    ].join('\n'),
  });
  const seen = new Set<string>();
  // Indexes outside the input and duplicate names are dropped rather than trusted.
  const proposals = value.types.filter((type) => type.index < input.types.length && !seen.has(type.name) && seen.add(type.name));
  return { value: proposals, usage };
}
