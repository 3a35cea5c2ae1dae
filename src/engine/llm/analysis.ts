import type { PageContext } from '../extract/runtime.js';
import { generateSelectors, type ExamplePage, type FieldCandidates, type FieldSpec } from '../selectors/generate.js';
import { LlmError, type LlmCallContext, type LlmClient, type LlmUsage } from './client.js';
import { proposeSelectors, relocateField, type TaskResult } from './tasks.js';
import { verifyProposals, type RejectedProposal, type SelectorProposal, type VerifiedField } from './verify.js';

export interface LlmOptions {
  client: LlmClient;
  /** Attribution of every call (the platform adds workspace, site, job). */
  context: Omit<LlmCallContext, 'step'>;
  /** Per-analysis spending cap in USD; once reached the analysis goes on heuristics-only. */
  capUsd?: number;
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

export interface FieldAnalysis {
  fields: VerifiedField[];
  llm: LlmReport;
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
    if (cap !== undefined && this.report.costUsd >= cap) {
      this.note(`LLM cap of $${cap} for this analysis reached: heuristics only for ${step}.`);
      return null;
    }
    try {
      const result = await task(this.options.client, { ...this.options.context, step });
      this.count(result.usage);
      return result.value;
    } catch (error) {
      if (!(error instanceof LlmError)) throw error;
      this.count(error.usage);
      this.note(error.kind === 'budget' ? `LLM budget reached (${error.message}): heuristics only for ${step}.` : `LLM call failed (${error.kind}: ${error.message}): heuristics only for ${step}.`);
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

function weak(field: VerifiedField): boolean {
  return field.sources.length === 0 || field.quality.coverage < WEAK_COVERAGE || field.quality.confidence < WEAK_CONFIDENCE;
}

/**
 * generate_selectors + test_selectors with optional LLM help: heuristics first; fields they miss or find
 * weakly go to the model; its proposals are kept only when testSelectors verifies them. Without an LLM,
 * over budget or on any LLM failure, the heuristic result stands.
 */
export async function analyzeFields(
  pages: AnalysisPage[],
  specs: FieldSpec[],
  options: { examples?: ExamplePage[]; dataType?: string; llm?: LlmOptions } = {},
): Promise<FieldAnalysis> {
  const contexts = pages.map((page) => page.page);
  const candidates = generateSelectors(contexts, pages.map(() => undefined), specs, options);
  const session = new LlmSession(options.llm);
  const heuristic = verifyProposals(candidates, [], contexts);
  const missing = candidates.filter((field) => weak(heuristic.fields.find((report) => report.name === field.spec.name)!));
  if (!missing.length) return { fields: heuristic.fields, llm: session.report };
  const proposals = await session.run('generate_selectors', (client, context) =>
    proposeSelectors(client, { fields: missing, pages: pages.slice(0, PROMPT_PAGES), context }),
  );
  if (!proposals) return { fields: heuristic.fields, llm: session.report };
  const verification = verifyProposals(candidates, proposals, contexts);
  session.verified(verification);
  return { fields: verification.fields, llm: session.report };
}

export interface RepairInput {
  field: FieldSpec;
  /** The field's last known good values on pages fetched again now (same URLs, new layout). */
  lastGood: { page: AnalysisPage; values: string[] }[];
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
  const examples: ExamplePage[] = input.lastGood.map((entry) => ({ url: entry.page.url, values: { [input.field.name]: entry.values } }));
  const [candidates] = generateSelectors(contexts, contexts.map(() => undefined), [input.field], { examples }) as [FieldCandidates];
  const session = new LlmSession(llm);
  const heuristic = verifyProposals([candidates], [], contexts).fields[0]!;
  if (reproduces(heuristic)) return { field: heuristic, llm: session.report };
  const proposals = await session.run('repair_blueprint', (client, context) =>
    relocateField(client, {
      field: candidates,
      lastGood: input.lastGood.slice(0, PROMPT_PAGES).map((entry) => ({ url: entry.page.url, html: entry.page.html, values: entry.values })),
      context,
    }),
  );
  if (!proposals) return { field: null, llm: session.report };
  const verification = verifyProposals([candidates], proposals, contexts);
  session.verified(verification);
  const field = verification.fields[0]!;
  return { field: reproduces(field) ? field : null, llm: session.report };
}

function reproduces(field: VerifiedField): boolean {
  const best = field.candidates.find((candidate) => field.sources[0] && JSON.stringify(candidate.source) === JSON.stringify(field.sources[0]));
  return Boolean(best && (best.exampleAgreement ?? 0) > 0.5 && field.quality.coverage >= WEAK_COVERAGE);
}
