import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { Blueprint, FieldType, Fingerprint } from '../../engine/blueprint/schema.js';
import type { DiscoveredPageType } from '../../engine/discover/discover.js';
import { workspaces } from './workspaces.js';

export interface SiteOptions {
  /** Fields the user asked for; discovery proposes them when absent. */
  fields?: Array<{ name: string; description?: string; type?: FieldType }>;
  /** Known values on given pages, to learn selectors from. */
  examples?: Array<{ url: string; values: Record<string, string | string[]> }>;
  render?: 'auto' | 'never' | 'always';
  maxPages?: number;
}

/** A website a workspace watches. */
export const sites = pgTable(
  'sites',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    name: text('name').notNull(),
    status: text('status', { enum: ['pending', 'analyzing', 'ready', 'failed'] })
      .notNull()
      .default('pending'),
    health: text('health', { enum: ['unknown', 'healthy', 'degraded', 'down'] })
      .notNull()
      .default('unknown'),
    options: jsonb('options').notNull().$type<SiteOptions>().default({}),
    /** Cron expression or interval such as "every 1d"; null disables scheduled checks. */
    schedule: text('schedule').default('every 1d'),
    fingerprint: jsonb('fingerprint').$type<Fingerprint>(),
    pageTypes: jsonb('page_types').$type<DiscoveredPageType[]>(),
    activeBlueprintId: uuid('active_blueprint_id'),
    lastCheckedAt: timestamp('last_checked_at', { withTimezone: true }),
    nextCheckAt: timestamp('next_check_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('sites_workspace_url_idx').on(table.workspaceId, table.url),
    index('sites_workspace_created_idx').on(table.workspaceId, table.createdAt, table.id),
    index('sites_next_check_idx')
      .on(table.nextCheckAt)
      .where(sql`${table.schedule} is not null`),
  ],
);

/** Pages sampled from a site during analysis: the material every later step works on. */
export const sitePages = pgTable(
  'site_pages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    finalUrl: text('final_url').notNull(),
    status: integer('status').notNull(),
    headers: jsonb('headers').notNull().$type<Record<string, string>>(),
    html: text('html').notNull(),
    rendered: boolean('rendered').notNull().default(false),
    fetchMs: integer('fetch_ms').notNull(),
    pageType: text('page_type'),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('site_pages_site_url_idx').on(table.siteId, table.url)],
);

/** Immutable blueprint versions; a version exists once per distinct content. */
export const blueprintVersions = pgTable(
  'blueprint_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    contentHash: text('content_hash').notNull(),
    content: jsonb('content').notNull().$type<Blueprint>(),
    /** Why this version exists: analysis, repair, manual edit, rollback. */
    reason: text('reason').notNull(),
    createdByJob: uuid('created_by_job'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('blueprint_versions_site_version_idx').on(table.siteId, table.version),
    // Makes writing a version idempotent: a retried or duplicated job cannot add the same content twice.
    uniqueIndex('blueprint_versions_site_hash_idx').on(table.siteId, table.contentHash),
  ],
);

/** Health history: one row per scheduled or manual check. */
export const siteChecks = pgTable(
  'site_checks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    checkedAt: timestamp('checked_at', { withTimezone: true }).notNull().defaultNow(),
    httpStatus: integer('http_status'),
    responseMs: integer('response_ms'),
    coverage: real('coverage'),
    baselineCoverage: real('baseline_coverage'),
    health: text('health', { enum: ['healthy', 'degraded', 'down'] }).notNull(),
    details: jsonb('details'),
  },
  (table) => [index('site_checks_site_idx').on(table.siteId, table.checkedAt)],
);
