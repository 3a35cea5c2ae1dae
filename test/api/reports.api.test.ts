import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInstance } from '../../src/http/app-instance.js';
import type { Platform } from '../../src/app/platform.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { FixtureShop } from '../support/fixture-shop.js';

/** PDFs and their first pages as PNG, kept for a person to look at. */
const ARTEFACTS = path.resolve('test-results', 'reports');

/**
 * Reports end to end over HTTP on an analysed fixture site: requested, written by the
 * generate_report job, downloaded; PDFs read back with pdftotext, exports compared with the
 * extraction results API, old reports deleted with their files.
 */
describe.each(databaseTargets())('reports API on $name', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  let platform: Platform;
  let shop: FixtureShop;
  let alice: TestUser;
  let bob: TestUser;
  let siteId: string;
  let extractionJobId: string;

  const as = (user: TestUser, method: 'GET' | 'POST', url: string, payload?: object) =>
    app.inject({ method, url, headers: user.headers, ...(payload ? { payload } : {}) });

  async function settledJob(jobId: string) {
    for (let i = 0; i < 1200; i++) {
      const job = (await as(alice, 'GET', `/api/v1/jobs/${jobId}`)).json();
      if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`job ${jobId} did not finish`);
  }

  async function generated(body: object) {
    const created = await as(alice, 'POST', '/api/v1/reports', body);
    expect(created.statusCode, created.body).toBe(202);
    expect(created.json()).toMatchObject({ status: 'queued', downloadUrl: null });
    const job = await settledJob(created.json().jobId);
    expect(job.status, job.error).toBe('succeeded');
    const report = (await as(alice, 'GET', `/api/v1/reports/${created.json().id}`)).json();
    expect(report.status).toBe('succeeded');
    const download = await as(alice, 'GET', report.downloadUrl);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-disposition']).toBe(`attachment; filename="${report.fileName}"`);
    return { report, download };
  }

  function pdfText(name: string, pdf: Buffer): string {
    mkdirSync(ARTEFACTS, { recursive: true });
    const file = path.join(ARTEFACTS, `${name}-${target.name}.pdf`);
    writeFileSync(file, pdf);
    execFileSync('pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', '1', '-singlefile', file, file.replace(/\.pdf$/, '')]);
    expect(existsSync(file.replace(/\.pdf$/, '.png'))).toBe(true);
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  }

  beforeAll(async () => {
    shop = await new FixtureShop().start();
    database = await target.open();
    ({ app, platform } = await createTestStack({ database, env: { ALLOW_PRIVATE_NETWORK: 'true', REPORT_RETENTION_DAYS: '7' } }));
    await app.ready();
    alice = await signUp(app, 'alice@example.com');
    bob = await signUp(app, 'bob@example.com');
    await platform.queue.work(platform.handlers, { concurrency: 2 });
    const fields = ['title', 'author', 'isbn_13', 'price'].map((name) => ({ name }));
    const created = (await as(alice, 'POST', '/api/v1/sites', { url: `${shop.url}/`, name: 'Quire Books', fields, maxPages: 10 })).json();
    siteId = created.site.id;
    expect((await settledJob(created.job.id)).status).toBe('succeeded');
    const urls = shop.books.slice(0, 3).map((book) => shop.productUrl(book));
    const batch = (await as(alice, 'POST', `/api/v1/sites/${siteId}/extract/jobs`, { urls })).json();
    extractionJobId = batch.job.id;
    expect((await settledJob(extractionJobId)).status).toBe('succeeded');
  }, 240_000);

  afterAll(async () => {
    await app?.close();
    await database?.close();
    await shop?.stop();
  });

  it('renders a site report PDF naming the site, its blueprint fields, their coverage and its health', async () => {
    const { report, download } = await generated({ type: 'site_report', siteId });
    expect(report).toMatchObject({ type: 'site_report', format: 'pdf', contentType: 'application/pdf', params: { siteId } });
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(report.sizeBytes).toBe(download.rawPayload.length);

    const text = pdfText('site-report', download.rawPayload);
    const site = (await as(alice, 'GET', `/api/v1/sites/${siteId}`)).json();
    const blueprint = (await as(alice, 'GET', `/api/v1/sites/${siteId}/blueprint`)).json();
    expect(text).toContain('Quire Books');
    expect(text).toContain(shop.url);
    expect(text).toContain(site.health);
    expect(text).toContain(`v${blueprint.version}`);
    for (const pageType of blueprint.content.pageTypes) {
      for (const field of pageType.fields) {
        expect(text).toContain(field.name);
        if (field.quality) expect(text).toMatch(new RegExp(`${field.name}\\s+${field.type}.*${Math.round(field.quality.coverage * 100)}%`));
      }
    }
    expect(text).toMatch(/Version history[\s\S]*analysis/);
  });

  it('renders a workspace summary PDF whose figures are the analytics summary of its period', async () => {
    const { report, download } = await generated({ type: 'workspace_summary' });
    const summary = (
      await as(
        alice,
        'GET',
        `/api/v1/analytics/summary?from=${encodeURIComponent(report.params.from)}&to=${encodeURIComponent(report.params.to)}`,
      )
    ).json();
    const text = pdfText('workspace-summary', download.rawPayload);
    expect(text).toContain('Workspace summary');
    expect(text).toMatch(new RegExp(`Analyses succeeded\\s+[\\s\\S]*?${summary.analyses.succeeded}`));
    for (const job of summary.jobs)
      expect(text).toMatch(new RegExp(`${job.type}\\s+${job.total}\\s+${job.succeeded}\\s+${job.failed}\\s+${job.cancelled}`));
    expect(text).toMatch(new RegExp(`Pages extracted\\s+${summary.extraction.pages}`));

    const json = await generated({ type: 'workspace_summary', format: 'json', from: report.params.from, to: report.params.to });
    expect(json.download.headers['content-type']).toMatch(/^application\/json/);
    expect(json.download.json().summary.jobs).toEqual(summary.jobs);
  });

  it("exports the site's extraction records as CSV, JSON and NDJSON, the same as the results API", async () => {
    const results = (await as(alice, 'GET', `/api/v1/jobs/${extractionJobId}/results?format=json`)).json().results as Array<{
      url: string;
      data: Record<string, unknown>;
    }>;
    expect(results.length).toBe(3);

    const ndjson = (await generated({ type: 'extraction_export', siteId, format: 'ndjson' })).download;
    expect(ndjson.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = ndjson.body
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => ({ url: line.url, data: line.data }))).toEqual(results.map((row) => ({ url: row.url, data: row.data })));

    const json = (await generated({ type: 'extraction_export', siteId, format: 'json' })).download.json();
    expect(json.results).toEqual(lines);

    const { report, download } = await generated({ type: 'extraction_export', siteId });
    expect(report.format).toBe('csv');
    expect(download.headers['content-type']).toMatch(/^text\/csv/);
    const [header, ...rows] = download.body.trim().split('\n');
    const columns = header!.split(',');
    expect(columns.slice(0, 4)).toEqual(['job_id', 'url', 'page_type', 'error']);
    expect(columns).toEqual(expect.arrayContaining(['title', 'price']));
    expect(rows).toHaveLength(3);
    const title = results[0]!.data.title as string;
    expect(rows[0]).toContain(title.includes(',') ? `"${title}"` : title);
  });

  it('keeps reports to their workspace and refuses malformed requests', async () => {
    const mine = (await as(alice, 'GET', '/api/v1/reports')).json().items;
    expect(mine.length).toBeGreaterThanOrEqual(5);
    expect((await as(bob, 'GET', '/api/v1/reports')).json().items).toEqual([]);
    expect((await as(bob, 'GET', `/api/v1/reports/${mine[0].id}`)).statusCode).toBe(404);
    expect((await as(bob, 'GET', `/api/v1/reports/${mine[0].id}/download`)).statusCode).toBe(404);
    expect((await as(bob, 'POST', '/api/v1/reports', { type: 'site_report', siteId })).statusCode).toBe(404);
    for (const body of [
      { type: 'nonsense' },
      { type: 'site_report' },
      { type: 'site_report', siteId, format: 'csv' },
      { type: 'extraction_export', siteId, format: 'pdf' },
      { type: 'workspace_summary', from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
      { type: 'workspace_summary', extra: true },
    ]) {
      const response = await as(alice, 'POST', '/api/v1/reports', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('answers 409 for a report not written yet', async () => {
    await platform.queue.pause();
    try {
      const queued = (await as(alice, 'POST', '/api/v1/reports', { type: 'workspace_summary', format: 'json' })).json();
      const early = await as(alice, 'GET', `/api/v1/reports/${queued.id}/download`);
      expect(early.statusCode).toBe(409);
    } finally {
      await platform.queue.resume();
    }
  });

  it('deletes reports older than the retention period, with their files', async () => {
    const { report } = await generated({ type: 'workspace_summary', format: 'json' });
    const file = path.join(platform.config.dataDir, 'reports', alice.workspaceId, `${report.id}.json`);
    expect(existsSync(file)).toBe(true);
    await platform.services.reports.sweep();
    expect((await as(alice, 'GET', `/api/v1/reports/${report.id}`)).statusCode).toBe(200);

    await database.query(sql`update reports set created_at = now() - interval '8 days' where id = ${report.id}`);
    expect(await platform.services.reports.sweep()).toBe(1);
    expect((await as(alice, 'GET', `/api/v1/reports/${report.id}`)).statusCode).toBe(404);
    expect(existsSync(file)).toBe(false);
  });
});
