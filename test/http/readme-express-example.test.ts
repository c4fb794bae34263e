// Runs the README's "In an Express app" example as written (through the built package, as a user's
// app imports it) and checks what its comments promise about METRICS_TOKEN.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
let dir: string;
let appFile: string;

/** The ```ts block under "### In an Express app", with its `app.listen(3000)` on a free port. */
function readmeExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /### In an Express app\n\n```ts\n([\s\S]*?)\n```/.exec(readme)?.[1];
  if (block === undefined) throw new Error('README has no "In an Express app" ts block');
  if (!block.includes('app.listen(3000);'))
    throw new Error('the README example no longer ends in app.listen(3000)');
  return block.replace(
    'app.listen(3000);',
    "const server = app.listen(0, '127.0.0.1', () => console.log(JSON.stringify(server.address())));",
  );
}

interface Started {
  child: ChildProcess;
  port?: number;
  code?: number | null;
  stderr: string;
}

/** Starts the example; resolves once it listens (with its port) or has exited (with its code). */
function startExample(env: Record<string, string | undefined>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', appFile], {
    cwd: root,
    env: { ...process.env, METRICS_TOKEN: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started: Started = { child, stderr: '' };
  return new Promise((resolveStart) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolveStart(started);
    }, 20_000);
    child.stderr?.on('data', (chunk) => {
      started.stderr += chunk;
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      const port = /"port":(\d+)/.exec(chunk.toString())?.[1];
      if (port) {
        clearTimeout(timer);
        started.port = Number(port);
        resolveStart(started);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      started.code = code;
      resolveStart(started);
    });
  });
}

async function stop(started: Started): Promise<void> {
  if (started.child.exitCode !== null || started.child.signalCode !== null) return;
  const exited = new Promise((resolveExit) => started.child.once('exit', resolveExit));
  started.child.kill('SIGTERM');
  await exited;
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'index.js')))
    throw new Error('dist/ is missing: run `npm test`, which builds first');
  // A throwaway app whose node_modules hold the package under test and Express, as a user's would.
  dir = mkdtempSync(join(tmpdir(), 'secmon-readme-express-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'secmon'), 'dir');
  symlinkSync(join(root, 'node_modules', 'express'), join(dir, 'node_modules', 'express'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
  appFile = join(dir, 'app.ts');
  writeFileSync(appFile, readmeExample());
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the README's Express example, run as written", () => {
  it('starts with METRICS_TOKEN unset and serves an open /metrics', async () => {
    const started = await startExample({});
    try {
      expect(started.port, started.stderr).toBeGreaterThan(0);
      const response = await fetch(`http://127.0.0.1:${started.port}/metrics`);
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/^secmon_failed_auth_total 0$/m);
    } finally {
      await stop(started);
    }
  });

  it('protects /metrics with METRICS_TOKEN when it is set', async () => {
    const started = await startExample({ METRICS_TOKEN: 'scrape-token-0123456789' });
    try {
      expect(started.port, started.stderr).toBeGreaterThan(0);
      const base = `http://127.0.0.1:${started.port}/metrics`;
      expect((await fetch(base)).status).toBe(401);
      const ok = await fetch(base, { headers: { authorization: 'Bearer scrape-token-0123456789' } });
      expect(ok.status).toBe(200);
    } finally {
      await stop(started);
    }
  });

  it('refuses to start with a blank METRICS_TOKEN, saying which option and why', async () => {
    const started = await startExample({ METRICS_TOKEN: ' ' });
    await stop(started);
    expect(started.port).toBeUndefined();
    expect(started.code).not.toBe(0);
    expect(started.stderr).toMatch(
      /metricsHandler\.bearerTokens must be a non-empty token of visible ASCII characters \(no spaces\) \(got a blank string\)/,
    );
    expect(started.stderr).toContain('SECMON_ERR_BAD_OPTION');
  });
});
