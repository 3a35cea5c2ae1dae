import DataLoader from 'dataloader';
import type { AnalyticsService } from '../analytics/index.js';
import type { BlueprintsService } from '../blueprints/blueprints.service.js';
import type { JobsService } from '../jobs/jobs.service.js';
import type { SitesService } from '../sites/sites.service.js';
import type { BlueprintVersionRecord } from '../blueprints/blueprints.repository.js';
import type { JobRecord } from '../queue/index.js';
import type { SiteCheckRecord, SiteRecord } from '../sites/sites.repository.js';

/** The services GraphQL reads through: the same ones the REST routes call. */
export interface GraphqlServices {
  sites: SitesService;
  jobs: JobsService;
  blueprints: BlueprintsService;
  analytics: AnalyticsService;
}

/** Spreads rows over the keys they belong to, in the keys' order (what DataLoader expects back). */
function one<Row>(keys: readonly string[], rows: Row[], keyOf: (row: Row) => string | null): Array<Row | null> {
  const byKey = new Map<string, Row>();
  for (const row of rows) {
    const key = keyOf(row);
    if (key !== null && !byKey.has(key)) byKey.set(key, row);
  }
  return keys.map((key) => byKey.get(key) ?? null);
}

function many<Row>(keys: readonly string[], rows: Row[], keyOf: (row: Row) => string | null): Row[][] {
  const byKey = new Map<string, Row[]>(keys.map((key) => [key, []]));
  for (const row of rows) byKey.get(keyOf(row) ?? '')?.push(row);
  return keys.map((key) => byKey.get(key)!);
}

/**
 * The loaders of one request, in the caller's workspace: each gathers the keys asked for while a
 * level of the query resolves and reads them with one service call, so a page of 100 sites with
 * their blueprints and latest jobs costs the same few queries as a page of one.
 */
export function createLoaders(services: GraphqlServices, workspaceId: string) {
  const latestJobs = new Map<string, DataLoader<string, JobRecord | null>>();
  return {
    site: new DataLoader<string, SiteRecord | null>(async (ids) =>
      one(ids, await services.sites.getMany(workspaceId, ids), (site) => site.id),
    ),
    lastCheck: new DataLoader<string, SiteCheckRecord | null>(async (siteIds) =>
      one(siteIds, await services.sites.lastChecks(workspaceId, siteIds), (check) => check.siteId),
    ),
    activeBlueprint: new DataLoader<string, BlueprintVersionRecord | null>(async (siteIds) =>
      one(siteIds, await services.blueprints.activeOfSites(workspaceId, siteIds), (version) => version.siteId),
    ),
    blueprintVersions: new DataLoader<string, BlueprintVersionRecord[]>(async (siteIds) =>
      many(siteIds, await services.blueprints.versionsOfSites(workspaceId, siteIds), (version) => version.siteId),
    ),
    job: new DataLoader<string, JobRecord | null>(async (ids) => one(ids, await services.jobs.getMany(workspaceId, ids), (job) => job.id)),
    steps: new DataLoader<string, JobRecord[]>(async (parentIds) =>
      many(parentIds, await services.jobs.stepsOfMany(workspaceId, parentIds), (job) => job.parentId),
    ),
    /** The newest job of each site, one loader (so one query) per job type asked for. */
    latestJob(type: string | undefined): DataLoader<string, JobRecord | null> {
      const key = type ?? '';
      let loader = latestJobs.get(key);
      if (!loader) {
        loader = new DataLoader(async (siteIds) =>
          one(siteIds, await services.jobs.latestOfSites(workspaceId, siteIds, type), (job) => job.siteId),
        );
        latestJobs.set(key, loader);
      }
      return loader;
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
