import type { Blueprint, Field, FieldQuality, LlmUse, PageType } from '../blueprint/schema.js';
import { contentHash } from '../blueprint/versions.js';
import { discoverPageTypes, labelOfName, type DiscoveredPageType } from '../discover/index.js';
import type { Element } from '../extract/dom.js';
import { compileQuery, PageContext, selectElements } from '../extract/runtime.js';
import type { PageInput } from '../pages.js';
import { generateSelectors, type ExamplePage, type FieldSpec } from '../selectors/generate.js';
import { generateItemSelectors } from '../selectors/list.js';
import { LlmError, type LlmCallContext, type LlmClient, type LlmUsage } from './client.js';
import { proposePageTypes, proposeSelectors, relocateField, type PageTypeProposal, type TaskResult } from './tasks.js';
import { verifyProposals, type RecordScopes, type RejectedProposal, type SelectorProposal, type VerifiedField } from './verify.js';

export interface LlmOptions {
  client: LlmClient;
  /** Attribution of every call (the platform adds workspace, site, job). */
  context: Omit<LlmCallContext, 'step'>;
  /** Per-analysis spending cap in USD; once reached the analysis goes on heuristics-only. */
  capUsd?: number;
  /** Spent by earlier steps of the same analysis (other jobs), counted against capUsd. */
  spentUsd?: number;
}

export interface AnalysisPage {
  url: string;
  html: string;
  page: PageContext;
}

/** LLM involvement in one analysis, for the job log, the API and the blueprint's honesty. */
export interface LlmReport {
  used: boolean;
  calls: number;
  costUsd: number;
  accepted: SelectorProposal[];
  rejected: RejectedProposal[];
  /** Why the LLM was not (or no longer) used, e.g. budget reached; empty when it was never needed. */
  notes: string[];
}

// Fields below these after heuristics are worth an LLM call.
const WEAK_COVERAGE = 0.8;
const WEAK_CONFIDENCE = 0.5;
/** How many sample pages are shown to the model. */
const PROMPT_PAGES = 2;

/** Tracks one analysis's spend and turns LLM failures into notes so the analysis always completes. */
class LlmSession {
  readonly report: LlmReport = { used: false, calls: 0, costUsd: 0, accepted: [], rejected: [], notes: [] };

  constructor(readonly options: LlmOptions | undefined) {
    if (!options) this.report.notes.push('No LLM configured: heuristics only.');
  }

  async run<T>(step: string, task: (client: LlmClient, context: LlmCallContext) => Promise<TaskResult<T>>): Promise<T | null> {
    if (!this.options) return null;
    const cap = this.options.capUsd;
    if (cap !== undefined && (this.options.spentUsd ?? 0) + this.report.costUsd >= cap) {
      this.note(`LLM budget reached (per-analysis cap of $${cap} spent): continuing heuristics-only for ${step}.`);
      return null;
    }
    try {
      const result = await task(this.options.client, { ...this.options.context, step });
      this.count(result.usage);
      return result.value;
    } catch (error) {
      if (!(error instanceof LlmError)) throw error;
      this.count(error.usage);
      this.note(
        error.kind === 'budget'
          ? `LLM budget reached (${error.message}): continuing heuristics-only for ${step}.`
          : `LLM call failed (${error.kind}: ${error.message}): continuing heuristics-only for ${step}.`,
      );
      return null;
    }
  }

  verified(verification: { accepted: SelectorProposal[]; rejected: RejectedProposal[] }): void {
    this.report.accepted.push(...verification.accepted);
    this.report.rejected.push(...verification.rejected);
  }

  private count(usage: LlmUsage[]): void {
    this.report.used ||= usage.length > 0;
    this.report.calls += usage.length;
    this.report.costUsd += usage.reduce((sum, call) => sum + (call.costUsd ?? 0), 0);
  }

  private note(text: string): void {
    if (!this.report.notes.includes(text)) this.report.notes.push(text);
  }
}

function weak(field: { sources: unknown[]; quality?: FieldQuality }): boolean {
  return (
    field.sources.length === 0 || !field.quality || field.quality.coverage < WEAK_COVERAGE || field.quality.confidence < WEAK_CONFIDENCE
  );
}

export interface RepairInput {
  field: FieldSpec;
  /** The field's last known good values on pages fetched again now (same URLs, new layout). */
  lastGood: { page: AnalysisPage; values: string[] }[];
  /** On a listing, the selector of one record: the field is re-located inside each record, `values` being those of the page's records. */
  records?: string;
}

export interface FieldRepair {
  /** The re-located field, or null when neither heuristics nor a verified LLM proposal found it. */
  field: VerifiedField | null;
  llm: LlmReport;
}

/**
 * repair_blueprint: re-locates a broken field from its last known good values, heuristics first (the
 * values act as examples), then the LLM; a result must reproduce the known values to be used.
 */
export async function repairField(input: RepairInput, llm?: LlmOptions): Promise<FieldRepair> {
  const contexts = input.lastGood.map((entry) => entry.page.page);
  const scopes = input.records ? recordScopes(contexts, input.records) : null;
  // The known values act as examples: on a listing, each record's page's values.
  const candidates = (
    scopes
      ? generateItemSelectors(
          scopes.records.map((scope) => scope.root as Element),
          [input.field],
          () => scopes.records.map((scope) => input.lastGood[contexts.indexOf(scope.page)]?.values),
        )
      : generateSelectors(
          contexts,
          contexts.map(() => undefined),
          [input.field],
          {
            examples: input.lastGood.map((entry) => ({ url: entry.page.url, values: { [input.field.name]: entry.values } })),
          },
        )
  )[0]!;
  const session = new LlmSession(llm);
  const heuristic = verifyProposals([candidates], [], scopes ?? contexts).fields[0]!;
  if (reproduces(heuristic)) return { field: heuristic, llm: session.report };
  if (scopes && scopes.records.length === 0) return { field: null, llm: session.report };
  const proposals = await session.run('repair_blueprint', (client, context) =>
    relocateField(client, {
      field: candidates,
      lastGood: input.lastGood
        .slice(0, PROMPT_PAGES)
        .map((entry) => ({ url: entry.page.url, html: entry.page.html, values: entry.values })),
      ...(input.records ? { records: input.records } : {}),
      context,
    }),
  );
  if (!proposals) return { field: null, llm: session.report };
  const verification = verifyProposals([candidates], proposals, scopes ?? contexts);
  session.verified(verification);
  const field = verification.fields[0]!;
  return { field: reproduces(field) ? field : null, llm: session.report };
}

function reproduces(field: VerifiedField): boolean {
  const best = field.candidates.find(
    (candidate) => field.sources[0] && JSON.stringify(candidate.source) === JSON.stringify(field.sources[0]),
  );
  return Boolean(best && (best.exampleAgreement ?? 0) > 0.5 && field.quality.coverage >= WEAK_COVERAGE);
}

/** The blueprint's record of an analysis's LLM use, or undefined when no call was made. */
export function llmUse(report: LlmReport, model: string): LlmUse | undefined {
  return report.calls ? { model, requests: report.calls, costUsd: round6(report.costUsd) } : undefined;
}

const round6 = (value: number) => Math.round(value * 1e6) / 1e6;
const mean = (values: number[]) => (values.length ? Math.round((values.reduce((sum, v) => sum + v, 0) / values.length) * 1000) / 1000 : 0);

export interface BlueprintAssist {
  blueprint: Blueprint;
  llm: LlmReport;
}

/**
 * The generate_selectors hook for a blueprint buildBlueprint made from `pages`: fields of its page type
 * that the heuristics missed or found weakly go to the model with the pruned pages and the field
 * descriptions. A proposal enters the blueprint only when verifyProposals (selector testing on the same
 * pages) accepts it and it beats the heuristic candidates, so the field's best source is the LLM's
 * (mode 'llm'); everything else is reported as rejected and never saved. Fields named in `unverified`
 * (an LLM's suggestions at discovery, names without evidence) are dropped when no source was found.
 * On a listing page type the fields are those of each record, proposed and tested inside the records.
 */
export async function assistBlueprint(
  blueprint: Blueprint,
  pages: PageInput[],
  options: { fields: FieldSpec[]; examples?: ExamplePage[]; llm?: LlmOptions; unverified?: string[] },
): Promise<BlueprintAssist> {
  const session = new LlmSession(options.llm);
  const [pageType, ...others] = blueprint.pageTypes;
  if (!pageType || others.length) return { blueprint, llm: session.report };
  const target = pageType.list ?? pageType;
  const improved = await improveWeakFields(session, pageType, pages, options);
  const unverified = new Set(options.unverified ?? []);
  const fields = target.fields
    .map((field): Field => {
      const found = improved.get(field.name);
      return found ? { ...field, mode: 'llm', required: found.required, sources: found.sources, quality: found.quality } : field;
    })
    .filter((field) => field.sources.length > 0 || !unverified.has(field.name));
  if (improved.size === 0 && fields.length === target.fields.length)
    return { blueprint: withLlm(blueprint, session.report, options.llm), llm: session.report };
  const result: Blueprint = {
    ...blueprint,
    pageTypes: [pageType.list ? { ...pageType, list: { ...pageType.list, fields } } : { ...pageType, fields }],
    ...(blueprint.validation
      ? {
          validation: {
            ...blueprint.validation,
            coverage: mean(fields.map((f) => f.quality?.coverage ?? 0)),
            quality: mean(fields.map((f) => f.quality?.confidence ?? 0)),
          },
        }
      : {}),
  };
  result.contentHash = contentHash(result);
  return { blueprint: withLlm(result, session.report, options.llm), llm: session.report };
}

/**
 * Verified LLM sources for the page type's weak fields, by field name (empty without an LLM or a usable
 * answer). On a listing, candidates and proposals are tested inside each record.
 */
async function improveWeakFields(
  session: LlmSession,
  pageType: PageType,
  pages: PageInput[],
  options: { fields: FieldSpec[]; examples?: ExamplePage[] },
): Promise<Map<string, VerifiedField>> {
  const records = pageType.list?.item;
  const missing = (pageType.list ?? pageType).fields.filter(weak);
  if (!session.options || missing.length === 0) return new Map();
  const specs = missing.map(
    (field) => options.fields.find((spec) => spec.name === field.name) ?? { name: field.name, type: field.type, multiple: field.multiple },
  );
  const contexts = pages.map((page) => new PageContext(page.url, page.html));
  const scopes = records ? recordScopes(contexts, records) : null;
  if (scopes && scopes.records.length === 0) return new Map();
  const candidates = scopes
    ? generateItemSelectors(
        scopes.records.map((scope) => scope.root as Element),
        specs,
      )
    : generateSelectors(
        contexts,
        pages.map((page) => page.file),
        specs,
        {
          examples: options.examples ?? [],
          ...(pageType.dataType ? { dataType: pageType.dataType } : {}),
        },
      );
  const proposals = await session.run('generate_selectors', (client, context) =>
    proposeSelectors(client, { fields: candidates, pages: pages.slice(0, PROMPT_PAGES), ...(records ? { records } : {}), context }),
  );
  if (!proposals) return new Map();
  const verification = verifyProposals(candidates, proposals, scopes ?? contexts);
  const improved = new Map(verification.fields.filter((field) => field.mode === 'llm').map((field) => [field.name, field]));
  // A proposal that only became a fallback leaves the heuristic source in charge: it is not used either.
  session.verified({
    accepted: verification.accepted.filter((proposal) => improved.has(proposal.field)),
    rejected: [
      ...verification.rejected,
      ...verification.accepted
        .filter((proposal) => !improved.has(proposal.field))
        .map((proposal) => ({ ...proposal, reason: 'the heuristic source scored better' })),
    ],
  });
  return improved;
}

/** Every record of every page, as the runtime finds them. */
function recordScopes(pages: PageContext[], item: string): RecordScopes {
  const query = compileQuery(item);
  return {
    records: pages.flatMap((page) =>
      selectElements(query, page.document).map((root, i) => ({ page, root, name: `${page.url} record ${i + 1}` })),
    ),
  };
}

function withLlm(blueprint: Blueprint, report: LlmReport, options: LlmOptions | undefined): Blueprint {
  const use = options && llmUse(report, options.client.model);
  return use ? { ...blueprint, llm: use } : blueprint;
}

export interface DiscoveryAssist {
  pageTypes: DiscoveredPageType[];
  llm: LlmReport;
}

/**
 * discover_categories with LLM help: heuristics group the pages into types; the model then names and
 * describes each group and proposes fields the heuristics did not find. Those fields are names only
 * (`from: 'llm'`): they get selectors only when selector testing verifies them later.
 */
export async function discoverWithLlm(
  pages: Array<{ url: string; html: string }>,
  llm?: LlmOptions,
  /** The heuristic page types when the caller has them already (computed off the main thread). */
  types: DiscoveredPageType[] = discoverPageTypes(pages),
): Promise<DiscoveryAssist> {
  const session = new LlmSession(llm);
  if (types.length === 0) return { pageTypes: types, llm: session.report };
  const proposals = await session.run('discover_categories', (client, context) => proposePageTypes(client, { types, pages, context }));
  return { pageTypes: proposals ? mergePageTypeProposals(types, proposals) : types, llm: session.report };
}

/** Applies the model's names, descriptions and extra fields; a name another type already uses is not taken. */
export function mergePageTypeProposals(types: DiscoveredPageType[], proposals: PageTypeProposal[]): DiscoveredPageType[] {
  const names = types.map((type) => type.name);
  const merged = types.map((type) => ({ ...type, fields: [...type.fields] }));
  for (const proposal of proposals) {
    const type = merged[proposal.index];
    if (!type) continue;
    if (!names.some((name, index) => name === proposal.name && index !== proposal.index)) names[proposal.index] = proposal.name;
    // The label follows a name the model changed ("book" is shown "Book", not the old label).
    if (type.name !== names[proposal.index]) type.label = labelOfName(names[proposal.index]!);
    type.name = names[proposal.index]!;
    type.description = proposal.description;
    for (const field of proposal.fields) {
      if (type.fields.some((known) => known.name === field.name)) continue;
      type.fields.push({
        name: field.name,
        type: field.type ?? 'text',
        examples: [],
        from: 'llm',
        ...(field.description ? { description: field.description } : {}),
      });
    }
  }
  return merged;
}
