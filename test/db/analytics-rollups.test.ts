import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsRepository, AnalyticsService } from '../../src/analytics/index.js';
import { addApiUsageRows } from '../../src/analytics/api-usage.recorder.js';
import { TIMESERIES_METRICS } from '../../src/analytics/analytics.repository.js';
import { apiUsageMinutes, extractionResults, jobs, llmRequests, sites } from '../../src/db/schema/index.js';
import { createTestWorkspace, databaseTargets, type TestDatabase } from '../support/databases.js';

const HOUR = 3_600_000;
const start = Date.parse('2026-05-04T00:00:00Z');
/** A moment `hours` after the start, plus a few seconds so rows fall inside hours, not on their edges. */
const at = (hours: number, seconds = 0) => new Date(start + hours * HOUR + seconds * 1000);
const now = at(72);

/**
 * The hourly rollups (drizzle/0017, kept by triggers) must give exactly the figures the source
 * tables give: the same service answers with rollups and without, after inserts, status changes
 * (a retried job leaving "succeeded"), updates and deletes (cascades included), for aligned and
 * ragged periods, one workspace and all of them.
 */
describe.each(databaseTargets())('analytics rollups on $name', (target) => {
  let database: TestDatabase;
  let workspace: string;
  let other: string;
  let site: string;
  let rolled: AnalyticsService;
  let raw: AnalyticsService;

  const periods = [
    { from: at(0).toISOString(), to: now.toISOString() },
    // Ragged edges on both sides.
    { from: at(5, 1234).toISOString(), to: at(50, 77).toISOString() },
    // Whole days, whole hours around them and ragged edges.
    { from: at(13, 95).toISOString(), to: at(61, 1999).toISOString() },
    // Shorter than two hours: no whole hour in it.
    { from: at(10, 600).toISOString(), to: at(11, 1800).toISOString() },
  ];

  async function expectSameFigures(): Promise<void> {
    for (const viewer of [
      { workspaceId: workspace, systemAdmin: true, scope: 'workspace' as const },
      { workspaceId: workspace, systemAdmin: true, scope: 'all' as const },
    ]) {
      for (const period of periods) {
        const query = { ...period, scope: viewer.scope };
        expect(await rolled.summary(viewer, query, now)).toEqual(await raw.summary(viewer, query, now));
        for (const metric of TIMESERIES_METRICS) {
          for (const interval of ['hour', 'day'] as const) {
            const series = { ...query, metric, interval };
            expect(await rolled.timeseries(viewer, series, now), `${metric} by ${interval}`).toEqual(
              await raw.timeseries(viewer, series, now),
            );
          }
        }
      }
    }
  }

  /** The rollup table of jobs holds what aggregating the jobs table gives, key for key, by hour and by day. */
  async function expectJobRollupMatchesJobs(): Promise<void> {
    for (const span of ['hour', 'day']) {
      const rollup = await database.query(sql`select workspace_id, at, type, status, top_level, jobs, timed, seconds::text as seconds
        from analytics_job_rollups where span = ${span} order by 1, 2, 3, 4, 5`);
      const fresh =
        await database.query(sql`select workspace_id, date_trunc(${span}, created_at at time zone 'UTC') at time zone 'UTC' as at,
          type, status, parent_id is null as top_level, count(*)::int as jobs, count(finished_at)::int as timed,
          coalesce(sum(extract(epoch from (finished_at - coalesce(started_at, created_at)))), 0)::text as seconds
        from jobs group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5`);
      expect(fresh.length).toBeGreaterThan(0);
      expect(rollup.map(normalise)).toEqual(fresh.map(normalise));
    }
  }

  beforeAll(async () => {
    database = await target.open();
    workspace = await createTestWorkspace(database, 'Rolled');
    other = await createTestWorkspace(database, 'Other');
    [{ id: site }] = (await database.db
      .insert(sites)
      .values({ workspaceId: workspace, url: 'https://rolled.example/', name: 'Rolled', status: 'ready' })
      .returning({ id: sites.id })) as [{ id: string }];
    rolled = new AnalyticsService(new AnalyticsRepository(database));
    raw = new AnalyticsService(new AnalyticsRepository(database, { rollups: false }));

    const types = ['analyze_site', 'check_site', 'extract_batch'];
    const statuses = ['succeeded', 'succeeded', 'failed', 'cancelled', 'queued', 'running'] as const;
    const rows = Array.from({ length: 180 }, (_, i) => {
      const created = at(i * 0.4, (i * 37) % 60);
      const status = statuses[i % statuses.length]!;
      const finished = status === 'queued' || status === 'running' ? null : new Date(created.getTime() + 1000 + ((i * 7919) % 500) * 731);
      return {
        workspaceId: i % 5 === 0 ? other : workspace,
        siteId: site,
        type: types[i % types.length]!,
        status,
        priority: 1,
        payload: {},
        createdAt: created,
        startedAt: status === 'queued' ? null : new Date(created.getTime() + 500),
        finishedAt: finished,
      };
    });
    const inserted = await database.db.insert(jobs).values(rows).returning({ id: jobs.id, type: jobs.type });
    // Steps of analyses: counted by type in the summary, never as top-level jobs.
    await database.db.insert(jobs).values(
      inserted
        .filter((job) => job.type === 'analyze_site')
        .slice(0, 20)
        .map((parent, i) => ({ ...rows[i * 3]!, type: 'fingerprint_site', parentId: parent.id, workspaceId: workspace })),
    );
    const batches = inserted.filter((job) => job.type === 'extract_batch').slice(0, 12);
    await database.db.insert(extractionResults).values(
      batches.flatMap((job, i) =>
        Array.from({ length: 1 + (i % 4) }, (_, position) => ({
          jobId: job.id,
          position,
          url: `https://rolled.example/p/${i}/${position}`,
          data: { title: 't' },
          error: position === 2 ? 'no record' : null,
        })),
      ),
    );
    await database.db.insert(llmRequests).values(
      Array.from({ length: 60 }, (_, i) => ({
        workspaceId: i % 4 === 0 ? other : workspace,
        siteId: site,
        step: ['discover_categories', 'generate_selectors'][i % 2]!,
        model: ['model-a', 'model-b', 'model-c'][i % 3]!,
        promptTokens: 100 + i,
        completionTokens: 10 + i,
        costUsd: i % 7 === 0 ? null : 0.0013 * (i + 1),
        costSource: 'provider' as const,
        latencyMs: 10,
        status: 'ok' as const,
        createdAt: at(i * 1.1, 59),
      })),
    );
    await addApiUsage(0);
  });

  /** Adds API usage as the recorder flushes it: insert, or add onto an existing minute. */
  async function addApiUsage(round: number): Promise<void> {
    await addApiUsageRows(
      database.db,
      Array.from({ length: 40 }, (_, i) => ({
        minute: new Date(Math.floor(at(i * 1.7, 30).getTime() / 60_000) * 60_000),
        workspaceId: i % 3 === 0 ? other : workspace,
        method: 'GET',
        route: ['/api/v1/sites', '/api/v1/jobs'][i % 2]!,
        statusClass: i % 5 === 0 ? '4xx' : '2xx',
        apiKeyId: i % 2 ? 'key-1' : '',
        userId: i % 2 ? '' : 'user-1',
        requests: 1 + ((i + round) % 6),
        totalMs: 3.3 * (1 + (i % 9)),
      })),
    );
  }

  afterAll(async () => {
    await database?.close();
  });

  it('gives the figures of the source tables after inserts', async () => {
    await expectJobRollupMatchesJobs();
    await expectSameFigures();
  });

  it('follows status changes after completion, updates and deletes, cascades included', async () => {
    const db = database.db;
    // Retries: succeeded and failed jobs queued again, then some of them finish anew.
    const done = await db
      .select({ id: jobs.id })
      .from(jobs)
      .where(and(eq(jobs.workspaceId, workspace), inArray(jobs.status, ['succeeded', 'failed'])))
      .orderBy(jobs.createdAt);
    const retried = done.filter((_, i) => i % 4 === 0).map((row) => row.id);
    await db.update(jobs).set({ status: 'queued', startedAt: null, finishedAt: null }).where(inArray(jobs.id, retried));
    await db
      .update(jobs)
      .set({
        status: 'succeeded',
        startedAt: sql`created_at + interval '2 hours'`,
        finishedAt: sql`created_at + interval '2 hours 13.25 seconds'`,
      })
      .where(inArray(jobs.id, retried.slice(0, 5)));
    // Running jobs finish; a progress write alone changes nothing.
    await db.update(jobs).set({ progress: 0.5 }).where(eq(jobs.status, 'running'));
    await db
      .update(jobs)
      .set({ status: 'failed', finishedAt: sql`created_at + interval '90 minutes'` })
      .where(eq(jobs.status, 'running'));
    // Deleting jobs takes their extraction pages with them (by cascade); results also go alone.
    const batch = await db.select({ id: extractionResults.jobId }).from(extractionResults).limit(1);
    await db.delete(jobs).where(eq(jobs.id, batch[0]!.id));
    await db.delete(jobs).where(and(eq(jobs.status, 'cancelled'), eq(jobs.workspaceId, other)));
    await db.delete(extractionResults).where(eq(extractionResults.position, 0));
    await db.update(extractionResults).set({ error: 'gone' }).where(eq(extractionResults.position, 1));
    // LLM costs corrected, calls deleted; API usage added onto existing minutes.
    await db
      .update(llmRequests)
      .set({ costUsd: sql`coalesce(cost_usd, 0) + 0.5`, model: 'model-a' })
      .where(eq(llmRequests.step, 'generate_selectors'));
    await db.delete(llmRequests).where(eq(llmRequests.model, 'model-c'));
    await addApiUsage(1);
    await db.delete(apiUsageMinutes).where(eq(apiUsageMinutes.statusClass, '4xx'));

    await expectJobRollupMatchesJobs();
    await expectSameFigures();
  });
});

function normalise(row: Record<string, unknown>): Record<string, unknown> {
  return { ...row, at: new Date(row.at as string).toISOString(), seconds: Number(row.seconds) };
}
