import { z } from 'zod';
import { HttpProblem } from './problem.js';

/** Position after the last row of a page, for keyset pagination over (created_at, id). */
export interface Cursor {
  createdAt: Date;
  id: string;
}

const cursorSchema = z.object({ t: z.iso.datetime(), id: z.uuid() });

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify({ t: row.createdAt.toISOString(), id: row.id })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { createdAt: new Date(parsed.t), id: parsed.id };
  } catch {
    throw new HttpProblem(400, 'The cursor is not one this API returned', {
      slug: 'validation',
      errors: [{ in: 'querystring', path: '/cursor', message: 'invalid cursor' }],
    });
  }
}

export const paginationQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(25).describe('Page size, at most 100'),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
};

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int().describe('Rows matching the filters, over all pages'),
    nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page'),
  });
}

/** Builds the page body: nextCursor only when the page is full (there may be more). */
export function toPage<Row extends { createdAt: Date; id: string }, Item>(
  rows: Row[],
  total: number,
  limit: number,
  map: (row: Row) => Item,
): { items: Item[]; total: number; nextCursor: string | null } {
  const last = rows.at(-1);
  return { items: rows.map(map), total, nextCursor: rows.length === limit && last ? encodeCursor(last) : null };
}
