// amtool and a real Alertmanager: the shipped alertmanager.yml is valid, routes critical alerts to
// the pager and everything else to notifications, and its inhibition rule holds back secmon's other
// health alerts while secmon is down.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_GROUPS, SECMON_JOB } from '../../observability/alerts.js';
import {
  freePort,
  isUp,
  type RunningProcess,
  requireBinaries,
  startProcess,
  waitFor,
} from '../support/processes.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const config = join(root, 'prometheus/alertmanager.yml');
const bins = requireBinaries(
  { amtool: ['amtool'], alertmanager: ['prometheus-alertmanager', 'alertmanager'] },
  'apt-get install prometheus-alertmanager (Debian package)',
);

async function routeOf(labels: Record<string, string>): Promise<string> {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
  const { stdout } = await run(bins!.amtool, [
    'config',
    'routes',
    'test',
    `--config.file=${config}`,
    ...pairs,
  ]);
  return stdout.trim();
}

describe.skipIf(!bins)('alertmanager.yml', () => {
  it('passes amtool check-config', async () => {
    const { stdout } = await run(bins!.amtool, ['check-config', config]);
    expect(stdout).toContain('SUCCESS');
    expect(stdout).toContain('1 inhibit rules');
  });

  it('pages for every critical alert and notifies for every other one', async () => {
    for (const group of ALERT_GROUPS) {
      for (const alert of group.alerts) {
        const labels = { alertname: alert.name, severity: alert.severity, category: group.category };
        expect(await routeOf(labels), alert.name).toBe(alert.severity === 'critical' ? 'page' : 'notify');
      }
    }
  });
});

describe.skipIf(!bins)('Alertmanager with the shipped configuration', () => {
  let alertmanager: RunningProcess | undefined;
  let dataDir = '';
  let base = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'secmon-am-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    alertmanager = startProcess(
      bins!.alertmanager,
      [
        `--config.file=${config}`,
        `--storage.path=${dataDir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // An empty address turns clustering (gossip on another port) off.
        '--cluster.listen-address=',
      ],
      { name: 'alertmanager' },
    );
    try {
      await waitFor('Alertmanager to be ready', () => isUp(`${base}/-/ready`), { timeoutMs: 20_000 });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${alertmanager.output()}`);
    }
  });

  afterAll(async () => {
    await alertmanager?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('holds back secmon health alerts for an instance while SecmonDown fires for it, and only for it', async () => {
    const now = new Date().toISOString();
    const alert = (alertname: string, instance: string, category: string, severity: string) => ({
      labels: { alertname, job: SECMON_JOB, instance, category, severity },
      annotations: { summary: alertname },
      startsAt: now,
    });
    const response = await fetch(`${base}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        alert('SecmonDown', 'a:9870', 'health', 'critical'),
        alert('SecmonAlertHandlersFailing', 'a:9870', 'health', 'high'),
        alert('SecmonAlertHandlersFailing', 'b:9870', 'health', 'high'),
        alert('SecmonCommandInjectionAttempt', 'a:9870', 'attack', 'critical'),
      ]),
    });
    expect(response.status).toBe(200);

    type Listed = { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } };
    const listed = await waitFor(
      'Alertmanager to list and inhibit the alerts',
      async () => {
        const alerts = (await (await fetch(`${base}/api/v2/alerts`)).json()) as Listed[];
        return alerts.length === 4 && alerts.some((entry) => entry.status.state === 'suppressed')
          ? alerts
          : undefined;
      },
      { timeoutMs: 10_000 },
    );
    const state = (name: string, instance: string) =>
      listed.find((entry) => entry.labels.alertname === name && entry.labels.instance === instance)?.status
        .state;
    expect(state('SecmonAlertHandlersFailing', 'a:9870')).toBe('suppressed');
    expect(state('SecmonAlertHandlersFailing', 'b:9870')).toBe('active');
    expect(state('SecmonDown', 'a:9870')).toBe('active');
    // An attack seen before secmon went down is still news.
    expect(state('SecmonCommandInjectionAttempt', 'a:9870')).toBe('active');
  });
});
