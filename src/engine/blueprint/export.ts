import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import YAML from 'yaml';
import { parseBlueprint, type Blueprint, type Field, type ListSpec, type PageType } from './schema.js';

export type ExportFormat = 'json' | 'yaml' | 'csv';

const csvColumns = [
  'site',
  'version',
  'page_type',
  'kind',
  'data_type',
  'url_pattern',
  'url_examples',
  'scope',
  'list_item',
  'list_next_page',
  'field',
  'description',
  'type',
  'multiple',
  'required',
  'mode',
  'sources',
  'decimal_mark',
  'quality',
  'blueprint_meta',
] as const;
type CsvRow = Record<(typeof csvColumns)[number], string>;

const json = (value: unknown) => (value === undefined ? '' : JSON.stringify(value));

/** One row per field (page fields, then list item fields); page types without fields keep one empty row. */
function toCsv(blueprint: Blueprint): string {
  const { site, version, pageTypes, ...meta } = blueprint;
  const rows: CsvRow[] = [];
  for (const pageType of pageTypes) {
    const base = {
      site: site ?? '',
      version: String(version),
      page_type: pageType.name,
      kind: pageType.kind,
      data_type: pageType.dataType ?? '',
      url_pattern: pageType.match.urlPattern,
      url_examples: json(pageType.match.examples),
      list_item: pageType.list?.item ?? '',
      list_next_page: pageType.list ? json(pageType.list.nextPage) : '',
      blueprint_meta: json(meta),
    };
    const fieldRow = (scope: 'page' | 'item', field: Field | null): CsvRow => ({
      ...base,
      scope,
      field: field?.name ?? '',
      description: field?.description ?? '',
      type: field?.type ?? '',
      multiple: field ? String(field.multiple) : '',
      required: field ? String(field.required) : '',
      mode: field?.mode ?? '',
      sources: field ? json(field.sources) : '',
      decimal_mark: field?.decimalMark ?? '',
      quality: json(field?.quality),
    });
    for (const field of pageType.fields) rows.push(fieldRow('page', field));
    for (const field of pageType.list?.fields ?? []) rows.push(fieldRow('item', field));
    if (pageType.fields.length === 0 && (pageType.list?.fields.length ?? 0) === 0) rows.push(fieldRow('page', null));
  }
  return stringifyCsv(rows, { header: true, columns: [...csvColumns] });
}

function fromCsv(text: string): Blueprint {
  const rows = parseCsv(text, { columns: true, skip_empty_lines: true }) as CsvRow[];
  const first = rows[0];
  if (!first) throw new Error('invalid blueprint CSV: no rows');
  const pageTypes = new Map<string, PageType>();
  for (const row of rows) {
    let pageType = pageTypes.get(row.page_type);
    if (!pageType) {
      pageType = {
        name: row.page_type,
        kind: row.kind as PageType['kind'],
        ...(row.data_type ? { dataType: row.data_type } : {}),
        match: { urlPattern: row.url_pattern, examples: JSON.parse(row.url_examples || '[]') as string[] },
        fields: [],
        list: row.list_item
          ? { item: row.list_item, fields: [], nextPage: JSON.parse(row.list_next_page || 'null') as ListSpec['nextPage'] }
          : null,
      };
      pageTypes.set(row.page_type, pageType);
    }
    if (!row.field) continue;
    const field: Field = {
      name: row.field,
      ...(row.description ? { description: row.description } : {}),
      type: row.type as Field['type'],
      multiple: row.multiple === 'true',
      required: row.required === 'true',
      mode: row.mode as Field['mode'],
      sources: JSON.parse(row.sources) as Field['sources'],
      ...(row.decimal_mark ? { decimalMark: row.decimal_mark as Field['decimalMark'] } : {}),
      ...(row.quality ? { quality: JSON.parse(row.quality) as Field['quality'] } : {}),
    };
    if (row.scope === 'item') pageType.list?.fields.push(field);
    else pageType.fields.push(field);
  }
  const meta = JSON.parse(first.blueprint_meta || '{}') as Omit<Blueprint, 'site' | 'version' | 'pageTypes'>;
  return parseBlueprint({ ...meta, site: first.site || null, version: Number(first.version), pageTypes: [...pageTypes.values()] });
}

export function exportBlueprint(blueprint: Blueprint, format: ExportFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(blueprint, null, 2)}\n`;
    case 'yaml':
      return YAML.stringify(blueprint);
    case 'csv':
      return toCsv(blueprint);
  }
}

/** Reads a blueprint back from any export format, validating it. */
export function importBlueprint(text: string, format: ExportFormat): Blueprint {
  switch (format) {
    case 'json':
      return parseBlueprint(JSON.parse(text));
    case 'yaml':
      return parseBlueprint(YAML.parse(text));
    case 'csv':
      return fromCsv(text);
  }
}

export function formatFromPath(file: string): ExportFormat {
  if (/\.ya?ml$/i.test(file)) return 'yaml';
  if (/\.csv$/i.test(file)) return 'csv';
  return 'json';
}
