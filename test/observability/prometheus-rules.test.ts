// promtool: the shipped configuration and rules are valid, and every rule's unit tests pass.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALERT_GROUPS } from '../../observability/alerts.js';
import { requireBinaries } from '../support/processes.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const rulesFile = join(root, 'prometheus/rules/secmon.rules.yml');
const testFile = join(root, 'prometheus/tests/secmon.rules.test.yml');
const bins = requireBinaries({ promtool: ['promtool'] }, 'apt-get install prometheus (Debian package)');

interface PromtoolTests {
  rule_files: string[];
  tests: Array<{
    name: string;
    alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }>;
  }>;
}

async function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(bins!.promtool, args, { cwd: root });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? 1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

describe.skipIf(!bins)('Prometheus configuration and rules (promtool)', () => {
  let scratch = '';
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'secmon-promtool-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('prometheus.yml is a valid configuration and loads the rule file', async () => {
    const result = await promtool('check', 'config', 'prometheus/prometheus.yml');
    expect(result.output).toContain('SUCCESS');
    expect(result.code, result.output).toBe(0);
    const total = ALERT_GROUPS.reduce((sum, group) => sum + group.alerts.length, 0);
    expect(result.output).toContain(`${total} rules found`);
  });

  it('the rule file passes promtool check rules (syntax and lint)', async () => {
    const result = await promtool('check', 'rules', 'prometheus/rules/secmon.rules.yml');
    expect(result.code, result.output).toBe(0);
  });

  it('every rule passes its unit tests', async () => {
    const result = await promtool('test', 'rules', 'prometheus/tests/secmon.rules.test.yml');
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS');
  });

  it('every alert has a unit test where it fires and one where it stays quiet', async () => {
    const tests = parse(await readFile(testFile, 'utf8')) as PromtoolTests;
    const cases = tests.tests.flatMap((test) => test.alert_rule_test ?? []);
    for (const alert of ALERT_GROUPS.flatMap((group) => group.alerts)) {
      const mine = cases.filter((entry) => entry.alertname === alert.name);
      expect(
        mine.some((entry) => entry.exp_alerts.length > 0),
        `${alert.name} has no case where it fires`,
      ).toBe(true);
      expect(
        mine.some((entry) => entry.exp_alerts.length === 0),
        `${alert.name} has no case where it stays quiet`,
      ).toBe(true);
    }
  });

  it('the unit tests catch a rule that waits before paging, never fires, or forgets a long attack', async () => {
    // Same tests, against rules broken the ways that matter: a `for:` delay on an attack alert, a
    // threshold no attack reaches, and a login-attack rule that counts alerts in a window instead
    // of following the attack (it would resolve while the attack goes on).
    const shipped = await readFile(rulesFile, 'utf8');
    const mutations = {
      delayed: shipped.replace(
        /( {8}expr: .*increase\(secmon_command_injection[^\n]*\n)/,
        '$1        for: 5m\n',
      ),
      deaf: shipped.replace(/(secmon_active_alerts\{type="brute_force"\}\)) > 0/, '$1 > 1000'),
      delayedCompromise: shipped.replace(
        /( {8}expr: .*secmon_active_alerts\{type="account_compromise_suspected"\}[^\n]*\n)/,
        '$1        for: 5m\n',
      ),
      windowed: shipped.replace(
        'sum by (job, instance) (secmon_active_alerts{type="credential_stuffing"}) > 0',
        'floor(sum by (job, instance) (increase(secmon_alerts_total{type="credential_stuffing"}[5m]))) > 0',
      ),
      windowedBruteForce: shipped.replace(
        'sum by (job, instance) (secmon_active_alerts{type="brute_force"}) > 0',
        'floor(sum by (job, instance) (increase(secmon_alerts_total{type="brute_force"}[5m]))) > 0',
      ),
    };
    for (const [name, rules] of Object.entries(mutations)) {
      expect(rules, name).not.toBe(shipped);
      const dir = join(scratch, name);
      await mkdir(join(dir, 'rules'), { recursive: true });
      await mkdir(join(dir, 'tests'), { recursive: true });
      await writeFile(join(dir, 'rules', 'secmon.rules.yml'), rules);
      await copyFile(testFile, join(dir, 'tests', 'secmon.rules.test.yml'));
      const result = await promtool('test', 'rules', join(dir, 'tests', 'secmon.rules.test.yml'));
      expect(result.code, `${name} rules passed the unit tests`).not.toBe(0);
      expect(result.output).toContain('FAILED');
    }
  });
});
