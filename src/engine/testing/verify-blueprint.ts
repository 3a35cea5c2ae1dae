import { fieldsOfPageType, type Blueprint } from '../blueprint/schema.js';
import { compileBlueprint, extractPage, type FieldResult } from '../extract/runtime.js';

export interface FieldVerification {
  pageType: string;
  field: string;
  required: boolean;
  /** Pages of this page type where the field got a valid value. */
  valid: number;
  /** Pages of this page type that were checked. */
  pages: number;
  coverage: number;
  failingPages: string[];
}

export interface BlueprintVerification {
  /** Pages some page type of the blueprint matched. */
  matchedPages: number;
  fields: FieldVerification[];
  /** Mean coverage over all fields (0 when no page matched). */
  coverage: number;
  /** Required fields with no valid value on any checked page. */
  broken: FieldVerification[];
}

function hasValue(result: FieldResult | undefined): boolean {
  if (!result || !result.valid || result.value === null) return false;
  return Array.isArray(result.value) ? result.value.length > 0 : result.value !== '';
}

/**
 * Runs a blueprint over pages it was not built from and measures, per field, how often it
 * still yields a valid value: the check behind held-out testing, site health and repairs.
 */
export function verifyBlueprint(blueprint: Blueprint, pages: Array<{ url: string; html: string; file?: string }>): BlueprintVerification {
  const compiled = compileBlueprint(blueprint);
  const tallies = new Map<string, FieldVerification>();
  for (const pageType of blueprint.pageTypes) {
    for (const field of fieldsOfPageType(pageType)) {
      tallies.set(`${pageType.name}\u0000${field.name}`, {
        pageType: pageType.name,
        field: field.name,
        required: field.required,
        valid: 0,
        pages: 0,
        coverage: 0,
        failingPages: [],
      });
    }
  }
  let matchedPages = 0;
  for (const page of pages) {
    const record = extractPage(compiled, page);
    if (!record.pageType) continue;
    matchedPages++;
    // On a listing page a field counts when any record of the page has it.
    const results = [record.fields, ...(record.items ?? [])];
    for (const tally of tallies.values()) {
      if (tally.pageType !== record.pageType) continue;
      tally.pages++;
      if (results.some((fields) => hasValue(fields[tally.field]))) tally.valid++;
      else tally.failingPages.push(page.file ?? page.url);
    }
  }
  const fields = [...tallies.values()].map((tally) => ({ ...tally, coverage: tally.pages ? tally.valid / tally.pages : 0 }));
  const measured = fields.filter((field) => field.pages > 0);
  return {
    matchedPages,
    fields,
    coverage: measured.length ? measured.reduce((sum, field) => sum + field.coverage, 0) / measured.length : 0,
    broken: fields.filter((field) => field.required && field.pages > 0 && field.valid === 0),
  };
}
