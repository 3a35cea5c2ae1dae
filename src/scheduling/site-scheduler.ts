import type { Logger } from '../logging/logger.js';
import { CHECK_SITE, type JobPayload } from '../pipeline/job-types.js';
import { Priority, type JobQueue } from '../queue/index.js';
import type { SitesRepository } from '../sites/sites.repository.js';
import { nextCheckAt } from '../sites/site-state.js';

export interface SiteSchedulerOptions {
  sites: SitesRepository;
  queue: JobQueue;
  logger: Logger;
  intervalMs?: number;
  batchSize?: number;
}

/**
 * Starts `check_site` jobs when sites' schedules come due. Any number of processes may run
 * it: claiming a due slot is atomic in the database, so each check is enqueued once.
 */
export class SiteScheduler {
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;

  constructor(private readonly options: SiteSchedulerOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs ?? 15_000);
    void this.tick();
  }

  /** Enqueues the checks that are due now; returns how many. */
  async tick(now = new Date()): Promise<number> {
    if (this.ticking) return 0;
    let count = 0;
    this.ticking = (async () => {
      const { sites, queue, logger } = this.options;
      const due = await sites.claimDueChecks(now, this.options.batchSize ?? 50, (site) => nextCheckAt(site.schedule, true, now));
      for (const site of due) {
        await queue.enqueue({
          workspaceId: site.workspaceId,
          siteId: site.id,
          type: CHECK_SITE,
          payload: { siteId: site.id } satisfies JobPayload<'check_site'>,
          priority: Priority.scheduled,
        });
      }
      count = due.length;
      if (count) logger.info({ checks: count }, 'scheduled site checks enqueued');
    })()
      .catch((err: unknown) => this.options.logger.error({ err }, 'scheduler tick failed'))
      .finally(() => {
        this.ticking = undefined;
      });
    await this.ticking;
    return count;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }
}
