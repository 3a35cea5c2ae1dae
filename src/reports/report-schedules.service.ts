import { Cron } from 'croner';
import { domainErrors } from '../domain/errors.js';
import type { Logger } from '../logging/logger.js';
import { Priority } from '../queue/index.js';
import type { SitesRepository } from '../sites/sites.repository.js';
import type { ReportRecord, ReportScheduleRecord, ReportsRepository } from './reports.repository.js';
import type { ReportRequest, ReportsService } from './reports.service.js';

/** Reports every few minutes would flood inboxes; the API refuses schedules more frequent than hourly. */
const MIN_INTERVAL_MS = 3_600_000;
const DAY_MS = 86_400_000;
const DEFAULT_PERIOD_DAYS = { daily: 1, weekly: 7, monthly: 30 } as const;

export type ScheduledReport =
  | { type: 'workspace_summary'; format: 'pdf' | 'json'; periodDays?: number }
  | { type: 'site_report'; format: 'pdf' | 'json'; siteId: string }
  | { type: 'extraction_export'; format: 'csv' | 'json' | 'ndjson'; siteId: string };

export interface ScheduleRequest {
  name: string;
  report: ScheduledReport;
  /** Either a cron expression or a frequency with a time (and day). */
  cron?: string;
  frequency?: 'daily' | 'weekly' | 'monthly';
  time: string;
  dayOfWeek: number;
  dayOfMonth: number;
  timeZone: string;
  recipients: string[];
}

/** The cron expression a request stands for: its own, or one built from the frequency. */
export function cronOf(request: Pick<ScheduleRequest, 'cron' | 'frequency' | 'time' | 'dayOfWeek' | 'dayOfMonth'>): string {
  if (request.cron) return request.cron.trim();
  const [hour, minute] = request.time.split(':').map(Number);
  const at = `${minute} ${hour}`;
  if (request.frequency === 'weekly') return `${at} * * ${request.dayOfWeek}`;
  if (request.frequency === 'monthly') return `${at} ${request.dayOfMonth} * *`;
  return `${at} * * *`;
}

/** Why a cron expression or time zone cannot be used, or null when it can. */
export function scheduleProblem(cron: string, timeZone: string): { path: string; message: string } | null {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    return { path: '/timeZone', message: `"${timeZone}" is not an IANA time zone such as Europe/Paris` };
  }
  try {
    const [first, second] = new Cron(cron, { timezone: timeZone, paused: true }).nextRuns(2);
    if (!first || !second) return { path: '/cron', message: 'the cron expression never fires' };
    if (second.getTime() - first.getTime() < MIN_INTERVAL_MS) return { path: '/cron', message: 'scheduled reports may run at most hourly' };
  } catch (error) {
    return { path: '/cron', message: `not a cron expression: ${(error as Error).message}` };
  }
  return null;
}

export function nextRunOf(schedule: Pick<ReportScheduleRecord, 'cron' | 'timeZone'>, after: Date): Date | null {
  return new Cron(schedule.cron, { timezone: schedule.timeZone, paused: true }).nextRun(after);
}

export class ReportSchedulesService {
  constructor(private readonly deps: { reports: ReportsRepository; sites: SitesRepository; service: ReportsService; logger: Logger }) {}

  async create(workspaceId: string, createdBy: string | null, request: ScheduleRequest, now = new Date()): Promise<ReportScheduleRecord> {
    const cron = cronOf(request);
    const problem = scheduleProblem(cron, request.timeZone);
    if (problem) throw domainErrors.invalid(problem.message, [{ in: 'body', ...problem }]);
    const { type, format, ...params } = request.report;
    if ('siteId' in request.report && !(await this.deps.sites.getInWorkspace(workspaceId, request.report.siteId)))
      throw domainErrors.notFound('Site');
    if (type === 'workspace_summary' && !('periodDays' in params && params.periodDays))
      Object.assign(params, { periodDays: DEFAULT_PERIOD_DAYS[request.frequency ?? 'weekly'] });
    return this.deps.reports.insertSchedule({
      workspaceId,
      name: request.name,
      type,
      format,
      params,
      cron,
      timeZone: request.timeZone,
      recipients: [...new Set(request.recipients.map((address) => address.toLowerCase()))],
      nextRunAt: nextRunOf({ cron, timeZone: request.timeZone }, now),
      createdBy,
    });
  }

  list(workspaceId: string): Promise<ReportScheduleRecord[]> {
    return this.deps.reports.schedules(workspaceId);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    if (!(await this.deps.reports.deleteSchedule(workspaceId, id))) throw domainErrors.notFound('Report schedule');
  }

  /** Starts a report for every schedule due now; returns the reports started. */
  async runDue(now = new Date(), limit = 20): Promise<ReportRecord[]> {
    const due = await this.deps.reports.claimDueSchedules(now, limit, (schedule) => nextRunOf(schedule, now));
    const started: ReportRecord[] = [];
    for (const schedule of due) {
      try {
        started.push(
          await this.deps.service.create(
            schedule.workspaceId,
            schedule.createdBy,
            requestOf(schedule, now),
            Priority.scheduled,
            schedule.id,
          ),
        );
      } catch (error) {
        // A schedule whose site has gone cannot run; the others still do.
        this.deps.logger.warn({ err: error, scheduleId: schedule.id }, 'scheduled report not started');
      }
    }
    return started;
  }
}

/** The report a schedule asks for at `now`: a summary covers the last periodDays. */
function requestOf(schedule: ReportScheduleRecord, now: Date): ReportRequest {
  const params = schedule.params as { siteId?: string; periodDays?: number };
  if (schedule.type === 'workspace_summary') {
    const from = new Date(now.getTime() - (params.periodDays ?? 7) * DAY_MS);
    return { type: 'workspace_summary', format: schedule.format as 'pdf' | 'json', from: from.toISOString(), to: now.toISOString() };
  }
  return { type: schedule.type, format: schedule.format, siteId: params.siteId! } as ReportRequest;
}
