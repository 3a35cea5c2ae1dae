import { stringify } from 'csv-stringify';
import type { ReportFormat } from '../db/schema/index.js';
import type { ExportRow, ReportsRepository } from './reports.repository.js';

type ExportFormat = Extract<ReportFormat, 'csv' | 'json' | 'ndjson'>;

const record = (row: ExportRow) => ({ jobId: row.jobId, url: row.url, pageType: row.pageType, data: row.data, error: row.error });

/** A CSV cell: lists joined with " | ", objects as JSON, nothing as empty. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cell).join(' | ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The records of extraction jobs as a stream of chunks, read from the database a page at a
 * time: however many records, memory holds one page.
 */
export async function* extractionExport(repository: ReportsRepository, jobIds: string[], format: ExportFormat): AsyncGenerator<string> {
  const rows = repository.exportRows(jobIds);
  if (format === 'ndjson') {
    for await (const row of rows) yield `${JSON.stringify(record(row))}\n`;
    return;
  }
  if (format === 'json') {
    yield '{"results":[';
    let first = true;
    for await (const row of rows) {
      yield `${first ? '' : ','}\n${JSON.stringify(record(row))}`;
      first = false;
    }
    yield '\n]}\n';
    return;
  }
  const fields = await repository.exportFields(jobIds);
  const csv = stringify({ header: true, columns: ['job_id', 'url', 'page_type', 'error', ...fields] });
  const feed = (async () => {
    try {
      for await (const row of rows) {
        const line = [row.jobId, row.url, row.pageType ?? '', row.error ?? '', ...fields.map((field) => cell(row.data[field]))];
        // Respect back-pressure: wait for the stringifier to drain before reading the next row.
        if (!csv.write(line)) await new Promise((resolve) => csv.once('drain', resolve));
      }
      csv.end();
    } catch (error) {
      csv.destroy(error as Error);
    }
  })();
  for await (const chunk of csv) yield String(chunk);
  await feed;
}
