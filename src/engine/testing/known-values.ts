import type { Blueprint } from '../blueprint/schema.js';
import { textOf } from '../extract/dom.js';
import { compileBlueprint, extractPage, PageContext, type ExtractedRecord } from '../extract/runtime.js';
import type { ExamplePage } from '../selectors/generate.js';
import { comparable } from '../selectors/values.js';

/** A field's values in an extracted record: the page's own, or those of every record of a listing. */
function valuesOf(record: ExtractedRecord, field: string): string[] {
  return [record.fields[field], ...(record.items ?? []).map((item) => item[field])].flatMap((result) =>
    result && result.value !== null ? [result.value].flat().filter((value) => value !== '') : [],
  );
}

/**
 * What a blueprint reads for the given fields on each page, as example values: the last known
 * good values a repair re-locates fields from (on a listing, every record's values of the page).
 */
export function knownValues(blueprint: Blueprint, pages: Array<{ url: string; html: string }>, fields: string[]): ExamplePage[] {
  const compiled = compileBlueprint(blueprint);
  return pages.flatMap((page) => {
    const record = extractPage(compiled, page);
    const values = Object.fromEntries(
      fields.flatMap((field) => {
        const found = valuesOf(record, field);
        return found.length ? [[field, found.length === 1 ? found[0]! : found]] : [];
      }),
    );
    return Object.keys(values).length ? [{ url: page.url, values }] : [];
  });
}

/**
 * How well a blueprint reads fields' known values again on new copies of the same pages: per field,
 * the mean share, over pages, of its known values still in the page's text that it reads. Values the
 * site no longer shows (sold-out items, changed prices) cannot count either way; null for a field
 * none of whose values is left. Each page is parsed and extracted once for all the fields.
 */
export function reproduction(
  blueprint: Blueprint,
  pages: Array<{ url: string; html: string }>,
  known: ExamplePage[],
  fields: string[],
): Map<string, number | null> {
  const compiled = compileBlueprint(blueprint);
  const shares = new Map<string, number[]>(fields.map((field) => [field, []]));
  for (const example of known) {
    const page = pages.find((candidate) => candidate.url === example.url);
    if (!page) continue;
    const text = comparable(textOf(new PageContext(page.url, page.html).document));
    const record = extractPage(compiled, page);
    for (const field of fields) {
      const expected = [example.values[field] ?? []].flat().filter((value) => text.includes(comparable(value)));
      if (!expected.length) continue;
      const now = new Set(valuesOf(record, field).map(comparable));
      shares.get(field)!.push(expected.filter((value) => now.has(comparable(value))).length / expected.length);
    }
  }
  return new Map(
    [...shares].map(([field, found]) => [field, found.length ? found.reduce((sum, share) => sum + share, 0) / found.length : null]),
  );
}
