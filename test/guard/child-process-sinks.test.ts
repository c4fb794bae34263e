import childProcess, { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { guardSinks, SecmonBlockedError } from '../../src/guard.js';
import { guardHarness } from './harness.js';

const work = mkdtempSync(path.join(tmpdir(), 'secmon-cp-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const marker = path.join(work, 'pwned');
const ATTACK = `x; touch ${marker}`;

// The functions as Node has them, taken before any guard.
const original = {
  exec: childProcess.exec,
  execSync: childProcess.execSync,
  execFile: childProcess.execFile,
  execFileSync: childProcess.execFileSync,
  spawn: childProcess.spawn,
  spawnSync: childProcess.spawnSync,
};

const t = guardHarness('203.0.113.7');
beforeEach(() => {
  rmSync(marker, { force: true });
});
const inRequest = t.inRequest;

function execResult(run: typeof childProcess.exec, command: string, options?: object) {
  return new Promise<unknown[]>((resolve) => {
    const child = options
      ? run(command, options, (...args) => resolve([child instanceof ChildProcess, ...args]))
      : run(command, (...args) => resolve([child instanceof ChildProcess, ...args]));
  });
}

function events(child: ChildProcess): Promise<string[]> {
  const seen: string[] = [];
  return new Promise((resolve) => {
    for (const name of ['spawn', 'error', 'exit'])
      child.on(name, (value) =>
        seen.push(`${name}:${value instanceof Error ? value.constructor.name : value}`),
      );
    child.on('close', (code) => {
      seen.push(`close:${code}`);
      resolve(seen);
    });
  });
}

describe('child_process wrappers look like the functions they wrap', () => {
  it('same names and arities, and a guarded promise form of exec and execFile', () => {
    t.guard = guardSinks(t.monitor);
    for (const [name, fn] of Object.entries(original)) {
      const wrapped = childProcess[name as keyof typeof original];
      expect(wrapped).not.toBe(fn);
      expect(wrapped.name).toBe(fn.name);
      expect(wrapped.length).toBe(fn.length);
    }
    for (const name of ['exec', 'execFile'] as const) {
      const custom = (childProcess[name] as unknown as Record<symbol, unknown>)[promisify.custom];
      expect(typeof custom).toBe('function');
      expect(custom).not.toBe((original[name] as unknown as Record<symbol, unknown>)[promisify.custom]);
    }
    t.guard();
    t.guard = undefined;
    for (const [name, fn] of Object.entries(original))
      expect(childProcess[name as keyof typeof original]).toBe(fn);
  });

  it('benign calls in a request behave exactly as unwrapped: callbacks, promises, return values, errors, events', async () => {
    const unwrapped = {
      exec: await execResult(original.exec, 'echo hello; exit 0'),
      failing: await execResult(original.exec, 'echo out; echo err >&2; exit 3'),
      buffer: await execResult(original.exec, 'printf x', { encoding: 'buffer' }),
      promised: await promisify(original.exec)('echo hi'),
      execSync: original.execSync('echo sync').toString(),
      spawnSync: original.spawnSync('echo spawned', { shell: true }),
      spawnEvents: await events(original.spawn('exit 2', { shell: true })),
      execFile: await new Promise((resolve) =>
        original.execFile('echo', ['a; b'], (...args) => resolve(args)),
      ),
    };
    const thrown = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return { code: (error as { code?: unknown }).code, status: (error as { status?: unknown }).status };
      }
    };
    const unwrappedErrors = [
      thrown(() => original.execSync('exit 4', { stdio: 'ignore' })),
      thrown(() => original.exec(42 as never)),
    ];

    t.guard = guardSinks(t.monitor, { mode: 'block' });
    const wrapped = await inRequest(['hello there', 'hi'], async () => {
      const promise = promisify(childProcess.exec)('echo hi');
      expect((promise as unknown as { child?: unknown }).child).toBeInstanceOf(ChildProcess);
      return {
        exec: await execResult(childProcess.exec, 'echo hello; exit 0'),
        failing: await execResult(childProcess.exec, 'echo out; echo err >&2; exit 3'),
        buffer: await execResult(childProcess.exec, 'printf x', { encoding: 'buffer' }),
        promised: await promise,
        execSync: childProcess.execSync('echo sync').toString(),
        spawnSync: childProcess.spawnSync('echo spawned', { shell: true }),
        spawnEvents: await events(childProcess.spawn('exit 2', { shell: true })),
        execFile: await new Promise((resolve) =>
          childProcess.execFile('echo', ['a; b'], (...args) => resolve(args)),
        ),
        errors: [
          thrown(() => childProcess.execSync('exit 4', { stdio: 'ignore' })),
          thrown(() => childProcess.exec(42 as never)),
        ],
      };
    });
    const { errors, ...rest } = wrapped;
    const strip = (value: unknown) => JSON.parse(JSON.stringify(value, (key, v) => (key === 'pid' ? 0 : v)));
    expect(strip(rest)).toEqual(strip(unwrapped));
    expect(errors).toEqual(unwrappedErrors);
    expect(t.guard.stats()).toMatchObject({ checked: 8, findings: 0, blocked: 0 });
    expect(t.alerts).toEqual([]);
  });

  it('keeps `this` for the function it calls', async () => {
    t.guard = guardSinks(t.monitor);
    const receiver = { marker: 1 };
    const result = await inRequest(['abc'], () => childProcess.execSync.call(receiver, 'echo ok').toString());
    expect(result).toBe('ok\n');
  });
});

describe('child_process in block mode: the injected command never runs', () => {
  beforeEach(() => {
    t.guard = guardSinks(t.monitor, { mode: 'block' });
  });

  it('exec hands the error to its callback with empty output and returns a child that closes', async () => {
    const [isChild, error, stdout, stderr] = await inRequest([ATTACK], () =>
      execResult(childProcess.exec, `echo ${ATTACK}`),
    );
    expect(isChild).toBe(true);
    expect(error).toBeInstanceOf(SecmonBlockedError);
    expect(error).toMatchObject({
      code: 'SECMON_ERR_BLOCKED',
      status: 403,
      kind: 'command_injection',
      sink: 'child_process.exec',
      rule: 'command-separator',
      field: 'inputs[0]',
    });
    expect((error as Error).message).not.toContain(ATTACK);
    expect([stdout, stderr]).toEqual(['', '']);
    const buffered = await inRequest([ATTACK], () =>
      execResult(childProcess.exec, `echo ${ATTACK}`, { encoding: 'buffer' }),
    );
    expect(buffered.slice(2)).toEqual([Buffer.alloc(0), Buffer.alloc(0)]);
    expect(existsSync(marker)).toBe(false);
    // One alert per request: the two calls were made for two requests.
    expect(t.alerts.map((a) => [a.type, a.sourceIp, a.metadata?.sink, a.metadata?.input])).toEqual([
      ['command_injection', '203.0.113.7', 'child_process.exec', ATTACK],
      ['command_injection', '203.0.113.7', 'child_process.exec', ATTACK],
    ]);
  });

  it('a blocked child emits error to a listener, then close; without a listener it only closes', async () => {
    const heard = await inRequest([ATTACK], () =>
      events(childProcess.spawn(`echo ${ATTACK}`, { shell: true })),
    );
    expect(heard).toEqual(['error:SecmonBlockedError', 'close:null']);
    const quiet = inRequest([ATTACK], () => childProcess.spawn(`echo ${ATTACK}`, { shell: '/bin/sh' }));
    await new Promise((resolve) => quiet.on('close', resolve));
    expect(quiet.stdout).not.toBeNull();
    expect(existsSync(marker)).toBe(false);
  });

  it('execSync and execFileSync throw; spawnSync returns the error in its result', () => {
    inRequest([ATTACK], () => {
      expect(() => childProcess.execSync(`echo ${ATTACK}`)).toThrow(SecmonBlockedError);
      expect(() => childProcess.execFileSync('echo', [ATTACK], { shell: true })).toThrow(SecmonBlockedError);
      const result = childProcess.spawnSync('echo', [ATTACK], { shell: true });
      expect(result.error).toBeInstanceOf(SecmonBlockedError);
      expect(result).toMatchObject({
        status: null,
        signal: null,
        stdout: Buffer.alloc(0),
        stderr: Buffer.alloc(0),
      });
      expect(childProcess.spawnSync('echo', [ATTACK], { shell: true, encoding: 'utf8' }).stdout).toBe('');
    });
    expect(existsSync(marker)).toBe(false);
  });

  it('promisified exec and execFile reject like a failed command, with the child on the promise', async () => {
    await inRequest([ATTACK], async () => {
      const promise = promisify(childProcess.exec)(`echo ${ATTACK}`);
      expect((promise as unknown as { child?: unknown }).child).toBeInstanceOf(ChildProcess);
      await expect(promise).rejects.toMatchObject({ code: 'SECMON_ERR_BLOCKED', stdout: '', stderr: '' });
      await expect(
        promisify(childProcess.execFile)('echo', [ATTACK], { shell: true }),
      ).rejects.toBeInstanceOf(SecmonBlockedError);
    });
    expect(existsSync(marker)).toBe(false);
  });

  it('execFile and spawn without a shell pass arguments as they are: not checked', async () => {
    const output = await inRequest(
      [ATTACK],
      () => new Promise((resolve) => childProcess.execFile('echo', [ATTACK], (_e, out) => resolve(out))),
    );
    expect(output).toBe(`${ATTACK}\n`);
    expect(existsSync(marker)).toBe(false);
    expect(t.guard!.stats().checked).toBe(0);
  });

  it('outside a request nothing is checked', () => {
    childProcess.execSync(`echo ${ATTACK}`);
    expect(existsSync(marker)).toBe(true);
    expect(t.guard!.stats().checked).toBe(0);
    expect(t.alerts).toEqual([]);
  });

  it('a quoted input is no finding and runs', () => {
    const output = inRequest(['Tom & Jerry; ls'], () =>
      childProcess.execSync("echo 'Tom & Jerry; ls'").toString(),
    );
    expect(output).toBe('Tom & Jerry; ls\n');
    expect(t.alerts).toEqual([]);
  });
});

describe('child_process in record mode', () => {
  it('lets the call run and records it, once per input in a request', () => {
    t.guard = guardSinks(t.monitor, { mode: 'record' });
    inRequest([ATTACK], () => {
      childProcess.execSync(`echo ${ATTACK}`);
      childProcess.execSync(`echo ${ATTACK}`);
    });
    expect(existsSync(marker)).toBe(true);
    expect(t.alerts.map((a) => a.metadata?.sink)).toEqual(['child_process.execSync']);
    expect(t.guard.stats()).toMatchObject({ checked: 2, findings: 2, blocked: 0 });
  });
});
