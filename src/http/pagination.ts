import { z } from 'zod';
import { HttpProblem } from './problem.js';

/**
 * Position after the last row of a page, for keyset pagination over (sort value, id): the
 * sort value is carried as text (an ISO time or a name) and compared in SQL.
 */
export interface Cursor {
  value: string;
  id: string;
}

const cursorSchema = z.object({ v: z.string(), id: z.uuid() });

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify({ v: cursor.value, id: cursor.id })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { value: parsed.v, id: parsed.id };
  } catch {
    throw new HttpProblem(400, 'The cursor is not one this API returned', {
      slug: 'validation',
      errors: [{ in: 'querystring', path: '/cursor', message: 'invalid cursor' }],
    });
  }
}

export const paginationQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(25).describe('Page size, at most 100'),
  cursor: z.string().max(500).optional().describe('nextCursor of the previous page'),
};

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int().describe('Rows matching the filters, over all pages'),
    nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page'),
  });
}

/** Builds the page body: nextCursor only when the page is full (there may be more). */
export function toPage<Row, Item>(
  rows: Row[],
  total: number,
  limit: number,
  map: (row: Row) => Item,
  cursorOf: (row: Row) => Cursor,
): { items: Item[]; total: number; nextCursor: string | null } {
  const last = rows.at(-1);
  return { items: rows.map(map), total, nextCursor: rows.length === limit && last ? encodeCursor(cursorOf(last)) : null };
}
