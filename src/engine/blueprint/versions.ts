import { createHash } from 'node:crypto';
import type { Blueprint, Field, PageType, Source } from './schema.js';

/** JSON with sorted keys, so equal content always serialises (and hashes) identically. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What extraction depends on: page types, match rules, fields and their sources. Measurements
 * (quality, validation), version metadata and the fingerprint are left out, so re-testing an
 * unchanged blueprint never creates a new version.
 */
function extractionContent(blueprint: Blueprint): unknown {
  const stripField = ({ quality: _quality, ...field }: Field) => field;
  return {
    schemaVersion: blueprint.schemaVersion,
    site: blueprint.site,
    pageTypes: blueprint.pageTypes.map((pageType) => ({
      ...pageType,
      fields: pageType.fields.map(stripField),
      list: pageType.list && { ...pageType.list, fields: pageType.list.fields.map(stripField) },
    })),
  };
}

export function contentHash(blueprint: Blueprint): string {
  return `sha256:${createHash('sha256')
    .update(canonicalJson(extractionContent(blueprint)))
    .digest('hex')}`;
}

export interface FieldChange {
  pageType: string;
  field: string;
  /** Which list the field belongs to: the page itself or the records of a listing page. */
  scope: 'page' | 'item';
}

export interface SourcesChange extends FieldChange {
  before: Source[];
  after: Source[];
}

export interface PropertyChange extends FieldChange {
  property: 'type' | 'multiple' | 'required' | 'mode' | 'description';
  before: unknown;
  after: unknown;
}

export interface BlueprintDiff {
  from: { version: number; contentHash: string };
  to: { version: number; contentHash: string };
  identical: boolean;
  pageTypesAdded: string[];
  pageTypesRemoved: string[];
  matchChanged: { pageType: string; before: PageType['match']; after: PageType['match'] }[];
  fieldsAdded: FieldChange[];
  fieldsRemoved: FieldChange[];
  sourcesChanged: SourcesChange[];
  propertiesChanged: PropertyChange[];
}

const fieldProperties = ['type', 'multiple', 'required', 'mode', 'description'] as const;

function diffFields(diff: BlueprintDiff, pageType: string, scope: FieldChange['scope'], a: Field[], b: Field[]): void {
  const before = new Map(a.map((field) => [field.name, field]));
  const after = new Map(b.map((field) => [field.name, field]));
  for (const [name, field] of after) {
    const old = before.get(name);
    if (!old) {
      diff.fieldsAdded.push({ pageType, field: name, scope });
      continue;
    }
    if (canonicalJson(old.sources) !== canonicalJson(field.sources)) {
      diff.sourcesChanged.push({ pageType, field: name, scope, before: old.sources, after: field.sources });
    }
    for (const property of fieldProperties) {
      if (old[property] !== field[property]) {
        diff.propertiesChanged.push({ pageType, field: name, scope, property, before: old[property], after: field[property] });
      }
    }
  }
  for (const name of before.keys()) if (!after.has(name)) diff.fieldsRemoved.push({ pageType, field: name, scope });
}

/** What changed from blueprint `a` to blueprint `b` (any two versions). */
export function diffBlueprints(a: Blueprint, b: Blueprint): BlueprintDiff {
  const diff: BlueprintDiff = {
    from: { version: a.version, contentHash: contentHash(a) },
    to: { version: b.version, contentHash: contentHash(b) },
    identical: false,
    pageTypesAdded: [],
    pageTypesRemoved: [],
    matchChanged: [],
    fieldsAdded: [],
    fieldsRemoved: [],
    sourcesChanged: [],
    propertiesChanged: [],
  };
  diff.identical = diff.from.contentHash === diff.to.contentHash;
  const before = new Map(a.pageTypes.map((pageType) => [pageType.name, pageType]));
  const after = new Map(b.pageTypes.map((pageType) => [pageType.name, pageType]));
  for (const [name, pageType] of after) {
    const old = before.get(name);
    if (!old) {
      diff.pageTypesAdded.push(name);
      continue;
    }
    if (canonicalJson(old.match) !== canonicalJson(pageType.match)) {
      diff.matchChanged.push({ pageType: name, before: old.match, after: pageType.match });
    }
    diffFields(diff, name, 'page', old.fields, pageType.fields);
    diffFields(diff, name, 'item', old.list?.fields ?? [], pageType.list?.fields ?? []);
  }
  for (const name of before.keys()) if (!after.has(name)) diff.pageTypesRemoved.push(name);
  return diff;
}

export interface BlueprintUpdate {
  blueprint: Blueprint;
  /** False when the candidate's content equals the current version's: the current one is kept. */
  created: boolean;
  diff: BlueprintDiff | null;
}

/**
 * Decides whether a freshly generated blueprint becomes a new immutable version. Versions are
 * never edited: an unchanged candidate returns the current version untouched.
 */
export function updateBlueprint(current: Blueprint | null, candidate: Blueprint, now = new Date()): BlueprintUpdate {
  const hash = contentHash(candidate);
  if (current && contentHash(current) === hash) return { blueprint: current, created: false, diff: null };
  const next: Blueprint = {
    ...candidate,
    version: current ? current.version + 1 : 1,
    contentHash: hash,
    createdAt: now.toISOString(),
  };
  return { blueprint: next, created: true, diff: current ? diffBlueprints(current, next) : null };
}
