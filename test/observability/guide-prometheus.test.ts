// docs/existing-prometheus-grafana.md, Prometheus part, followed step by step: an operator's running
// Prometheus gets the guide's scrape job and rule file, the guide's commands (cp, promtool, the
// reload) run as written, and secmon's attack alert fires in it; the relabelling of a shared job is
// checked with promtool's service discovery.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ALERT_GROUPS, SECMON_JOB } from '../../observability/alerts.js';
import {
  freePort,
  isUp,
  type RunningProcess,
  requireBinaries,
  startProcess,
  waitFor,
} from '../support/processes.js';
import { type RunningSecmon, startSecmon } from '../support/secmon.js';
import { guideAlerts as alerts, block, commands, localise as moved, shell } from './operator-guide.js';

const run = promisify(execFile);
const bins = requireBinaries(
  { promtool: ['promtool'], prometheus: ['prometheus'], curl: ['curl'] },
  'apt-get install prometheus curl (Debian packages)',
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
