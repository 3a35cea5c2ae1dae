import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { reports } from '../db/schema/index.js';

export type ReportRecord = typeof reports.$inferSelect;
export type NewReport = typeof reports.$inferInsert;

export interface SiteFailure {
  jobId: string;
  type: string;
  error: string | null;
  finishedAt: Date | null;
}

export interface ExportRow {
  jobId: string;
  position: number;
  url: string;
  pageType: string | null;
  data: Record<string, unknown>;
  error: string | null;
}

/** The reports table, plus the few reads of product tables a report needs that no other repository offers. */
export class ReportsRepository {
  constructor(private readonly database: Database) {}

  private get db() {
    return this.database.db;
  }

  async insert(report: NewReport): Promise<ReportRecord> {
    const [row] = await this.db.insert(reports).values(report).returning();
    return row!;
  }

  async get(id: string): Promise<ReportRecord | undefined> {
    const [row] = await this.db.select().from(reports).where(eq(reports.id, id));
    return row;
  }

  async getInWorkspace(workspaceId: string, id: string): Promise<ReportRecord | undefined> {
    const [row] = await this.db.select().from(reports).where(and(eq(reports.workspaceId, workspaceId), eq(reports.id, id)));
    return row;
  }

  async list(workspaceId: string, limit: number): Promise<ReportRecord[]> {
    return this.db.select().from(reports).where(eq(reports.workspaceId, workspaceId)).orderBy(desc(reports.createdAt), desc(reports.id)).limit(limit);
  }

  async update(id: string, changes: Partial<Omit<NewReport, 'id' | 'workspaceId'>>): Promise<void> {
    await this.db.update(reports).set(changes).where(eq(reports.id, id));
  }

  /** Finished reports created before the cutoff, deleted; their rows are returned so their files can go too. */
  async deleteFinishedBefore(cutoff: Date): Promise<ReportRecord[]> {
    return this.db
      .delete(reports)
      .where(and(lt(reports.createdAt, cutoff), inArray(reports.status, ['succeeded', 'failed'])))
      .returning();
  }

  async recentFailures(siteId: string, limit: number): Promise<SiteFailure[]> {
    return this.database.query<SiteFailure & Record<string, unknown>>(sql`
      select id as "jobId", type, error, finished_at as "finishedAt" from jobs
      where site_id = ${siteId} and status = 'failed' order by finished_at desc nulls last limit ${limit}`);
  }

  /** The site's extraction batches that produced results, oldest first. */
  async extractionJobs(workspaceId: string, siteId: string): Promise<string[]> {
    const rows = await this.database.query<{ id: string }>(sql`
      select id from jobs where workspace_id = ${workspaceId} and site_id = ${siteId} and type = 'extract_batch' and status = 'succeeded'
      order by created_at, id`);
    return rows.map((row) => row.id);
  }

  /** Every field name the jobs' records carry, so a CSV header can be written before the rows stream. */
  async exportFields(jobIds: string[]): Promise<string[]> {
    if (jobIds.length === 0) return [];
    const rows = await this.database.query<{ field: string }>(sql`
      select distinct jsonb_object_keys(data) as field from extraction_results
      where job_id in (${sql.join(jobIds.map((id) => sql`${id}::uuid`), sql`, `)}) order by 1`);
    return rows.map((row) => row.field);
  }

  /** One job's records in position order, a page at a time: exports never hold more than a page. */
  async *exportRows(jobIds: string[], pageSize = 500): AsyncGenerator<ExportRow> {
    for (const jobId of jobIds) {
      let after = -1;
      for (;;) {
        const page = await this.database.query<ExportRow & Record<string, unknown>>(sql`
          select job_id as "jobId", position, url, page_type as "pageType", data, error from extraction_results
          where job_id = ${jobId} and position > ${after} order by position limit ${pageSize}`);
        yield* page;
        if (page.length < pageSize) break;
        after = page.at(-1)!.position;
      }
    }
  }
}
