// docs/existing-prometheus-grafana.md, followed step by step against configurations that already
// exist: each snippet of the guide is merged into an "existing" Prometheus or Alertmanager
// configuration, and each shell command it gives is run as written (paths moved into a temporary
// directory) with the real promtool, prometheus, amtool, jq, sed and curl. Grafana is not packaged
// for Debian: its steps are checked on the files they produce.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ALERT_GROUPS, SECMON_JOB } from '../../observability/alerts.js';
import { DATASOURCE_VARIABLE } from '../../observability/dashboard.js';
import { PROMETHEUS_DATASOURCE_UID } from '../../observability/stack.js';
import {
  freePort,
  isUp,
  type RunningProcess,
  requireBinaries,
  startProcess,
  waitFor,
} from '../support/processes.js';
import { type RunningSecmon, startSecmon } from '../support/secmon.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const guidePath = join(root, 'docs/existing-prometheus-grafana.md');
const alerts = ALERT_GROUPS.flatMap((group) =>
  group.alerts.map((alert) => ({ name: alert.name, severity: alert.severity, category: group.category })),
);
const bins = requireBinaries(
  {
    promtool: ['promtool'],
    prometheus: ['prometheus'],
    amtool: ['amtool'],
    alertmanager: ['prometheus-alertmanager', 'alertmanager'],
    jq: ['jq'],
    curl: ['curl'],
  },
  'apt-get install prometheus prometheus-alertmanager jq curl (Debian packages)',
);

let guide = '';
let dir = '';
beforeAll(async () => {
  guide = await readFile(guidePath, 'utf8');
  dir = await mkdtemp(join(tmpdir(), 'secmon-existing-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The fenced block that follows `<!-- guide:name -->` in the guide. */
function block(name: string): string {
  const found = new RegExp(`<!-- guide:${name} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``).exec(guide)?.[1];
  if (found === undefined) throw new Error(`the guide has no block guide:${name}`);
  return found;
}

/** The guide's paths, moved into this test's directory and processes. */
function localise(text: string, urls: Record<string, string> = {}): string {
  let out = text
    .replaceAll('node_modules/secmon/', `${root}/`)
    .replaceAll('/etc/prometheus/', `${dir}/prometheus/`)
    .replaceAll('/etc/alertmanager/', `${dir}/alertmanager/`)
    .replaceAll('/etc/grafana/', `${dir}/grafana/`);
  for (const [from, to] of Object.entries(urls)) out = out.replaceAll(from, to);
  return out;
}

/** Each command of a `sh` block (continuation lines joined), as the guide writes it. */
function commands(name: string): string[] {
  return block(name)
    .replace(/\\\n\s*/g, '')
    .replace(/\|\n\s*/g, '| ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

/** Runs one of the guide's commands; resolves with its standard output. */
async function shell(command: string): Promise<string> {
  try {
    const { stdout } = await run('sh', ['-c', command], { cwd: root });
    return stdout;
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command}\nfailed: ${failure.message}\n${failure.stdout ?? ''}${failure.stderr ?? ''}`);
  }
}

interface ScrapeConfig {
  job_name: string;
  static_configs: Array<{ targets: string[]; labels?: Record<string, string> }>;
  relabel_configs?: unknown[];
}

describe.skipIf(!bins)('the guide, on an existing Prometheus', () => {
  let secmon: RunningSecmon | undefined;
  let prometheus: RunningProcess | undefined;
  let prometheusUrl = '';
  let target = '';

  // An operator's configuration before secmon: its own job, its own rules, scraping every second
  // (so the test takes seconds).
  const existingRules = {
    groups: [{ name: 'node', rules: [{ alert: 'InstanceDown', expr: 'up == 0', for: '5m' }] }],
  };
  const existingConfig = () => ({
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: [`${dir}/prometheus/rules/node.rules.yml`],
    scrape_configs: [
      { job_name: 'prometheus', static_configs: [{ targets: [new URL(prometheusUrl).host] }] },
    ],
  });

  async function query(
    expr: string,
  ): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    const response = await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query: expr })}`);
    const body = (await response.json()) as { status: string; data: { result: never[] } };
    if (body.status !== 'success') throw new Error(`query failed: ${expr}`);
    return body.data.result;
  }

  beforeAll(async () => {
    secmon = await startSecmon(
      { SECMON_HOST: '127.0.0.1', SECMON_LOG_LEVEL: 'warn' },
      'secmon (existing stack)',
    );
    target = new URL(secmon.base).host;
    prometheusUrl = `http://127.0.0.1:${await freePort()}`;
    await mkdir(join(dir, 'prometheus/rules'), { recursive: true });
    await mkdir(join(dir, 'prometheus-data'));
    await writeFile(join(dir, 'prometheus/rules/node.rules.yml'), stringify(existingRules));
    await writeFile(join(dir, 'prometheus/prometheus.yml'), stringify(existingConfig()));
    prometheus = startProcess(
      bins!.prometheus,
      [
        `--config.file=${dir}/prometheus/prometheus.yml`,
        `--storage.tsdb.path=${dir}/prometheus-data`,
        `--web.listen-address=${new URL(prometheusUrl).host}`,
        '--web.enable-lifecycle',
      ],
      { name: 'prometheus' },
    );
    try {
      await waitFor('Prometheus to be ready', () => isUp(`${prometheusUrl}/-/ready`), { timeoutMs: 30_000 });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${prometheus.output()}`);
    }
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await secmon?.stop();
  });

  it('adds the scrape job and the rules, passes promtool, reloads, and pages on an attack', async () => {
    const config = existingConfig() as ReturnType<typeof existingConfig> & { scrape_configs: ScrapeConfig[] };
    const [job] = (parse(block('prometheus-scrape')) as { scrape_configs: ScrapeConfig[] }).scrape_configs;
    expect(job!.job_name).toBe(SECMON_JOB);
    job!.static_configs = [{ targets: [target] }];
    config.scrape_configs.push(job!);
    const { rule_files } = parse(block('prometheus-rule-files')) as { rule_files: string[] };
    config.rule_files.push(...rule_files.map((file) => localise(file)));

    for (const command of commands('prometheus-copy')) await shell(localise(command));
    await writeFile(join(dir, 'prometheus/prometheus.yml'), stringify(config));
    const [check, unitTests, reload] = commands('prometheus-check').map((command) =>
      localise(command, { 'http://127.0.0.1:9090': prometheusUrl }),
    );
    const checked = await shell(check!);
    const total = alerts.length;
    expect(checked).toContain(`SUCCESS: ${total} rules found`);
    expect(checked).toContain('SUCCESS: 1 rules found'); // the operator's own rules still load
    expect(await shell(unitTests!)).toContain('SUCCESS');
    await shell(reload!);

    // The job label the rules and the dashboard's instance variable read.
    await waitFor('secmon to be scraped as job="secmon"', async () => {
      const up = await query(`up{job="${SECMON_JOB}"}`);
      return up.length === 1 && up[0]!.value[1] === '1' && up[0]!.metric.instance === target;
    });
    const rules = (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ name: string; rules: Array<{ health: string }> }> };
    };
    expect(rules.data.groups.map((group) => group.name).sort()).toEqual(
      ['node', ...ALERT_GROUPS.map((group) => group.name)].sort(),
    );
    for (const group of rules.data.groups) for (const rule of group.rules) expect(rule.health).toBe('ok');

    expect(
      await secmon!.post([{ type: 'command_injection', ip: '203.0.113.5', input: 'x; cat /etc/passwd' }]),
    ).toBe(202);
    const firing = await waitFor(
      'SecmonCommandInjectionAttempt to fire',
      async () => {
        const result = await query('ALERTS{alertname="SecmonCommandInjectionAttempt", alertstate="firing"}');
        return result.length > 0 ? result : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(firing.map((sample) => sample.metric)).toEqual([
      {
        __name__: 'ALERTS',
        alertname: 'SecmonCommandInjectionAttempt',
        alertstate: 'firing',
        category: 'attack',
        severity: 'critical',
        job: SECMON_JOB,
        instance: target,
      },
    ]);
    expect(await query('ALERTS{alertname="SecmonDown"}')).toEqual([]);
  }, 90_000);

  it('relabels secmon found by a shared job to job="secmon", and leaves the other targets alone', async () => {
    const { relabel_configs } = parse(block('prometheus-relabel')) as { relabel_configs: unknown[] };
    const shared = {
      scrape_configs: [
        {
          job_name: 'kubernetes-pods',
          static_configs: [
            {
              targets: ['10.1.2.3:9870'],
              labels: { __meta_kubernetes_pod_label_app_kubernetes_io_name: 'secmon' },
            },
            {
              targets: ['10.1.2.4:8080'],
              labels: { __meta_kubernetes_pod_label_app_kubernetes_io_name: 'web' },
            },
          ],
          relabel_configs,
        },
      ],
    };
    await writeFile(join(dir, 'shared-job.yml'), stringify(shared));
    // Static targets are discovered at once; promtool waits out --timeout for more.
    const { stdout } = await run(bins!.promtool, [
      'check',
      'service-discovery',
      '--timeout=3s',
      join(dir, 'shared-job.yml'),
      'kubernetes-pods',
    ]);
    const targets = JSON.parse(stdout) as Array<{ labels: Record<string, string> }>;
    const jobOf = (address: string) => targets.find((entry) => entry.labels.instance === address)?.labels.job;
    expect(jobOf('10.1.2.3:9870')).toBe(SECMON_JOB);
    expect(jobOf('10.1.2.4:8080')).toBe('kubernetes-pods');
  });
});

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
    expect(guide).toContain('/d/secmon-overview');
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
