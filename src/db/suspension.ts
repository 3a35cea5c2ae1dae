import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { workspaces } from './schema/index.js';

/** Rows whose workspace is not suspended: what schedulers claim (a suspended workspace's schedules wait). */
export function notSuspended(workspaceId: AnyPgColumn): SQL {
  return sql`not exists (select 1 from ${workspaces} suspended where suspended.id = ${workspaceId} and suspended.suspended_at is not null)`;
}
