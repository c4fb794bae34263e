import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent, get as httpGet } from 'node:http';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_TYPES } from '../../src/core/alert.js';
import type { DemoSummary } from '../../src/service/demo.js';
import { SETTINGS, type Setting } from '../../src/service/settings.js';
import { findBinary, freePort, type RunningProcess, startProcess, waitFor } from '../support/processes.js';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'dist/service/cli.js');
const run = promisify(execFile);
const TOKEN = 'integration-token-0123456789';

function startService(port: number, env: Record<string, string> = {}): RunningProcess {
  return startProcess(process.execPath, [cli, 'serve'], {
    env: {
      ...process.env,
      SECMON_PORT: String(port),
      SECMON_INGEST_TOKENS: TOKEN,
      SECMON_LOG_LEVEL: 'info',
      ...env,
    },
    name: 'secmon serve',
  });
}

describe('secmon serve (the real process)', () => {
  let port: number;
  let base: string;
  let service: RunningProcess;

  beforeAll(async () => {
    if (!existsSync(cli)) throw new Error('dist/ is missing: run `npm test`, which builds first');
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    service = startService(port, { SECMON_BRUTE_FORCE_THRESHOLD: '5' });
    await waitFor('secmon to be ready', async () => (await fetch(`${base}/readyz`)).ok).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${service.output()}`);
      },
    );
  });

  afterAll(async () => {
    await service?.stop();
  });

  const post = (body: unknown, token = TOKEN) =>
    fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers health and readiness probes', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  it('turns events into alerts that appear on /metrics and in the JSON log', async () => {
    const events = Array.from({ length: 6 }, () => ({
      type: 'failed_auth',
      ip: '203.0.113.7',
      userId: 'root',
    }));
    const response = await post({
      events: [...events, { type: 'command_injection', ip: '203.0.113.8', input: 'a;id\n' }],
    });
    expect(response.status).toBe(202);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^secmon_failed_auth_total 6$/m);
    expect(metrics).toMatch(/^secmon_alerts_total\{type="brute_force",severity="high"\} 1$/m);
    expect(metrics).toMatch(/^secmon_alerts_total\{type="command_injection",severity="critical"\} 1$/m);
    expect(metrics).toMatch(/^secmon_ingest_events_total 7$/m);
    expect(metrics).toMatch(/^process_cpu_user_seconds_total /m);
    const logLines = await waitFor('alert log lines', () => {
      const lines = service
        .output()
        .split('\n')
        .filter((line) => line.includes('"security alert"'));
      return lines.length >= 2 ? lines : undefined;
    });
    const logged = logLines.map((line) => JSON.parse(line));
    expect(logged.map((entry) => [entry.level, entry.alert.type])).toEqual([
      ['warn', 'brute_force'],
      ['error', 'command_injection'],
    ]);
    expect(logged[1].alert.metadata.input).toBe('a;id\\n');
  });

  it('answers every kind of bad request with a 4xx and a JSON error, never a 5xx', async () => {
    const cases: Array<[RequestInit & { path?: string }, number]> = [
      [
        {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: '{',
        },
        400,
      ],
      [
        {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: '{"type":"x"}',
        },
        400,
      ],
      [
        {
          method: 'POST',
          headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
          body: '{}',
        },
        401,
      ],
      [{ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, 401],
      [
        {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/plain' },
          body: 'x',
        },
        415,
      ],
      [
        {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: `"${'a'.repeat(300_000)}"`,
        },
        413,
      ],
      [{ method: 'GET' }, 405],
      [{ method: 'GET', path: '/nope' }, 404],
    ];
    for (const [init, status] of cases) {
      const response = await fetch(`${base}${init.path ?? '/v1/events'}`, init);
      expect(response.status, JSON.stringify(init).slice(0, 120)).toBe(status);
      expect(await response.json()).toHaveProperty('error');
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^secmon_ingest_requests_rejected_total\{reason="unauthorized"\} 2$/m);
    expect(metrics).toMatch(/^secmon_ingest_requests_rejected_total\{reason="too_large"\} 1$/m);
  });

  it('serves metrics that promtool accepts', async () => {
    const promtool = findBinary('promtool');
    if (!promtool) {
      console.warn('promtool not installed: metrics format lint skipped (apt-get install prometheus)');
      return;
    }
    // Only secmon's own families: prom-client's default nodejs_* gauges carry a `_total` suffix
    // promtool rightly lints, and they are not ours to rename.
    const families = (await (await fetch(`${base}/metrics`)).text()).split(/\n(?=# HELP )/);
    const text = `${families
      .filter((family) => family.startsWith('# HELP secmon_'))
      .join('\n')
      .trimEnd()}\n`;
    expect(text).toMatch(/secmon_alerts_total/);
    const child = execFile(promtool, ['check', 'metrics']);
    const done = new Promise<{ code: number | null; output: string }>((resolveDone) => {
      let output = '';
      child.stdout?.on('data', (chunk) => {
        output += chunk;
      });
      child.stderr?.on('data', (chunk) => {
        output += chunk;
      });
      child.on('exit', (code) => resolveDone({ code, output }));
    });
    child.stdin?.end(text);
    const { code, output } = await done;
    // promtool lints names and HELP; only real problems make it exit non-zero.
    expect(output).not.toMatch(/error/i);
    expect(code).toBe(0);
  });

  it('stops gracefully on SIGTERM: exit 0 within 5 s, even with a keep-alive connection open', async () => {
    const ownPort = await freePort();
    const own = startService(ownPort);
    await waitFor('second service', async () => (await fetch(`http://127.0.0.1:${ownPort}/readyz`)).ok);
    // An idle keep-alive connection (as Prometheus keeps one) must not hold the shutdown up.
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolveGet, rejectGet) => {
      httpGet({ host: '127.0.0.1', port: ownPort, path: '/metrics', agent }, (res) => {
        res.resume();
        res.on('end', resolveGet);
      }).on('error', rejectGet);
    });
    const started = Date.now();
    own.child.kill('SIGTERM');
    const code = await own.exited;
    agent.destroy();
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(own.output()).toMatch(/"msg":"shutting down"/);
    expect(own.output()).toMatch(/"msg":"secmon stopped"/);
  });
});

describe('secmon CLI', () => {
  it('prints --help with every setting and its environment variable', async () => {
    const { stdout } = await run(process.execPath, [cli, 'serve', '--help']);
    expect(stdout).toMatch(/--port <value>.*SECMON_PORT/s);
    expect(stdout).toMatch(/--ingest-tokens <value>.*SECMON_INGEST_TOKENS/s);
    const flowing = stdout.replace(/\s+/g, ' '); // descriptions wrap to the terminal's width
    for (const setting of SETTINGS as readonly Setting[]) {
      // A switch (`--from-start`) takes no value.
      expect(stdout, setting.env).toContain(setting.switch ? `${setting.flag}\n` : `${setting.flag} <value>`);
      expect(flowing, setting.env).toContain(`env ${setting.env},`);
    }
    // Grouped under headings, the account-takeover detectors and the privacy key among them.
    expect(stdout).toMatch(/Login attack detection:\n\s+--brute-force-threshold/);
    expect(stdout).toMatch(/Alert lifecycle:\n\s+--quiet-period-ms/);
    expect(stdout).toMatch(/Privacy:\n\s+--privacy-hmac-key <value>/);
    expect(stdout).toMatch(/Log sources \(live\):\n\s+--source <value>/);
  });

  it('exits 2 on a short privacy key, naming the setting and never printing the key', async () => {
    const failure = await run(process.execPath, [cli, 'serve', '--port', '0'], {
      env: { ...process.env, SECMON_PRIVACY_HMAC_KEY: 'hunter2-secret' },
    }).catch((error) => error);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(
      /SECMON_PRIVACY_HMAC_KEY \(--privacy-hmac-key\) must be a secret of at least 16 characters, blanks aside \(it has 14\)/,
    );
    expect(`${failure.stdout}${failure.stderr}`).not.toContain('hunter2');
  });

  it('exits 2 with a message naming a bad setting', async () => {
    const failure = await run(process.execPath, [cli, 'serve'], {
      env: { ...process.env, SECMON_PORT: 'eighty' },
    }).catch((error) => error);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(
      /SECMON_PORT \(--port\) must be an integer from 0 to 65535 \(got "eighty"\)/,
    );
  });

  it('exits 2 naming an unusable OTEL_* variable', async () => {
    const env = {
      ...process.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    };
    const failure = await run(process.execPath, [cli, 'serve', '--port', '0'], { env }).catch(
      (error) => error,
    );
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL/);
  });

  it('exits 2 on an unknown flag', async () => {
    const failure = await run(process.execPath, [cli, 'serve', '--prot', '1']).catch((error) => error);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toMatch(/unknown option '--prot'/);
  });

  it('runs the demo against a live service and reports the alerts it caused', async () => {
    const port = await freePort();
    const service = startService(port);
    try {
      await waitFor('demo target', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok);
      const { stdout, stderr } = await run(process.execPath, [
        cli,
        'demo',
        '--target',
        `http://127.0.0.1:${port}`,
        '--token',
        TOKEN,
        '--json',
      ]);
      const summary = JSON.parse(stdout) as DemoSummary;
      expect(summary.eventsSent).toBeGreaterThan(50);
      // Every kind of attack, the account-takeover ones included, raised its alert (bar the surge: a
      // service that started a moment ago has no minute of history to surge above)...
      const raised = ALERT_TYPES.filter((type) => type !== 'failed_login_surge');
      for (const type of raised) expect(summary.alerts[type], type).toBeGreaterThan(0);
      expect(summary.alerts.failed_login_surge).toBe(0);
      // ... and the summary tells attacks still going on from attacks already ended, per type: a short
      // demo ends none of them yet.
      for (const type of raised) {
        expect(summary.activeAlerts[type], type).toBeGreaterThan(0);
        expect(summary.resolvedAlerts[type], type).toBe(0);
      }
      expect(summary.metrics.secmon_successful_auth_total).toBe(1);
      expect(stderr).toMatch(/brute force rotating addresses inside one IPv6 \/64/);
      expect(stderr).toMatch(/one of those logins works \(account compromise suspected\)/);
    } finally {
      await service.stop();
    }
  });

  it('demo says what is wrong when the token is refused', async () => {
    const port = await freePort();
    const service = startService(port);
    try {
      await waitFor('demo target', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok);
      const failure = await run(process.execPath, [
        cli,
        'demo',
        '--target',
        `http://127.0.0.1:${port}`,
        '--token',
        'wrong',
      ]).catch((error) => error);
      expect(failure.code).toBe(1);
      expect(failure.stderr).toMatch(/refused the demo events \(401\): missing or invalid bearer token/);
    } finally {
      await service.stop();
    }
  });
});
