import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type RunningCli } from '../support/cli.js';
import { createPostgresDatabase } from '../support/databases.js';
import { FixtureShop } from '../support/fixture-shop.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { serviceUrl } from '../support/services.js';

/**
 * OpenTelemetry traces from real `siteprint` processes to a loopback OTLP/HTTP receiver. A
 * request that starts an analysis carries a caller's `traceparent`; its trace must go on from
 * the API's request span through the service call that queues the job into the job spans, in
 * the same process (embedded) and across BullMQ in a worker process (scaled), down to the
 * worker's fetches of the site and the SQL statements both processes run for it (PGlite
 * embedded, PostgreSQL scaled); and the request's and the job's log lines carry the trace id.
 */
const PASSWORD = 'correct horse battery';
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;
const INTERNAL = 1;

/** The JSON log lines of a process's output with the given message. */
function logLines(output: string, message: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return []; // not a log line (the CLI's own output)
      }
    })
    .filter((line) => line.msg === message);
}

describe('OpenTelemetry traces', () => {
  const postgres = serviceUrl('TEST_DATABASE_URL');
  const redis = serviceUrl('TEST_REDIS_URL');
  const processes: RunningCli[] = [];
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  let shop: FixtureShop;

  beforeAll(async () => {
    shop = await new FixtureShop().start();
  });
  afterAll(async () => {
    for (const cli of processes) cli.child.kill('SIGKILL');
    for (const cleanup of cleanups.reverse()) await cleanup();
    await shop.stop();
  });

  async function receiver(): Promise<OtlpReceiver> {
    const started = await new OtlpReceiver().start();
    cleanups.push(() => started.close());
    return started;
  }

  /** Signs up, starts an analysis under the caller's trace and waits for it; returns the trace id and the caller's span id. */
  async function analyseUnderTrace(apiUrl: string, setupToken: string): Promise<{ traceId: string; callerSpanId: string; jobId: string }> {
    const call = async (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) => {
      const response = await fetch(`${apiUrl}${route}`, {
        method,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
    };
    await call('POST', '/api/v1/auth/register', { email: 'ops@example.com', name: 'Ops', password: PASSWORD, setupToken });
    const token = (await call('POST', '/api/v1/auth/login', { email: 'ops@example.com', password: PASSWORD })).body.accessToken as string;
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const created = await call(
      'POST',
      '/api/v1/sites',
      { url: `${shop.url}/`, fields: [{ name: 'title' }, { name: 'author' }], maxPages: 4 },
      { authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${callerSpanId}-01` },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const jobId = (created.body.job as { id: string }).id;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const job = await call('GET', `/api/v1/jobs/${jobId}`, undefined, { authorization: `Bearer ${token}` });
      if (job.body.status === 'succeeded') break;
      if (job.body.status === 'failed' || Date.now() > deadline) throw new Error(`analysis did not succeed: ${JSON.stringify(job.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return { traceId, callerSpanId, jobId };
  }

  /** The chain request → service → enqueue → job → later steps → fetches, all in the caller's trace. */
  async function expectLinkedTrace(
    otlp: OtlpReceiver,
    trace: { traceId: string; callerSpanId: string },
    services: { api: string; worker: string },
  ) {
    const inTrace = (span: ReceivedSpan) => span.traceId === trace.traceId;
    const request = await otlp.waitFor((span) => inTrace(span) && span.name === 'POST /api/v1/sites', 'for the request');
    expect(request).toMatchObject({ service: services.api, kind: SERVER, parentSpanId: trace.callerSpanId });
    expect(request.attributes['http.response.status_code']).toBe(201);

    // The route calls the sites service (a span per service call, named after its class and method), which queues the job.
    const created = await otlp.waitFor((span) => inTrace(span) && span.name === 'SitesService.create', 'for the service call');
    expect(created).toMatchObject({ service: services.api, kind: INTERNAL, parentSpanId: request.spanId });

    const enqueued = await otlp.waitFor((span) => inTrace(span) && span.name === 'enqueue fingerprint_site', 'for the enqueue');
    expect(enqueued).toMatchObject({ service: services.api, kind: PRODUCER, parentSpanId: created.spanId });

    const fingerprint = await otlp.waitFor((span) => inTrace(span) && span.name === 'job fingerprint_site', 'for the first step');
    expect(fingerprint).toMatchObject({ service: services.worker, kind: CONSUMER, parentSpanId: enqueued.spanId });
    expect(fingerprint.attributes['siteprint.job_outcome']).toBe('succeeded');

    const sampling = await otlp.waitFor((span) => inTrace(span) && span.name === 'step sampling', 'for a job step');
    expect(sampling.parentSpanId).toBe(fingerprint.spanId);

    // A fetch of the site made while the first step ran, as a client span under that job.
    const shopHost = new URL(shop.url).hostname;
    const byId = new Map<string, ReceivedSpan>();
    const under = (ancestor: ReceivedSpan) => (span: ReceivedSpan) => {
      for (const known of otlp.spans) byId.set(known.spanId, known);
      for (let parent = span.parentSpanId; parent; parent = byId.get(parent)?.parentSpanId) if (parent === ancestor.spanId) return true;
      return false;
    };
    const fetched = await otlp.waitFor(
      (span) => inTrace(span) && span.kind === CLIENT && span.attributes['server.address'] === shopHost && under(fingerprint)(span),
      'for a fetch of the site',
    );
    expect(fetched.service).toBe(services.worker);

    // SQL statements as client spans: the request's insert of the site, and the job's own queries.
    const isQuery = (span: ReceivedSpan) => inTrace(span) && span.kind === CLIENT && span.attributes['db.system.name'] === 'postgresql';
    const inserted = await otlp.waitFor(
      (span) => isQuery(span) && span.attributes['db.operation.name'] === 'INSERT' && under(request)(span),
      'for the request to insert the site',
    );
    expect(inserted).toMatchObject({ service: services.api, name: 'INSERT' });
    expect(String(inserted.attributes['db.query.text'])).toMatch(/^insert into "sites"/i);
    // Values are bound parameters, never in the exported text.
    expect(String(inserted.attributes['db.query.text'])).not.toContain(shop.url);
    const jobQuery = await otlp.waitFor((span) => isQuery(span) && under(fingerprint)(span), 'for a query of the job');
    expect(jobQuery.service).toBe(services.worker);

    // The steps that follow are queued by the worker inside the previous step's span: still the same trace.
    const last = await otlp.waitFor((span) => inTrace(span) && span.name === 'job update_blueprint', 'for the last step');
    expect(last).toMatchObject({ service: services.worker, kind: CONSUMER });
    expect(otlp.rejected).toEqual([]);
  }

  /** The request's `request completed` line and the job's `job attempt started` line carry the trace id. */
  function expectTraceIdInLogs(apiOutput: string, workerOutput: string, trace: { traceId: string }) {
    const requestLine = logLines(apiOutput, 'request completed').find(
      (line) => (line.req as { method?: string; url?: string } | undefined)?.url === '/api/v1/sites' && line.traceId === trace.traceId,
    );
    expect(requestLine, 'the request completed line of POST /api/v1/sites with the trace id').toBeDefined();
    const jobLine = logLines(workerOutput, 'job attempt started').find(
      (line) => line.type === 'fingerprint_site' && line.traceId === trace.traceId,
    );
    expect(jobLine, 'the job attempt started line of the first step with the trace id').toBeDefined();
  }

  it('continues a request trace into its jobs in the embedded server', { timeout: 180_000 }, async () => {
    const otlp = await receiver();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'siteprint-tracing-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const api = startCli(['serve'], {
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      ALLOW_PRIVATE_NETWORK: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_SERVICE_NAME: 'siteprint-embedded',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      LOG_LEVEL: 'debug',
    });
    processes.push(api);
    const [, apiUrl] = await api.waitFor(/Siteprint is running at (http:\/\/[^"\s]+)/);
    const [, setupToken] = await api.waitFor(/give setup token (\S+) when registering/);
    const trace = await analyseUnderTrace(apiUrl!, setupToken!);
    await expectLinkedTrace(otlp, trace, { api: 'siteprint-embedded', worker: 'siteprint-embedded' });
    expectTraceIdInLogs(api.output(), api.output(), trace);
  });

  it.runIf(postgres && redis)(
    'carries the trace from the API process across BullMQ into a worker process',
    { timeout: 180_000 },
    async () => {
      const otlp = await receiver();
      const database = await createPostgresDatabase(postgres!);
      cleanups.push(() => database.drop());
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: redis!,
        QUEUE_PREFIX: `otel-${randomUUID()}`,
        ALLOW_PRIVATE_NETWORK: 'true',
        HOST: '127.0.0.1',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_BSP_SCHEDULE_DELAY: '200',
      };
      const api = startCli(['serve'], { ...env, PORT: '0', OTEL_SERVICE_NAME: 'siteprint-api' });
      processes.push(api);
      const [, apiUrl] = await api.waitFor(/Siteprint is running at (http:\/\/[^"\s]+)/);
      const [, setupToken] = await api.waitFor(/give setup token (\S+) when registering/);
      const worker = startCli(['worker'], { ...env, OTEL_SERVICE_NAME: 'siteprint-worker', LOG_LEVEL: 'debug' });
      processes.push(worker);
      await worker.waitFor(/traces go to OpenTelemetry/);
      const trace = await analyseUnderTrace(apiUrl!, setupToken!);
      await expectLinkedTrace(otlp, trace, { api: 'siteprint-api', worker: 'siteprint-worker' });
      expectTraceIdInLogs(api.output(), worker.output(), trace);
    },
  );
});
