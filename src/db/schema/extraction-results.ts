import { integer, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import type { TypedField } from '../../engine/extract/index.js';
import { jobs } from './jobs.js';

/** Records of an extraction batch job, one row per requested URL, in request order. */
export const extractionResults = pgTable(
  'extraction_results',
  {
    jobId: uuid('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    url: text('url').notNull(),
    pageType: text('page_type'),
    data: jsonb('data').notNull().$type<Record<string, unknown>>(),
    error: text('error'),
    /** Per field: its declared type, typed value, raw text and valid flag (`items` per listing record); null on rows stored before typed values. */
    typed: jsonb('typed').$type<{ fields: Record<string, TypedField>; items?: Record<string, TypedField>[] }>(),
  },
  (table) => [primaryKey({ columns: [table.jobId, table.position] })],
);
