// docs/existing-prometheus-grafana.md, Alertmanager and Grafana parts, followed step by step: the
// guide's route and inhibition merged into an operator's routing tree (amtool and a running
// Alertmanager), its jq and sed commands run as written; Grafana is not packaged for Debian, so its
// steps are checked on the files they produce.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { SECMON_JOB } from '../../observability/alerts.js';
import { DATASOURCE_VARIABLE } from '../../observability/dashboard.js';
import { PROMETHEUS_DATASOURCE_UID } from '../../observability/stack.js';
import { freePort, isUp, requireBinaries, startProcess, waitFor } from '../support/processes.js';
import {
  guideAlerts as alerts,
  block,
  commands,
  guideText,
  localise as moved,
  shell,
} from './operator-guide.js';

const run = promisify(execFile);
const bins = requireBinaries(
  { amtool: ['amtool'], alertmanager: ['prometheus-alertmanager', 'alertmanager'], jq: ['jq'] },
  'apt-get install prometheus-alertmanager jq (Debian packages)',
);

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secmon-guide-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The guide's paths, moved into this test's directory and processes. */
const localise = (text: string, urls: Record<string, string> = {}) => moved(text, dir, urls);

describe.skipIf(!bins)('the guide, on an existing Alertmanager', () => {
  // An operator's routing before secmon: a team route and a catch-all for critical alerts, which
  // would take secmon's critical alerts if secmon's route were not first.
  const existing = {
    route: {
      receiver: 'default',
      group_by: ['alertname'],
      routes: [
        { matchers: ['team="db"'], receiver: 'db-pager' },
        { matchers: ['severity="critical"'], receiver: 'ops-pager' },
      ],
    },
    receivers: ['default', 'db-pager', 'ops-pager', 'security-page', 'security-notify'].map((name) => ({
      name,
      webhook_configs: [{ url: `http://receiver.invalid/${name}` }],
    })),
  };

  async function merged(): Promise<string> {
    const config = structuredClone(existing) as typeof existing & { inhibit_rules?: unknown[] };
    const { route } = parse(block('alertmanager-route')) as { route: { routes: never[] } };
    config.route.routes.unshift(...route.routes); // "at the top of your route.routes"
    config.inhibit_rules = (
      parse(block('alertmanager-inhibit')) as { inhibit_rules: unknown[] }
    ).inhibit_rules;
    await mkdir(join(dir, 'alertmanager'), { recursive: true });
    const file = join(dir, 'alertmanager/alertmanager.yml');
    await writeFile(file, stringify(config));
    return file;
  }

  it('passes amtool and routes as the guide says: critical pages, the rest notifies', async () => {
    const file = await merged();
    const [check, ...routeTests] = commands('alertmanager-check').map((command) => localise(command));
    const checked = await shell(check!);
    expect(checked).toContain('SUCCESS');
    expect(checked).toContain('1 inhibit rules');
    expect(await Promise.all(routeTests.map((command) => shell(command).then((out) => out.trim())))).toEqual([
      'security-page',
      'security-notify',
    ]);
    const routeOf = async (labels: Record<string, string>) =>
      (
        await run(bins!.amtool, [
          'config',
          'routes',
          'test',
          `--config.file=${file}`,
          ...Object.entries(labels).map(([key, value]) => `${key}=${value}`),
        ])
      ).stdout.trim();
    for (const alert of alerts) {
      const labels = {
        alertname: alert.name,
        severity: alert.severity,
        category: alert.category,
        job: SECMON_JOB,
      };
      expect(await routeOf(labels), alert.name).toBe(
        alert.severity === 'critical' ? 'security-page' : 'security-notify',
      );
    }
    // The operator's own alerts route as before.
    expect(await routeOf({ alertname: 'DiskFull', severity: 'critical' })).toBe('ops-pager');
    expect(await routeOf({ alertname: 'ReplicationLag', team: 'db' })).toBe('db-pager');
  });

  it('holds back health alerts of an instance while SecmonDown fires for it, in a running Alertmanager', async () => {
    const file = await merged();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    await mkdir(join(dir, 'alertmanager-data'), { recursive: true });
    const alertmanager = startProcess(
      bins!.alertmanager,
      [
        `--config.file=${file}`,
        `--storage.path=${join(dir, 'alertmanager-data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { name: 'alertmanager' },
    );
    try {
      await waitFor('Alertmanager to be ready', () => isUp(`${base}/-/ready`), { timeoutMs: 20_000 });
      const alert = (alertname: string, category: string, severity: string) => ({
        labels: { alertname, job: SECMON_JOB, instance: 'a:9870', category, severity },
        startsAt: new Date().toISOString(),
      });
      const posted = await fetch(`${base}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          alert('SecmonDown', 'health', 'critical'),
          alert('SecmonStoreDegraded', 'health', 'high'),
          alert('SecmonBruteForceDetected', 'attack', 'high'),
        ]),
      });
      expect(posted.status).toBe(200);
      const states = await waitFor(
        'the inhibition to apply',
        async () => {
          const listed = (await (await fetch(`${base}/api/v2/alerts`)).json()) as Array<{
            labels: Record<string, string>;
            status: { state: string };
          }>;
          const byName = Object.fromEntries(
            listed.map((entry) => [entry.labels.alertname, entry.status.state]),
          );
          return byName.SecmonStoreDegraded === 'suppressed' ? byName : undefined;
        },
        { timeoutMs: 10_000 },
      );
      expect(states).toEqual({
        SecmonDown: 'active',
        SecmonStoreDegraded: 'suppressed',
        SecmonBruteForceDetected: 'active',
      });
    } finally {
      await alertmanager.stop();
    }
  });
});

/** Grafana's object matchers (`=`, `!=`, `=~`, `!~`; regexes anchored) against a label set. */
function matches(matchers: Array<[string, string, string]>, labels: Record<string, string>): boolean {
  return matchers.every(([name, op, value]) => {
    const actual = labels[name] ?? '';
    if (op === '=') return actual === value;
    if (op === '!=') return actual !== value;
    const hit = new RegExp(`^(?:${value})$`).test(actual);
    return op === '=~' ? hit : !hit;
  });
}

interface Policy {
  receiver?: string;
  object_matchers?: Array<[string, string, string]>;
  routes?: Policy[];
}

/** The receiver Grafana's policy tree picks for an alert (first matching child, depth first). */
function receiverOf(policy: Policy, labels: Record<string, string>, inherited?: string): string | undefined {
  const receiver = policy.receiver ?? inherited;
  for (const child of policy.routes ?? []) {
    if (matches(child.object_matchers ?? [], labels)) return receiverOf(child, labels, receiver);
  }
  return receiver;
}

describe.skipIf(!bins)('the guide, on an existing Grafana', () => {
  it('imports the dashboard as the API expects, with no data source fixed to a uid', async () => {
    const [importCommand] = commands('grafana-import');
    const jqOnly = localise(importCommand!.split(' | ')[0]!);
    expect(jqOnly).toMatch(/^jq /);
    const body = JSON.parse(await shell(jqOnly)) as {
      overwrite: boolean;
      dashboard: Record<string, unknown>;
    };
    expect(body.overwrite).toBe(true);
    expect(body.dashboard.uid).toBe('secmon-overview');
    // A dashboard posted with an id would overwrite whatever dashboard has that id in your Grafana.
    expect(body.dashboard.id ?? null).toBeNull();
    const text = JSON.stringify(body.dashboard);
    expect(text).not.toContain(PROMETHEUS_DATASOURCE_UID);
    const uids = new Set(
      [...text.matchAll(/"datasource":\{"type":"prometheus","uid":"([^"]+)"\}/g)].map((m) => m[1]),
    );
    expect([...uids]).toEqual([DATASOURCE_VARIABLE]);
    expect(guideText()).toContain('/d/secmon-overview');
  });

  it('points every Grafana-managed rule at the data source uid the operator gives', async () => {
    const [sed] = commands('grafana-datasource-uid');
    await mkdir(join(dir, 'grafana/provisioning/alerting'), { recursive: true });
    await shell(localise(sed!).replaceAll('YOUR_PROMETHEUS_UID', 'ops-prometheus'));
    const text = await readFile(join(dir, 'grafana/provisioning/alerting/secmon-alerts.yaml'), 'utf8');
    expect(text).not.toContain(PROMETHEUS_DATASOURCE_UID);
    const provisioned = parse(text) as {
      groups: Array<{
        rules: Array<{
          title: string;
          data: Array<{ refId: string; datasourceUid: string; model: { datasource: { uid: string } } }>;
        }>;
      }>;
    };
    const rules = provisioned.groups.flatMap((group) => group.rules);
    expect(rules.map((rule) => rule.title).sort()).toEqual(alerts.map((alert) => alert.name).sort());
    for (const rule of rules) {
      const [a, b] = rule.data;
      expect(a!.datasourceUid, rule.title).toBe('ops-prometheus');
      expect(a!.model.datasource.uid, rule.title).toBe('ops-prometheus');
      expect(b!.datasourceUid, rule.title).toBe('__expr__');
    }
  });

  it('gives contact points and a policy that route secmon by severity and nothing else', () => {
    const contactPoints = parse(block('grafana-contact-points')) as {
      apiVersion: number;
      contactPoints: Array<{
        name: string;
        receivers: Array<{ uid: string; type: string; settings: { url: string } }>;
      }>;
    };
    expect(contactPoints.apiVersion).toBe(1);
    expect(contactPoints.contactPoints.map((point) => point.name).sort()).toEqual([
      'security-notify',
      'security-page',
    ]);
    for (const point of contactPoints.contactPoints) {
      for (const receiver of point.receivers) {
        expect(receiver.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
        expect(new URL(receiver.settings.url).protocol).toBe('https:');
      }
    }
    // The guide's policy, as a child of an operator's existing tree.
    const secmon = parse(block('grafana-policy')) as Policy;
    const tree: Policy = {
      receiver: 'default',
      routes: [
        ...(secmon.routes ?? []),
        { receiver: 'ops', object_matchers: [['severity', '=', 'critical']] },
      ],
    };
    for (const alert of alerts) {
      const labels = { alertname: alert.name, severity: alert.severity, category: alert.category };
      expect(receiverOf(tree, labels), alert.name).toBe(
        alert.severity === 'critical' ? 'security-page' : 'security-notify',
      );
    }
    expect(receiverOf(tree, { alertname: 'DiskFull', severity: 'critical' })).toBe('ops');
    expect(receiverOf(tree, { alertname: 'Latency', severity: 'high' })).toBe('default');
  });
});
