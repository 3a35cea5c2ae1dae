// A site report as PDF: the work of a generate_report job for { type: 'site_report', format: 'pdf' }
// (gathering the content from the database, the HTML with its inline charts, Chromium's page.pdf())
// beside a baseline measured in the same run and the same Chromium: a one-paragraph page printed to
// PDF. Target: a site report PDF within 3 s. Beside them, the same report printed as before the warm
// page: a new browser context and page per report in the running browser (where the time went).
// The site is a realistic one: the bookshop fixture's golden blueprint as its active version (with
// four earlier versions), a fingerprint with technologies, 30 checks and 10 failed jobs.
// usage: npm run bench:report-pdf [-- --rounds 10]
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { AnalyticsRepository } from '../src/analytics/index.js';
import { BlueprintsRepository } from '../src/blueprints/blueprints.repository.js';
import { openDatabase } from '../src/db/client.js';
import { runMigrations } from '../src/db/migrations.js';
import { CHROMIUM_ARGS, defaultChromiumPath } from '../src/engine/render/index.js';
import { PdfRenderer } from '../src/reports/pdf-renderer.js';
import { ReportContentBuilder } from '../src/reports/report-content.js';
import { reportHtml } from '../src/reports/report-html.js';
import { ReportsRepository } from '../src/reports/reports.repository.js';
import { SitesRepository } from '../src/sites/sites.repository.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '10' } } });
const ROUNDS = Number(args.rounds);
const TARGET_MS = 3_000;

const blueprint = JSON.parse(readFileSync(path.resolve('test/fixtures/sites/bookshop/blueprint.golden.json'), 'utf8')) as object;
const database = await openDatabase({ pgliteDir: path.join(mkdtempSync(path.join(tmpdir(), 'siteprint-bench-report-')), 'db') });
await runMigrations(database);

const [{ id: workspaceId }] = (await database.query<{ id: string }>(sql`insert into workspaces (name) values ('bench') returning id`)) as [
  { id: string },
];
const fingerprint = {
  technologies: [
    { name: 'WooCommerce', version: '8.2' },
    { name: 'WordPress', version: '6.4' },
    { name: 'jQuery', version: '3.7.1' },
    { name: 'Cloudflare' },
  ],
};
const [{ id: siteId }] = (await database.query<{ id: string }>(sql`
  insert into sites (workspace_id, url, name, status, health, fingerprint, last_checked_at)
  values (${workspaceId}, 'https://books.example.test/', 'Bookshop', 'ready', 'degraded', ${JSON.stringify(fingerprint)}::jsonb, now())
  returning id`)) as [{ id: string }];
await database.query(sql`insert into blueprint_versions (site_id, workspace_id, version, content_hash, content, reason, created_at)
  select ${siteId}, ${workspaceId}, v, 'hash-' || v, ${JSON.stringify(blueprint)}::jsonb, (array['analysis','repair','edit','repair','edit'])[v],
    now() - ((6 - v) * interval '5 days')
  from generate_series(1, 5) v`);
await database.query(sql`update sites set active_blueprint_id = (select id from blueprint_versions where site_id = ${siteId} and version = 5)
  where id = ${siteId}`);
await database.query(sql`insert into site_checks (site_id, checked_at, http_status, response_ms, coverage, baseline_coverage, health)
  select ${siteId}, now() - (i * interval '1 day'), 200, 300 + i * 7, 0.6 + (i % 5) * 0.08, 0.95, (array['healthy','healthy','degraded'])[1 + i % 3]
  from generate_series(1, 30) i`);
await database.query(sql`insert into jobs (workspace_id, site_id, type, status, priority, payload, error, created_at, finished_at)
  select ${workspaceId}, ${siteId}, (array['check_site','extract_batch','repair_blueprint'])[1 + i % 3], 'failed', 2, '{}'::jsonb,
    'HTTP 503 from https://books.example.test/book/' || i || ' after 3 attempts', now() - (i * interval '6 hours'), now() - (i * interval '6 hours')
  from generate_series(1, 10) i`);

const reports = new ReportsRepository(database);
const content = new ReportContentBuilder({
  analytics: new AnalyticsRepository(database),
  sites: new SitesRepository(database.db),
  blueprints: new BlueprintsRepository(database.db),
  reports,
});
const pdf = new PdfRenderer();

/** What the generate_report job does for a site report PDF, minus writing the file. */
async function siteReportPdf(): Promise<{ bytes: number; contentMs: number; htmlMs: number; pdfMs: number }> {
  const start = performance.now();
  const gathered = await content.siteReport(siteId);
  const gatheredAt = performance.now();
  const html = reportHtml(gathered, new Date());
  const htmlAt = performance.now();
  const file = await pdf.render(html);
  return { bytes: file.length, contentMs: gatheredAt - start, htmlMs: htmlAt - gatheredAt, pdfMs: performance.now() - htmlAt };
}
/** The former way: a context and a page (a renderer process) per report, in an already running browser. */
const former = await (await import('playwright-core')).chromium.launch({ executablePath: defaultChromiumPath(), args: CHROMIUM_ARGS });
async function formerPdf(html: string): Promise<{ setupMs: number; printMs: number }> {
  const start = performance.now();
  const context = await former.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.route('**/*', (route) => route.abort());
    const ready = performance.now();
    await page.setContent(html, { waitUntil: 'load' });
    await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    return { setupMs: ready - start, printMs: performance.now() - ready };
  } finally {
    await context.close();
  }
}
const baselineHtml =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Baseline</title></head><body><p>Baseline.</p></body></html>';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const max = (values: number[]) => Math.max(...values);

try {
  // The first report of a process starts Chromium; later ones reuse it (PdfRenderer keeps it).
  const coldStart = performance.now();
  const cold = await siteReportPdf();
  const coldMs = performance.now() - coldStart;
  const baseline: number[] = [];
  const totals: number[] = [];
  const parts = { contentMs: [] as number[], htmlMs: [] as number[], pdfMs: [] as number[] };
  const formerTotals: number[] = [];
  const formerSetup: number[] = [];
  const reportHtmlNow = reportHtml(await content.siteReport(siteId), new Date());
  // Alternated, so both see the same load on a shared machine.
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    await pdf.render(baselineHtml);
    baseline.push(performance.now() - start);
    const begun = performance.now();
    const run = await siteReportPdf();
    totals.push(performance.now() - begun);
    parts.contentMs.push(run.contentMs);
    parts.htmlMs.push(run.htmlMs);
    parts.pdfMs.push(run.pdfMs);
    const formerStart = performance.now();
    const formerRun = await formerPdf(reportHtmlNow);
    formerTotals.push(performance.now() - formerStart + run.contentMs + run.htmlMs);
    formerSetup.push(formerRun.setupMs);
  }
  const base = median(baseline);
  const row = (label: string, values: number[], target = false) =>
    console.log(
      `| ${label} | ${median(values).toFixed(0)} | ${max(values).toFixed(0)} | ${(median(values) / base).toFixed(2)} | ${target ? (median(values) <= TARGET_MS ? 'yes' : 'no') : ''} |`,
    );
  console.log(`site report PDF: ${cold.bytes} bytes; ${ROUNDS} rounds; load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);
  console.log(`| case | median ms | max ms | median ÷ baseline | ≤ 3 s |`);
  console.log(`|---|---:|---:|---:|:-:|`);
  row('baseline: one-paragraph page to PDF', baseline);
  row('site report PDF, Chromium running (content + HTML + PDF)', totals, true);
  row('… of which gathering the content', parts.contentMs);
  row('… of which the HTML', parts.htmlMs);
  row('… of which printing (warm page: setContent + page.pdf())', parts.pdfMs);
  row('former: site report PDF with a new context and page per report', formerTotals, true);
  row('… of which making the context and page', formerSetup);
  console.log(
    `| first site report of the process (starts Chromium) | ${coldMs.toFixed(0)} | | ${(coldMs / base).toFixed(2)} | ${coldMs <= TARGET_MS ? 'yes' : 'no'} |`,
  );
} finally {
  await pdf.close();
  await former.close();
  await database.close();
}
