import { and, asc, eq, gt } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { extractionResults } from '../db/schema/index.js';

export type ExtractionResultRecord = typeof extractionResults.$inferSelect;

export class ExtractionResultsRepository {
  constructor(private readonly db: Db) {}

  /** Stores one record; a retried job overwrites what an earlier attempt stored. */
  async save(result: ExtractionResultRecord): Promise<void> {
    await this.db
      .insert(extractionResults)
      .values(result)
      .onConflictDoUpdate({
        target: [extractionResults.jobId, extractionResults.position],
        set: { url: result.url, pageType: result.pageType, data: result.data, typed: result.typed, error: result.error },
      });
  }

  /** Positions already stored, so a retried job resumes where the last attempt stopped. */
  async done(jobId: string): Promise<Set<number>> {
    const rows = await this.db
      .select({ position: extractionResults.position })
      .from(extractionResults)
      .where(eq(extractionResults.jobId, jobId));
    return new Set(rows.map((row) => row.position));
  }

  /** Results in request order, in pages of `limit` after `after` (a position). */
  async page(jobId: string, after: number, limit: number): Promise<ExtractionResultRecord[]> {
    return this.db
      .select()
      .from(extractionResults)
      .where(and(eq(extractionResults.jobId, jobId), gt(extractionResults.position, after)))
      .orderBy(asc(extractionResults.position))
      .limit(limit);
  }
}
