import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALERT_GROUPS, DEFAULT_WINDOW, RUNBOOK_BASE_URL, renderAlerts } from '../../observability/alerts.js';
import { generatedFiles } from '../../observability/generate.js';
import { grafanaAlertProvisioning, grafanaContext } from '../../observability/render-grafana-alerts.js';
import { prometheusRules } from '../../observability/render-prometheus.js';
import { GRAFANA_FOLDER, PROMETHEUS_DATASOURCE_UID } from '../../observability/stack.js';

const root = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFile(resolve(root, path), 'utf8');
const alerts = ALERT_GROUPS.flatMap((group) => group.alerts.map((alert) => ({ ...alert, group })));

interface GrafanaRuleFile {
  apiVersion: number;
  groups: Array<{
    orgId: number;
    name: string;
    folder: string;
    interval: string;
    rules: Array<{
      uid: string;
      title: string;
      condition: string;
      for: string;
      noDataState: string;
      labels: Record<string, string>;
      annotations: Record<string, string>;
      data: Array<{
        refId: string;
        datasourceUid: string;
        relativeTimeRange: { from: number; to: number };
        model: Record<string, unknown>;
      }>;
    }>;
  }>;
}

describe('generated observability files', () => {
  it.each(generatedFiles().map((file) => [file.path, file.content]))(
    '%s is up to date with observability/ (run `npm run generate`)',
    async (path, content) => {
      expect(await read(path)).toBe(content);
    },
  );
});

describe('alert definitions', () => {
  it('have unique names and Grafana uids of the accepted form', () => {
    const names = alerts.map((alert) => alert.name);
    const uids = alerts.map((alert) => alert.uid);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(uids).size).toBe(uids.length);
    for (const alert of alerts) {
      expect(alert.name).toMatch(/^Secmon[A-Z][A-Za-z]+$/);
      expect(alert.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    }
  });

  it('include every alert the bundle promises', () => {
    expect(alerts.map((alert) => alert.name)).toEqual(
      expect.arrayContaining([
        'SecmonBruteForceDetected',
        'SecmonPrivilegeEscalationAttempt',
        'SecmonCommandInjectionAttempt',
        'SecmonPathTraversalBurst',
        'SecmonSuspiciousContainer',
        'SecmonDown',
        'SecmonNotScraped',
        'SecmonTrackedIpsNearCap',
        'SecmonAlertHandlersFailing',
      ]),
    );
  });

  it('fire attack alerts at the first evaluation and give health alerts time to settle', () => {
    for (const alert of alerts) {
      if (alert.group.category === 'attack') expect(alert.for, alert.name).toBe('0s');
      else expect(alert.for, alert.name).not.toBe('0s');
    }
  });

  it('use increase() over counters, never the raw counter value', () => {
    for (const alert of renderAlerts({ window: DEFAULT_WINDOW, value: '$value' })) {
      for (const counter of alert.query.match(/secmon_\w+_total/g) ?? []) {
        expect(alert.query, alert.name).toMatch(new RegExp(`(increase|rate)\\(${counter}\\b`));
      }
    }
  });

  it('render the window everywhere a window is used', () => {
    for (const alert of renderAlerts({ window: '17s', value: '$value' })) {
      expect(alert.expr).not.toMatch(/\[(?!17s\])/);
      expect(alert.annotations.description).not.toContain(`last ${DEFAULT_WINDOW}`);
    }
  });

  it('have a runbook section (what it means, how to confirm, what to do) for every alert', async () => {
    const runbooks = await read('docs/runbooks.md');
    const sections = new Map<string, string>();
    for (const part of runbooks.split(/^## /m).slice(1)) {
      const heading = part.slice(0, part.indexOf('\n')).trim();
      sections.set(heading.toLowerCase(), part);
    }
    for (const alert of renderAlerts({ window: DEFAULT_WINDOW, value: '$value' })) {
      const anchor = alert.annotations.runbook_url.split('#')[1]!;
      expect(alert.annotations.runbook_url.startsWith(`${RUNBOOK_BASE_URL}#`), alert.name).toBe(true);
      const section = sections.get(anchor);
      expect(section, `docs/runbooks.md has no "## ${alert.name}" section`).toBeDefined();
      expect(section).toMatch(/^### What it means$/m);
      expect(section).toMatch(/^### How to confirm$/m);
      expect(section).toMatch(/^### What to do$/m);
    }
  });
});

describe('Prometheus and Grafana renderings of the alerts', () => {
  const prometheus = prometheusRules();
  const grafana = grafanaAlertProvisioning() as unknown as GrafanaRuleFile;
  const grafanaRules = grafana.groups.flatMap((group) => group.rules.map((rule) => ({ ...rule, group })));

  it('contain the same alerts in the same groups', () => {
    expect(prometheus.groups.map((group) => group.name)).toEqual(grafana.groups.map((group) => group.name));
    expect(prometheus.groups.map((group) => group.rules.map((rule) => rule.alert))).toEqual(
      grafana.groups.map((group) => group.rules.map((rule) => rule.title)),
    );
  });

  it('query the same PromQL with the same threshold, labels, `for` and runbook', () => {
    const rendered = renderAlerts(grafanaContext());
    for (const group of prometheus.groups) {
      for (const rule of group.rules) {
        const grafanaRule = grafanaRules.find((candidate) => candidate.title === rule.alert)!;
        const definition = rendered.find((alert) => alert.name === rule.alert)!;
        const [a, b] = grafanaRule.data;
        expect(rule.expr).toBe(`${a!.model.expr} ${definition.threshold.op} ${definition.threshold.value}`);
        expect(b!.model).toMatchObject({
          type: 'threshold',
          expression: 'A',
          conditions: [
            {
              evaluator: {
                type: definition.threshold.op === '>' ? 'gt' : 'lt',
                params: [definition.threshold.value],
              },
            },
          ],
        });
        expect(grafanaRule.condition).toBe('B');
        expect(grafanaRule.labels).toEqual(rule.labels);
        expect(grafanaRule.for).toBe(rule.for ?? '0s');
        expect(grafanaRule.annotations.runbook_url).toBe(rule.annotations.runbook_url);
        expect(grafanaRule.annotations.summary).toBe(rule.annotations.summary);
        // Same text, each in its own template language.
        expect(grafanaRule.annotations.description).toBe(
          rule.annotations.description!.replaceAll('$value', '$values.A.Value'),
        );
      }
    }
  });

  it('run the Grafana queries instantly against the provisioned Prometheus datasource', async () => {
    const datasources = parse(await read('grafana/provisioning/datasources/secmon.yaml')) as {
      datasources: Array<{ uid: string; type: string }>;
    };
    const prometheusSource = datasources.datasources.find((source) => source.type === 'prometheus');
    expect(prometheusSource?.uid).toBe(PROMETHEUS_DATASOURCE_UID);
    for (const rule of grafanaRules) {
      const [a, b] = rule.data;
      expect(a).toMatchObject({ refId: 'A', datasourceUid: PROMETHEUS_DATASOURCE_UID });
      expect(a!.model).toMatchObject({ instant: true, refId: 'A' });
      expect(a!.relativeTimeRange.from).toBeGreaterThan(0);
      expect(b).toMatchObject({ refId: 'B', datasourceUid: '__expr__' });
      expect(rule.group.folder).toBe(GRAFANA_FOLDER);
      expect(rule.group.orgId).toBe(1);
      // Grafana rule groups are evaluated on multiples of 10 s.
      expect(rule.group.interval).toMatch(/^(\d+0s|\d+m)$/);
    }
  });

  it('survive Grafana provisioning: no `$` in fields Grafana expands environment variables in', () => {
    // Grafana's file provisioning expands $VARS in labels and queries (not in annotations).
    for (const rule of grafanaRules) {
      expect(JSON.stringify(rule.labels)).not.toContain('$');
      expect(JSON.stringify(rule.data)).not.toContain('$');
      expect(rule.title).not.toContain('$');
    }
  });

  it('use template variables only where each system defines them', () => {
    for (const group of prometheus.groups) {
      for (const rule of group.rules) {
        const text = Object.values(rule.annotations).join(' ');
        expect(text).not.toContain('$values');
      }
    }
    for (const rule of grafanaRules) {
      expect(Object.values(rule.annotations).join(' ')).not.toMatch(/\$value\b/);
    }
  });
});
