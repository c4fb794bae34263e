import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALERT_GROUPS, DEFAULT_RUNBOOK_BASE_URL, renderAlerts } from '../../observability/alerts.js';
import { environmentOptions, generatedFiles } from '../../observability/generate.js';
import { grafanaAlertProvisioning, grafanaContext } from '../../observability/render-grafana-alerts.js';
import { prometheusContext, prometheusRules } from '../../observability/render-prometheus.js';
import { GRAFANA_FOLDER, PROMETHEUS_DATASOURCE_UID } from '../../observability/stack.js';

const root = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFile(resolve(root, path), 'utf8');
const run = promisify(execFile);

/** `npm run generate -- ...args`, as a user runs it; resolves with the exit code and output. */
async function generate(...args: string[]): Promise<{ code: number; output: string }> {
  const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  try {
    const { stdout, stderr } = await run(process.execPath, [tsx, 'observability/generate.ts', ...args], {
      cwd: root,
      env: { ...process.env, SECMON_RUNBOOK_BASE_URL: '' },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? 1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}
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
  it.each(generatedFiles(environmentOptions()).map((file) => [file.path, file.content]))(
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
    for (const alert of renderAlerts(prometheusContext())) {
      for (const counter of alert.query.match(/secmon_\w+_total/g) ?? []) {
        expect(alert.query, alert.name).toMatch(new RegExp(`(increase|rate)\\(${counter}\\b`));
      }
    }
  });

  it('render the window everywhere a window is used', () => {
    for (const alert of renderAlerts(prometheusContext({ window: '17s' }))) {
      expect(alert.expr).not.toMatch(/\[(?!17s\])/);
      expect(alert.annotations.description).not.toContain('last 5m');
    }
  });

  it('show every count of events as a whole number', () => {
    const context = prometheusContext();
    for (const alert of renderAlerts(context)) {
      if (!alert.query.includes('increase(')) continue;
      // The value is whole (floor of the extrapolated increase) and printed without an exponent.
      expect(alert.query, alert.name).toMatch(/^floor\(/);
      expect(alert.annotations.description, alert.name).toContain(context.count);
      expect(alert.annotations.description, alert.name).not.toMatch(/\$value\s*\|\s*humanize\s*\}\}/);
    }
  });

  it('link every alert to its runbook section by an absolute URL, the published one by default', () => {
    expect(new URL(DEFAULT_RUNBOOK_BASE_URL).protocol).toBe('https:');
    for (const alert of renderAlerts(prometheusContext())) {
      expect(alert.annotations.runbook_url).toBe(
        `https://github.com/secmon/secmon/blob/main/docs/runbooks.md#${alert.name.toLowerCase()}`,
      );
    }
  });

  it('render another runbook base when asked, in the Prometheus and the Grafana rules alike', () => {
    const base = 'https://wiki.example.com/ops/secmon-runbooks';
    const prometheus = prometheusRules({ runbookBaseUrl: base }).groups.flatMap((group) => group.rules);
    const grafana = (
      grafanaAlertProvisioning({ runbookBaseUrl: base }) as unknown as GrafanaRuleFile
    ).groups.flatMap((group) => group.rules);
    expect(prometheus.length).toBe(alerts.length);
    for (const rule of prometheus) {
      expect(rule.annotations.runbook_url).toBe(`${base}#${rule.alert.toLowerCase()}`);
    }
    for (const rule of grafana)
      expect(rule.annotations.runbook_url).toBe(`${base}#${rule.title.toLowerCase()}`);
  });

  it.each([
    'docs/runbooks.md',
    'ftp://example.com/runbooks.md',
    'https://example.com/runbooks.md#top',
    'https://exa mple.com/',
  ])('refuse a runbook base that is no clickable absolute URL: %s', (base) => {
    expect(() => prometheusContext({ runbookBaseUrl: base })).toThrow(
      /runbook base URL must be an absolute http\(s\) URL/,
    );
  });

  it('have a runbook section (what it means, how to confirm, what to do) for every alert', async () => {
    const runbooks = await read('docs/runbooks.md');
    const sections = new Map<string, string>();
    for (const part of runbooks.split(/^## /m).slice(1)) {
      const heading = part.slice(0, part.indexOf('\n')).trim();
      sections.set(heading.toLowerCase(), part);
    }
    for (const alert of renderAlerts(prometheusContext())) {
      const anchor = alert.annotations.runbook_url.split('#')[1]!;
      expect(alert.annotations.runbook_url.startsWith(`${DEFAULT_RUNBOOK_BASE_URL}#`), alert.name).toBe(true);
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

describe('npm run generate', () => {
  it('writes every file with the runbook base URL it is given, where it is told', async () => {
    const out = await mkdtemp(join(tmpdir(), 'secmon-generate-'));
    try {
      const base = 'https://runbooks.example.org/secmon.html';
      const result = await generate(`--runbook-base-url=${base}`, `--out-dir=${out}`);
      expect(result.code, result.output).toBe(0);
      const rules = parse(await readFile(join(out, 'prometheus/rules/secmon.rules.yml'), 'utf8')) as {
        groups: Array<{ rules: Array<{ alert: string; annotations: { runbook_url: string } }> }>;
      };
      const grafana = parse(
        await readFile(join(out, 'grafana/provisioning/alerting/secmon-alerts.yaml'), 'utf8'),
      ) as GrafanaRuleFile;
      const urls = [
        ...rules.groups.flatMap((group) =>
          group.rules.map((rule) => [rule.alert, rule.annotations.runbook_url]),
        ),
        ...grafana.groups.flatMap((group) =>
          group.rules.map((rule) => [rule.title, rule.annotations.runbook_url]),
        ),
      ];
      expect(urls).toHaveLength(2 * alerts.length);
      for (const [name, url] of urls) expect(url).toBe(`${base}#${name!.toLowerCase()}`);
      expect(await readFile(join(out, 'grafana/dashboards/secmon.json'), 'utf8')).toContain(base);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('refuses a relative runbook base with a one-line message and exit code 2', async () => {
    const result = await generate('--runbook-base-url=docs/runbooks.md', '--check');
    expect(result.code).toBe(2);
    expect(result.output.trim()).toBe(
      'generate: runbook base URL must be an absolute http(s) URL without a #fragment (got "docs/runbooks.md")',
    );
  });
});
