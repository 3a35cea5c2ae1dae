import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Metrics of what this process does (jobs, fetches, renders, LLM calls...) live in one
 * process-wide registry: the code that counts runs deep in services and the engine's callers,
 * and several apps in one process (tests) share the process anyway. Gauges read from the
 * database and the HTTP histogram belong to one app or worker and live in its own registry;
 * a scrape merges both. Labels are bounded: job types, steps, outcomes, models, route patterns;
 * never URLs or ids.
 */
export const processRegistry = new Registry();
collectDefaultMetrics({ register: processRegistry });

const registers = [processRegistry];
const secondsBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export const metrics = {
  jobsStarted: new Counter({
    name: 'siteprint_jobs_started_total',
    help: 'Job attempts started, by job type',
    labelNames: ['type'] as const,
    registers,
  }),
  jobsFinished: new Counter({
    name: 'siteprint_jobs_finished_total',
    help: 'Job attempts finished, by job type and outcome (succeeded, failed, cancelled, retry)',
    labelNames: ['type', 'outcome'] as const,
    registers,
  }),
  jobDuration: new Histogram({
    name: 'siteprint_job_duration_seconds',
    help: 'Duration of job attempts, by job type and outcome',
    labelNames: ['type', 'outcome'] as const,
    buckets: secondsBuckets,
    registers,
  }),
  jobStepDuration: new Histogram({
    name: 'siteprint_job_step_duration_seconds',
    help: 'Time a job spent in each of its steps, by job type and step',
    labelNames: ['type', 'step'] as const,
    buckets: secondsBuckets,
    registers,
  }),
  bullmqStalled: new Counter({
    name: 'siteprint_queue_stalled_total',
    help: 'Jobs BullMQ found stalled (their worker died or blocked) and handed out again, by job type',
    labelNames: ['type'] as const,
    registers,
  }),
  fetches: new Counter({
    name: 'siteprint_fetches_total',
    help: 'Page fetches, by outcome (ok, http_error, timeout, blocked, robots, error)',
    labelNames: ['outcome'] as const,
    registers,
  }),
  fetchBytes: new Counter({ name: 'siteprint_fetch_bytes_total', help: 'Bytes of fetched pages (decoded HTML)', registers }),
  renders: new Counter({
    name: 'siteprint_renders_total',
    help: 'Pages rendered in Chromium, by outcome (ok, error)',
    labelNames: ['outcome'] as const,
    registers,
  }),
  renderDuration: new Histogram({
    name: 'siteprint_render_duration_seconds',
    help: 'Chromium render duration per page',
    buckets: secondsBuckets,
    registers,
  }),
  extractionPages: new Counter({
    name: 'siteprint_extraction_pages_total',
    help: 'Pages extracted with a blueprint, by outcome (ok, error)',
    labelNames: ['outcome'] as const,
    registers,
  }),
  extractionPageDuration: new Histogram({
    name: 'siteprint_extraction_page_duration_seconds',
    help: 'Duration of extracting one page (fetch included)',
    buckets: secondsBuckets,
    registers,
  }),
  blueprintVersions: new Counter({
    name: 'siteprint_blueprint_versions_total',
    help: 'Blueprint versions written, by reason',
    labelNames: ['reason'] as const,
    registers,
  }),
  llmRequests: new Counter({
    name: 'siteprint_llm_requests_total',
    help: 'LLM requests, by model, pipeline step and status (ok, error)',
    labelNames: ['model', 'step', 'status'] as const,
    registers,
  }),
  llmTokens: new Counter({
    name: 'siteprint_llm_tokens_total',
    help: 'LLM tokens, by model, pipeline step and kind (prompt, completion)',
    labelNames: ['model', 'step', 'kind'] as const,
    registers,
  }),
  llmCost: new Counter({
    name: 'siteprint_llm_cost_usd_total',
    help: 'LLM cost in USD, by model and pipeline step',
    labelNames: ['model', 'step'] as const,
    registers,
  }),
  loginFailures: new Counter({ name: 'siteprint_login_failures_total', help: 'Failed sign-in attempts', registers }),
  emailDeliveries: new Counter({
    name: 'siteprint_email_deliveries_total',
    help: 'Email delivery attempts, by outcome (sent, failed)',
    labelNames: ['outcome'] as const,
    registers,
  }),
  notificationDeliveries: new Counter({
    name: 'siteprint_notification_deliveries_total',
    help: 'Notification delivery attempts, by channel (email, webhook, slack) and outcome (delivered, retrying, failed)',
    labelNames: ['channel', 'outcome'] as const,
    registers,
  }),
};

// Every value of a fixed label set is exported from the start (at 0), so rates and alerts see a
// series before the first event rather than nothing.
for (const outcome of ['ok', 'http_error', 'timeout', 'blocked', 'robots', 'error']) metrics.fetches.inc({ outcome }, 0);
for (const outcome of ['ok', 'error']) {
  metrics.renders.inc({ outcome }, 0);
  metrics.extractionPages.inc({ outcome }, 0);
}
for (const outcome of ['sent', 'failed']) metrics.emailDeliveries.inc({ outcome }, 0);
for (const channel of ['email', 'webhook', 'slack'])
  for (const outcome of ['delivered', 'retrying', 'failed']) metrics.notificationDeliveries.inc({ channel, outcome }, 0);

/** Exports a job type's series at 0 in a process that runs jobs of that type. */
export function initJobMetrics(type: string): void {
  metrics.jobsStarted.inc({ type }, 0);
  for (const outcome of ['succeeded', 'failed', 'cancelled', 'retry']) metrics.jobsFinished.inc({ type, outcome }, 0);
}

/** A registry for one platform (API or worker): its own gauges, merged with the process's at scrape time. */
export function createMetricsRegistry(): Registry {
  return new Registry();
}

async function scrape(registries: Registry[]): Promise<string> {
  return Registry.merge([processRegistry, ...registries]).metrics();
}

/** HTTP metrics of one app (in a registry of its own) and its `/metrics`, which adds the platform's. */
export function registerHttpMetrics(app: FastifyInstance, platformRegistry: Registry): void {
  const registry = new Registry();
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'siteprint_rate_limit_rejections_total',
    help: 'Requests refused with 429 Too Many Requests, by route pattern',
    labelNames: ['route'] as const,
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL, keeps label cardinality bounded.
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (reply.statusCode === 429) rateLimited.inc({ route });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return scrape([platformRegistry, registry]);
  });
}

/** The `/metrics` endpoint of a worker process, which has no HTTP app of its own. */
export async function serveMetrics(registry: Registry, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    scrape([registry]).then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** Seconds since `start` (from performance.now()). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}
