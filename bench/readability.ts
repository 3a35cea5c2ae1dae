/**
 * The accuracy benchmark's article section (see accuracy.ts): readability-dev has one page per
 * site (NAME/source.html, truth in NAME/expected-metadata.json), so each page gets its own
 * blueprint, built from that page and the field names only, and is extracted with it. Scored per
 * field like shared/benchmarks/score.mjs (page level: a page is right when any extracted value
 * equals the gold one after NFKC, lower case, collapsed white space and trimmed outer
 * punctuation); dates compare as ISO calendar dates.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildBlueprint } from '../src/engine/blueprint/index.js';
import { compileBlueprint, extractPage, type FieldResult } from '../src/engine/extract/index.js';
import { leadingBaseUrl } from '../src/engine/pages.js';
import { calendarDate } from '../src/engine/values/date.js';

/**
 * Field name asked for → key of expected-metadata.json. The truth's byline is the credit line as
 * the page states it ("By Jane Doe", or the declared name), so the field asked for is `byline`,
 * not `author` (the person's name alone).
 */
export const ARTICLE_FIELDS = { title: 'title', byline: 'byline', published_date: 'publishedTime' } as const;
type ArticleField = keyof typeof ARTICLE_FIELDS;

export interface FieldScore {
  precision: number;
  recall: number;
  f1: number;
  correct: number;
  predicted: number;
  gold: number;
}

export interface ArticleResult {
  pages: number;
  fields: Record<ArticleField, FieldScore>;
  /** Pages where a field was wrong or missing: name, field, extracted and gold values, and the kind of miss. */
  misses: { page: string; field: ArticleField; got: string[]; want: string; cause: MissCause }[];
  buildSeconds: number;
  extractSeconds: number;
}

export type MissCause =
  | 'no gold value'
  | 'nothing extracted'
  | 'gold adds a site or section name'
  | 'gold keeps the byline wording'
  | 'gold runs on past the value'
  | 'other value';

/** What kind of miss a wrong or missing value is (for the error analysis; both sides normalised). */
export function missCause(got: string[], want: string): MissCause {
  if (!want) return 'no gold value';
  if (!got.length) return 'nothing extracted';
  if (got.some((value) => want.startsWith(value) && /^\s*[|–—·•»:_-]/.test(want.slice(value.length))))
    return 'gold adds a site or section name';
  if (got.some((value) => /^(?:written by|by)\s/.test(want) && !/^(?:written by|by)\s/.test(value) && want.includes(value)))
    return 'gold keeps the byline wording';
  if (got.some((value) => want.startsWith(value))) return 'gold runs on past the value';
  return 'other value';
}

/** score.mjs's normalisation. */
export const normalise = (value: string) =>
  value
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '');

const asList = <T>(value: T | T[] | null): T[] => (value === null ? [] : Array.isArray(value) ? value : [value]);

/** A field's comparable values: ISO calendar dates for dates (the typed value), normalised text otherwise. */
function comparableValues(field: ArticleField, result: FieldResult | undefined): string[] {
  if (!result) return [];
  if (field === 'published_date') {
    const typed = asList(result.typed).map(String);
    const texts = typed.length ? typed : asList(result.value);
    return texts.map((text) => calendarDate(text)).filter((date): date is string => date !== null);
  }
  return asList(result.value).map(normalise).filter(Boolean);
}

function goldValue(field: ArticleField, raw: unknown): string | null {
  if (typeof raw !== 'string' || !raw.trim()) return null;
  return field === 'published_date' ? calendarDate(raw) : normalise(raw) || null;
}

/** An article page of readability-dev: its URL is the page's leading <base href>, else one named for the page. */
export const articlePage = (name: string, html: string) => ({
  url: leadingBaseUrl(html) ?? `https://${name}.example/article`,
  html,
  file: `${name}.html`,
});

/** The article pages of readability-dev (one directory per site, NAME/source.html), sorted by name. */
export const articleNames = (dir: string) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

export function articleAccuracy(dir: string): ArticleResult {
  const names = articleNames(dir);
  const fields = Object.keys(ARTICLE_FIELDS) as ArticleField[];
  const counts = Object.fromEntries(fields.map((field) => [field, { correct: 0, predicted: 0, gold: 0 }])) as Record<
    ArticleField,
    { correct: number; predicted: number; gold: number }
  >;
  const misses: ArticleResult['misses'] = [];
  let pages = 0;
  let buildSeconds = 0;
  let extractSeconds = 0;
  for (const name of names) {
    let html: string;
    let truth: Record<string, unknown>;
    try {
      html = readFileSync(path.join(dir, name, 'source.html'), 'utf8');
      truth = JSON.parse(readFileSync(path.join(dir, name, 'expected-metadata.json'), 'utf8')) as Record<string, unknown>;
    } catch {
      continue;
    }
    pages++;
    const page = articlePage(name, html);
    const built = performance.now();
    const { blueprint } = buildBlueprint([page], { fields: fields.map((field) => ({ name: field })) });
    const extracted = performance.now();
    const record = extractPage(compileBlueprint(blueprint), page);
    extractSeconds += (performance.now() - extracted) / 1000;
    buildSeconds += (extracted - built) / 1000;
    for (const field of fields) {
      const got = comparableValues(field, record.fields[field]);
      const want = goldValue(field, truth[ARTICLE_FIELDS[field]]);
      const count = counts[field];
      if (got.length) count.predicted++;
      if (want) count.gold++;
      if (want && got.includes(want)) count.correct++;
      else if (want || got.length) misses.push({ page: name, field, got, want: want ?? '', cause: missCause(got, want ?? '') });
    }
  }
  const scores = Object.fromEntries(
    fields.map((field) => {
      const { correct, predicted, gold } = counts[field];
      const precision = predicted ? correct / predicted : 0;
      const recall = gold ? correct / gold : 0;
      const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
      return [field, { precision, recall, f1, correct, predicted, gold }];
    }),
  ) as Record<ArticleField, FieldScore>;
  return { pages, fields: scores, misses, buildSeconds, extractSeconds };
}
