import { and, asc, eq, isNotNull, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { siteChecks, sitePages, sites } from '../db/schema/sites.js';

export type SiteRecord = typeof sites.$inferSelect;
export type NewSite = typeof sites.$inferInsert;
export type SitePageRecord = typeof sitePages.$inferSelect;
export type NewSitePage = Omit<typeof sitePages.$inferInsert, 'siteId' | 'id'>;
export type SiteCheckRecord = typeof siteChecks.$inferSelect;

export class SitesRepository {
  constructor(private readonly db: Db) {}

  async insert(site: NewSite): Promise<SiteRecord> {
    const [row] = await this.db.insert(sites).values(site).returning();
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
    return row;
  }

  /** Replaces a site's sampled pages with a new sample, atomically. */
  async replacePages(siteId: string, pages: NewSitePage[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.delete(sitePages).where(eq(sitePages.siteId, siteId));
      if (pages.length) await tx.insert(sitePages).values(pages.map((page) => ({ ...page, siteId })));
    });
  }

  async pages(siteId: string): Promise<SitePageRecord[]> {
    return this.db.select().from(sitePages).where(eq(sitePages.siteId, siteId)).orderBy(asc(sitePages.fetchedAt), asc(sitePages.url));
  }

  async setPageTypes(siteId: string, assignments: Array<{ url: string; pageType: string }>): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const { url, pageType } of assignments) {
        await tx.update(sitePages).set({ pageType }).where(and(eq(sitePages.siteId, siteId), eq(sitePages.url, url)));
      }
    });
  }

  /**
   * Claims the sites whose scheduled check is due and moves each to its next slot, in one
   * transaction with SKIP LOCKED: with several API processes, each due check is claimed once.
   */
  async claimDueChecks(now: Date, limit: number, nextSlot: (site: SiteRecord) => Date | null): Promise<SiteRecord[]> {
    return this.db.transaction(async (tx) => {
      const due = await tx
        .select()
        .from(sites)
        .where(and(isNotNull(sites.schedule), isNotNull(sites.nextCheckAt), lte(sites.nextCheckAt, now), eq(sites.status, 'ready')))
        .orderBy(asc(sites.nextCheckAt))
        .limit(limit)
        .for('update', { skipLocked: true });
      for (const site of due) {
        await tx.update(sites).set({ nextCheckAt: nextSlot(site) }).where(eq(sites.id, site.id));
      }
      return due;
    });
  }

  async addCheck(check: typeof siteChecks.$inferInsert): Promise<SiteCheckRecord> {
    const [row] = await this.db.insert(siteChecks).values(check).returning();
    return row!;
  }
}
