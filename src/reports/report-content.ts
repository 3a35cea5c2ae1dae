import type { AnalyticsRepository, AnalyticsSummary, Period } from '../analytics/index.js';
import type { BlueprintsRepository } from '../blueprints/blueprints.repository.js';
import { fieldsOfPageType, type Blueprint } from '../engine/blueprint/schema.js';
import type { SitesRepository } from '../sites/sites.repository.js';
import type { ReportsRepository, SiteFailure } from './reports.repository.js';

export interface WorkspaceSummaryContent {
  kind: 'workspace_summary';
  title: string;
  period: { from: string; to: string };
  summary: AnalyticsSummary;
  jobsPerDay: Array<{ day: string; succeeded: number; failed: number; cancelled: number }>;
}

export interface SiteReportContent {
  kind: 'site_report';
  title: string;
  site: { id: string; name: string; url: string; status: string; health: string; lastCheckedAt: string | null };
  technologies: Array<{ name: string; version?: string }>;
  pageTypes: Array<{
    name: string;
    fields: Array<{ name: string; type: string; required: boolean; mode: string; coverage: number | null; confidence: number | null }>;
  }>;
  blueprint: { version: number; coverage: number | null } | null;
  health: Array<{ checkedAt: string; health: string; coverage: number | null; httpStatus: number | null }>;
  versions: Array<{ version: number; reason: string; createdAt: string; active: boolean }>;
  failures: Array<Omit<SiteFailure, 'finishedAt'> & { finishedAt: string | null }>;
}

export type ReportContent = WorkspaceSummaryContent | SiteReportContent;

const HEALTH_HISTORY = 30;
const FAILURES = 10;

/** Gathers what a summary or site report shows, from the analytics and the site's own records. */
export class ReportContentBuilder {
  constructor(
    private readonly deps: {
      analytics: AnalyticsRepository;
      sites: SitesRepository;
      blueprints: BlueprintsRepository;
      reports: ReportsRepository;
    },
  ) {}

  async workspaceSummary(workspaceId: string, period: Period): Promise<WorkspaceSummaryContent> {
    const scope = { workspaceId };
    const [summary, series] = await Promise.all([
      this.deps.analytics.summary(scope, period),
      this.deps.analytics.series('jobs', 'day', scope, period),
    ]);
    const days = new Map<string, WorkspaceSummaryContent['jobsPerDay'][number]>();
    for (let day = startOfDay(period.from); day < period.to.getTime(); day += 86_400_000) {
      const key = new Date(day).toISOString().slice(0, 10);
      days.set(key, { day: key, succeeded: 0, failed: 0, cancelled: 0 });
    }
    for (const row of series) {
      const entry = days.get(row.bucket.slice(0, 10));
      if (entry && (row.key === 'succeeded' || row.key === 'failed' || row.key === 'cancelled')) entry[row.key] = row.value ?? 0;
    }
    return {
      kind: 'workspace_summary',
      title: 'Workspace summary',
      period: { from: period.from.toISOString(), to: period.to.toISOString() },
      summary,
      jobsPerDay: [...days.values()],
    };
  }

  async siteReport(siteId: string): Promise<SiteReportContent> {
    const site = await this.deps.sites.get(siteId);
    if (!site) throw new Error('the site no longer exists');
    const [versions, checks, failures] = await Promise.all([
      this.deps.blueprints.list(siteId),
      this.deps.sites.checks(siteId, HEALTH_HISTORY),
      this.deps.reports.recentFailures(siteId, FAILURES),
    ]);
    const active = versions.find((version) => version.id === site.activeBlueprintId);
    const blueprint = active?.content as Blueprint | undefined;
    const fingerprint = site.fingerprint as { technologies?: Array<{ name: string; version?: string }> } | null;
    return {
      kind: 'site_report',
      title: `Site report: ${site.name}`,
      site: {
        id: site.id,
        name: site.name,
        url: site.url,
        status: site.status,
        health: site.health,
        lastCheckedAt: site.lastCheckedAt?.toISOString() ?? null,
      },
      technologies: (fingerprint?.technologies ?? []).map(({ name, version }) => ({ name, ...(version ? { version } : {}) })),
      pageTypes: (blueprint?.pageTypes ?? []).map((pageType) => ({
        name: pageType.name,
        fields: fieldsOfPageType(pageType).map((field) => ({
          name: field.name,
          type: field.type,
          required: field.required,
          mode: field.mode,
          coverage: field.quality?.coverage ?? null,
          confidence: field.quality?.confidence ?? null,
        })),
      })),
      blueprint: active ? { version: active.version, coverage: blueprint?.validation?.coverage ?? null } : null,
      health: checks
        .map((check) => ({
          checkedAt: check.checkedAt.toISOString(),
          health: check.health,
          coverage: check.coverage,
          httpStatus: check.httpStatus,
        }))
        .sort((a, b) => a.checkedAt.localeCompare(b.checkedAt)),
      versions: versions
        .map((version) => ({
          version: version.version,
          reason: version.reason,
          createdAt: version.createdAt.toISOString(),
          active: version.id === site.activeBlueprintId,
        }))
        .sort((a, b) => b.version - a.version),
      failures: failures.map((failure) => ({
        ...failure,
        finishedAt: failure.finishedAt ? new Date(failure.finishedAt).toISOString() : null,
      })),
    };
  }
}

function startOfDay(date: Date): number {
  return Math.floor(date.getTime() / 86_400_000) * 86_400_000;
}
