import { randomUUID } from 'node:crypto';
import normalizeUrl from 'normalize-url';
import type { BlueprintsRepository, BlueprintVersionRecord } from '../blueprints/blueprints.repository.js';
import type { Db } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import type { SiteOptions } from '../db/schema/sites.js';
import { addressKind, checkHost, type Resolver } from '../engine/fetch/index.js';
import type { Cursor } from '../http/pagination.js';
import { DomainError, domainErrors } from '../domain/errors.js';
import type { AnalysisCoordinator } from '../pipeline/analysis.js';
import { ANALYZE_SITE } from '../pipeline/job-types.js';
import { Priority, type JobRecord, type JobsRepository } from '../queue/index.js';
import { DEFAULT_SCHEDULE, validateSchedule } from '../scheduling/schedule.js';
import { nextCheckAt } from './site-state.js';
import type { SiteListCache } from './site-list-cache.js';
import type { SiteCheckRecord, SiteFilter, SiteRecord, SiteSort, SitesRepository } from './sites.repository.js';

/** A site with what its detail view shows beside it: the active blueprint version and the latest health check. */
export interface SiteDetail {
  site: SiteRecord;
  blueprint: BlueprintVersionRecord | undefined;
  lastCheck: SiteCheckRecord | undefined;
}

export interface NewSiteInput extends SiteOptions {
  url: string;
  name?: string;
  schedule?: string | null;
}

export type SiteChanges = Partial<Pick<NewSiteInput, 'name' | 'schedule' | 'fields' | 'examples' | 'render' | 'maxPages'>>;

export type BatchItemResult =
  | { url: string; status: 'created'; siteId: string; jobId: string }
  | { url: string; status: 'duplicate'; siteId: string }
  | { url: string; status: 'invalid'; error: string };

/** Canonical form of a site URL, so one site is not added twice under two spellings. */
export function canonicalSiteUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new DomainError('invalid', `"${input}" is not a URL`, {
      code: 'validation',
      issues: [{ in: 'body', path: '/url', message: 'not a URL' }],
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DomainError('invalid', 'Only http and https sites can be added', {
      code: 'validation',
      issues: [{ in: 'body', path: '/url', message: 'must be http or https' }],
    });
  }
  if (url.username || url.password) {
    throw new DomainError('invalid', 'Site URLs may not carry credentials', {
      code: 'validation',
      issues: [{ in: 'body', path: '/url', message: 'must not contain user:password@' }],
    });
  }
  return normalizeUrl(url.href, { stripHash: true, stripWWW: false, removeTrailingSlash: true, sortQueryParameters: true });
}

function checkedSchedule(schedule: string | null | undefined): string | null {
  if (schedule === null) return null;
  const value = schedule ?? DEFAULT_SCHEDULE;
  const check = validateSchedule(value);
  if (!check.ok) {
    throw new DomainError('invalid', `Invalid schedule: ${check.reason}`, {
      code: 'validation',
      issues: [{ in: 'body', path: '/schedule', message: check.reason }],
    });
  }
  return value;
}

/** The fetch policy analysis runs under, so sites it could never fetch are refused when added. */
export interface SiteAddressPolicy {
  allowPrivateNetwork: boolean;
  resolver?: Resolver;
}

/**
 * The workspace quotas sites and analyses count against (src/usage). Admitting counts the
 * analysis (by the id its job will get) in the ledger under a lock, so concurrent requests
 * cannot both pass a limit; a new site is inserted inside that transaction.
 */
export interface AnalysisQuota {
  admitNewSite<T>(workspaceId: string, analysisJobId: string, insertSite: (tx: Db) => Promise<T>): Promise<T>;
  admitAnalysis(workspaceId: string, jobId: string): Promise<void>;
  releaseAnalysis(workspaceId: string, jobId: string): Promise<void>;
}

export class SitesService {
  constructor(
    private readonly sites: SitesRepository,
    private readonly jobs: JobsRepository,
    private readonly analysis: AnalysisCoordinator,
    private readonly addressPolicy: SiteAddressPolicy,
    private readonly quotas: AnalysisQuota,
    private readonly blueprints: Pick<BlueprintsRepository, 'active'>,
    private readonly lists: Pick<SiteListCache, 'list'>,
  ) {}

  /**
   * 422 when the host resolves to an address the fetcher's guard will refuse, instead of a job
   * that fails later. The guard still checks every connection: DNS may change after this.
   * A name that does not resolve now is let through; the fetch reports it if it never does.
   */
  private async refuseBlockedHost(url: string): Promise<void> {
    if (this.addressPolicy.allowPrivateNetwork) return;
    const host = new URL(url).hostname;
    const check = await checkHost(host, this.addressPolicy.resolver);
    if (check.verdict !== 'blocked') return;
    const where = host.replace(/^\[|\]$/g, '') === check.address ? `${host} is` : `${host} resolves to ${check.address},`;
    const why = `${where} ${addressKind(check.address)}`;
    throw new DomainError(
      'unprocessable',
      `${why}, which analysis does not fetch. To analyse sites on a private network, run the server with ALLOW_PRIVATE_NETWORK=true.`,
      { code: 'blocked-address', issues: [{ in: 'body', path: '/url', message: `${why}; see ALLOW_PRIVATE_NETWORK` }] },
    );
  }

  /** Adds a site and starts its analysis. */
  async create(
    workspaceId: string,
    input: NewSiteInput,
    priority: Priority = Priority.user,
  ): Promise<{ site: SiteRecord; analysis: JobRecord }> {
    const url = canonicalSiteUrl(input.url);
    const schedule = checkedSchedule(input.schedule);
    await this.refuseBlockedHost(url);
    const existing = await this.sites.findByUrl(workspaceId, url);
    if (existing) throw new DomainError('conflict', `${url} is already a site of this workspace`, { code: 'duplicate-site' });
    const analysisJobId = randomUUID();
    const site = await this.quotas
      .admitNewSite(workspaceId, analysisJobId, (tx) =>
        this.sites.insert(
          {
            workspaceId,
            url,
            name: input.name?.trim() || new URL(url).hostname,
            schedule,
            options: { fields: input.fields, examples: input.examples, render: input.render, maxPages: input.maxPages },
          },
          tx,
        ),
      )
      .catch((error: unknown) => {
        // Two requests racing past findByUrl: the unique index decides.
        if (isUniqueViolation(error))
          throw new DomainError('conflict', `${url} is already a site of this workspace`, { code: 'duplicate-site' });
        throw error;
      });
    const analysis = await this.startAnalysis(site, priority, analysisJobId);
    return { site: (await this.sites.get(site.id))!, analysis };
  }

  /** Adds many sites; each URL gets its own result and one bad URL does not stop the rest. */
  async createBatch(workspaceId: string, items: NewSiteInput[]): Promise<BatchItemResult[]> {
    const results: BatchItemResult[] = [];
    for (const item of items) {
      try {
        const { site, analysis } = await this.create(workspaceId, item, Priority.batch);
        results.push({ url: site.url, status: 'created', siteId: site.id, jobId: analysis.id });
      } catch (error) {
        if (error instanceof DomainError && error.kind === 'conflict') {
          const site = await this.sites.findByUrl(workspaceId, canonicalSiteUrl(item.url));
          results.push({ url: item.url, status: 'duplicate', siteId: site!.id });
        } else if (
          error instanceof DomainError &&
          (error.kind === 'invalid' || error.kind === 'unprocessable' || error.kind === 'forbidden')
        ) {
          // A quota reached refuses this URL and the ones after it with the quota's message.
          results.push({ url: item.url, status: 'invalid', error: error.message });
        } else {
          throw error;
        }
      }
    }
    return results;
  }

  async get(workspaceId: string, id: string): Promise<SiteRecord> {
    const site = await this.sites.getInWorkspace(workspaceId, id);
    if (!site) throw domainErrors.notFound('Site');
    return site;
  }

  /** The workspace's sites among `ids` (for batched readers such as GraphQL); unknown ids are left out. */
  async getMany(workspaceId: string, ids: readonly string[]): Promise<SiteRecord[]> {
    return this.sites.getManyInWorkspace(workspaceId, ids);
  }

  /** The latest health check of each of these sites of the workspace; sites never checked are left out. */
  async lastChecks(workspaceId: string, siteIds: readonly string[]): Promise<SiteCheckRecord[]> {
    return this.sites.lastChecks(workspaceId, siteIds);
  }

  /** The site with its active blueprint version and latest health check. */
  async detailOf(site: SiteRecord): Promise<SiteDetail> {
    const [blueprint, lastCheck] = await Promise.all([this.blueprints.active(site.id), this.sites.lastCheck(site.id)]);
    return { site, blueprint, lastCheck };
  }

  /** The site's health history, latest first. */
  async checks(workspaceId: string, id: string, limit: number): Promise<SiteCheckRecord[]> {
    const site = await this.get(workspaceId, id);
    return this.sites.checks(site.id, limit);
  }

  async list(workspaceId: string, filter: SiteFilter, page: { limit: number; sort: SiteSort; after?: Cursor }) {
    return this.lists.list(workspaceId, filter, page, () => this.sites.listInWorkspace(workspaceId, filter, page));
  }

  async update(workspaceId: string, id: string, changes: SiteChanges): Promise<SiteRecord> {
    const site = await this.get(workspaceId, id);
    const options: SiteOptions = { ...site.options };
    for (const key of ['fields', 'examples', 'render', 'maxPages'] as const) {
      if (changes[key] !== undefined) Object.assign(options, { [key]: changes[key] });
    }
    const schedule = changes.schedule === undefined ? site.schedule : checkedSchedule(changes.schedule);
    const updated = await this.sites.update(id, {
      ...(changes.name ? { name: changes.name.trim() } : {}),
      options,
      schedule,
      ...(schedule !== site.schedule ? { nextCheckAt: nextCheckAt(schedule, site.status === 'ready') } : {}),
    });
    return updated!;
  }

  /** Starts a new analysis of an existing site (for example after its fields changed). */
  async reanalyze(workspaceId: string, id: string): Promise<{ site: SiteRecord; analysis: JobRecord }> {
    const site = await this.get(workspaceId, id);
    if ((await this.jobs.activeForSite(id, ANALYZE_SITE)).length) throw new DomainError('conflict', 'The site is being analysed already');
    const jobId = randomUUID();
    await this.quotas.admitAnalysis(workspaceId, jobId);
    const analysis = await this.startAnalysis(site, Priority.user, jobId);
    return { site: await this.get(workspaceId, id), analysis };
  }

  /** Starts the analysis the quota admitted as `jobId`; if its job cannot be created, the ledger gives the analysis back. */
  private async startAnalysis(site: SiteRecord, priority: Priority, jobId: string): Promise<JobRecord> {
    try {
      return await this.analysis.start(site, priority, jobId);
    } catch (error) {
      await this.quotas.releaseAnalysis(site.workspaceId, jobId);
      throw error;
    }
  }

  /** Deletes sites of the workspace, cancelling their queued and running jobs first. */
  async delete(workspaceId: string, ids: string[]): Promise<string[]> {
    for (const id of ids) {
      const site = await this.sites.getInWorkspace(workspaceId, id);
      if (!site) continue;
      for (const job of await this.jobs.activeForSite(id)) await this.analysis.cancelJob(job);
    }
    return this.sites.delete(workspaceId, ids);
  }
}
