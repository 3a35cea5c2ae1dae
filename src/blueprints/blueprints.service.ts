import type { ExportFormat } from '../engine/blueprint/export.js';
import type { PageType } from '../engine/blueprint/schema.js';
import { diffBlueprints, updateBlueprint, type BlueprintDiff } from '../engine/blueprint/versions.js';
import { DomainError, domainErrors } from '../domain/errors.js';
import type { SitesService } from '../sites/sites.service.js';
import type { SitesRepository } from '../sites/sites.repository.js';
import type { BlueprintsRepository, BlueprintVersionRecord } from './blueprints.repository.js';

const contentTypes: Record<ExportFormat, string> = {
  json: 'application/json',
  yaml: 'application/yaml',
  csv: 'text/csv',
};

/** Versions, diffs, exports, rollback and manual edits of a site's blueprint. */
export class BlueprintsService {
  constructor(
    private readonly blueprints: BlueprintsRepository,
    private readonly sites: SitesRepository,
    private readonly siteService: SitesService,
  ) {}

  async active(workspaceId: string, siteId: string): Promise<BlueprintVersionRecord> {
    await this.siteService.get(workspaceId, siteId);
    const active = await this.blueprints.active(siteId);
    if (!active) throw domainErrors.notFound('Blueprint (the site has not been analysed yet)');
    return active;
  }

  /** The active version of each of these sites of the workspace (batched readers); sites without one are left out. */
  async activeOfSites(workspaceId: string, siteIds: readonly string[]): Promise<BlueprintVersionRecord[]> {
    return this.blueprints.activeForSites(workspaceId, siteIds);
  }

  /** Every version of each of these sites of the workspace, by site, newest first. */
  async versionsOfSites(workspaceId: string, siteIds: readonly string[]): Promise<BlueprintVersionRecord[]> {
    return this.blueprints.listForSites(workspaceId, siteIds);
  }

  async versions(workspaceId: string, siteId: string): Promise<{ versions: BlueprintVersionRecord[]; activeId: string | null }> {
    const site = await this.siteService.get(workspaceId, siteId);
    return { versions: await this.blueprints.list(siteId), activeId: site.activeBlueprintId };
  }

  async version(workspaceId: string, siteId: string, version: number): Promise<BlueprintVersionRecord> {
    await this.siteService.get(workspaceId, siteId);
    const found = await this.blueprints.byVersion(siteId, version);
    if (!found) throw domainErrors.notFound(`Blueprint version ${version}`);
    return found;
  }

  async diff(workspaceId: string, siteId: string, from: number, to: number): Promise<BlueprintDiff> {
    const [a, b] = await Promise.all([this.version(workspaceId, siteId, from), this.version(workspaceId, siteId, to)]);
    return diffBlueprints(a.content, b.content);
  }

  async export(workspaceId: string, siteId: string, format: ExportFormat, version?: number) {
    const record = version ? await this.version(workspaceId, siteId, version) : await this.active(workspaceId, siteId);
    // The serialisers (YAML, CSV) and the extraction engine below load on first use, not at start.
    const { exportBlueprint } = await import('../engine/blueprint/export.js');
    return { body: exportBlueprint(record.content, format), contentType: contentTypes[format], version: record.version };
  }

  async rollback(workspaceId: string, siteId: string, version: number): Promise<BlueprintVersionRecord> {
    const target = await this.version(workspaceId, siteId, version);
    await this.blueprints.activate(siteId, target.id);
    return target;
  }

  /**
   * A manual edit of the page types: it becomes a new version only if every required field, and
   * every field the edit changed, still finds a valid value on the site's sampled pages.
   */
  async edit(workspaceId: string, siteId: string, pageTypes: PageType[]): Promise<{ version: BlueprintVersionRecord; created: boolean }> {
    const active = await this.active(workspaceId, siteId);
    const site = (await this.sites.get(siteId))!;
    const pages = (await this.sites.pages(siteId)).filter((page) => page.status < 400);
    const { editBlueprint } = await import('../engine/testing/index.js');
    const edit = editBlueprint(
      active.content,
      pageTypes,
      pages.map((page) => ({ url: page.url, html: page.html })),
    );
    if (edit.broken.length) {
      throw new DomainError(
        'unprocessable',
        `The edited blueprint finds no value for ${edit.broken.map((field) => field.field).join(', ')} on the site's pages`,
        {
          code: 'blueprint-failed-test',
          issues: edit.broken.map((field) => ({
            in: 'body',
            path: `/pageTypes/${field.pageType}/${field.field}`,
            message: `no valid value on ${field.pages} sampled pages`,
          })),
        },
      );
    }
    const update = updateBlueprint(active.content, edit.blueprint);
    if (!update.created) return { version: active, created: false };
    return this.blueprints.saveAndActivate({ siteId, workspaceId: site.workspaceId, blueprint: update.blueprint, reason: 'edit' });
  }
}
