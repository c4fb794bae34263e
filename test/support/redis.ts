// A private redis-server for tests: loopback only, a free port, no persistence, always stopped.
import { Redis } from 'ioredis';
import { freePort, type RunningProcess, requireBinaries, startProcess, waitFor } from './processes.js';

/** The redis-server binary, or undefined locally when it is missing (in CI: throws). */
export function redisServerBinary(): string | undefined {
  return requireBinaries({ server: ['redis-server'] }, 'apt-get install redis-server')?.server;
}

/** A running redis-server started by a test. */
export interface TestRedis {
  readonly port: number;
  readonly url: string;
  /** Its output so far, for failure messages. */
  output(): string;
  /** Kills it at once (SIGKILL): an outage, not a shutdown. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence). */
  restart(): Promise<void>;
  /** Stops it (SIGTERM). Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts redis-server on a free loopback port (or `port`) and waits until it accepts connections. */
export async function startRedis(binary: string, port?: number): Promise<TestRedis> {
  const chosen = port ?? (await freePort());
  let current: RunningProcess | undefined;
  const launch = async () => {
    const child = startProcess(
      binary,
      [
        '--port',
        String(chosen),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--databases',
        '1',
        '--loglevel',
        'notice',
      ],
      { name: `redis-server :${chosen}` },
    );
    current = child;
    await waitFor(
      `redis-server on port ${chosen}`,
      () => child.output().includes('Ready to accept connections') || child.child.exitCode !== null,
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    if (child.child.exitCode !== null) throw new Error(`redis-server exited\n${child.output()}`);
  };
  await launch();
  return {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    output: () => current?.output() ?? '',
    async kill() {
      if (!current) return;
      current.child.kill('SIGKILL');
      await current.exited;
    },
    async restart() {
      await launch();
    },
    async stop() {
      await current?.stop();
    },
  };
}

/**
 * A client of a test's redis-server that fails fast rather than queueing commands while it is
 * disconnected, resolved once connected.
 */
export async function connectedClient(url: string): Promise<Redis> {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 5000 });
  await new Promise<void>((resolve) => client.once('ready', () => resolve()));
  return client;
}
