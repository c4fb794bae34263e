// Starts the real `secmon serve` process (from dist/, built by `npm test`) for integration tests.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort, type RunningProcess, startProcess, waitFor } from './processes.js';

const cli = resolve(import.meta.dirname, '../../dist/service/cli.js');
export const INGEST_TOKEN = 'integration-token-0123456789';

/** A running secmon service. */
export interface RunningSecmon {
  readonly base: string;
  readonly process: RunningProcess;
  /** POSTs events; resolves with the HTTP status (never throws for a non-2xx answer). */
  post(events: object[]): Promise<number>;
  /** One scrape of /metrics as a map from series (`name{labels}`) to value. */
  metrics(): Promise<Map<string, number>>;
  /** The JSON log lines printed so far. */
  logLines(): Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/**
 * Starts `secmon serve` on a free port with these extra environment variables and waits until ready.
 * `fileLimit` runs it under `ulimit -n` (its soft and hard limit of open files, sockets included);
 * `uid`/`gid` run it as another user (the tests run as root, whom file permissions do not stop).
 */
export async function startSecmon(
  env: Record<string, string>,
  name = 'secmon serve',
  { fileLimit, uid, gid }: { fileLimit?: number; uid?: number; gid?: number } = {},
): Promise<RunningSecmon> {
  if (!existsSync(cli)) throw new Error('dist/ is missing: run `npm test`, which builds first');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const [command, args] =
    fileLimit === undefined
      ? [process.execPath, [cli, 'serve']]
      : ['/bin/sh', ['-c', `ulimit -n ${fileLimit} && exec "$0" "$@"`, process.execPath, cli, 'serve']];
  const child = startProcess(command, args, {
    env: {
      ...process.env,
      SECMON_PORT: String(port),
      SECMON_INGEST_TOKENS: INGEST_TOKEN,
      SECMON_LOG_LEVEL: 'info',
      ...env,
    },
    name,
    uid,
    gid,
  });
  try {
    await waitFor(`${name} to be ready`, async () => (await fetch(`${base}/readyz`)).ok, {
      timeoutMs: 20_000,
    });
  } catch (error) {
    await child.stop();
    throw new Error(`${(error as Error).message}\n${child.output()}`);
  }
  return {
    base,
    process: child,
    async post(events) {
      const response = await fetch(`${base}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      });
      await response.arrayBuffer();
      return response.status;
    },
    async metrics() {
      return parseMetrics(await (await fetch(`${base}/metrics`)).text());
    },
    logLines() {
      return child
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    async stop() {
      await child.stop();
    },
  };
}

/** Prometheus text format to a map from series (`name{labels}`) to value. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}
