/**
 * Bulk add sites from a CSV file and export what their blueprints extract.
 *
 *   SITEPRINT_URL=http://localhost:3000 SITEPRINT_API_KEY=sp_... \
 *     node --import tsx examples/typescript/bulk-extract.ts sites.csv results.csv
 *
 * sites.csv has a header row and the columns url, name, page (a page of the site to extract).
 * results.csv gets one row per page: site, page, page type, and each extracted field as JSON.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { Siteprint } from '../../sdk/typescript/src/index.js';

const [input, output] = process.argv.slice(2);
if (!input || !output) throw new Error('usage: bulk-extract.ts <sites.csv> <results.csv>');

const client = new Siteprint({ baseUrl: process.env.SITEPRINT_URL!, apiKey: process.env.SITEPRINT_API_KEY! });
const rows = parse(readFileSync(input), { columns: true, skip_empty_lines: true }) as Array<{ url: string; name: string; page: string }>;

const { results } = await client.sites.addBatch(rows.map(({ url, name }) => ({ url, name })));
const records: string[][] = [['site', 'page', 'pageType', 'data']];
for (const [index, result] of results.entries()) {
  if (result.status !== 'created') {
    console.log(`${result.url}: ${result.status}${result.error ? ` (${result.error})` : ''}`);
    continue;
  }
  await client.jobs.wait(result.jobId!, { intervalMs: 250, onProgress: (job) => console.log(`${result.url}: ${job.step ?? job.status}`) });
  const [record] = await client.extraction.fromUrls(result.siteId!, [rows[index]!.page]);
  records.push([result.url, record!.url, record!.pageType ?? '', JSON.stringify(record!.data)]);
}
writeFileSync(output, stringify(records));
console.log(`wrote ${records.length - 1} records to ${output}`);
