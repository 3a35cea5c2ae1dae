/**
 * Writes the Grafana panel list of docs/operations.md from the shipped dashboards
 * (deploy/grafana/dashboards/*.json): no Grafana runs on the build machines, so the page lists
 * what each dashboard shows, each panel with its PromQL, instead of screenshots.
 * `npm run docs:dashboards`; test/docs/dashboard-reference.test.ts fails when the committed page differs.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARDS_DIR = fileURLToPath(new URL('../deploy/grafana/dashboards/', import.meta.url));
export const OPERATIONS_FILE = fileURLToPath(new URL('../docs/operations.md', import.meta.url));

const START = '<!-- Generated from deploy/grafana/dashboards by `npm run docs:dashboards`; do not edit by hand. -->';
const END = '<!-- End of the generated panel list. -->';

export interface Dashboard {
  file: string;
  title: string;
  panels: Array<{
    title: string;
    type: string;
    fieldConfig?: { defaults?: { unit?: string } };
    targets: Array<{ expr: string; legendFormat?: string }>;
  }>;
}

export function readDashboards(dir = DASHBOARDS_DIR): Dashboard[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Omit<Dashboard, 'file'>) }));
}

/** A table cell: pipes would end the cell, even inside a code span. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The generated block: a table per dashboard, one row per panel query. */
export function renderDashboardReference(dashboards = readDashboards()): string {
  const lines = [START, ''];
  for (const dashboard of dashboards) {
    lines.push(
      `### ${dashboard.title.replace(/^Siteprint · /, '')} (\`${dashboard.file}\`)`,
      '',
      '| panel | shown as | unit | PromQL (legend) |',
      '| --- | --- | --- | --- |',
    );
    for (const panel of dashboard.panels) {
      const queries = panel.targets
        .map((target) => `\`${cell(target.expr)}\`${target.legendFormat ? ` (\`${cell(target.legendFormat)}\`)` : ''}`)
        .join('<br>');
      lines.push(`| ${cell(panel.title)} | ${panel.type} | ${panel.fieldConfig?.defaults?.unit ?? '—'} | ${queries} |`);
    }
    lines.push('');
  }
  lines.push(END);
  return lines.join('\n');
}

/** The page with its generated block replaced by what the dashboards give now. */
export function withDashboardReference(page: string, dashboards = readDashboards()): string {
  const start = page.indexOf(START);
  const end = page.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${OPERATIONS_FILE} lacks the generated panel list's markers`);
  return page.slice(0, start) + renderDashboardReference(dashboards) + page.slice(end + END.length);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OPERATIONS_FILE, withDashboardReference(readFileSync(OPERATIONS_FILE, 'utf8')));
  console.log(`wrote the panel list of ${OPERATIONS_FILE}`);
}
