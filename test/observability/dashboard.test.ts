import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATASOURCE_VARIABLE, lineWidths, secmonDashboard } from '../../observability/dashboard.js';
import { DASHBOARD_UID } from '../../observability/stack.js';
import { ALERT_TYPES } from '../../src/core/alert.js';
import { dashboardTargets } from './stack-support.js';

const root = resolve(import.meta.dirname, '../..');

interface Panel {
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  fieldConfig?: { defaults?: { unit?: string; decimals?: number } };
  targets?: Array<{ refId: string; expr: string; datasource?: { uid: string } }>;
}

const dashboard = secmonDashboard() as unknown as {
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: unknown; includeAll?: boolean }> };
};
const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
const exprs = panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));

describe('the secmon dashboard', () => {
  it('is the committed grafana/dashboards/secmon.json, with the uid the README links to', async () => {
    const committed = JSON.parse(await readFile(resolve(root, 'grafana/dashboards/secmon.json'), 'utf8'));
    expect(committed.uid).toBe(DASHBOARD_UID);
    expect(dashboardTargets(committed).length).toBe(exprs.length);
  });

  it('lets the viewer pick the data source and the secmon instances', () => {
    const variables = dashboard.templating.list;
    expect(variables.find((variable) => variable.name === 'datasource')).toMatchObject({
      type: 'datasource',
      query: 'prometheus',
    });
    expect(variables.find((variable) => variable.name === 'instance')).toMatchObject({
      type: 'query',
      includeAll: true,
    });
  });

  it('queries the data-source variable in every panel and target', () => {
    for (const panel of panels) {
      expect(panel.datasource?.uid, panel.title).toBe(DATASOURCE_VARIABLE);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      const refIds = panel.targets!.map((target) => target.refId);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
      for (const target of panel.targets!) expect(target.datasource?.uid).toBe(DATASOURCE_VARIABLE);
    }
  });

  it('filters every per-instance series by the instance variable', () => {
    for (const expr of exprs) {
      if (expr.includes('ALERTS{')) continue; // firing alerts: every secmon instance
      for (const selector of expr.match(/\b[a-z_]+\{[^}]*\}/g) ?? []) {
        expect(selector, expr).toContain('instance=~"$instance"');
      }
    }
  });

  it('shows what an on-call person looks for', () => {
    const has = (pattern: RegExp) => exprs.some((expr) => pattern.test(expr));
    expect(has(/sum by \(type, severity\) \(rate\(secmon_alerts_total/)).toBe(true); // alerts by type/severity
    expect(has(/rate\(secmon_failed_auth_total/)).toBe(true); // failed logins rate
    expect(has(/secmon_privileged_container_attempts_total/)).toBe(true);
    expect(has(/secmon_command_injection_attempts_total/)).toBe(true);
    expect(has(/ALERTS\{alertstate="firing"/)).toBe(true); // firing alerts
    expect(has(/^up\{job="secmon"/)).toBe(true); // secmon up
    expect(has(/scrape_duration_seconds/)).toBe(true); // scrape health
    for (const counter of [
      'path_traversal_attempts',
      'suspicious_container_attempts',
      'rate_limit_exceeded',
    ]) {
      expect(has(new RegExp(`secmon_${counter}_total`)), counter).toBe(true); // attempts per attack type
    }
    // Monitored IPs against the cap: both in one panel.
    expect(
      panels.some((panel) => {
        const text = (panel.targets ?? []).map((target) => target.expr).join(' ');
        return text.includes('secmon_monitored_ips') && text.includes('secmon_tracked_ips_limit');
      }),
    ).toBe(true);
  });

  it('opens with one stat per alert type, each the whole number of alerts in the time range, in one unit', () => {
    const firstRow = dashboard.panels.findIndex((panel) => panel.type === 'row');
    const secondRow = dashboard.panels.findIndex((panel, index) => index > firstRow && panel.type === 'row');
    expect(firstRow).toBe(0);
    const top = dashboard.panels.slice(firstRow + 1, secondRow);
    // Every alert type, path traversal included, in ALERT_TYPES order; nothing else.
    expect(top.map((panel) => panel.type)).toEqual(ALERT_TYPES.map(() => 'stat'));
    expect(top.map((panel) => panel.targets?.[0]?.expr.match(/type="([a-z_]+)"/)?.[1])).toEqual([
      ...ALERT_TYPES,
    ]);
    expect(top.map((panel) => panel.title)).toContain('Path traversal');
    for (const panel of top) {
      expect(panel.targets).toHaveLength(1);
      expect(panel.targets![0]!.expr, panel.title).toMatch(
        /^floor\(sum\(increase\(secmon_alerts_total\{type="[a-z_]+", instance=~"\$instance"\}\[\$__range\]\)\)\)$/,
      );
      expect(panel.fieldConfig?.defaults?.unit, panel.title).toBe('none');
      expect(panel.fieldConfig?.defaults?.decimals, panel.title).toBe(0);
      // Right under the row header, in as few lines of at most 8 stats as the types need.
      expect([1, 5], panel.title).toContain(panel.gridPos.y);
    }
    const perLine = [...new Set(top.map((panel) => panel.gridPos.y))].map(
      (y) => top.filter((panel) => panel.gridPos.y === y).length,
    );
    expect(Math.max(...perLine)).toBeLessThanOrEqual(8);
    expect(Math.max(...perLine) - Math.min(...perLine)).toBeLessThanOrEqual(1);
  });

  it('never shows a count of events as requests per second: only the event API panel counts requests', () => {
    for (const panel of panels) {
      const text = (panel.targets ?? []).map((target) => target.expr).join(' ');
      if (panel.fieldConfig?.defaults?.unit === 'reqps') {
        expect(text, panel.title).toMatch(/secmon_ingest_requests_/);
        expect(text, panel.title).not.toMatch(/secmon_(failed_auth|alerts|\w+_attempts)_total/);
      }
    }
    const failedLogins = panels.find((panel) => panel.title === 'Failed logins')!;
    expect(failedLogins.fieldConfig?.defaults?.unit).toBe('cpm');
    expect(failedLogins.targets![0]!.expr).toMatch(/\* 60$/);
  });

  it.each([1, 5, 6, 7, 8, 9, 13, 17])('fits %i alert types on the grid, full lines of at most 8', (count) => {
    const widths = lineWidths(count);
    expect(widths).toHaveLength(count);
    for (let start = 0; start < count; start += 8) {
      const line = widths.slice(start, start + 8);
      expect(line.reduce((sum, width) => sum + width, 0)).toBe(24);
      expect(Math.max(...line) - Math.min(...line)).toBeLessThanOrEqual(1);
    }
  });

  it('lays panels out on the 24-column grid without overlaps', () => {
    const all = dashboard.panels;
    for (const panel of all) {
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
    }
    for (const [i, a] of all.entries()) {
      for (const b of all.slice(i + 1)) {
        const overlap =
          a.gridPos.x < b.gridPos.x + b.gridPos.w &&
          b.gridPos.x < a.gridPos.x + a.gridPos.w &&
          a.gridPos.y < b.gridPos.y + b.gridPos.h &&
          b.gridPos.y < a.gridPos.y + a.gridPos.h;
        expect(overlap, `${a.title} overlaps ${b.title}`).toBe(false);
      }
    }
  });
});
