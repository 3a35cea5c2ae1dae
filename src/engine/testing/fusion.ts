import type { Source } from '../blueprint/schema.js';
import type { ValueKind } from '../selectors/knowledge.js';
import { valueMeaning } from '../selectors/values.js';
import type { DecimalMark } from '../values/money.js';
import type { CandidateReport } from './candidate-report.js';

/**
 * Evidence fusion for product facts. A price, code or stock state is usually stated several
 * times on a page: in JSON-LD, embedded application state, meta tags, microdata, attributes and the visible text. Where the
 * kinds of evidence agree, the value is the page's; a selector that reads something no other
 * kind confirms (a related item's price, a tax-exclusive amount in a meta tag) is suspect. Among
 * sources that agree, what the visitor sees is preferred: it is what the page states as the
 * answer, and it keeps the page's own formatting as the raw text.
 */
export const FUSED_KINDS = new Set<ValueKind>(['money', 'identifier', 'gtin', 'availability']);
/**
 * Authors and bylines are fused too: an article's byline is usually stated in its metadata and
 * shown in its header, while a lone "by …" elsewhere is a teaser's. Their values still compare as text.
 */
const VOTED_KINDS = new Set<ValueKind>([...FUSED_KINDS, 'person', 'byline']);

type EvidenceKind = 'jsonld' | 'embedded' | 'meta' | 'microdata' | 'attribute' | 'visible';

/**
 * How much each kind of evidence weighs in a vote. JSON-LD is read from the page's main entity
 * (the typed Product object); embedded application state (__NEXT_DATA__, window.__INITIAL_STATE__)
 * is the data the page renders from but holds much besides the item, in the scripts' own units; microdata and meta tags are
 * often repeated on related items or written by other plugins; a bare attribute or a visible text
 * is one element among many.
 */
const WEIGHT: Record<EvidenceKind, number> = { jsonld: 1, embedded: 0.6, meta: 0.8, microdata: 0.8, attribute: 0.5, visible: 0.6 };

function evidenceKind(report: CandidateReport): EvidenceKind {
  if (report.origin === 'jsonld' || 'jsonld' in report.source) return 'jsonld';
  if (report.origin === 'embedded' || 'json' in report.source) return 'embedded';
  if ('meta' in report.source) return 'meta';
  if (report.origin === 'microdata') return 'microdata';
  if ('css' in report.source && report.source.read?.startsWith('attr:')) return 'attribute';
  return 'visible';
}

export const isVisible = (source: Source, report: CandidateReport) => 'css' in source && evidenceKind(report) === 'visible';

/** How a field's values are read for the vote: the site's decimal mark, and which amounts a page shows as old prices. */
export interface FusionReading {
  decimalMark?: DecimalMark;
  isOldPrice?: (page: number, value: string) => boolean;
}

const OLD_PRICE = '\u0000old price';

/**
 * Per candidate, the share of the pages it answers on where its value has the widest support
 * among the kinds of evidence (1 when it always states what most kinds state; null when no other
 * kind answers on any of its pages, so there is nothing to agree or disagree with).
 */
export function fusionAgreement(
  kind: ValueKind,
  reports: CandidateReport[],
  pageCount: number,
  reading: FusionReading = {},
): (number | null)[] {
  // Only sources that plausibly name the field vote; a long tail of weak selectors would drown them.
  const voters = reports.filter((report) => report.validity >= 0.8 && report.prior >= 0.3);
  const meanings = reports.map((report) =>
    report.values.map((values, page) => {
      if (values[0] === undefined) return null;
      return reading.isOldPrice?.(page, values[0]) ? OLD_PRICE : valueMeaning(kind, values[0], reading.decimalMark);
    }),
  );
  const support: Map<string, Set<EvidenceKind>>[] = Array.from({ length: pageCount }, () => new Map());
  for (const report of voters) {
    const evidence = evidenceKind(report);
    for (const [page, value] of meanings[reports.indexOf(report)]!.entries()) {
      if (value === null || value === OLD_PRICE) continue;
      const kinds = support[page]!.get(value) ?? new Set();
      kinds.add(evidence);
      support[page]!.set(value, kinds);
    }
  }
  return reports.map((report, index) => {
    let answered = 0;
    let agreed = 0;
    for (const [page, value] of meanings[index]!.entries()) {
      if (value === null) continue;
      // The old price of a was/now pair states nothing about the price paid, however many repeat it.
      if (value === OLD_PRICE) {
        answered++;
        continue;
      }
      const votes = support[page]!;
      const weight = (kinds: Set<EvidenceKind> | undefined) => [...(kinds ?? [])].reduce((sum, kind) => sum + WEIGHT[kind], 0);
      const widest = Math.max(0, ...[...votes.values()].map(weight));
      // A page where one value alone is stated has nothing to compare.
      if (votes.size <= 1 && (votes.get(value)?.size ?? 0) < 2) continue;
      answered++;
      if (weight(votes.get(value)) >= widest - 1e-9) agreed++;
    }
    return answered ? agreed / answered : null;
  });
}

/**
 * Re-ranks a field's scored candidates with the fused evidence: disagreeing sources lose weight,
 * and a visible source that agrees everywhere and covers as much as the best goes first.
 */
export function fuseEvidence(
  kind: ValueKind,
  ranked: CandidateReport[],
  pageCount: number,
  reading: FusionReading = {},
): CandidateReport[] {
  if (!VOTED_KINDS.has(kind) || ranked.length < 2) return ranked;
  const agreement = fusionAgreement(kind, ranked, pageCount, reading);
  const scored = ranked.map((report, i) => {
    const agree = agreement[i];
    return agree === null || agree === undefined ? report : { ...report, score: report.score * (0.4 + 0.6 * agree) };
  });
  const order = scored.map((report, i) => ({ report, agree: agreement[i] })).sort((a, b) => b.report.score - a.report.score);
  const best = order[0]!.report;
  // A visible author source often lists more than the byline (dates, "Follow" links): only the
  // vote re-ranks authors, what the visitor sees goes first for product facts alone.
  const visible = order.find(
    ({ report, agree }) =>
      FUSED_KINDS.has(kind) &&
      agree === 1 &&
      isVisible(report.source, report) &&
      report.coverage >= best.coverage &&
      report.validity >= best.validity &&
      report.score >= best.score * 0.35,
  );
  const result = order.map(({ report }) => report);
  if (visible && visible.report !== best) {
    result.splice(result.indexOf(visible.report), 1);
    // Ahead of the best by a hair, so the structured source stays as the agreeing fallback.
    result.unshift({ ...visible.report, score: Math.max(visible.report.score, best.score * 1.0001) });
  }
  return result;
}
