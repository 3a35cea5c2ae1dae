import type { EmailOutboxRepository } from '../accounts/email-outbox.repository.js';
import type { ReportType } from '../db/schema/index.js';
import { domainErrors } from '../domain/errors.js';
import type { Logger } from '../logging/logger.js';
import { GENERATE_REPORT, payloadOf } from '../pipeline/job-types.js';
import { PermanentJobError, Priority, type JobContext, type JobQueue } from '../queue/index.js';
import type { SitesRepository } from '../sites/sites.repository.js';
import { periodOf } from '../analytics/analytics.service.js';
import { extractionExport } from './extraction-export.js';
import type { ReportContentBuilder } from './report-content.js';
import { CONTENT_TYPES, type ReportFiles } from './report-files.js';
import { reportHtml } from './report-html.js';
import type { PdfRenderer } from './pdf-renderer.js';
import type { ReportRecord, ReportsRepository } from './reports.repository.js';

export type ReportRequest =
  | { type: 'workspace_summary'; format: 'pdf' | 'json'; from?: string; to?: string }
  | { type: 'site_report'; format: 'pdf' | 'json'; siteId: string }
  | { type: 'extraction_export'; format: 'csv' | 'json' | 'ndjson'; siteId: string };

export interface ReportsDeps {
  reports: ReportsRepository;
  sites: SitesRepository;
  queue: JobQueue;
  content: ReportContentBuilder;
  files: ReportFiles;
  pdf: PdfRenderer;
  outbox: EmailOutboxRepository;
  logger: Logger;
  retentionDays: number;
}

/** What a report is about, by type, for names and for the job that writes it. */
const TITLES: Record<ReportType, string> = {
  workspace_summary: 'workspace-summary',
  site_report: 'site-report',
  extraction_export: 'extraction-export',
};

export class ReportsService {
  constructor(private readonly deps: ReportsDeps) {}

  /** Stores the report as queued and starts its job; a scheduled run passes its schedule's priority. */
  async create(
    workspaceId: string,
    createdBy: string | null,
    request: ReportRequest,
    priority: Priority = Priority.user,
    scheduleId?: string,
  ): Promise<ReportRecord> {
    const { type, format } = request;
    let params: Record<string, unknown>;
    if (request.type === 'workspace_summary') {
      // Fixed now, so the report covers the period as it was asked for, whenever its job runs.
      const period = periodOf(request, new Date());
      params = { from: period.from.toISOString(), to: period.to.toISOString() };
    } else {
      if (!(await this.deps.sites.getInWorkspace(workspaceId, request.siteId))) throw domainErrors.notFound('Site');
      params = { siteId: request.siteId };
    }
    const report = await this.deps.reports.insert({ workspaceId, type, format, params, createdBy, scheduleId });
    const job = await this.deps.queue.enqueue({
      workspaceId,
      siteId: 'siteId' in request ? request.siteId : null,
      type: GENERATE_REPORT,
      payload: { reportId: report.id },
      priority,
    });
    await this.deps.reports.update(report.id, { jobId: job.id });
    return { ...report, jobId: job.id };
  }

  async list(workspaceId: string, limit: number): Promise<ReportRecord[]> {
    return this.deps.reports.list(workspaceId, limit);
  }

  async get(workspaceId: string, id: string): Promise<ReportRecord> {
    const report = await this.deps.reports.getInWorkspace(workspaceId, id);
    if (!report) throw domainErrors.notFound('Report');
    return report;
  }

  async download(workspaceId: string, id: string) {
    const report = await this.get(workspaceId, id);
    if (report.status !== 'succeeded')
      throw domainErrors.conflict(`The report is ${report.status}; it can be downloaded once it has succeeded`);
    return { report, fileName: report.fileName!, contentType: report.contentType!, stream: this.deps.files.read(report) };
  }

  /**
   * The generate_report job: writes the file, then marks the report ready (and, for a scheduled
   * run, queues its emails in the same transaction).
   */
  async generate(context: JobContext): Promise<{ reportId: string; sizeBytes: number | null }> {
    const report = await this.deps.reports.get(payloadOf(context.job, GENERATE_REPORT).reportId);
    if (!report) throw new PermanentJobError('the report no longer exists');
    // A job run again after its report was completed (a worker that died before finishing the job) has nothing left to do.
    if (report.status === 'succeeded') return { reportId: report.id, sizeBytes: report.sizeBytes };
    await this.deps.reports.update(report.id, { status: 'running', error: null });
    try {
      const sizeBytes = await this.deps.files.write(report, await this.#chunks(report, context));
      const fileName = `${TITLES[report.type]}-${report.createdAt.toISOString().slice(0, 10)}-${report.id.slice(0, 8)}.${report.format}`;
      const done = { status: 'succeeded' as const, sizeBytes, fileName, contentType: CONTENT_TYPES[report.format], finishedAt: new Date() };
      await this.deps.reports.completeWithEmails(report.id, done, this.deps.outbox, await this.#emails({ ...report, ...done }));
      return { reportId: report.id, sizeBytes };
    } catch (error) {
      const final = error instanceof PermanentJobError || context.job.attempts >= context.job.maxAttempts;
      await this.deps.reports.update(
        report.id,
        final ? { status: 'failed', error: (error as Error).message, finishedAt: new Date() } : { status: 'queued' },
      );
      throw error;
    }
  }

  /** One message per recipient of the report's schedule, the file attached; none for a report asked for by hand. */
  async #emails(report: ReportRecord) {
    const schedule = report.scheduleId ? await this.deps.reports.schedule(report.scheduleId) : undefined;
    if (!schedule) return [];
    const params = report.params as { siteId?: string; from?: string; to?: string };
    const about = params.from ? `${params.from.slice(0, 10)} to ${params.to!.slice(0, 10)}` : `site ${params.siteId}`;
    return schedule.recipients.map((to) => ({
      to,
      subject: `${schedule.name} (${report.fileName})`,
      body: `Your scheduled Siteprint report "${schedule.name}" (${report.type.replace('_', ' ')}, ${about}) is attached.\n\nIt stays downloadable from the Reports page for ${this.deps.retentionDays} days.\n`,
      attachments: [{ filename: report.fileName!, path: this.deps.files.pathOf(report), contentType: report.contentType! }],
      metadata: { reportId: report.id, scheduleId: schedule.id },
    }));
  }

  async #chunks(report: ReportRecord, context: JobContext): Promise<AsyncIterable<string | Buffer> | Array<string | Buffer>> {
    const params = report.params as { siteId?: string; from?: string; to?: string };
    if (report.type === 'extraction_export') {
      const jobIds = await this.deps.reports.extractionJobs(report.workspaceId, params.siteId!);
      await context.log('info', `exporting the records of ${jobIds.length} extraction job(s) as ${report.format}`);
      return extractionExport(this.deps.reports, jobIds, report.format as 'csv' | 'json' | 'ndjson');
    }
    const content =
      report.type === 'site_report'
        ? await this.deps.content.siteReport(params.siteId!).catch((error: Error) => Promise.reject(new PermanentJobError(error.message)))
        : await this.deps.content.workspaceSummary(report.workspaceId, { from: new Date(params.from!), to: new Date(params.to!) });
    await context.checkpoint();
    if (report.format === 'json') return [JSON.stringify(content, null, 2)];
    await context.progress(0.5, 'render');
    return [await this.deps.pdf.render(reportHtml(content, new Date()))];
  }

  /** Deletes reports (and their files) older than the retention period; returns how many went. */
  async sweep(now = new Date()): Promise<number> {
    const deleted = await this.deps.reports.deleteFinishedBefore(new Date(now.getTime() - this.deps.retentionDays * 86_400_000));
    for (const report of deleted) await this.deps.files.remove(report);
    if (deleted.length) this.deps.logger.info({ reports: deleted.length }, 'old reports deleted');
    return deleted.length;
  }
}
