import { and, count, eq, gte, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { jobs, llmRequests, sites } from '../db/schema/index.js';

export interface WorkspaceOverview {
  sites: { total: number; ready: number; analyzing: number; failed: number; healthy: number; degraded: number; down: number };
  jobs: { active: number; succeeded: number; failed: number; cancelled: number; successRate: number | null; averageSeconds: number | null };
  llm: { costThisMonthUsd: number; requestsThisMonth: number };
}

/**
 * The dashboard's headline numbers for one workspace, each from one aggregate query. Jobs
 * count top-level work only (analyses, checks, batches), not the steps inside an analysis.
 */
export class OverviewRepository {
  constructor(private readonly db: Db) {}

  async forWorkspace(workspaceId: string, monthStart: Date): Promise<WorkspaceOverview> {
    const countWhere = (condition: ReturnType<typeof sql>) => sql<number>`count(*) filter (where ${condition})::int`;
    const [siteRow] = await this.db
      .select({
        total: count(),
        ready: countWhere(sql`${sites.status} = 'ready'`),
        analyzing: countWhere(sql`${sites.status} = 'analyzing'`),
        failed: countWhere(sql`${sites.status} = 'failed'`),
        healthy: countWhere(sql`${sites.health} = 'healthy'`),
        degraded: countWhere(sql`${sites.health} = 'degraded'`),
        down: countWhere(sql`${sites.health} = 'down'`),
      })
      .from(sites)
      .where(eq(sites.workspaceId, workspaceId));
    const [jobRow] = await this.db
      .select({
        active: countWhere(sql`${jobs.status} in ('queued', 'running')`),
        succeeded: countWhere(sql`${jobs.status} = 'succeeded'`),
        failed: countWhere(sql`${jobs.status} = 'failed'`),
        cancelled: countWhere(sql`${jobs.status} = 'cancelled'`),
        averageSeconds: sql<
          number | null
        >`(avg(extract(epoch from (${jobs.finishedAt} - ${jobs.createdAt}))) filter (where ${jobs.status} = 'succeeded'))::float8`,
      })
      .from(jobs)
      .where(and(eq(jobs.workspaceId, workspaceId), isNull(jobs.parentId)));
    const [llmRow] = await this.db
      .select({
        cost: sql<number>`coalesce(sum(${llmRequests.costUsd}), 0)::float8`,
        requests: count(),
      })
      .from(llmRequests)
      .where(and(eq(llmRequests.workspaceId, workspaceId), gte(llmRequests.createdAt, monthStart)));
    const finished = jobRow!.succeeded + jobRow!.failed;
    return {
      sites: siteRow!,
      jobs: { ...jobRow!, successRate: finished ? jobRow!.succeeded / finished : null },
      llm: { costThisMonthUsd: llmRow!.cost, requestsThisMonth: llmRow!.requests },
    };
  }
}
