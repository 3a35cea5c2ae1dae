import type { Source } from '../blueprint/schema.js';
import type { PageContext } from '../extract/runtime.js';
import { compileQuery } from '../extract/runtime.js';
import type { FieldCandidates } from '../selectors/generate.js';
import { testInScopes, testSelectors, type FieldReport, type TestScope } from '../testing/index.js';

/** A selector the model proposed for a field; nothing the model says is used before it passes verification. */
export interface SelectorProposal {
  field: string;
  source: Source;
}

export interface RejectedProposal extends SelectorProposal {
  reason: string;
}

/** A field report whose mode may also say the LLM produced it. */
export type VerifiedField = Omit<FieldReport, 'mode'> & { mode: FieldReport['mode'] | 'llm' };

export interface Verification {
  fields: VerifiedField[];
  accepted: SelectorProposal[];
  rejected: RejectedProposal[];
}

// An LLM selector must find valid values on most pages to be trusted; these match testSelectors' scale.
const MIN_COVERAGE = 0.5;
const MIN_VALIDITY = 0.5;
const LLM_PRIOR = 0.85;

const key = (source: Source) => JSON.stringify(source);

/** The records of listing pages: selectors are tested inside each record, as extraction reads them. */
export interface RecordScopes {
  records: TestScope[];
}

/**
 * Adds the proposals to the fields' heuristic candidates and runs testSelectors over the pages (or the
 * records of listing pages). A proposal is
 * accepted only when it parses, reaches the coverage and validity floors, reproduces the known values where
 * the field has examples, and testSelectors keeps it among the chosen sources; every other proposal is
 * rejected with the reason and removed from the sources.
 */
export function verifyProposals(fields: FieldCandidates[], proposals: SelectorProposal[], on: PageContext[] | RecordScopes): Verification {
  const rejected: RejectedProposal[] = [];
  const byField = new Map<string, Source[]>();
  for (const proposal of proposals) {
    const problem = syntaxProblem(proposal.source);
    if (!fields.some((field) => field.spec.name === proposal.field)) rejected.push({ ...proposal, reason: 'unknown field' });
    else if (problem) rejected.push({ ...proposal, reason: problem });
    else byField.set(proposal.field, [...(byField.get(proposal.field) ?? []), proposal.source]);
  }
  const extended = fields.map((field) => {
    const known = new Set(field.candidates.map((candidate) => key(candidate.source)));
    const added = (byField.get(field.spec.name) ?? []).filter((source) => !known.has(key(source)));
    return {
      ...field,
      candidates: [...field.candidates, ...added.map((source) => ({ source, origin: 'llm' as const, prior: LLM_PRIOR }))],
    };
  });
  const result = Array.isArray(on) ? testSelectors(extended, on) : testInScopes(extended, on.records, on.records.length);
  const accepted: SelectorProposal[] = [];
  const verified = result.fields.map((report): VerifiedField => {
    const chosen = new Set(report.sources.map(key));
    // LLM sources (and the variants testSelectors derives from them) face floors beyond its ranking.
    const refused = new Set(
      report.candidates
        .filter((candidate) => candidate.origin === 'llm' && candidateProblem(candidate, chosen.has(key(candidate.source))))
        .map((c) => key(c.source)),
    );
    const sources = report.sources.filter((source) => !refused.has(key(source)));
    for (const proposal of byField.get(report.name) ?? []) {
      // A proposal is adopted when it, or a variant of it (same selector, tightened by a regex), is used.
      const used = sources.find((source) => key(base(source)) === key(base(proposal)));
      if (used) accepted.push({ field: report.name, source: used });
      else {
        const own = report.candidates.find((candidate) => key(candidate.source) === key(proposal));
        rejected.push({
          field: report.name,
          source: proposal,
          reason: (own && candidateProblem(own, false)) ?? 'a better-scoring source was chosen',
        });
      }
    }
    const best = report.candidates.find((candidate) => sources[0] && key(candidate.source) === key(sources[0]));
    return { ...report, sources, mode: best?.origin === 'llm' ? 'llm' : report.mode };
  });
  return { fields: verified, accepted, rejected };
}

function candidateProblem(candidate: FieldReport['candidates'][number], chosen: boolean): string | null {
  if (candidate.coverage < MIN_COVERAGE) return `matches values on ${Math.round(candidate.coverage * 100)}% of the sample pages`;
  if (candidate.validity < MIN_VALIDITY) return 'the values it reads are not valid for the field type';
  if (!candidate.varies) return 'reads the same text on every page (template, not data)';
  if (candidate.exampleAgreement !== null && candidate.exampleAgreement <= 0) return 'does not reproduce the known values';
  if (!chosen) return 'a better-scoring source was chosen';
  return null;
}

/** The part of a source that locates the value, without post-processing. */
function base(source: Source): Source {
  const { regex: _regex, transforms: _transforms, split: _split, ...locator } = source;
  return locator as Source;
}

function syntaxProblem(source: Source): string | null {
  try {
    if ('css' in source) compileQuery(source.css);
    if (source.regex !== undefined) new RegExp(source.regex);
    return null;
  } catch (error) {
    return `invalid: ${(error as Error).message}`;
  }
}
