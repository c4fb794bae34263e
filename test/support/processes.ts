// Helpers for integration tests that start real programs (the secmon service, Prometheus,
// Alertmanager, redis-server) on loopback ports. Every child is stopped by the test that started it;
// as a last resort all of them are killed when the test process exits.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** A free TCP port on 127.0.0.1 (the OS picks it; there is a small race until the caller binds it). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** The absolute path of the first of `names` found on PATH, or undefined. */
export function findBinary(...names: string[]): string | undefined {
  for (const name of names) {
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** True when end-to-end tests must run (CI): a missing binary is then a failure, not a skip. */
export const e2eRequired = process.env.SECMON_REQUIRE_E2E === '1' || process.env.CI === 'true';

/**
 * Looks up binaries an end-to-end suite needs. Returns their paths, or `undefined` when one is
 * missing locally (the caller skips the suite and the printed message says how to install them).
 * In CI (`SECMON_REQUIRE_E2E=1` or `CI=true`) a missing binary throws instead: never a silent skip.
 */
export function requireBinaries<K extends string>(
  wanted: Record<K, string[]>,
  installHint: string,
): Record<K, string> | undefined {
  const found = {} as Record<K, string>;
  const missing: string[] = [];
  for (const [key, names] of Object.entries(wanted) as Array<[K, string[]]>) {
    const path = findBinary(...names);
    if (path) found[key] = path;
    else missing.push(names.join(' or '));
  }
  if (missing.length === 0) return found;
  const message = `missing ${missing.join(', ')}; install with: ${installHint}`;
  if (e2eRequired) throw new Error(`end-to-end tests are required here but ${message}`);
  console.warn(`skipping end-to-end tests: ${message}`);
  return undefined;
}

/** A started child process. */
export interface RunningProcess {
  child: ChildProcess;
  /** The last lines it printed (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (or signal name). */
  stop(graceMs?: number): Promise<number | string | null>;
  /** Resolves when the process exits by itself. */
  exited: Promise<number | string | null>;
}

/** Starts a program with captured output. Does not wait for readiness: use {@link waitFor}. */
export function startProcess(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; name?: string; uid?: number; gid?: number } = {},
): RunningProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    uid: options.uid,
    gid: options.gid,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: string[] = [];
  // A line can arrive in two chunks (a long JSON log line): each stream keeps its unfinished line.
  const keeper = () => {
    let partial = '';
    const keep = (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (line) lines.push(line);
      if (lines.length > 400) lines.splice(0, lines.length - 400);
    };
    const flush = () => {
      if (partial) lines.push(partial);
      partial = '';
    };
    return { keep, flush };
  };
  const out = keeper();
  const err = keeper();
  child.stdout?.on('data', out.keep);
  child.stdout?.on('end', out.flush);
  child.stderr?.on('data', err.keep);
  child.stderr?.on('end', err.flush);
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? signal);
    });
    child.once('error', (error) => {
      lines.push(`spawn error: ${error.message}`);
      children.delete(child);
      resolve(null);
    });
  });
  return {
    child,
    exited,
    output: () => `--- ${options.name ?? command} output ---\n${lines.join('\n')}`,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return await exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Polls `probe` until it returns a value other than `undefined`/`false`, at most `timeoutMs`
 * (a bounded loop). Throws with `what` and the last error when time runs out.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 15_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
}

/** GETs a URL on loopback and resolves true on a 2xx answer (false on any other answer or error). */
export async function isUp(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}
