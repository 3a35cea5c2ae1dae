import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractionResults, jobs } from '../../src/db/schema/index.js';
import { extractionExport } from '../../src/reports/extraction-export.js';
import { ReportsRepository } from '../../src/reports/reports.repository.js';
import { createTestWorkspace, databaseTargets, type TestDatabase } from '../support/databases.js';

const RECORDS = 1_600;
/** The repository reads 500 records a page. */
const PAGES = Math.ceil(RECORDS / 500);

/**
 * An extraction export streams: its first chunk is out after the first page of records is read,
 * not after all of them, and the whole export still holds every record once, in order.
 */
describe.each(databaseTargets().filter((target) => target.name === 'pglite'))('extraction export on $name', (target) => {
  let database: TestDatabase;
  let jobId: string;
  let pagesRead = 0;
  let repository: ReportsRepository;

  beforeAll(async () => {
    database = await target.open();
    const workspaceId = await createTestWorkspace(database);
    [{ id: jobId }] = (await database.db
      .insert(jobs)
      .values({ workspaceId, type: 'extract_batch', status: 'succeeded', priority: 3, payload: {} })
      .returning({ id: jobs.id })) as [{ id: string }];
    await database.db.insert(extractionResults).values(
      Array.from({ length: RECORDS }, (_, position) => ({
        jobId,
        position,
        url: `https://shop.example/p/${position}`,
        data: { title: `Book ${position}`, price: position },
      })),
    );
    // Counts the pages of records read, by watching the repository's queries go to the database.
    const counting = {
      ...database,
      query: <Row extends Record<string, unknown>>(statement: SQL) => {
        if (new PgDialect().sqlToQuery(statement).sql.includes('from extraction_results')) pagesRead++;
        return database.query<Row>(statement);
      },
    };
    repository = new ReportsRepository(counting);
  });

  afterAll(async () => {
    await database?.close();
  });

  for (const format of ['ndjson', 'csv'] as const) {
    it(`writes ${format} as it reads, a page at a time`, async () => {
      pagesRead = 0;
      const chunks = extractionExport(repository, [jobId], format);
      const first = await chunks.next();
      expect(first.done).toBe(false);
      expect(pagesRead).toBeLessThan(PAGES);
      let text = first.value as string;
      for await (const chunk of chunks) text += chunk;
      // CSV first reads the field names for its header: one more query.
      expect(pagesRead).toBe(PAGES + (format === 'csv' ? 1 : 0));
      const lines = text.trim().split('\n');
      if (format === 'ndjson') {
        expect(lines).toHaveLength(RECORDS);
        expect(JSON.parse(lines.at(-1)!)).toMatchObject({ url: `https://shop.example/p/${RECORDS - 1}` });
      } else {
        expect(lines).toHaveLength(RECORDS + 1);
        expect(lines[0]).toBe('job_id,url,page_type,error,price,title');
        expect(lines.at(-1)).toContain(`Book ${RECORDS - 1}`);
      }
    });
  }
});
