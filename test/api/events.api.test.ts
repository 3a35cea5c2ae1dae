import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInstance } from '../../src/http/app-instance.js';
import type { Platform } from '../../src/app/platform.js';
import { finishedJob } from '../support/jobs.js';
import { signUp, type TestUser } from '../support/accounts.js';
import { createTestStack } from '../support/app.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { FixtureShop } from '../support/fixture-shop.js';

/** Reads server-sent events from a live stream until `enough` says stop or time runs out. */
async function collectEvents(
  url: string,
  headers: Record<string, string>,
  enough: (events: Array<{ event: string; data: Record<string, unknown> }>) => boolean,
  timeoutMs: number,
) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: Array<{ event: string; data: Record<string, unknown> }> = [];
  try {
    const response = await fetch(url, { headers, signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    // The stream is an answer like any other: the security headers and the request id come with it.
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const reader = response.body!.getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += new TextDecoder().decode(value);
      const blocks = buffer.split('\n\n');
      buffer = blocks.pop()!;
      for (const block of blocks) {
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
      if (enough(events)) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

describe('live events over SSE', () => {
  let database: TestDatabase;
  let app: AppInstance;
  let platform: Platform;
  let shop: FixtureShop;
  let base: string;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    shop = await new FixtureShop().start();
    database = await databaseTargets()[0]!.open();
    ({ app, platform } = await createTestStack({ database, env: { ALLOW_PRIVATE_NETWORK: 'true' } }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    alice = await signUp(app, 'alice@example.com');
    bob = await signUp(app, 'bob@example.com');
    await platform.queue.work(platform.handlers, { concurrency: 2 });
  });

  afterAll(async () => {
    await app.close();
    await database.close();
    await shop.stop();
  });

  const settled = (user: TestUser, jobId: string) => finishedJob(app, user.headers, jobId, 120_000);

  it("streams a workspace's job changes to its members only", async () => {
    expect((await fetch(`${base}/api/v1/events`)).status).toBe(401);
    const aliceStream = collectEvents(
      `${base}/api/v1/events`,
      alice.headers,
      (events) => events.some((event) => event.data.type === 'update_blueprint' && event.data.status === 'succeeded'),
      60_000,
    );
    const bobStream = collectEvents(`${base}/api/v1/events`, bob.headers, () => false, 4_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: alice.headers,
      payload: { url: `${shop.url}/`, fields: [{ name: 'title' }, { name: 'isbn_13' }], maxPages: 6 },
    });
    expect(created.statusCode).toBe(201);
    const seen = await aliceStream;
    const steps = seen.filter((event) => event.event === 'job.updated').map((event) => `${event.data.type}:${event.data.status}`);
    expect(steps).toEqual(expect.arrayContaining(['fingerprint_site:running', 'fingerprint_site:succeeded', 'update_blueprint:succeeded']));
    expect(seen.every((event) => event.data.siteId === created.json().site.id)).toBe(true);
    expect(await bobStream).toEqual([]);

    // Log lines stream too, tied to their step and to the analysis, and the analysis's log
    // holds its steps' lines.
    const analysisId = created.json().job.id as string;
    const logLines = seen.filter((event) => event.event === 'job.log');
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.every((event) => event.data.parentId === analysisId && typeof event.data.message === 'string')).toBe(true);
    const logs = await app.inject({ method: 'GET', url: `/api/v1/jobs/${analysisId}/logs?limit=500`, headers: alice.headers });
    const messages = logs.json<{ items: Array<{ message: string }> }>().items.map((line) => line.message);
    for (const event of logLines) expect(messages).toContain(event.data.message);
  });

  it("sums up the workspace's sites, jobs and LLM cost in the overview", async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/overview' })).statusCode).toBe(401);
    const mine = await app.inject({ method: 'GET', url: '/api/v1/overview', headers: alice.headers });
    expect(mine.statusCode, mine.body).toBe(200);
    const overview = mine.json();
    expect(overview.sites).toMatchObject({ total: 1, ready: 1, failed: 0 });
    // The analysis is one job: its steps are not counted again.
    expect(overview.jobs).toMatchObject({ active: 0, succeeded: 1, failed: 0, successRate: 1 });
    expect(overview.jobs.averageSeconds).toBeGreaterThan(0);
    expect(overview.llm).toEqual({ costThisMonthUsd: 0, requestsThisMonth: 0 });
    const theirs = await app.inject({ method: 'GET', url: '/api/v1/overview', headers: bob.headers });
    expect(theirs.json()).toMatchObject({ sites: { total: 0 }, jobs: { succeeded: 0, successRate: null, averageSeconds: null } });
  });

  it('reports progress within a step, page by page: live on the step and on the analysis', async () => {
    // Slow pages keep the fingerprint step busy long enough to be watched.
    shop.delayMs = 100;
    const live = collectEvents(
      `${base}/api/v1/events`,
      bob.headers,
      (events) => events.some((event) => event.data.type === 'generate_selectors' && event.data.status === 'succeeded'),
      120_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: bob.headers,
      payload: { url: `${shop.url}/`, fields: [{ name: 'title' }], maxPages: 8 },
    });
    expect(created.statusCode, created.body).toBe(201);
    const analysisId = created.json().job.id as string;
    const watched: Array<{ step: string | null; progress: number }> = [];
    for (let polls = 0; polls < 6_000; polls++) {
      const job = (await app.inject({ method: 'GET', url: `/api/v1/jobs/${analysisId}`, headers: bob.headers })).json();
      watched.push({ step: job.step, progress: job.progress });
      if (job.step !== 'fingerprint_site' && job.progress > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    shop.delayMs = 0;
    // The analysis moves during its first step (a fifth of the whole), never backwards.
    expect(
      watched.filter((seen) => seen.step === 'fingerprint_site' && seen.progress > 0 && seen.progress < 0.2).length,
      JSON.stringify(watched),
    ).toBeGreaterThan(0);
    const progress = watched.map((seen) => seen.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // The step's own progress streams as it changes; later steps report their units of work too.
    const events = await live;
    const progressOf = (type: string) =>
      events
        .filter((event) => event.event === 'job.updated' && event.data.type === type && event.data.status === 'running')
        .map((event) => event.data.progress as number);
    const step = progressOf('fingerprint_site');
    expect(new Set(step.filter((value) => value > 0 && value < 1)).size, JSON.stringify(step)).toBeGreaterThanOrEqual(3);
    expect(step).toEqual([...step].sort((a, b) => a - b));
    expect(progressOf('generate_selectors')).toContain(0.5);
    await settled(bob, analysisId);
  });
});
