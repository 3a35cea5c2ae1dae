import { isDeepStrictEqual } from 'node:util';
import { fieldsOfPageType, type Blueprint, type Field, type PageType } from '../blueprint/schema.js';
import { compileUrlPattern, matchesUrlPattern } from '../blueprint/url-pattern.js';
import { verifyBlueprint, type FieldVerification } from './verify-blueprint.js';

export interface BlueprintEdit {
  /** The edited blueprint with validation measured on the pages; write it only when nothing is broken. */
  blueprint: Blueprint;
  /** Required or edited fields that found no value on any page of their type. */
  broken: FieldVerification[];
}

const fieldKey = (pageType: string, field: string) => `${pageType}\u0000${field}`;

/**
 * A person's edit of the page types, tested on the site's pages. Fields the edit added or whose
 * sources it changed become `manual`, with quality measured now; the others keep their mode and
 * quality. The edit is broken when an edited field, or any required one, finds no value on any
 * page of its type.
 */
export function editBlueprint(previous: Blueprint, pageTypes: PageType[], pages: Array<{ url: string; html: string }>): BlueprintEdit {
  const before = new Map<string, Field>();
  for (const pageType of previous.pageTypes) {
    for (const field of fieldsOfPageType(pageType)) before.set(fieldKey(pageType.name, field.name), field);
  }
  // A person wrote this version: the LLM record of the job that wrote the previous one does not carry over.
  const { llm: _llm, ...rest } = previous;
  // Only pages some page type claims by URL are measured: extraction applies a lone page type to
  // any page, but a home or category page says nothing about how well product fields are read.
  const patterns = pageTypes.map((pageType) => compileUrlPattern(pageType.match.urlPattern));
  const claimed = pages.filter((page) => patterns.some((pattern) => matchesUrlPattern(pattern, page.url)));
  const verification = verifyBlueprint({ ...rest, pageTypes }, claimed);
  const measured = new Map(verification.fields.map((field) => [fieldKey(field.pageType, field.field), field]));
  const edited = new Set<string>();

  const mark = (pageType: string, fields: Field[]): Field[] =>
    fields.map((field) => {
      const key = fieldKey(pageType, field.name);
      const previousField = before.get(key);
      const { quality: _claimed, ...unmeasured } = field;
      // Mode and quality are measured, never taken from the request: unchanged sources keep both.
      if (previousField && isDeepStrictEqual(previousField.sources, field.sources)) {
        return { ...unmeasured, mode: previousField.mode, ...(previousField.quality ? { quality: previousField.quality } : {}) };
      }
      edited.add(key);
      const result = measured.get(key);
      if (!result?.pages) return { ...unmeasured, mode: 'manual' };
      // No candidates competed for a hand-written source: its confidence is how often it found a value.
      const quality = {
        coverage: result.coverage,
        confidence: result.coverage,
        ...(result.failingPages.length ? { failingPages: result.failingPages } : {}),
      };
      return { ...unmeasured, mode: 'manual', quality };
    });

  const marked = pageTypes.map((pageType) => ({
    ...pageType,
    fields: mark(pageType.name, pageType.fields),
    list: pageType.list ? { ...pageType.list, fields: mark(pageType.name, pageType.list.fields) } : null,
  }));
  return {
    blueprint: { ...rest, pageTypes: marked, validation: { samplePages: verification.matchedPages, coverage: verification.coverage } },
    broken: verification.fields.filter(
      (field) => field.pages > 0 && field.valid === 0 && (field.required || edited.has(fieldKey(field.pageType, field.field))),
    ),
  };
}
