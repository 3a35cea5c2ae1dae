import { and, asc, count, desc, eq, ilike, inArray, isNotNull, lte, or, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.js';
import { notSuspended } from '../db/suspension.js';
import { siteChecks, sitePages, sites } from '../db/schema/sites.js';

export type SiteRecord = typeof sites.$inferSelect;
export type NewSite = typeof sites.$inferInsert;
export type SitePageRecord = typeof sitePages.$inferSelect;
export type NewSitePage = Omit<typeof sitePages.$inferInsert, 'siteId' | 'id'>;
export type SiteCheckRecord = typeof siteChecks.$inferSelect;

/** A site as lists show it: no stored fingerprint or page types, only the technologies' names; times as ISO 8601 text. */
export type SiteListRow = Pick<SiteRecord, 'id' | 'url' | 'name' | 'status' | 'health' | 'schedule'> & {
  technologies: string[];
  lastCheckedAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export type SiteSort = 'createdAt' | '-createdAt' | 'name' | '-name';

export interface SiteFilter {
  status?: SiteRecord['status'];
  health?: SiteRecord['health'];
  /** Name of a detected technology, e.g. WordPress. */
  technology?: string;
  /** Case-insensitive match on name or URL. */
  search?: string;
}

export class SitesRepository {
  /** `changed` is called after every write to a site's row, with its workspace when known (see SiteListCache). */
  constructor(
    private readonly db: Db,
    private readonly changed: (workspaceId?: string) => void = () => {},
  ) {}

  async getInWorkspace(workspaceId: string, id: string): Promise<SiteRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(sites)
      .where(and(eq(sites.workspaceId, workspaceId), eq(sites.id, id)));
    return row;
  }

  /** The workspace's sites among `ids`, in one query; ids of other workspaces are simply absent. */
  async getManyInWorkspace(workspaceId: string, ids: readonly string[]): Promise<SiteRecord[]> {
    if (ids.length === 0) return [];
    return this.db
      .select()
      .from(sites)
      .where(and(eq(sites.workspaceId, workspaceId), inArray(sites.id, [...ids])));
  }

  async findByUrl(workspaceId: string, url: string): Promise<SiteRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(sites)
      .where(and(eq(sites.workspaceId, workspaceId), eq(sites.url, url)));
    return row;
  }

  /** Keyset-paginated on (sort key, id); the cursor value is the sort key as text. */
  async listInWorkspace(
    workspaceId: string,
    filter: SiteFilter,
    page: { limit: number; sort: SiteSort; after?: { value: string; id: string } },
  ): Promise<{ rows: SiteListRow[]; total: number }> {
    const shape: ListShape = {
      status: filter.status !== undefined,
      health: filter.health !== undefined,
      technology: filter.technology !== undefined,
      search: filter.search !== undefined,
      sort: page.sort,
      after: page.after !== undefined,
    };
    // The name must be the same for the same SQL in every repository sharing a connection pool.
    const name = `sites_list_${listShapeName(shape)}`;
    let queries = this.listQueries.get(name);
    if (!queries) this.listQueries.set(name, (queries = { page: this.prepareList(shape, name) }));
    const values = {
      workspaceId,
      status: filter.status,
      health: filter.health,
      technology: filter.technology,
      search: filter.search === undefined ? undefined : `%${escapeLike(filter.search)}%`,
      afterValue: page.after?.value,
      afterId: page.after?.id,
      limit: page.limit,
    };
    const rows = await queries.page.execute(values);
    // An empty page past the first still needs the total; an empty first page has none.
    const total =
      rows[0]?.total ?? (page.after ? (await (queries.count ??= this.prepareCount(shape, `${name}_count`)).execute(values))[0]!.total : 0);
    return { rows: rows.map(({ total: _total, ...row }) => row), total };
  }

  // The list is what dashboards poll: its query is built once per combination of filters, sort and
  // cursor, and prepared on each connection (building and planning it cost more than running it).
  private readonly listQueries = new Map<
    string,
    { page: ReturnType<SitesRepository['prepareList']>; count?: ReturnType<SitesRepository['prepareCount']> }
  >();

  private prepareCount(shape: ListShape, name: string) {
    return this.db.select({ total: count() }).from(sites).where(listFilter(shape)).prepare(name);
  }

  private prepareList(shape: ListShape, name: string) {
    const where = listFilter(shape);
    const descending = shape.sort.startsWith('-');
    // Millisecond precision, like the JavaScript dates cursors are made of, truncated in UTC: truncating
    // a timestamptz consults the session's time zone for every row, which made PGlite's lists 3x slower.
    // Names sort case-insensitively, byte by byte, the same on PGlite and on any PostgreSQL locale.
    const key = shape.sort.endsWith('createdAt')
      ? sql`date_trunc('milliseconds', ${sites.createdAt} at time zone 'UTC')`
      : sql`lower(${sites.name}) collate "C"`;
    const cast = shape.sort.endsWith('createdAt') ? sql`::timestamptz at time zone 'UTC'` : sql` collate "C"`;
    const after = sql`(${sql.placeholder('afterValue')}${cast}, ${sql.placeholder('afterId')}::uuid)`;
    const cursor = shape.after ? (descending ? sql`(${key}, ${sites.id}) < ${after}` : sql`(${key}, ${sites.id}) > ${after}`) : undefined;
    const direction = descending ? sql`desc` : sql`asc`;
    // One round trip: the page, each row carrying the filter's total; the big JSON columns stay in the table.
    return this.db
      .select({
        id: sites.id,
        url: sites.url,
        name: sites.name,
        status: sites.status,
        health: sites.health,
        schedule: sites.schedule,
        // Formatted by the database: parsing into Dates only to format them again was a good part of a list's cost.
        lastCheckedAt: isoTime<string | null>(sites.lastCheckedAt),
        createdAt: isoTime<string>(sites.createdAt),
        updatedAt: isoTime<string>(sites.updatedAt),
        technologies: sql<
          string[]
        >`coalesce((select jsonb_agg(t.value->>'name' order by t.n) from jsonb_array_elements(${sites.fingerprint}->'technologies') with ordinality t(value, n)), '[]'::jsonb)`,
        total: this.db.$count(sites, where),
      })
      .from(sites)
      .where(and(where, cursor))
      .orderBy(sql`${key} ${direction}`, sql`${sites.id} ${direction}`)
      .limit(sql.placeholder('limit'))
      .prepare(name);
  }

  async delete(workspaceId: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .delete(sites)
      .where(and(eq(sites.workspaceId, workspaceId), inArray(sites.id, ids)))
      .returning({ id: sites.id });
    if (rows.length) this.changed(workspaceId);
    return rows.map((row) => row.id);
  }

  /**
   * Inserts a site, in the caller's transaction when it passes one. Caches forget the workspace's
   * lists now and again when the database announces the commit.
   */
  async insert(site: NewSite, db: Db = this.db): Promise<SiteRecord> {
    const [row] = await db.insert(sites).values(site).returning();
    this.changed(row!.workspaceId);
    return row!;
  }

  async get(id: string): Promise<SiteRecord | undefined> {
    const [row] = await this.db.select().from(sites).where(eq(sites.id, id));
    return row;
  }

  async update(id: string, changes: Partial<Omit<NewSite, 'id' | 'workspaceId'>>): Promise<SiteRecord | undefined> {
    const [row] = await this.db
      .update(sites)
      .set({ ...changes, updatedAt: sql`now()` })
      .where(eq(sites.id, id))
      .returning();
    if (row) this.changed(row.workspaceId);
    return row;
  }

  /**
   * Sets a site's health in a transaction that locks the row, handing `onChange` the site and its
   * health before, so what the change causes (notification events) commits with it or not at all.
   */
  async setHealth(
    id: string,
    changes: Pick<NewSite, 'health' | 'lastCheckedAt'>,
    onChange?: (tx: Db, site: SiteRecord, previous: SiteRecord['health']) => Promise<void>,
  ): Promise<void> {
    const workspaceId = await this.db.transaction(async (tx) => {
      const [before] = await tx.select({ health: sites.health }).from(sites).where(eq(sites.id, id)).for('update');
      if (!before) return undefined;
      const [site] = await tx
        .update(sites)
        .set({ ...changes, updatedAt: sql`now()` })
        .where(eq(sites.id, id))
        .returning();
      await onChange?.(tx as unknown as Db, site!, before.health);
      return site!.workspaceId;
    });
    if (workspaceId) this.changed(workspaceId);
  }

  /** Replaces a site's sampled pages with a new sample, atomically. */
  async replacePages(siteId: string, pages: NewSitePage[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.delete(sitePages).where(eq(sitePages.siteId, siteId));
      // A page per statement: on PGlite each statement runs on the event loop, and one holding every
      // page's HTML would keep it from serving requests for the whole write.
      for (const page of pages) await tx.insert(sitePages).values({ ...page, siteId });
    });
  }

  /** Stores fresh copies of some pages, keeping the others. */
  async upsertPages(siteId: string, pages: NewSitePage[]): Promise<void> {
    for (const page of pages) {
      await this.db
        .insert(sitePages)
        .values({ ...page, siteId })
        .onConflictDoUpdate({
          target: [sitePages.siteId, sitePages.url],
          set: {
            finalUrl: page.finalUrl,
            status: page.status,
            headers: page.headers,
            html: page.html,
            rendered: page.rendered,
            fetchMs: page.fetchMs,
            fetchedAt: sql`now()`,
          },
        });
    }
  }

  async pages(siteId: string): Promise<SitePageRecord[]> {
    return this.db.select().from(sitePages).where(eq(sitePages.siteId, siteId)).orderBy(asc(sitePages.fetchedAt), asc(sitePages.url));
  }

  async setPageTypes(siteId: string, assignments: Array<{ url: string; pageType: string }>): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const { url, pageType } of assignments) {
        await tx
          .update(sitePages)
          .set({ pageType })
          .where(and(eq(sitePages.siteId, siteId), eq(sitePages.url, url)));
      }
    });
  }

  /**
   * Claims the sites whose scheduled check is due and moves each to its next slot, in one
   * transaction with SKIP LOCKED: with several API processes, each due check is claimed once.
   * Sites of a suspended workspace are not claimed: their check waits, and runs once when it is unsuspended.
   */
  async claimDueChecks(now: Date, limit: number, nextSlot: (site: SiteRecord) => Date | null): Promise<SiteRecord[]> {
    return this.db.transaction(async (tx) => {
      const due = await tx
        .select()
        .from(sites)
        .where(
          and(
            isNotNull(sites.schedule),
            isNotNull(sites.nextCheckAt),
            lte(sites.nextCheckAt, now),
            eq(sites.status, 'ready'),
            notSuspended(sites.workspaceId),
          ),
        )
        .orderBy(asc(sites.nextCheckAt))
        .limit(limit)
        .for('update', { skipLocked: true });
      for (const site of due) {
        await tx
          .update(sites)
          .set({ nextCheckAt: nextSlot(site) })
          .where(eq(sites.id, site.id));
      }
      return due;
    });
  }

  async lastCheck(siteId: string): Promise<SiteCheckRecord | undefined> {
    const [row] = await this.db.select().from(siteChecks).where(eq(siteChecks.siteId, siteId)).orderBy(desc(siteChecks.checkedAt)).limit(1);
    return row;
  }

  /** The latest check of each of these sites of the workspace, in one query (DISTINCT ON). */
  async lastChecks(workspaceId: string, siteIds: readonly string[]): Promise<SiteCheckRecord[]> {
    if (siteIds.length === 0) return [];
    const rows = await this.db
      .selectDistinctOn([siteChecks.siteId], { check: siteChecks })
      .from(siteChecks)
      .innerJoin(sites, and(eq(sites.id, siteChecks.siteId), eq(sites.workspaceId, workspaceId)))
      .where(inArray(siteChecks.siteId, [...siteIds]))
      .orderBy(siteChecks.siteId, desc(siteChecks.checkedAt));
    return rows.map((row) => row.check);
  }

  async checks(siteId: string, limit: number): Promise<SiteCheckRecord[]> {
    return this.db.select().from(siteChecks).where(eq(siteChecks.siteId, siteId)).orderBy(desc(siteChecks.checkedAt)).limit(limit);
  }

  async addCheck(check: typeof siteChecks.$inferInsert): Promise<SiteCheckRecord> {
    const [row] = await this.db.insert(siteChecks).values(check).returning();
    return row!;
  }
}

/** A timestamp as JavaScript's Date#toISOString writes it (UTC, milliseconds truncated), or null. */
function isoTime<Value extends string | null>(column: AnyPgColumn) {
  return sql<Value>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** Which filters, sort and cursor a list request uses: each combination is one prepared query. */
interface ListShape {
  status: boolean;
  health: boolean;
  technology: boolean;
  search: boolean;
  sort: SiteSort;
  after: boolean;
}

function listShapeName(shape: ListShape): string {
  const parts = (['status', 'health', 'technology', 'search', 'after'] as const).filter((part) => shape[part]);
  return [shape.sort.replace('-', 'desc_'), ...parts].join('_');
}

/** The list's filter, with the values as placeholders of the prepared query. */
function listFilter(shape: ListShape) {
  const search = sql.placeholder('search');
  return and(
    eq(sites.workspaceId, sql.placeholder('workspaceId')),
    shape.status ? eq(sites.status, sql.placeholder('status')) : undefined,
    shape.health ? eq(sites.health, sql.placeholder('health')) : undefined,
    shape.technology
      ? sql`exists (select 1 from jsonb_array_elements(coalesce(${sites.fingerprint}->'technologies', '[]'::jsonb)) t where lower(t->>'name') = lower(${sql.placeholder('technology')}))`
      : undefined,
    shape.search ? or(ilike(sites.name, search), ilike(sites.url, search)) : undefined,
  );
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
