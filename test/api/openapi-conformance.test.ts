import type { AddressInfo } from 'node:net';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInstance } from '../../src/http/app-instance.js';
import type { Platform } from '../../src/app/platform.js';
import { finishedJob } from '../support/jobs.js';
import { Priority } from '../../src/queue/index.js';
import { PASSWORD, signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { FixtureShop } from '../support/fixture-shop.js';
import { ExampleRecorder } from '../support/openapi-examples.js';

// ajv-formats is CommonJS: under ESM its plugin is the module's `default` property.
const addFormats = ajvFormats.default;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Operation {
  operationId: string;
  method: Method;
  path: string;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface Call {
  params?: Record<string, string | number>;
  query?: Record<string, string | number>;
  body?: unknown;
  /** Sent as is, with this content type, instead of `body` as JSON. */
  raw?: { contentType: string; payload: string };
  as?: { headers: Record<string, string> } | null;
  headers?: Record<string, string>;
}

const pointer = (...parts: string[]) => parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/**
 * Every operation of /api/v1/openapi.json, called through the real app in realistic states (a
 * site analysed through the pipeline, versions, checks, jobs and a failed one, API keys,
 * members and invitations), success and error answers alike: each answer's status must be one
 * the operation documents, its content type one documented for that status, and its body valid
 * against the documented schema. An operation without a case fails the suite.
 */
describe.each(databaseTargets())('the OpenAPI document describes every answer ($name)', (target) => {
  let database: TestDatabase;
  let app: AppInstance;
  let platform: Platform;
  let shop: FixtureShop;
  let document: { paths: Record<string, Record<string, Operation>> };
  let ajv: Ajv2020;
  const operations = new Map<string, Operation>();
  const validators = new Map<string, ValidateFunction>();
  const called = new Map<string, Set<number>>();
  let alice: TestUser;
  let bob: TestUser;
  let siteId: string;
  let analysisId: string;
  let recorder: ExampleRecorder;

  beforeAll(async () => {
    shop = await new FixtureShop().start();
    // Real sites reveal technologies without versions (Express, and Node.js which it implies).
    shop.headers = { 'x-powered-by': 'Express' };
    recorder = new ExampleRecorder({ [shop.url]: 'https://books.example', [shop.url.replace('http://', '')]: 'books.example' });
    database = await target.open();
    // DATABASE_URL as a server on this database would have it: backups of PostgreSQL run pg_dump against it.
    ({ app, platform } = await createTestStack({ database, env: { ALLOW_PRIVATE_NETWORK: 'true', DATABASE_URL: database.url ?? '' } }));
    await app.ready();
    document = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    ajv.addSchema(document, 'openapi');
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        operations.set(operation.operationId, { ...operation, method: method.toUpperCase() as Method, path });
      }
    }
    alice = await signUp(app, 'alice@example.com');
    bob = await signUp(app, 'bob@example.com');
    // As `siteprint serve` in embedded mode: the jobs run here, and the System page shows this worker's heartbeat.
    await platform.runJobs('server');
  });

  afterAll(async () => {
    await app?.close();
    await database?.close();
    await shop?.stop();
  });

  function validatorFor(operation: Operation, status: string, contentType: string): ValidateFunction {
    const key = `${operation.operationId} ${status} ${contentType}`;
    let validate = validators.get(key);
    if (!validate) {
      const ref = `openapi#/${pointer('paths', operation.path, operation.method.toLowerCase(), 'responses', status, 'content', contentType, 'schema')}`;
      validate = ajv.compile({ $ref: ref });
      validators.set(key, validate);
    }
    return validate;
  }

  /** The answer conforms to the document: documented status, content type, and a body its schema accepts. */
  function expectConforms(operation: Operation, response: { statusCode: number; headers: Record<string, unknown>; body: string }) {
    const where = `${operation.method} ${operation.path} → ${response.statusCode} ${response.body.slice(0, 500)}`;
    const status = String(response.statusCode);
    expect(response.statusCode, `server error: ${where}`).toBeLessThan(500);
    const documented = operation.responses[status];
    expect(documented, `undocumented status: ${where}`).toBeDefined();
    const contentType = String(response.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim();
    const content = documented!.content;
    if (!content) {
      expect(response.body, `a body where the document has none: ${where}`).toBe('');
      return;
    }
    expect(Object.keys(content), `undocumented content type ${contentType}: ${where}`).toContain(contentType);
    const body = /^application\/(?:[\w.-]+\+)?json$/.test(contentType) ? JSON.parse(response.body) : response.body;
    const validate = validatorFor(operation, status, contentType);
    expect(validate(body), `${where}\n${JSON.stringify(validate.errors, null, 2)}`).toBe(true);
    // Problems carry the request id (a GraphQL request error is a GraphQL response, not a problem).
    if (response.statusCode >= 400 && contentType !== 'application/json') expect(body.requestId).toBe(response.headers['x-request-id']);
  }

  async function call(operationId: string, expected: number, request: Call = {}): Promise<LightMyRequestResponse> {
    const operation = operations.get(operationId);
    if (!operation) throw new Error(`the document has no operation ${operationId}`);
    const url = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (request.params?.[name] === undefined) throw new Error(`${operationId}: no value for {${name}}`);
      return encodeURIComponent(String(request.params[name]));
    });
    const user = request.as === undefined ? alice : request.as;
    const response = await app.inject({
      method: operation.method,
      url,
      query: request.query ? Object.fromEntries(Object.entries(request.query).map(([key, value]) => [key, String(value)])) : undefined,
      headers: {
        ...(user ? user.headers : {}),
        ...(request.raw ? { 'content-type': request.raw.contentType } : {}),
        ...request.headers,
      },
      ...(request.raw ? { payload: request.raw.payload } : request.body === undefined ? {} : { payload: request.body as object }),
    });
    expectConforms(operation, response);
    recorder.record(
      operationId,
      response.statusCode,
      String(response.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim(),
      response.body,
    );
    expect(response.statusCode, `${operation.method} ${url}: ${response.body.slice(0, 500)}`).toBe(expected);
    called.set(operationId, (called.get(operationId) ?? new Set()).add(response.statusCode));
    return response;
  }

  const settled = (jobId: string) => finishedJob(app, alice.headers, jobId);

  const unknownId = '00000000-0000-4000-8000-000000000000';

  it('system: health, version', async () => {
    await call('getHealthLive', 200, { as: null });
    await call('getHealthReady', 200, { as: null });
    await call('getVersion', 200, { as: null });
  });

  it('accounts and sessions', async () => {
    await call('getAuthProviders', 200, { as: null });
    await call('postAuthRegister', 201, { as: null, body: { email: 'carol@example.com', name: 'Carol', password: PASSWORD } });
    await call('postAuthRegister', 409, { as: null, body: { email: 'carol@example.com', name: 'Carol', password: PASSWORD } });
    await call('postAuthRegister', 400, { as: null, body: { email: 'not-an-email', name: 'X', password: 'short' } });
    const login = await call('postAuthLogin', 200, { as: null, body: { email: 'carol@example.com', password: PASSWORD } });
    await call('postAuthLogin', 401, { as: null, body: { email: 'carol@example.com', password: 'wrong password!' } });
    const { refreshToken, accessToken } = login.json();
    await call('getAuthMe', 200, { as: { headers: { authorization: `Bearer ${accessToken}` } } });
    const refreshed = await call('postAuthRefresh', 200, { as: null, body: { refreshToken } });
    const renewed = { headers: { authorization: `Bearer ${refreshed.json().accessToken}` } };
    await call('getAuthMe', 200, { as: renewed });
    await call('getAuthMe', 401, { as: null });
    await call('patchAuthMe', 200, { as: renewed, body: { name: 'Carol C.' } });
    await call('patchAuthMe', 400, { as: renewed, body: {} });
    await call('postAuthLogout', 401, { as: null, body: { refreshToken: refreshed.json().refreshToken } });
    await call('postAuthLogout', 204, { as: renewed, body: { refreshToken: refreshed.json().refreshToken } });
    await call('postAuthRefresh', 401, { as: null, body: { refreshToken } });
    const again = (await call('postAuthLogin', 200, { as: null, body: { email: 'carol@example.com', password: PASSWORD } })).json();
    await call('deleteAuthMe', 401, { as: null });
    await call('deleteAuthMe', 204, { as: { headers: { authorization: `Bearer ${again.accessToken}` } } });
  });

  it('sign-in with an unconfigured provider', async () => {
    await call('getAuthOauthByProvider', 404, { as: null, params: { provider: 'github' } });
    await call('getAuthOauthByProviderCallback', 404, { as: null, params: { provider: 'github' }, query: { code: 'x', state: 'y' } });
  });

  it('sites: an analysed site with a version-less technology, its blueprint and versions read fine', async () => {
    const fields = ['title', 'author', 'isbn_13', 'publisher', 'publication_date', 'price'].map((name) => ({ name }));
    const created = await call('postSites', 201, { body: { url: `${shop.url}/`, name: 'Quire', fields, maxPages: 8 } });
    siteId = created.json().site.id;
    analysisId = created.json().job.id;
    const analysis = await settled(analysisId);
    expect(analysis.status, analysis.error).toBe('succeeded');

    const detail = (await call('getSitesById', 200, { params: { id: siteId } })).json();
    const express = detail.fingerprint.technologies.find((technology: { name: string }) => technology.name === 'Express');
    expect(express).toMatchObject({ version: null });
    const blueprint = (await call('getSitesByIdBlueprint', 200, { params: { id: siteId } })).json();
    expect(blueprint.content.fingerprint.technologies).toContainEqual(expect.objectContaining({ name: 'Express', version: null }));
    await call('getSitesByIdBlueprintsByVersion', 200, { params: { id: siteId, version: 1 } });
  });

  it('sites: list, change, checks, batches and their refusals', async () => {
    await call('postSites', 409, { body: { url: `${shop.url}/` } });
    await call('postSites', 400, { body: { url: 'ftp://files.example/' } });
    await call('postSites', 415, { raw: { contentType: 'text/xml', payload: '<site/>' } });
    await call('postSites', 413, {
      raw: {
        contentType: 'application/json',
        payload: JSON.stringify({ url: 'https://big.example/', name: 'x'.repeat(1.1 * 1024 * 1024) }),
      },
    });
    await call('postSites', 401, { as: null, body: { url: 'https://anon.example/' } });
    await call('postSites', 400, { body: { url: 'https://badheader.example/' }, headers: { 'x-workspace-id': 'nope' } });
    await call('postSites', 404, { body: { url: 'https://elsewhere.example/' }, headers: { 'x-workspace-id': unknownId } });
    const key = 'conformance-1';
    await call('postSites', 201, { body: { url: 'https://idempotent.example/' }, headers: { 'idempotency-key': key } });
    await call('postSites', 201, { body: { url: 'https://idempotent.example/' }, headers: { 'idempotency-key': key } });
    await call('postSites', 422, { body: { url: 'https://other.example/' }, headers: { 'idempotency-key': key } });

    const listed = await call('getSites', 200, { query: { limit: 1 } });
    const list = listed.json();
    await call('getSites', 304, { query: { limit: 1 }, headers: { 'if-none-match': String(listed.headers.etag) } });
    await call('getSites', 200, { query: { limit: 1, cursor: list.nextCursor } });
    await call('getSites', 400, { query: { cursor: 'garbage' } });
    await call('getSitesById', 404, { params: { id: unknownId } });
    await call('getSitesById', 400, { params: { id: 'not-a-uuid' } });
    await call('patchSitesById', 200, { params: { id: siteId }, body: { name: 'Quire Books', schedule: 'every 6h' } });
    await call('patchSitesById', 400, { params: { id: siteId }, body: {} });

    await platform.queue.enqueue({
      workspaceId: alice.workspaceId,
      siteId,
      type: 'check_site',
      payload: { siteId },
      priority: Priority.user,
    });
    for (let i = 0; i < 400 && (await platform.repositories.sites.checks(siteId, 10)).length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const checks = (await call('getSitesByIdChecks', 200, { params: { id: siteId } })).json();
    expect(checks.items.length).toBeGreaterThan(0);

    const batch = (
      await call('postSitesBatch', 200, {
        body: { sites: [{ url: 'https://one.example' }, { url: 'gopher://x' }, { url: 'https://one.example/' }] },
      })
    ).json();
    const ids = batch.results.flatMap((result: { siteId?: string }) => (result.siteId ? [result.siteId] : []));
    await call('postSitesBatchDelete', 200, { body: { ids } });
    await call('postSitesBatchDelete', 400, { body: { ids: [] } });
  });

  it('jobs and queues: running, failed, retried, cancelled', async () => {
    // A scheduled check of a site that has no blueprint yet fails for good: a failed job.
    const pending = (await call('postSites', 201, { body: { url: 'https://pending.example/' } })).json();
    await call('postJobsByIdCancel', 200, { params: { id: pending.job.id } });
    await call('postJobsByIdCancel', 409, { params: { id: analysisId } });
    await call('getSitesByIdBlueprint', 404, { params: { id: pending.site.id } });
    const failing = await platform.queue.enqueue({
      workspaceId: alice.workspaceId,
      siteId: pending.site.id,
      type: 'check_site',
      payload: { siteId: pending.site.id },
      priority: Priority.scheduled,
    });
    expect((await settled(failing.id)).status).toBe('failed');
    await call('getJobsById', 200, { params: { id: failing.id } });
    await call('getJobs', 200, { query: { status: 'failed' } });
    await call('getJobs', 200, { query: { limit: 2 } });
    await call('getJobs', 400, { query: { cursor: 'garbage' } });
    const analysis = (await call('getJobsById', 200, { params: { id: analysisId } })).json();
    await call('getJobsByIdLogs', 200, { params: { id: analysis.steps[0].id } });
    await call('getJobsById', 404, { params: { id: unknownId } });
    await call('postJobsByIdRetry', 200, { params: { id: failing.id } });
    await call('postJobsByIdRetry', 409, { params: { id: analysisId } });
    await settled(failing.id);

    await call('getQueues', 200);
    await call('postQueuesPause', 200);
    await call('postQueuesResume', 200);
    await call('postSitesByIdAnalyze', 404, { params: { id: unknownId } });
  });

  it('blueprints: edit, versions, diff, export, rollback', async () => {
    const active = (await call('getSitesByIdBlueprint', 200, { params: { id: siteId } })).json();
    const pageTypes = structuredClone(active.content.pageTypes) as Array<{ fields: Array<{ name: string; description?: string }> }>;
    pageTypes[0]!.fields[0]!.description = 'The title as printed on the cover';
    const edited = (await call('patchSitesByIdBlueprint', 200, { params: { id: siteId }, body: { pageTypes } })).json();
    expect(edited.version).toBe(2);
    await call('patchSitesByIdBlueprint', 400, { params: { id: siteId }, body: { pageTypes: [] } });
    await call('getSitesByIdBlueprints', 200, { params: { id: siteId } });
    await call('getSitesByIdBlueprintsDiff', 200, { params: { id: siteId }, query: { from: 1, to: 2 } });
    await call('getSitesByIdBlueprintsDiff', 404, { params: { id: siteId }, query: { from: 1, to: 99 } });
    await call('getSitesByIdBlueprintsByVersion', 404, { params: { id: siteId, version: 99 } });
    for (const format of ['json', 'yaml', 'csv'])
      await call('getSitesByIdBlueprintExport', 200, { params: { id: siteId }, query: { format } });
    await call('getSitesByIdBlueprintExport', 400, { params: { id: siteId }, query: { format: 'xml' } });
    await call('postSitesByIdBlueprintsByVersionRollback', 200, { params: { id: siteId, version: 1 } });
    await call('postSitesByIdBlueprintsByVersionRollback', 404, { params: { id: siteId, version: 99 } });
  });

  it('extraction: now, as a job, and its results', async () => {
    const url = shop.productUrl(shop.books.at(-1)!);
    await call('postSitesByIdExtract', 200, { params: { id: siteId }, body: { urls: [url] } });
    await call('postSitesByIdExtract', 400, { params: { id: siteId }, body: { urls: ['not a url'] } });
    const { job } = (
      await call('postSitesByIdExtractJobs', 202, { params: { id: siteId }, body: { urls: [url, shop.productUrl(shop.books[0]!)] } })
    ).json();
    expect((await settled(job.id)).status).toBe('succeeded');
    for (const format of ['json', 'ndjson', 'csv']) await call('getJobsByIdResults', 200, { params: { id: job.id }, query: { format } });
    await call('getJobsByIdResults', 404, { params: { id: analysisId } });
  });

  it('reports: requested, listed, downloaded', async () => {
    const report = (await call('postReports', 202, { body: { type: 'site_report', siteId, format: 'json' } })).json();
    await call('postReports', 400, { body: { type: 'site_report', siteId, format: 'csv' } });
    await call('postReports', 404, { body: { type: 'extraction_export', siteId: unknownId } });
    expect((await settled(report.jobId)).status).toBe('succeeded');
    await call('getReports', 200);
    await call('getReports', 400, { query: { limit: 0 } });
    await call('getReportsById', 200, { params: { id: report.id } });
    await call('getReportsById', 404, { params: { id: unknownId } });
    await call('getReportsByIdDownload', 200, { params: { id: report.id } });
    await call('getReportsByIdDownload', 404, { params: { id: unknownId } });
    await platform.queue.pause();
    try {
      const queued = (await call('postReports', 202, { body: { type: 'workspace_summary', format: 'json' } })).json();
      await call('getReportsByIdDownload', 409, { params: { id: queued.id } });
    } finally {
      await platform.queue.resume();
    }
  });

  it('report schedules', async () => {
    const schedule = (
      await call('postReportSchedules', 201, {
        body: { name: 'Weekly', report: { type: 'site_report', siteId }, frequency: 'weekly', recipients: ['ops@example.com'] },
      })
    ).json();
    await call('postReportSchedules', 400, {
      body: { name: 'Too often', report: { type: 'workspace_summary' }, cron: '* * * * *', recipients: ['ops@example.com'] },
    });
    await call('postReportSchedules', 404, {
      body: { name: 'Gone', report: { type: 'site_report', siteId: unknownId }, frequency: 'daily', recipients: ['ops@example.com'] },
    });
    await call('getReportSchedules', 200);
    await call('deleteReportSchedulesById', 204, { params: { id: schedule.id } });
    await call('deleteReportSchedulesById', 404, { params: { id: schedule.id } });
  });

  it('live events answer as an event stream', async () => {
    const operation = operations.get('getEvents')!;
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const controller = new AbortController();
    try {
      const response = await fetch(`${base}${operation.path}`, { headers: alice.headers, signal: controller.signal });
      const reader = response.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      expectConforms(operation, {
        statusCode: response.status,
        headers: { 'content-type': response.headers.get('content-type') },
        body: first,
      });
      expect(first).toMatch(/^: connected/);
      called.set('getEvents', new Set([response.status]));
    } finally {
      controller.abort();
    }
    await call('getEvents', 401, { as: null });
  });

  it('overview and LLM usage and budget', async () => {
    await call('getOverview', 200);
    await call('getLlmUsage', 200);
    await call('getLlmUsage', 400, { query: { from: 'yesterday' } });
    await call('getLlmBudget', 200);
    await call('putLlmBudget', 200, { body: { monthlyUsd: 25 } });
    await call('putLlmBudget', 400, { body: { monthlyUsd: -1 } });
  });

  it('analytics: summary and timeseries', async () => {
    await call('getAnalyticsSummary', 200);
    await call('getAnalyticsSummary', 200, { query: { scope: 'all' } });
    await call('getAnalyticsSummary', 403, { as: bob, query: { scope: 'all' } });
    await call('getAnalyticsSummary', 400, { query: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } });
    await call('getAnalyticsSummary', 401, { as: null });
    await call('getAnalyticsTimeseries', 200, { query: { metric: 'jobs', interval: 'hour', siteId } });
    await call('getAnalyticsTimeseries', 200, { query: { metric: 'job_duration' } });
    await call('getAnalyticsTimeseries', 200, { query: { metric: 'site_coverage', siteId } });
    await call('getAnalyticsTimeseries', 400, { query: { metric: 'api_requests', siteId } });
  });

  it('graphql: answers, field errors, queries that cannot run, malformed requests', async () => {
    const nested = '{ sites { total items { name activeBlueprint { version pageTypes { name } } latestJob { status } } } }';
    expect((await call('postGraphql', 200, { body: { query: nested } })).json().data.sites.total).toBeGreaterThan(0);
    const fieldError = await call('postGraphql', 200, { body: { query: '{ site(id: "not-a-uuid") { name } }' } });
    expect(fieldError.json()).toMatchObject({ data: { site: null }, errors: [{ path: ['site'], extensions: { code: 'BAD_USER_INPUT' } }] });
    await call('postGraphql', 400, { body: { query: '{ sites { nothing } }' } });
    await call('postGraphql', 400, { body: { variables: {} } });
    await call('postGraphql', 401, { as: null, body: { query: '{ sites { total } }' } });
    await call('postGraphql', 415, { raw: { contentType: 'text/xml', payload: '<query/>' } });
  });

  it('API keys', async () => {
    const created = (await call('postApiKeys', 201, { body: { name: 'CI', scopes: ['sites:read'] } })).json();
    await call('postApiKeys', 400, { body: { name: 'Old', scopes: ['sites:read'], expiresAt: '2000-01-01T00:00:00Z' } });
    await call('getApiKeys', 200);
    const viaKey = { headers: { 'x-api-key': created.secret } };
    await call('getSites', 200, { as: viaKey });
    await call('postSites', 403, { as: viaKey, body: { url: 'https://scoped.example/' } });
    await call('getApiKeys', 403, { as: viaKey });
    await call('deleteApiKeysByKeyId', 204, { params: { keyId: created.id } });
    await call('deleteApiKeysByKeyId', 404, { params: { keyId: created.id } });
    await call('getSites', 401, { as: viaKey });
  });

  it('workspaces, members and invitations', async () => {
    await call('getWorkspaces', 200);
    await call('getWorkspace', 200);
    await call('getWorkspacesByWorkspaceId', 200, { params: { workspaceId: alice.workspaceId } });
    await call('getWorkspacesByWorkspaceId', 404, { params: { workspaceId: unknownId } });
    const team = (await call('postWorkspaces', 201, { body: { name: 'Team' } })).json();
    const inTeam = { headers: { ...alice.headers, 'x-workspace-id': team.id } };
    await call('patchWorkspace', 200, { as: inTeam, body: { name: 'The team' } });
    await call('patchWorkspace', 400, { as: inTeam, body: {} });

    const invited = (await call('postWorkspaceInvitations', 201, { as: inTeam, body: { email: bob.email, role: 'viewer' } })).json();
    const other = (await call('postWorkspaceInvitations', 201, { as: inTeam, body: { email: 'dave@example.com' } })).json();
    await call('getWorkspaceInvitations', 200, { as: inTeam });
    await call('deleteWorkspaceInvitationsByInvitationId', 204, { as: inTeam, params: { invitationId: other.id } });
    await call('deleteWorkspaceInvitationsByInvitationId', 404, { as: inTeam, params: { invitationId: other.id } });
    const token = new URL(invited.acceptUrl).searchParams.get('token') ?? new URL(invited.acceptUrl).hash.split('token=')[1];
    await call('postInvitationsAccept', 200, { as: bob, body: { token } });
    await call('postInvitationsAccept', 404, { as: bob, body: { token: 'unknown-token' } });

    const bobInTeam = { headers: { ...bob.headers, 'x-workspace-id': team.id } };
    await call('getWorkspaceMembers', 200, { as: bobInTeam });
    await call('patchWorkspace', 403, { as: bobInTeam, body: { name: 'Mine now' } });
    await call('patchWorkspaceMembersByUserId', 204, { as: inTeam, params: { userId: bob.id }, body: { role: 'member' } });
    await call('patchWorkspaceMembersByUserId', 404, { as: inTeam, params: { userId: unknownId }, body: { role: 'member' } });
    await call('deleteWorkspaceMembersByUserId', 204, { as: inTeam, params: { userId: bob.id } });
    await call('deleteWorkspaceMembersByUserId', 404, { as: inTeam, params: { userId: bob.id } });
    await call('deleteWorkspace', 204, { as: inTeam });
    await call('deleteWorkspace', 404, { as: inTeam });
  });

  it('sites: analyse again, delete', async () => {
    await call('postSitesByIdAnalyze', 202, { params: { id: siteId } });
    await call('postSitesByIdAnalyze', 409, { params: { id: siteId } });
    await call('deleteSitesById', 204, { params: { id: siteId } });
    await call('deleteSitesById', 404, { params: { id: siteId } });
  });

  it('notifications: webhooks, channels, preferences, the in-app list', async () => {
    const endpoint = (
      await call('postWebhooks', 201, { body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['site.health_changed'] } })
    ).json();
    await call('postWebhooks', 400, { body: { url: 'https://hooks.example/', eventTypes: ['site.exploded'] } });
    await call('postWebhooks', 413, { body: { url: 'https://hooks.example/', eventTypes: ['*'], description: 'x'.repeat(20_000) } });
    await call('getWebhooks', 200);
    await call('patchWebhooksByEndpointId', 200, { params: { endpointId: endpoint.id }, body: { description: 'ops' } });
    await call('patchWebhooksByEndpointId', 404, { params: { endpointId: unknownId }, body: { enabled: true } });
    await call('getWebhooksByEndpointIdDeliveries', 200, { params: { endpointId: endpoint.id } });
    await call('getWebhooksByEndpointIdDeliveries', 404, { params: { endpointId: unknownId } });
    await call('postWebhooksByEndpointIdTest', 202, { params: { endpointId: endpoint.id } });
    await call('postWebhooksByEndpointIdTest', 404, { params: { endpointId: unknownId } });
    await call('postWebhooksByEndpointIdDeliveriesByDeliveryIdRedeliver', 404, {
      params: { endpointId: endpoint.id, deliveryId: unknownId },
    });
    await call('deleteWebhooksByEndpointId', 204, { params: { endpointId: endpoint.id } });
    await call('deleteWebhooksByEndpointId', 404, { params: { endpointId: endpoint.id } });
    const channel = (
      await call('postNotificationChannels', 201, {
        body: { kind: 'slack', name: 'ops', url: 'http://127.0.0.1:9/slack', eventTypes: ['*'] },
      })
    ).json();
    await call('postNotificationChannels', 400, { body: { kind: 'email', name: 'ops', url: 'https://x.example/', eventTypes: ['*'] } });
    await call('getNotificationChannels', 200);
    await call('deleteNotificationChannelsByChannelId', 204, { params: { channelId: channel.id } });
    await call('deleteNotificationChannelsByChannelId', 404, { params: { channelId: channel.id } });
    await call('getNotificationSettings', 200);
    await call('putNotificationSettings', 200, { body: { summaryHour: 18, timeZone: 'America/New_York' } });
    await call('putNotificationSettings', 400, { body: { timeZone: 'Atlantis/Capital' } });
    await call('putNotificationSettings', 413, { body: { timeZone: 'x'.repeat(20_000) } });
    await call('getNotificationPreferences', 200);
    await call('putNotificationPreferences', 200, { body: { items: [{ eventType: 'report.ready', email: 'digest', inApp: true }] } });
    await call('putNotificationPreferences', 400, { body: { items: [{ eventType: 'nope', email: 'off', inApp: true }] } });
    await call('getNotifications', 200, { query: { unread: 'true' } });
    await call('getNotifications', 400, { query: { limit: 0 } });
    await call('getNotificationsUnreadCount', 200);
    await call('postNotificationsRead', 200, { body: {} });
    await call('postNotificationsRead', 400, { body: { ids: ['x'] } });
    await call('getNotificationsUnsubscribe', 404, { as: null, query: { token: 'not-a-real-token' } });
    await call('getNotificationsUnsubscribe', 400, { as: null, query: {} });
  });

  it('admin: accounts, audit log, roles, system, backups', async () => {
    await call('getAdminUsers', 200, { query: { q: 'bob', limit: 10 } });
    await call('getAdminUsers', 403, { as: bob });
    await call('getAdminUsers', 400, { query: { status: 'gone' } });
    await call('getAdminUsersById', 200, { params: { id: bob.id } });
    await call('getAdminUsersById', 404, { params: { id: unknownId } });
    await call('postAdminUsersByIdDisable', 200, { params: { id: bob.id } });
    await call('postAdminUsersByIdDisable', 409, { params: { id: alice.id } });
    await call('postAdminUsersByIdEnable', 200, { params: { id: bob.id } });
    await call('postAdminUsersByIdEnable', 404, { params: { id: unknownId } });
    await call('putAdminUsersByIdSystemAdmin', 409, { params: { id: alice.id }, body: { systemAdmin: false } });
    const leaving = await signUp(app, 'leaving@example.com');
    await call('postAdminUsersByIdResetPassword', 200, { params: { id: leaving.id } });
    await call('postAdminUsersByIdResetPassword', 404, { params: { id: unknownId } });
    await call('deleteAdminUsersById', 200, { params: { id: leaving.id } });
    await call('deleteAdminUsersById', 404, { params: { id: leaving.id } });
    await call('deleteAdminUsersById', 409, { params: { id: alice.id } });
    await call('putAdminUsersByIdSystemAdmin', 400, { params: { id: alice.id }, body: {} });
    const entries = (await call('getAdminAudit', 200, { query: { action: 'admin.', limit: 5 } })).json();
    await call('getAdminAudit', 400, { query: { cursor: 'garbage' } });
    await call('getAdminAuditById', 200, { params: { id: entries.items[0].id } });
    await call('getAdminAuditById', 404, { params: { id: unknownId } });
    await call('getAdminAuditExport', 200, { query: { action: 'login.succeeded' } });
    await call('getAdminAuditExport', 400, { query: { from: 'yesterday' } });
    await call('getAdminWorkspaces', 200, { query: { q: 'alice' } });
    await call('getAdminWorkspacesByIdMembers', 200, { params: { id: alice.workspaceId } });
    await call('getAdminWorkspacesByIdMembers', 404, { params: { id: unknownId } });
    const member = await signUp(app, 'suspended@example.com');
    await call('postAdminWorkspacesByIdSuspend', 400, { params: { id: member.workspaceId }, body: {} });
    await call('postAdminWorkspacesByIdSuspend', 403, {
      as: member,
      params: { id: member.workspaceId },
      body: { reason: 'Unpaid invoice' },
    });
    await call('postAdminWorkspacesByIdSuspend', 404, { params: { id: unknownId }, body: { reason: 'Unpaid invoice' } });
    await call('postAdminWorkspacesByIdSuspend', 204, { params: { id: member.workspaceId }, body: { reason: 'Unpaid invoice' } });
    // Its members may read the workspace (when and why) and nothing else of it.
    expect((await call('getWorkspace', 200, { as: member })).json()).toMatchObject({ suspendedReason: 'Unpaid invoice' });
    expect((await call('getSites', 403, { as: member })).json().type).toBe('urn:siteprint:problem:workspace-suspended');
    await call('postAdminWorkspacesByIdUnsuspend', 204, { params: { id: member.workspaceId } });
    await call('postAdminWorkspacesByIdUnsuspend', 409, { params: { id: member.workspaceId } });
    await call('postAdminWorkspacesByIdUnsuspend', 404, { params: { id: unknownId } });
    const key = (await call('postApiKeys', 201, { body: { name: 'Revoked by an administrator', scopes: ['sites:read'] } })).json();
    await call('getAdminApiKeys', 200, { query: { status: 'active' } });
    await call('getAdminApiKeys', 400, { query: { status: 'lost' } });
    await call('postAdminApiKeysByIdRevoke', 204, { params: { id: key.id } });
    await call('postAdminApiKeysByIdRevoke', 404, { params: { id: unknownId } });
    await call('getAdminRoles', 200);
    await call('getAdminLogs', 200, { query: { level: 'info', limit: 5 } });
    await call('getAdminLogs', 400, { query: { limit: 0 } });
    const system = (await call('getAdminSystem', 200)).json();
    expect(system.workers.items).toEqual([expect.objectContaining({ queue: 'embedded', stale: false })]);
    await call('getAdminSystem', 401, { as: null });
    const backup = (await call('postAdminBackups', 201)).json();
    await call('getAdminBackups', 200);
    await call('getAdminBackupsByName', 200, { params: { name: backup.name } });
    await call('getAdminBackupsByName', 404, { params: { name: 'siteprint-20000101T000000000Z-000000.tar.gz' } });
  });

  it('admin: runtime settings, SMTP test, caches', async () => {
    const erin = await signUp(app, 'erin@example.com');
    await call('getAdminSettings', 200);
    await call('getAdminSettings', 403, { as: erin });
    await call('putAdminSettings', 200, { body: { registrationMode: 'invite-only', llmDefaultMonthlyBudgetUsd: 12.5 } });
    await call('putAdminSettings', 400, { body: { registrationMode: 'sometimes' } });
    await call('putAdminSettings', 400, { body: { allowedOAuthProviders: ['google'] } }); // not configured here
    await call('putAdminSettings', 403, { as: erin, body: { registrationMode: 'open' } });
    await call('putAdminSettings', 200, { body: { registrationMode: 'open', llmDefaultMonthlyBudgetUsd: null } });
    await call('postAdminSettingsSmtpTest', 409, { body: {} }); // no SMTP_URL in this app
    await call('postAdminSettingsSmtpTest', 400, { body: { to: 'nobody' } });
    await call('postAdminSettingsSmtpTest', 403, { as: erin, body: {} });
    await call('getAdminCaches', 200);
    await call('getAdminCaches', 403, { as: erin });
    await call('postAdminCachesByNameClear', 200, { params: { name: 'robots-txt' } });
    await call('postAdminCachesByNameClear', 404, { params: { name: 'no-such-cache' } });
    await call('postAdminCachesByNameClear', 400, { params: { name: 'Not A Name' } });
    await call('postAdminCachesByNameClear', 403, { as: erin, params: { name: 'robots-txt' } });
  });

  it('usage, plans and quotas, with quota and rate-limit problems', async () => {
    // The admin case above ended bob's sessions; a fresh account holds the quotas.
    const dana = await signUp(app, 'dana@example.com');
    await call('getUsage', 200);
    await call('getUsage', 400, { query: { month: 'May' } });
    const plan = (await call('postAdminPlans', 201, { body: { name: 'Conformance', limits: { sites: 0 }, currency: 'EUR' } })).json();
    await call('postAdminPlans', 409, { body: { name: 'Conformance', limits: {} } });
    await call('postAdminPlans', 400, { body: { name: 'Bad', limits: { sites: -1 } } });
    await call('getAdminPlans', 200);
    await call('getAdminPlans', 403, { as: dana });
    await call('patchAdminPlansById', 200, { params: { id: plan.id }, body: { priceMonthlyCents: 900 } });
    await call('patchAdminPlansById', 404, { params: { id: unknownId }, body: { name: 'Nothing' } });
    await call('getAdminQuotaDefaults', 200);
    await call('putAdminQuotaDefaults', 200, { body: {} });
    await call('putAdminQuotaDefaults', 400, { body: { sites: 'many' } });
    await call('getAdminWorkspacesByIdQuota', 200, { params: { id: dana.workspaceId } });
    await call('getAdminWorkspacesByIdQuota', 404, { params: { id: unknownId } });
    await call('getAdminWorkspacesByIdUsage', 200, { params: { id: dana.workspaceId }, query: { month: '2026-01' } });
    await call('getAdminWorkspacesByIdUsage', 404, { params: { id: unknownId } });
    await call('getAdminWorkspacesByIdUsage', 403, { as: dana, params: { id: dana.workspaceId } });
    await call('putAdminWorkspacesByIdQuota', 400, { params: { id: dana.workspaceId }, body: { planId: unknownId } });
    await call('putAdminWorkspacesByIdQuota', 200, { params: { id: dana.workspaceId }, body: { planId: plan.id } });
    await call('postSites', 403, { as: dana, body: { url: 'https://quota.example' } });
    await call('putAdminWorkspacesByIdQuota', 200, {
      params: { id: dana.workspaceId },
      body: { planId: null, overrides: { apiRequestsPerMinutePerCaller: 1 } },
    });
    await call('getUsage', 200, { as: dana });
    await call('getUsage', 429, { as: dana });
    await call('putAdminWorkspacesByIdQuota', 200, { params: { id: dana.workspaceId }, body: { overrides: null } });
  });

  it('answers 405 with Allow, not 404, for a method a known path does not support', async () => {
    for (const [method, url, allow] of [
      ['TRACE', '/api/v1/sites', 'GET, HEAD, POST'],
      ['PUT', '/api/v1/version', 'GET, HEAD'],
      ['PUT', `/api/v1/sites/${unknownId}`, 'DELETE, GET, HEAD, PATCH'],
      ['POST', '/health/live', 'GET, HEAD'],
      // A CORS preflight where no origin is allowed (CORS_ORIGINS unset) is a method the path does not support.
      ['OPTIONS', '/api/v1/sites', 'GET, HEAD, POST'],
    ] as const) {
      const response = await app.inject({ method, url, headers: alice.headers });
      expect(response.statusCode, `${method} ${url}`).toBe(405);
      expect(response.headers.allow).toBe(allow);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 405, requestId: response.headers['x-request-id'] });
    }
    const unknown = await app.inject({ method: 'PUT', url: '/api/v1/nothing-here', headers: alice.headers });
    expect(unknown.statusCode).toBe(404);
  });

  it('every operation of the document has a case, and operationIds are unique', () => {
    const ids = [...Object.values(document.paths)].flatMap((methods) => Object.values(methods).map((operation) => operation.operationId));
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      ids.filter((id) => !called.has(id)),
      'operations without a conformance case',
    ).toEqual([]);
    // The document's examples are these answers: `RECORD_OPENAPI_EXAMPLES=1 npx vitest run test/api/openapi-conformance.test.ts`.
    if (process.env.RECORD_OPENAPI_EXAMPLES === '1' && target.name === databaseTargets()[0]!.name) recorder.write();
  });
});
