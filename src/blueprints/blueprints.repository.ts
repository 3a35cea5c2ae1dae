import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { blueprintVersions, sites } from '../db/schema/sites.js';
import type { Blueprint } from '../engine/blueprint/index.js';
import { recordBlueprintVersion } from '../notifications/index.js';
import { metrics } from '../system/metrics.js';

export type BlueprintVersionRecord = Omit<typeof blueprintVersions.$inferSelect, 'content'> & { content: Blueprint };

export class BlueprintsRepository {
  /** `changed` is called after a write to a site's row, with its workspace (see SiteListCache). */
  constructor(
    private readonly db: Db,
    private readonly siteChanged: (workspaceId?: string) => void = () => {},
  ) {}

  async active(siteId: string): Promise<BlueprintVersionRecord | undefined> {
    const [row] = await this.db
      .select({ version: blueprintVersions })
      .from(sites)
      .innerJoin(blueprintVersions, eq(blueprintVersions.id, sites.activeBlueprintId))
      .where(eq(sites.id, siteId));
    return row?.version as BlueprintVersionRecord | undefined;
  }

  async byVersion(siteId: string, version: number): Promise<BlueprintVersionRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(blueprintVersions)
      .where(and(eq(blueprintVersions.siteId, siteId), eq(blueprintVersions.version, version)));
    return row as BlueprintVersionRecord | undefined;
  }

  async list(siteId: string): Promise<BlueprintVersionRecord[]> {
    const rows = await this.db
      .select()
      .from(blueprintVersions)
      .where(eq(blueprintVersions.siteId, siteId))
      .orderBy(desc(blueprintVersions.version));
    return rows as BlueprintVersionRecord[];
  }

  /** The active version of each of these sites of the workspace, in one query. */
  async activeForSites(workspaceId: string, siteIds: readonly string[]): Promise<BlueprintVersionRecord[]> {
    if (siteIds.length === 0) return [];
    const rows = await this.db
      .select({ version: blueprintVersions })
      .from(sites)
      .innerJoin(blueprintVersions, eq(blueprintVersions.id, sites.activeBlueprintId))
      .where(and(eq(sites.workspaceId, workspaceId), inArray(sites.id, [...siteIds])));
    return rows.map((row) => row.version as BlueprintVersionRecord);
  }

  /** Every version of each of these sites of the workspace, in one query: by site, newest first. */
  async listForSites(workspaceId: string, siteIds: readonly string[]): Promise<BlueprintVersionRecord[]> {
    if (siteIds.length === 0) return [];
    const rows = await this.db
      .select()
      .from(blueprintVersions)
      .where(and(eq(blueprintVersions.workspaceId, workspaceId), inArray(blueprintVersions.siteId, [...siteIds])))
      .orderBy(asc(blueprintVersions.siteId), desc(blueprintVersions.version));
    return rows as BlueprintVersionRecord[];
  }

  /** Makes an existing version the active one (rollback). */
  async activate(siteId: string, versionId: string): Promise<void> {
    const [site] = await this.db
      .update(sites)
      .set({ activeBlueprintId: versionId, updatedAt: sql`now()` })
      .where(eq(sites.id, siteId))
      .returning({ workspaceId: sites.workspaceId });
    if (site) this.siteChanged(site.workspaceId);
  }

  /**
   * Stores a version and makes it the site's active one, in one transaction with its
   * `blueprint.version_created` event. The same content stored twice (a retried job) yields the
   * existing version instead of a duplicate.
   */
  async saveAndActivate(input: {
    siteId: string;
    workspaceId: string;
    blueprint: Blueprint;
    reason: string;
    jobId?: string;
  }): Promise<{ version: BlueprintVersionRecord; created: boolean }> {
    const saved = await this.db.transaction(async (tx) => {
      // Serialises writers of one site so version numbers never collide.
      await tx.execute(sql`select id from ${sites} where ${sites.id} = ${input.siteId} for update`);
      const [existing] = await tx
        .select()
        .from(blueprintVersions)
        .where(and(eq(blueprintVersions.siteId, input.siteId), eq(blueprintVersions.contentHash, input.blueprint.contentHash!)));
      let version = existing as BlueprintVersionRecord | undefined;
      const created = !version;
      if (!version) {
        const [{ next }] = (await tx
          .select({ next: sql<number>`coalesce(max(${blueprintVersions.version}), 0)::int + 1` })
          .from(blueprintVersions)
          .where(eq(blueprintVersions.siteId, input.siteId))) as [{ next: number }];
        const content: Blueprint = { ...input.blueprint, version: next };
        const [row] = await tx
          .insert(blueprintVersions)
          .values({
            siteId: input.siteId,
            workspaceId: input.workspaceId,
            version: next,
            contentHash: input.blueprint.contentHash!,
            content,
            reason: input.reason,
            createdByJob: input.jobId ?? null,
          })
          .returning();
        version = row as BlueprintVersionRecord;
        await recordBlueprintVersion(tx as unknown as Db, version);
      }
      await tx
        .update(sites)
        .set({ activeBlueprintId: version.id, updatedAt: sql`now()` })
        .where(eq(sites.id, input.siteId));
      return { version, created };
    });
    this.siteChanged(input.workspaceId);
    // Counted once committed: reasons are the pipeline's own words (analysis, repair, edit), a bounded set.
    if (saved.created) metrics.blueprintVersions.inc({ reason: input.reason });
    return saved;
  }
}
