import { escapeHtml } from '../domain/html.js';
import type { ReportContent, SiteReportContent, WorkspaceSummaryContent } from './report-content.js';

const percent = (value: number | null | undefined) => (value === null || value === undefined ? '–' : `${Math.round(value * 100)}%`);
const seconds = (value: number | null) => (value === null ? '–' : `${value.toFixed(1)} s`);
const usd = (value: number) => `$${value.toFixed(4)}`;
const date = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 16) + ' UTC' : '–');

const STYLE = `
  @page { size: A4; margin: 16mm 14mm; }
  body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; color: #1a1b1e; font-size: 10.5pt; }
  h1 { font-size: 20pt; margin: 0 0 2mm; } h2 { font-size: 13pt; margin: 7mm 0 2mm; border-bottom: 1px solid #dee2e6; padding-bottom: 1mm; }
  .muted { color: #6c757d; } table { width: 100%; border-collapse: collapse; margin-top: 2mm; }
  th, td { text-align: left; padding: 1.2mm 2mm; border-bottom: 1px solid #eef0f2; } th { background: #f1f3f5; font-weight: 600; }
  td.n, th.n { text-align: right; } .tiles { display: flex; gap: 3mm; flex-wrap: wrap; }
  .tile { border: 1px solid #dee2e6; border-radius: 2mm; padding: 2mm 4mm; min-width: 32mm; }
  .tile b { display: block; font-size: 15pt; } svg text { font-size: 7pt; fill: #495057; }
  .healthy { color: #2b8a3e; } .degraded { color: #e67700; } .down { color: #c92a2a; }
`;

function table(headers: string[], rows: Array<Array<string | number>>, numeric: number[] = []): string {
  if (rows.length === 0) return '<p class="muted">None in this report.</p>';
  const cell = (tag: string, value: string | number, index: number) =>
    `<${tag}${numeric.includes(index) ? ' class="n"' : ''}>${escapeHtml(value)}</${tag}>`;
  return `<table><thead><tr>${headers.map((header, index) => cell('th', header, index)).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((value, index) => cell('td', value, index)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** A stacked bar per entry, drawn as inline SVG so the PDF needs nothing from the network. */
function barChart(entries: Array<{ label: string; parts: Array<{ value: number; color: string }> }>, height = 120): string {
  if (entries.length === 0) return '';
  const width = 680;
  const max = Math.max(1, ...entries.map((entry) => entry.parts.reduce((sum, part) => sum + part.value, 0)));
  const slot = width / entries.length;
  const bar = Math.min(40, Math.max(2, slot * 0.7));
  const every = Math.ceil(entries.length / 12);
  const bars = entries.map((entry, index) => {
    let y = height;
    const rects = entry.parts.map((part) => {
      const h = (part.value / max) * (height - 10);
      y -= h;
      return h > 0
        ? `<rect x="${(index * slot + (slot - bar) / 2).toFixed(1)}" y="${y.toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" fill="${part.color}"/>`
        : '';
    });
    const label =
      index % every === 0
        ? `<text x="${(index * slot + slot / 2).toFixed(1)}" y="${height + 10}" text-anchor="middle">${escapeHtml(entry.label)}</text>`
        : '';
    return rects.join('') + label;
  });
  return `<svg width="${width}" height="${height + 14}" viewBox="0 0 ${width} ${height + 14}" role="img"><text x="0" y="8">max ${max}</text>${bars.join('')}</svg>`;
}

function workspaceSummary(content: WorkspaceSummaryContent): string {
  const { summary } = content;
  return `
  <h1>${escapeHtml(content.title)}</h1>
  <p class="muted">${escapeHtml(date(content.period.from))} – ${escapeHtml(date(content.period.to))}</p>
  <div class="tiles">
    <div class="tile">Sites<b>${summary.sites.total}</b></div>
    <div class="tile">Sites analysed<b>${summary.sites.analysed}</b></div>
    <div class="tile">Analyses succeeded<b>${summary.analyses.succeeded}</b></div>
    <div class="tile">Analyses failed<b>${summary.analyses.failed}</b></div>
    <div class="tile">Success rate<b>${percent(summary.analyses.successRate)}</b></div>
    <div class="tile">LLM cost<b>${usd(summary.llm.costUsd)}</b></div>
  </div>
  <h2>Jobs per day</h2>
  <p class="muted"><span style="color:#2f9e44">■</span> succeeded <span style="color:#e03131">■</span> failed <span style="color:#868e96">■</span> cancelled</p>
  ${barChart(
    content.jobsPerDay.map((day) => ({
      label: day.day.slice(5),
      parts: [
        { value: day.succeeded, color: '#2f9e44' },
        { value: day.failed, color: '#e03131' },
        { value: day.cancelled, color: '#868e96' },
      ],
    })),
  )}
  <h2>Jobs by type</h2>
  ${table(
    ['Type', 'Total', 'Succeeded', 'Failed', 'Cancelled', 'Mean', 'p95'],
    summary.jobs.map((job) => [
      job.type,
      job.total,
      job.succeeded,
      job.failed,
      job.cancelled,
      seconds(job.meanSeconds),
      seconds(job.p95Seconds),
    ]),
    [1, 2, 3, 4, 5, 6],
  )}
  <h2>Extraction and blueprints</h2>
  ${table(
    ['Figure', 'Value'],
    [
      ['Extraction batches', summary.extraction.jobs],
      ['Pages extracted', summary.extraction.pages],
      ['Pages with an error', summary.extraction.pagesWithError],
      ['Blueprint versions written', summary.blueprintVersions.total],
      ['Automatic repairs', summary.blueprintVersions.automaticRepairs],
      ['Manual edits', summary.blueprintVersions.manualEdits],
      ['Health checks', summary.health.checks],
      ['Health changes', summary.health.changes],
    ],
    [1],
  )}
  <h2>LLM use by model</h2>
  ${table(
    ['Model', 'Requests', 'Prompt tokens', 'Completion tokens', 'Cost'],
    summary.llm.byModel.map((row) => [row.model, row.requests, row.promptTokens, row.completionTokens, usd(row.costUsd)]),
    [1, 2, 3, 4],
  )}
  <h2>API use</h2>
  ${table(
    ['Route', 'Requests', 'Mean time'],
    summary.api.byRoute.slice(0, 15).map((row) => [`${row.method} ${row.route}`, row.requests, `${row.meanMs.toFixed(1)} ms`]),
    [1, 2],
  )}`;
}

function siteReport(content: SiteReportContent): string {
  const { site } = content;
  const colors: Record<string, string> = { healthy: '#2f9e44', degraded: '#f08c00', down: '#e03131' };
  return `
  <h1>${escapeHtml(site.name)}</h1>
  <p class="muted">${escapeHtml(site.url)} · status ${escapeHtml(site.status)} · last checked ${escapeHtml(date(site.lastCheckedAt))}</p>
  <div class="tiles">
    <div class="tile">Health<b class="${escapeHtml(site.health)}">${escapeHtml(site.health)}</b></div>
    <div class="tile">Blueprint version<b>${content.blueprint ? `v${content.blueprint.version}` : '–'}</b></div>
    <div class="tile">Blueprint coverage<b>${percent(content.blueprint?.coverage)}</b></div>
    <div class="tile">Page types<b>${content.pageTypes.length}</b></div>
  </div>
  <h2>Fingerprint</h2>
  ${content.technologies.length ? `<p>${content.technologies.map((tech) => escapeHtml(tech.version ? `${tech.name} ${tech.version}` : tech.name)).join(' · ')}</p>` : '<p class="muted">No technologies detected.</p>'}
  <h2>Blueprint fields</h2>
  ${
    content.pageTypes.length
      ? content.pageTypes
          .map(
            (pageType) =>
              `<h3>${escapeHtml(pageType.name)}</h3>${table(
                ['Field', 'Type', 'Required', 'Mode', 'Coverage', 'Confidence'],
                pageType.fields.map((field) => [
                  field.name,
                  field.type,
                  field.required ? 'yes' : 'no',
                  field.mode,
                  percent(field.coverage),
                  percent(field.confidence),
                ]),
                [4, 5],
              )}`,
          )
          .join('')
      : '<p class="muted">No blueprint yet.</p>'
  }
  <h2>Health history</h2>
  ${barChart(
    content.health.map((check) => ({
      label: check.checkedAt.slice(5, 10),
      parts: [{ value: Math.round((check.coverage ?? 0) * 100), color: colors[check.health] ?? '#868e96' }],
    })),
    90,
  )}
  ${table(
    ['Checked', 'Health', 'Coverage', 'HTTP'],
    content.health
      .slice(-10)
      .reverse()
      .map((check) => [date(check.checkedAt), check.health, percent(check.coverage), check.httpStatus ?? '–']),
    [2, 3],
  )}
  <h2>Version history</h2>
  ${table(
    ['Version', 'Why', 'Written', 'Active'],
    content.versions.map((version) => [`v${version.version}`, version.reason, date(version.createdAt), version.active ? 'active' : '']),
  )}
  <h2>Recent failures</h2>
  ${table(
    ['Job', 'Type', 'Finished', 'Error'],
    content.failures.map((failure) => [failure.jobId.slice(0, 8), failure.type, date(failure.finishedAt), failure.error ?? '']),
  )}`;
}

/** The printable page of a report; everything inline (styles, charts), so rendering fetches nothing. */
export function reportHtml(content: ReportContent, generatedAt: Date): string {
  const body = content.kind === 'workspace_summary' ? workspaceSummary(content) : siteReport(content);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(content.title)}</title><style>${STYLE}</style></head>
<body>${body}<p class="muted" style="margin-top:8mm">Generated by Siteprint on ${escapeHtml(date(generatedAt.toISOString()))}</p></body></html>`;
}
