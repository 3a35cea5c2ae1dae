import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPERATIONS_FILE, readDashboards, renderDashboardReference, withDashboardReference } from '../../scripts/dashboard-reference.js';

describe('the Grafana panel list in docs/operations.md', () => {
  const page = readFileSync(OPERATIONS_FILE, 'utf8');

  it('is what the shipped dashboards generate (run npm run docs:dashboards after changing deploy/grafana)', () => {
    expect(page).toBe(withDashboardReference(page));
  });

  it('lists every panel of every dashboard with each of its queries', () => {
    const dashboards = readDashboards();
    expect(dashboards.map((dashboard) => dashboard.file)).toContain('platform-overview.json');
    for (const dashboard of dashboards) {
      for (const panel of dashboard.panels) {
        expect(panel.targets.length, `${dashboard.file}: ${panel.title}`).toBeGreaterThan(0);
        for (const target of panel.targets) expect(page).toContain(`\`${target.expr.replace(/\|/g, '\\|')}\``);
        expect(page).toContain(`| ${panel.title.replace(/\|/g, '\\|')} | ${panel.type} |`);
      }
    }
  });

  it('escapes pipes so a query cannot split its table row', () => {
    const block = renderDashboardReference([
      { file: 'x.json', title: 'Siteprint · X', panels: [{ title: 'a|b', type: 'stat', targets: [{ expr: 'up{job=~"a|b"}' }] }] },
    ]);
    expect(block).toContain('| a\\|b | stat | — | `up{job=~"a\\|b"}` |');
  });
});
