import { SYSTEM_ERROR } from '../db/schema/index.js';
import type { Logger } from '../logging/logger.js';
import type { NotificationsRepository } from './notifications.repository.js';

/** What went wrong with the instance itself, as system administrators are told. */
export type SystemErrorKind = 'queue.stalled' | 'worker.crash_loop' | 'database.unreachable';

export interface SystemErrorReport {
  kind: SystemErrorKind;
  /**
   * What the trouble is about (a job type, a host): one alert per kind and subject per
   * cool-down, so a queue that keeps stalling or a worker that keeps dying does not storm.
   */
  subject: string;
  message: string;
  details?: Record<string, unknown>;
}

export type ReportSystemError = (report: SystemErrorReport) => Promise<void>;

/**
 * Records `system.error` events into the notification outbox (no workspace: the relay sends them
 * to system administrators), at most one per kind and subject within `cooldownMs` across all
 * processes. Called from where trouble is noticed, reporting never throws: a failed report is
 * logged, and the trouble itself is what the caller goes on handling.
 */
export class SystemErrors {
  constructor(
    private readonly repository: NotificationsRepository,
    private readonly cooldownMs: number,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  readonly report: ReportSystemError = async (report) => {
    const key = `${report.kind}:${report.subject}`;
    try {
      const at = this.now();
      const recorded = await this.repository.recordUnlessRecent(
        { type: SYSTEM_ERROR, data: { kind: report.kind, subject: report.subject, message: report.message, ...report.details } },
        key,
        new Date(at.getTime() - this.cooldownMs),
      );
      this.logger.error({ kind: report.kind, subject: report.subject, alerted: recorded }, report.message);
    } catch (err) {
      this.logger.error({ err, kind: report.kind, subject: report.subject }, `could not record a system error: ${report.message}`);
    }
  };
}
