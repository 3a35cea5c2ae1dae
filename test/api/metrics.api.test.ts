import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { runMigrations } from '../../src/db/migrations.js';
import type { AppInstance } from '../../src/http/app-instance.js';
import { signUp } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { FixtureShop } from '../support/fixture-shop.js';
import { sample } from '../support/metrics.js';

describe('/metrics after real work (embedded mode)', () => {
  let shop: FixtureShop;
  let app: AppInstance;
  let metrics = '';

  beforeAll(async () => {
    shop = await new FixtureShop().start();
    const database = await openDatabase({ pgliteDir: 'memory://' });
    await runMigrations(database);
    const stack = await createTestStack({ database, env: { ALLOW_PRIVATE_NETWORK: 'true' } });
    app = stack.app;
    await stack.platform.queue.work(stack.platform.handlers, { concurrency: 2 });
    const user = await signUp(app, 'metrics@example.com');
    const fields = ['title', 'author', 'isbn_13', 'publisher'].map((name) => ({ name }));
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: user.headers,
      payload: { url: `${shop.url}/`, fields, maxPages: 6 },
    });
    expect(created.statusCode, created.body).toBe(201);
    const jobId = created.json().job.id as string;
    for (let i = 0; ; i++) {
      const job = (await app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}`, headers: user.headers })).json();
      if (job.status === 'succeeded') break;
      if (job.status === 'failed' || i > 600) throw new Error(`analysis did not succeed: ${JSON.stringify(job)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const siteId = created.json().site?.id ?? created.json().job.siteId;
    const extracted = await app.inject({
      method: 'POST',
      url: `/api/v1/sites/${siteId}/extract`,
      headers: user.headers,
      payload: { urls: [shop.productUrl(shop.books[3]!), `${shop.url}/missing-page`] },
    });
    expect(extracted.statusCode, extracted.body).toBe(200);
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'metrics@example.com', password: 'wrong' } }))
          .statusCode,
      );
    }
    expect(statuses).toContain(429);
    const scraped = await app.inject('/metrics');
    expect(scraped.statusCode).toBe(200);
    expect(scraped.headers['content-type']).toContain('text/plain');
    metrics = scraped.body;
  }, 240_000);
  afterAll(async () => {
    await app?.close();
    await shop.stop();
  });

  it('counts job attempts by type and outcome, with durations per type and step', () => {
    for (const type of ['fingerprint_site', 'discover_categories', 'generate_selectors', 'test_selectors', 'update_blueprint']) {
      expect(sample(metrics, 'siteprint_jobs_started_total', { type }), type).toBeGreaterThanOrEqual(1);
      expect(sample(metrics, 'siteprint_jobs_finished_total', { type, outcome: 'succeeded' }), type).toBeGreaterThanOrEqual(1);
      expect(sample(metrics, 'siteprint_job_duration_seconds_count', { type, outcome: 'succeeded' }), type).toBeGreaterThanOrEqual(1);
    }
    expect(sample(metrics, 'siteprint_jobs_finished_total', { type: 'extract_batch', outcome: 'failed' })).toBe(0);
    expect(
      sample(metrics, 'siteprint_job_step_duration_seconds_count', { type: 'fingerprint_site', step: 'sampling' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('reports the queue, sites by health and blueprint versions by reason', () => {
    expect(sample(metrics, 'siteprint_queue_jobs', { type: 'fingerprint_site', state: 'queued' })).toBe(0);
    expect(sample(metrics, 'siteprint_queue_oldest_waiting_seconds', { type: 'extract_batch' })).toBe(0);
    expect(sample(metrics, 'siteprint_queue_stalled_jobs', { type: 'extract_batch' })).toBe(0);
    const sites = ['unknown', 'healthy', 'degraded', 'down'].map((state) => sample(metrics, 'siteprint_sites', { state }) ?? 0);
    expect(sites.reduce((a, b) => a + b)).toBe(1);
    expect(sample(metrics, 'siteprint_blueprint_versions_total', { reason: 'analysis' })).toBe(1);
    expect(sample(metrics, 'siteprint_backup_last_success_timestamp_seconds')).toBe(0);
    expect(sample(metrics, 'siteprint_llm_budget_used_ratio')).toBe(0);
  });

  it('counts fetches, extracted pages, failed sign-ins and 429s', () => {
    expect(sample(metrics, 'siteprint_fetches_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(6);
    expect(sample(metrics, 'siteprint_fetches_total', { outcome: 'http_error' })).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'siteprint_fetch_bytes_total')).toBeGreaterThan(1000);
    expect(sample(metrics, 'siteprint_extraction_pages_total', { outcome: 'ok' })).toBe(1);
    expect(sample(metrics, 'siteprint_extraction_pages_total', { outcome: 'error' })).toBe(1);
    expect(sample(metrics, 'siteprint_extraction_page_duration_seconds_count')).toBe(2);
    expect(sample(metrics, 'siteprint_login_failures_total')).toBeGreaterThanOrEqual(5);
    expect(sample(metrics, 'siteprint_rate_limit_rejections_total', { route: '/api/v1/auth/login' })).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThan(0);
    expect(sample(metrics, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('keeps labels bounded: no URLs, hosts or ids', () => {
    expect(metrics).not.toContain(new URL(shop.url).host);
    expect(metrics).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(metrics).not.toContain('missing-page');
  });
});
