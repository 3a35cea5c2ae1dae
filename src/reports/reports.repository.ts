import { and, asc, desc, eq, inArray, isNotNull, lt, lte, sql } from 'drizzle-orm';
import type { EmailOutboxRepository, NewOutboxMessage } from '../accounts/email-outbox.repository.js';
import type { Database } from '../db/client.js';
import { notSuspended } from '../db/suspension.js';
import { reportSchedules, reports } from '../db/schema/index.js';
import { recordReportReady } from '../notifications/index.js';

export type ReportScheduleRecord = typeof reportSchedules.$inferSelect;
export type NewReportSchedule = typeof reportSchedules.$inferInsert;

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
    const [row] = await this.db
      .select()
      .from(reports)
      .where(and(eq(reports.workspaceId, workspaceId), eq(reports.id, id)));
    return row;
  }

  async list(workspaceId: string, limit: number): Promise<ReportRecord[]> {
    return this.db
      .select()
      .from(reports)
      .where(eq(reports.workspaceId, workspaceId))
      .orderBy(desc(reports.createdAt), desc(reports.id))
      .limit(limit);
  }

  async update(id: string, changes: Partial<Omit<NewReport, 'id' | 'workspaceId'>>): Promise<void> {
    await this.db.update(reports).set(changes).where(eq(reports.id, id));
  }

  /**
   * Marks the report done and queues its emails in one transaction: a crash before it leaves the
   * job to run again, a crash after it leaves the emails to the outbox, so each is sent once.
   */
  async completeWithEmails(
    id: string,
    changes: Partial<NewReport>,
    outbox: EmailOutboxRepository,
    messages: NewOutboxMessage[],
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [report] = await tx.update(reports).set(changes).where(eq(reports.id, id)).returning();
      if (report?.status === 'succeeded') await recordReportReady(tx, report);
      for (const message of messages) await outbox.enqueue(message, tx);
    });
  }

  async insertSchedule(schedule: NewReportSchedule): Promise<ReportScheduleRecord> {
    const [row] = await this.db.insert(reportSchedules).values(schedule).returning();
    return row!;
  }

  async schedule(id: string): Promise<ReportScheduleRecord | undefined> {
    const [row] = await this.db.select().from(reportSchedules).where(eq(reportSchedules.id, id));
    return row;
  }

  async schedules(workspaceId: string): Promise<ReportScheduleRecord[]> {
    return this.db
      .select()
      .from(reportSchedules)
      .where(eq(reportSchedules.workspaceId, workspaceId))
      .orderBy(desc(reportSchedules.createdAt), desc(reportSchedules.id));
  }

  async deleteSchedule(workspaceId: string, id: string): Promise<boolean> {
    const deleted = await this.db
      .delete(reportSchedules)
      .where(and(eq(reportSchedules.workspaceId, workspaceId), eq(reportSchedules.id, id)))
      .returning({ id: reportSchedules.id });
    return deleted.length > 0;
  }

  /**
   * Claims the schedules that are due and moves each to its next run, in one transaction with
   * SKIP LOCKED: however many API processes tick, each run is claimed once. Schedules of a
   * suspended workspace are not claimed: their run waits, and happens once when it is unsuspended.
   */
  async claimDueSchedules(
    now: Date,
    limit: number,
    nextRun: (schedule: ReportScheduleRecord) => Date | null,
  ): Promise<ReportScheduleRecord[]> {
    return this.db.transaction(async (tx) => {
      const due = await tx
        .select()
        .from(reportSchedules)
        .where(
          and(
            eq(reportSchedules.enabled, true),
            isNotNull(reportSchedules.nextRunAt),
            lte(reportSchedules.nextRunAt, now),
            notSuspended(reportSchedules.workspaceId),
          ),
        )
        .orderBy(asc(reportSchedules.nextRunAt))
        .limit(limit)
        .for('update', { skipLocked: true });
      for (const schedule of due) {
        await tx
          .update(reportSchedules)
          .set({ nextRunAt: nextRun(schedule), lastRunAt: now })
          .where(eq(reportSchedules.id, schedule.id));
      }
      return due;
    });
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
      where job_id in (${sql.join(
        jobIds.map((id) => sql`${id}::uuid`),
        sql`, `,
      )}) order by 1`);
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
