import type { DiscoveredPageType, Fingerprint } from '../engine/index.js';
import { nextRunAfter } from '../scheduling/schedule.js';
import type { Db } from '../db/client.js';
import type { SiteRecord, SitesRepository } from './sites.repository.js';

/** Told of every health verdict in the transaction that stores it, to record notification events atomically with it. */
export type HealthListener = (tx: Db, site: SiteRecord, previous: SiteHealth | null) => Promise<void>;

export type SiteHealth = NonNullable<SiteRecord['health']>;

/**
 * When a site is checked next: on its schedule, from now, once it has a blueprint to check
 * (it is ready); never without a schedule. The one rule for the API, the analysis and the scheduler.
 */
export function nextCheckAt(schedule: string | null, ready: boolean, from = new Date()): Date | null {
  return schedule && ready ? nextRunAfter(schedule, from) : null;
}

/**
 * The owner of a site's lifecycle: every change of its status, health, schedule slot and analysis
 * findings (fingerprint, page types) goes through here, so the rules live in one place and the
 * pipeline never writes the `sites` table itself.
 */
export class SiteState {
  constructor(
    private readonly sites: SitesRepository,
    private readonly onHealth?: HealthListener,
  ) {}

  /** An analysis started (or resumed). */
  async analysing(siteId: string): Promise<void> {
    await this.sites.update(siteId, { status: 'analyzing' });
  }

  /** An analysis finished: the site serves its new blueprint. */
  async analysed(siteId: string): Promise<void> {
    await this.sites.update(siteId, { status: 'ready' });
  }

  /** An analysis failed for good or was cancelled. A site keeps serving its previous blueprint when a re-analysis does not finish. */
  async analysisStopped(siteId: string, ending: 'failed' | 'cancelled'): Promise<void> {
    const site = await this.sites.get(siteId);
    if (!site) return;
    const status = site.activeBlueprintId ? 'ready' : ending === 'failed' ? 'failed' : 'pending';
    await this.sites.update(siteId, { status });
  }

  async fingerprinted(siteId: string, fingerprint: Fingerprint): Promise<void> {
    await this.sites.update(siteId, { fingerprint });
  }

  /** Discovery's page types, on the site and on each sampled page they claim. */
  async pageTypesDiscovered(siteId: string, pageTypes: DiscoveredPageType[]): Promise<void> {
    await this.sites.update(siteId, { pageTypes });
    await this.sites.setPageTypes(
      siteId,
      pageTypes.flatMap((type) => type.urls.map((url) => ({ url, pageType: type.name }))),
    );
  }

  /** A check (scheduled, or the analysis's own test) judged the site. */
  async checked(siteId: string, health: SiteHealth): Promise<void> {
    await this.sites.setHealth(siteId, { health, lastCheckedAt: new Date() }, this.onHealth);
  }

  /** A repair wrote a version that reads every field again. */
  async repaired(siteId: string): Promise<void> {
    await this.sites.setHealth(siteId, { health: 'healthy' }, this.onHealth);
  }

  /** A freshly analysed site is checked on its schedule from now. */
  async scheduleChecks(site: SiteRecord): Promise<void> {
    if (site.schedule) await this.sites.update(site.id, { nextCheckAt: nextCheckAt(site.schedule, true) });
  }
}
