import type { FieldQuality, FieldType, Source } from '../blueprint/schema.js';
import type { Document, Element } from '../extract/dom.js';
import { compileQuery, compileSource, selectElements, type PageContext } from '../extract/runtime.js';
import { BYLINE_WORD_PATTERN, normalizeLabel, OTHER_ROLE_CREDIT } from '../extract/labels.js';
import { ITEM_NAME, type Candidate, type FieldCandidates } from '../selectors/generate.js';
import type { ValueKind } from '../selectors/knowledge.js';
import {
  ARTICLE_HEADLINE_META,
  declaredTitles,
  declaresArticle,
  extendsHeading,
  headlineConfirmed,
  SITE_NAME_SUFFIX,
  TITLE_META,
  titleSupport,
} from '../selectors/title-evidence.js';
import { comparable, sameMeaning, segmentRegex } from '../selectors/values.js';
import { parseMoney, type DecimalMark } from '../values/money.js';
import type { CandidateReport } from './candidate-report.js';
import { fuseEvidence } from './fusion.js';
import { oldPriceAmounts } from './old-prices.js';
import { validity } from './validators.js';

export type { CandidateReport } from './candidate-report.js';

export interface FieldReport {
  name: string;
  type: FieldType;
  multiple: boolean;
  required: boolean;
  mode: 'heuristic' | 'example';
  /** Chosen sources, best first, then fallbacks that agree with it. */
  sources: Source[];
  decimalMark?: DecimalMark;
  candidates: CandidateReport[];
  quality: FieldQuality;
}

export interface SelectorTestResult {
  fields: FieldReport[];
  /** Mean field confidence. */
  quality: number;
  /** Mean field coverage over samples and held-out pages. */
  coverage: number;
  failing: { field: string; pages: string[] }[];
}

/** How many distinct values the source's underlying match holds on a page (1 = unambiguous). */
function distinctMatches(source: Source, scope: TestScope): number {
  const { page } = scope;
  if ('css' in source) {
    const elements = selectElements(compileQuery(source.css), scope.root);
    return elements.length;
  }
  if ('label' in source) {
    const entries = source.label.flatMap((label) => page.labels.get(normalizeLabel(label)) ?? []);
    return new Set(entries.map((entry) => comparable(entry.text))).size;
  }
  return 1;
}

function evaluate(
  candidate: Candidate,
  field: FieldCandidates,
  kind: ValueKind,
  pages: TestScope[],
  sampleCount: number,
  /** Whether the source reads an article's declared headline (as declared, or less the template every page repeats). */
  headline = isArticleHeadline(candidate.source),
): CandidateReport {
  const compiled = compileSource(candidate.source, undefined, field.type);
  const values = pages.map(({ page, root }) => compiled.read(page, root, field.multiple));
  const samples = values.slice(0, sampleCount);
  const heldOut = values.slice(sampleCount);
  const withValue = samples.filter((v) => v.length > 0).length;
  const coverage = sampleCount ? withValue / sampleCount : 0;
  const heldOutCoverage = heldOut.length ? heldOut.filter((v) => v.length > 0).length / heldOut.length : null;
  let validitySum = 0;
  let validityCount = 0;
  let unique = 0;
  for (const [index, pageValues] of values.entries()) {
    if (!pageValues.length) continue;
    const scores = pageValues.map((value) => validity(kind, value));
    validitySum += field.multiple ? Math.max(...scores) : (scores[0] ?? 0);
    validityCount++;
    // Many matches for a list field mean a generic selector (every link), not the field's values.
    if (field.multiple) unique += distinctMatches(candidate.source, pages[index]!) <= 12 ? 1 : 0.3;
    else if (distinctMatches(candidate.source, pages[index]!) <= 1) unique++;
    else {
      // Several matches are harmless when they all read the same value (repeated blocks).
      const all = compiled.read(pages[index]!.page, pages[index]!.root, true);
      if (new Set(all.map(comparable)).size <= 1) unique++;
    }
  }
  const firstValues = values.filter((v) => v.length > 0).map((v) => comparable(v[0]!));
  const distinct = new Set(firstValues).size;
  const varies = firstValues.length < 3 || distinct > 1;
  // Titles and identifiers differ on every page; a value that repeats across pages is navigation.
  const distinctRatio = firstValues.length >= 3 && DISTINCT_KINDS.has(kind) ? distinct / firstValues.length : 1;
  let exampleAgreement: number | null = null;
  if (field.examples.size) {
    let agree = 0;
    for (const [index, expected] of field.examples) {
      const got = values[index] ?? [];
      // An example states a value, not its formatting: "88" agrees with "€ 88,00".
      const matching = got.filter((value) => expected.some((e) => sameMeaning(kind, value, e, field.decimalMark))).length;
      // For lists, extra values beyond the example (every link in a block) count against it.
      if (matching) agree += field.multiple ? matching / got.length : 1;
      else if (got.length) agree -= 0.5;
    }
    exampleAgreement = agree / field.examples.size;
  }
  const meanValidity = validityCount ? validitySum / validityCount : 0;
  const oldShare = kind === 'money' ? oldPriceShare(values, pages, field.decimalMark) : 0;
  const uniqueness = validityCount ? unique / validityCount : 0;
  const allCoverage = pages.length ? values.filter((v) => v.length > 0).length / pages.length : 0;
  // A source every example confirms is as credible as one found from the example itself: the
  // example is the evidence, whichever way the source was found (a brand in the page's state
  // against a brand cut out of the example page's title).
  const prior = exampleAgreement === 1 ? Math.max(candidate.prior, EXAMPLE_CONFIRMED_PRIOR) : candidate.prior;
  let score = prior * (0.15 + 0.85 * allCoverage * meanValidity) * (0.55 + 0.45 * uniqueness);
  if (!varies) score *= 0.3;
  score *= Math.max(0.1, 1 - oldShare);
  score *= distinctRatio * distinctRatio;
  if (exampleAgreement !== null) score *= exampleAgreement > 0 ? 1 + exampleAgreement : exampleAgreement < 0 ? 0.1 : 0.4;
  if (field.profile.heading) {
    score *= titleAgreementFactor(
      values,
      pages,
      NAMED_ORIGINS.has(candidate.origin) ? NAMED_FLOOR : BARE_FLOOR,
      isDeclaration(candidate.source),
      headline,
    );
  }
  return { ...candidate, coverage, heldOutCoverage, uniqueness, validity: meanValidity, varies, exampleAgreement, score, values };
}

/**
 * A page's name is what its declared titles (document title, og:title, structured data…) agree
 * on: it tells the main heading from a logo, a section title or a related item's name that
 * happens to come first. A bare heading no declared title agrees with is penalised enough that
 * the declared title itself wins over it; an element the markup names as the title (class,
 * itemprop) keeps more of its weight, since generic document titles ("Item 12 | Shop") exist
 * too. Several agreeing titles add a little; pages that declare no title say nothing either way.
 */
const BARE_FLOOR = 0.55;
const NAMED_FLOOR = 0.7;
const NAMED_ORIGINS = new Set<Candidate['origin']>(['template', 'microdata', 'jsonld', 'embedded', 'meta']);

/** Sources that read a declared title itself: their values need another declaration to agree. */
function isDeclaration(source: Source): boolean {
  if ('jsonld' in source) return true;
  if ('meta' in source) return TITLE_META.includes(source.meta.toLowerCase());
  return 'css' in source && source.css === 'head > title';
}

/**
 * Where an article declares its headline, read as declared: on an article page, the title as its
 * publisher states it (the document title less its separated site name). A part of it split off
 * on one page is not.
 */
function isArticleHeadline(source: Source): boolean {
  if ('css' in source) return source.css === 'head > title' && source.regex === SITE_NAME_SUFFIX;
  if (source.regex || source.split) return false;
  if ('jsonld' in source) return source.jsonld === 'headline';
  return 'meta' in source && ARTICLE_HEADLINE_META.includes(source.meta.toLowerCase());
}

function titleAgreementFactor(values: string[][], pages: TestScope[], floor: number, declared: boolean, headline: boolean): number {
  let answered = 0;
  let agreeing = 0;
  let support = 0;
  for (const [index, pageValues] of values.entries()) {
    const value = pageValues[0];
    if (!value) continue;
    answered++;
    const page = pages[index]!.page;
    // An article's declared headline is its title, once a heading or another declaration confirms it.
    if (headline && declaresArticle(page) && headlineConfirmed(page, value)) {
      agreeing++;
      support++;
      continue;
    }
    const declarations = declaredTitles(page).length;
    // A declaration trivially agrees with itself: it needs another one, unless it is the only one.
    const needed = declared ? 2 : 1;
    // Nor does it agree where it is a visible heading with the shop's name or a format added.
    if (declared && extendsHeading(page, value)) continue;
    if (declarations < needed) {
      agreeing++;
      continue;
    }
    const found = titleSupport(page, value);
    if (found >= needed) agreeing++;
    support += Math.min(found - needed + 1, 3) / 3;
  }
  if (!answered) return floor;
  return floor + (1 - floor) * (agreeing / answered) + 0.1 * (support / answered);
}

/** Share of the pages a money source answers on where it reads the old price of a was/now pair. */
function oldPriceShare(values: string[][], pages: TestScope[], decimalMark?: DecimalMark): number {
  let answered = 0;
  let old = 0;
  for (const [index, pageValues] of values.entries()) {
    if (!pageValues.length) continue;
    answered++;
    if (isOldPrice(pages[index]!, pageValues[0]!, decimalMark)) old++;
  }
  return answered ? old / answered : 0;
}

function isOldPrice(scope: TestScope, value: string, decimalMark?: DecimalMark): boolean {
  const amount = parseMoney(value, decimalMark)?.amount;
  return amount !== undefined && oldPriceAmounts(scope.root, decimalMark).has(amount);
}

/** Share of pages, among those where both sources answer, where `b` only gives values `a` gives too (null when never both). */
function agreement(a: CandidateReport, b: CandidateReport, kind: ValueKind, decimalMark?: DecimalMark): number | null {
  let both = 0;
  let same = 0;
  for (const [index, values] of a.values.entries()) {
    const other = b.values[index] ?? [];
    if (!values.length || !other.length) continue;
    both++;
    // Every value the other source adds must be one the best source also gives (lists included).
    const shared = other.filter((o) => values.some((value) => sameMeaning(kind, value, o, decimalMark))).length;
    if (shared / other.length >= 0.8) same++;
  }
  return both ? same / both : null;
}

const EXAMPLE_CONFIRMED_PRIOR = 0.9;
const GAP_FILLER_SHARE = 0.1;
const DISTINCT_KINDS = new Set<ValueKind>(['title', 'isbn13', 'isbn10', 'isbn', 'gtin', 'longText', 'url', 'image']);
const TEXT_KINDS = new Set<ValueKind>(['title', 'person', 'byline', 'organization', 'shortText']);
const AFFIX_BOUNDARY = /[|:·•/–—-]/;

function commonPrefix(values: string[]): string {
  let prefix = values[0] ?? '';
  for (const value of values) while (prefix && !value.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

const reversed = (text: string) => [...text].reverse().join('');

/**
 * Template induction on values: text that every page repeats around the varying part (a
 * " | Shop name" suffix, a "Buy " prefix) is template. Returns the candidate with a regex that
 * keeps only the varying part, or null when there is no such affix.
 */
function withoutConstantAffixes(report: CandidateReport): Candidate | null {
  if (report.source.regex) return null;
  const firsts = report.values.filter((v) => v.length > 0).map((v) => v[0]!);
  if (firsts.length < 2 || new Set(firsts).size < 2) return null;
  let prefix = commonPrefix(firsts);
  let suffix = reversed(commonPrefix(firsts.map(reversed)));
  // Cut affixes back to a separator so a shared first letter or word ending is not taken.
  const prefixCut = Math.max(...[...AFFIX_BOUNDARY.source.slice(1, -1)].map((ch) => prefix.lastIndexOf(ch)));
  prefix = prefixCut >= 0 ? prefix.slice(0, prefixCut + 1) : '';
  const suffixCut = [...suffix].findIndex((ch) => AFFIX_BOUNDARY.test(ch));
  suffix = suffixCut >= 0 ? suffix.slice(suffixCut) : '';
  // Template text stands apart from the value ("Lamp | Shop", "Price: 9"); glued on, as in
  // "WH-1007-Q", it is part of an identifier.
  if (!firsts.every((value) => /^\s/.test(value.slice(prefix.length)))) prefix = '';
  if (!firsts.every((value) => /\s$/.test(value.slice(0, value.length - suffix.length)))) suffix = '';
  if (prefix.trim().length < 2 && suffix.trim().length < 2) return null;
  const escape = (text: string) => text.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const regex = `^${prefix.trim() ? `(?:${escape(prefix)})?\\s*` : ''}(.+?)${suffix.trim() ? `\\s*(?:${escape(suffix)})?` : ''}$`;
  return { source: { ...report.source, regex }, origin: report.origin, prior: report.prior * 1.03 };
}

const BRACKET_NOTE = /\S\s*\[[^\]]{1,30}\]$/;

/** "Title [Paperback]": a bracketed note that most pages append (format, edition) is not part of the value. */
function withoutBracketNote(report: CandidateReport): Candidate | null {
  if (report.source.regex) return null;
  const firsts = report.values.filter((v) => v.length > 0).map((v) => v[0]!);
  if (firsts.length === 0 || firsts.filter((value) => BRACKET_NOTE.test(value)).length * 2 < firsts.length) return null;
  return { source: { ...report.source, regex: String.raw`^(.+?)(?:\s*\[[^\]]*\])?$` }, origin: report.origin, prior: report.prior * 1.01 };
}

const SEGMENT_SEPARATORS = [' / ', ' | ', ' • ', ' · '];

/**
 * "Value Books / 2008 / Paperback": when every page shows the same separated layout, each part is
 * its own candidate (the publisher is part 0, the year part 1); validity decides which fits.
 */
function segments(report: CandidateReport): Candidate[] {
  if (report.source.regex || report.source.split) return [];
  const firsts = report.values.filter((v) => v.length > 0).map((v) => v[0]!);
  if (firsts.length === 0) return [];
  for (const separator of SEGMENT_SEPARATORS) {
    const counts = firsts.map((value) => value.split(separator).length);
    const parts = counts[0]!;
    if (parts < 2 || parts > 6 || counts.filter((count) => count === parts).length < firsts.length * 0.8) continue;
    return Array.from({ length: parts }, (_, index) => ({
      source: { ...report.source, regex: segmentRegex(separator, index) },
      origin: report.origin,
      prior: report.prior * (1 - 0.04 * index),
    }));
  }
  return [];
}

const NAME_LIST_SEPARATOR = String.raw`\s*(?:,|;|&|\band\b)\s*`;

/** "Jon Park and Lena Ruiz": a list of names written as one text. */
function splitNames(report: CandidateReport): Candidate[] {
  if (report.source.split) return [];
  const separated = new RegExp(NAME_LIST_SEPARATOR, 'iu');
  if (!report.values.some((values) => values.length <= 3 && values.some((value) => separated.test(value)))) return [];
  // A part too short to be a name ("Mac & i", "R&D") means the separator belongs to one name.
  const parts = report.values.flat().flatMap((value) => value.split(new RegExp(NAME_LIST_SEPARATOR, 'iu')));
  if (parts.some((part) => (part.match(/\p{L}/gu) ?? []).length < 2)) return [];
  return [{ source: { ...report.source, split: NAME_LIST_SEPARATOR }, origin: report.origin, prior: report.prior * 1.01 }];
}

const BYLINE_WORD = new RegExp(`^${BYLINE_WORD_PATTERN}\\s+\\S`, 'i');

/**
 * "By Jane Doe": the byline word is template, whichever source the name was read from. A credit
 * for another role that follows ("Written by A Edited by B", "By A; photographs by B") names an
 * editor or photographer, not an author, and is cut off.
 */
function withoutBylineWord(report: CandidateReport): Candidate | null {
  if (report.source.regex || !report.values.some((values) => values.some((value) => BYLINE_WORD.test(value)))) return null;
  return {
    source: {
      ...report.source,
      regex: String.raw`^(?:${BYLINE_WORD_PATTERN}\s+)?(.+?)(?:${OTHER_ROLE_CREDIT})?$`,
    },
    origin: report.origin,
    prior: report.prior * 1.02,
  };
}

/**
 * How a source reads a name the page declares as data: 2 from the document's metadata (JSON-LD,
 * meta tags), 1 from a microdata item's name inside the visible credit, 0 not declared.
 */
function nameDeclaration(report: CandidateReport): number {
  const { source } = report;
  if ('jsonld' in source || 'meta' in source) return 2;
  return report.origin === 'microdata' && 'css' in source && source.css.endsWith(ITEM_NAME) ? 1 : 0;
}

/**
 * A byline reads the visible credit line whole, byline word and other credits included, so it does
 * not agree with the bare name the page declares as data. Where the page declares one, that
 * declaration is the clean statement of the same credit and comes first, the document's metadata
 * before a name marked inside the credit; the visible line answers where nothing is declared.
 * Only declarations of the concept itself (strong priors) that are names.
 */
function declaredFirst(ranked: CandidateReport[]): CandidateReport[] {
  const tier = (report: CandidateReport) => (report.prior >= 0.5 && report.validity >= 0.8 ? nameDeclaration(report) : 0);
  // Array sort is stable: within a tier, the tested order stands.
  return [...ranked].sort((a, b) => tier(b) - tier(a));
}

const MAX_FALLBACKS = 2;

const sourceKind = (source: Source) =>
  'css' in source ? 'css' : 'label' in source ? 'label' : 'jsonld' in source ? 'jsonld' : 'json' in source ? 'json' : 'meta';

/** Codes with a check digit: a source whose numbers fail it on some pages reads other numbers that pass by chance elsewhere. */
const CHECKED_KINDS = new Set<ValueKind>(['gtin', 'isbn', 'isbn13', 'isbn10']);

function sameEverywhere(a: CandidateReport, b: CandidateReport): boolean {
  return a.values.every((values, i) => comparable(values.join('|')) === comparable((b.values[i] ?? []).join('|')));
}

function chooseSources(
  candidates: CandidateReport[],
  valueKind: ValueKind,
  decimalMark?: DecimalMark,
): { best: CandidateReport | null; fallbacks: CandidateReport[]; agreement?: number } {
  const ranked = CHECKED_KINDS.has(valueKind) ? candidates.filter((candidate) => candidate.validity >= 0.9) : candidates;
  const best = ranked[0];
  if (!best || best.score <= 0.05 || best.coverage === 0) return { best: null, fallbacks: [] };
  // Values that are mostly not of the field's kind are another field's (words where a code belongs,
  // "Fake Wounds" under "MPN"), navigation ("All Brands") or unfilled templates: none beats a wrong one.
  if (best.validity < 0.3) return { best: null, fallbacks: [] };
  const fallbacks: CandidateReport[] = [];
  let firstAgreement: number | undefined;
  for (const candidate of ranked.slice(1)) {
    if (fallbacks.length >= MAX_FALLBACKS) break;
    if (candidate.validity < 0.8) continue;
    const agree = agreement(best, candidate, valueKind, decimalMark);
    // The best source is silent on some samples and this one answers only there: it fills the
    // gaps (a "Brand" label where the example page had a "Manufacturer" one), so a weaker score does.
    const fillsGaps = agree === null && best.coverage < 1;
    if (candidate.score < best.score * (fillsGaps ? GAP_FILLER_SHARE : 0.25)) continue;
    // Another selector reading the same values through the same mechanism adds no robustness.
    const kind = sourceKind(candidate.source);
    if (agree === 1 && [best, ...fallbacks].some((c) => sourceKind(c.source) === kind && sameEverywhere(c, candidate))) continue;
    // A fallback must give the same answer where both answer; otherwise it is a different field.
    // Silent on the example pages is no contradiction for a source that fills the gaps.
    const example = candidate.exampleAgreement;
    if (agree === null ? example !== null && (example < 0 || (example === 0 && !fillsGaps)) : agree < 0.8) continue;
    if (agree === null && best.coverage === 1 && (best.heldOutCoverage ?? 1) === 1) continue;
    firstAgreement ??= agree ?? undefined;
    fallbacks.push(candidate);
  }
  return { best, fallbacks, ...(firstAgreement !== undefined ? { agreement: firstAgreement } : {}) };
}

/** Where a candidate is evaluated: a whole page, or one record of a listing page. */
export interface TestScope {
  page: PageContext;
  root: Document | Element;
  name: string;
}

/**
 * Runs every candidate on the samples and the held-out pages, scores coverage, uniqueness, type
 * validity, template-vs-data variation and example agreement, then keeps the best source with the
 * fallbacks that agree with it.
 */
export function testSelectors(
  fields: FieldCandidates[],
  samples: PageContext[],
  heldOut: PageContext[] = [],
  pageNames: string[] = [],
): SelectorTestResult {
  const scopes = [...samples, ...heldOut].map((page, i) => ({ page, root: page.document, name: pageNames[i] ?? page.url }));
  return testInScopes(fields, scopes, samples.length);
}

/** testSelectors over arbitrary scopes (the first `sampleCount` are samples, the rest held out). */
export function testInScopes(fields: FieldCandidates[], pages: TestScope[], sampleCount: number): SelectorTestResult {
  const names = pages.map((scope) => scope.name);
  const samples = pages.slice(0, sampleCount);
  const reports: FieldReport[] = fields.map((field) => {
    const evaluated = field.candidates.map((candidate) => evaluate(candidate, field, field.profile.kind, pages, samples.length));
    const kind = field.profile.kind;
    const variants = evaluated.flatMap((report) => {
      const derived: CandidateReport[] = [];
      if (TEXT_KINDS.has(kind)) {
        // A headline less the site name every page appends is still the declared headline.
        const trimmed = withoutConstantAffixes(report);
        const variant = trimmed ?? withoutBracketNote(report) ?? (kind === 'person' ? withoutBylineWord(report) : null);
        if (variant)
          derived.push(evaluate(variant, field, kind, pages, samples.length, trimmed !== null && isArticleHeadline(report.source)));
      }
      const parts = [
        ...(TEXT_KINDS.has(kind) || kind === 'date' ? segments(report) : []),
        // "By A, B and C": the names a byline word opens are split once it is dropped.
        ...(field.multiple && kind === 'person' ? [report, ...derived].flatMap(splitNames) : []),
      ];
      return [...derived, ...parts.map((variant) => evaluate(variant, field, kind, pages, samples.length))];
    });
    const fused = fuseEvidence(
      kind,
      [...evaluated, ...variants].sort((a, b) => b.score - a.score),
      pages.length,
      {
        decimalMark: field.decimalMark,
        ...(kind === 'money' ? { isOldPrice: (page, value) => isOldPrice(pages[page]!, value, field.decimalMark) } : {}),
      },
    );
    const candidates = kind === 'byline' ? declaredFirst(fused) : fused;
    const { best, fallbacks, agreement: agree } = chooseSources(candidates, kind, field.decimalMark);
    const chosen = best ? [best, ...fallbacks] : [];
    const covered = pages.map((_, i) => chosen.some((c) => (c.values[i]?.length ?? 0) > 0 && c.validity > 0));
    const coverage = pages.length ? covered.filter(Boolean).length / pages.length : 0;
    const confidence = best
      ? Math.min(1, coverage * best.validity * (0.6 + 0.4 * best.uniqueness) * Math.min(1, best.prior + 0.25) * (best.varies ? 1 : 0.5))
      : 0;
    const failingPages = names.filter((_, i) => !covered[i]);
    return {
      name: field.spec.name,
      type: field.type,
      multiple: field.multiple,
      required: field.spec.required ?? coverage === 1,
      mode: best?.origin === 'example' || (best?.exampleAgreement ?? 0) > 0 ? 'example' : 'heuristic',
      sources: chosen.map((c) => c.source),
      ...(field.decimalMark ? { decimalMark: field.decimalMark } : {}),
      candidates,
      quality: {
        coverage: round(coverage),
        confidence: round(confidence),
        validity: round(best?.validity ?? 0),
        ...(agree !== undefined ? { agreement: round(agree) } : {}),
        ...(failingPages.length ? { failingPages: failingPages.slice(0, 10) } : {}),
      },
    };
  });
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
  return {
    fields: reports,
    quality: round(mean(reports.map((r) => r.quality.confidence))),
    coverage: round(mean(reports.map((r) => r.quality.coverage))),
    failing: reports.filter((r) => r.quality.failingPages?.length).map((r) => ({ field: r.name, pages: r.quality.failingPages ?? [] })),
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
