// Guards the child_process functions that hand a command line to a shell: `exec` and `execSync`
// always; `execFile`, `execFileSync`, `spawn` and `spawnSync` when their `shell` option is set (Node
// then runs `[file, ...args].join(' ')` through the shell). Each checks the command against the
// current request's inputs and, blocked, reports the error the way the function reports a failure:
// thrown (sync), to the callback, as a rejected promise (`util.promisify`), or on the child process.

import childProcess from 'node:child_process';
import { promisify } from 'node:util';
import type { ShellKind } from '../detect/sink/index.js';
import { blockedChild, emptyOutput } from './blocked-results.js';
import { type AnyFunction, callbackOf, lookAlike, replaceFunction } from './replace-function.js';
import { currentRequest } from './request-context.js';
import type { SinkChecker } from './sink-check.js';

/** How a blocked call reports its error. */
type Report = 'callback' | 'throw' | 'child' | 'result';

// Guarded calls in progress: `exec` runs through `execFile` (Node calls it as `module.exports.execFile`,
// so the wrapper), which must not check the same command again.
let running = 0;

function run(original: AnyFunction, self: unknown, args: unknown[]): unknown {
  running++;
  try {
    return Reflect.apply(original, self, args);
  } finally {
    running--;
  }
}

/** Wraps the shell-running functions of child_process; returns a function that unwraps them. */
export function guardChildProcess(checker: SinkChecker): () => void {
  const restores = [
    replaceFunction(childProcess, 'exec', (original) =>
      commandWrapper(original, checker, 'exec', 'callback'),
    ),
    replaceFunction(childProcess, 'execSync', (original) =>
      commandWrapper(original, checker, 'execSync', 'throw'),
    ),
    replaceFunction(childProcess, 'execFile', (original) =>
      fileWrapper(original, checker, 'execFile', 'callback'),
    ),
    replaceFunction(childProcess, 'execFileSync', (original) =>
      fileWrapper(original, checker, 'execFileSync', 'throw'),
    ),
    replaceFunction(childProcess, 'spawn', (original) => fileWrapper(original, checker, 'spawn', 'child')),
    replaceFunction(childProcess, 'spawnSync', (original) =>
      fileWrapper(original, checker, 'spawnSync', 'result'),
    ),
  ];
  return () => {
    for (const restore of restores) restore?.();
  };
}

// `exec(command, options?, callback?)`, `execSync(command, options?)`: always a shell.
function commandWrapper(
  original: AnyFunction,
  checker: SinkChecker,
  name: string,
  report: Report,
): AnyFunction {
  const sink = `child_process.${name}`;
  const check = (args: unknown[]) => {
    const request = running === 0 ? currentRequest() : undefined;
    if (request === undefined) return undefined;
    const options = objectAt(args, 1);
    return checker.command(request, sink, args[0], shellOf(options?.shell));
  };
  const wrapper = function (this: unknown, ...args: unknown[]) {
    const blocked = check(args);
    return blocked === undefined ? run(original, this, args) : fail(blocked, report, args, objectAt(args, 1));
  };
  promisifiedToo(wrapper, original, check, (args) => objectAt(args, 1));
  return wrapper;
}

// `execFile(file, args?, options?, callback?)`, `spawn(command, args?, options?)` and their sync
// forms: a shell only with `options.shell`.
function fileWrapper(original: AnyFunction, checker: SinkChecker, name: string, report: Report): AnyFunction {
  const sink = `child_process.${name}`;
  const check = (args: unknown[]) => {
    const request = running === 0 ? currentRequest() : undefined;
    if (request === undefined) return undefined;
    const listed = Array.isArray(args[1]);
    const options = objectAt(args, listed ? 2 : 1);
    if (!options?.shell) return undefined;
    const parts = listed ? [args[0], ...(args[1] as unknown[])] : [args[0]];
    const command = parts.map((part) => (typeof part === 'string' ? part : '')).join(' ');
    return checker.command(request, sink, command, shellOf(options.shell));
  };
  const optionsOf = (args: unknown[]) => objectAt(args, Array.isArray(args[1]) ? 2 : 1);
  const wrapper = function (this: unknown, ...args: unknown[]) {
    const blocked = check(args);
    return blocked === undefined ? run(original, this, args) : fail(blocked, report, args, optionsOf(args));
  };
  promisifiedToo(wrapper, original, check, optionsOf);
  return wrapper;
}

// Reports a blocked call the way the wrapped function reports a failure to run.
function fail(
  blocked: Error,
  report: Report,
  args: unknown[],
  options: Record<string, unknown> | undefined,
): unknown {
  if (report === 'throw') throw blocked;
  if (report === 'result') {
    // spawnSync gives Buffers unless an encoding is set.
    const encoding = options?.encoding;
    const empty = emptyOutput({ encoding: encoding === undefined ? 'buffer' : encoding });
    return {
      pid: 0,
      output: [null, empty, empty],
      stdout: empty,
      stderr: empty,
      status: null,
      signal: null,
      error: blocked,
    };
  }
  const child = blockedChild(blocked);
  const callback = report === 'callback' ? callbackOf(args) : undefined;
  if (callback) process.nextTick(callback, blocked, emptyOutput(options), emptyOutput(options));
  return child;
}

// `util.promisify(exec)` uses exec's own promise form, which calls the original directly: it is
// guarded too, rejecting like a failed command (`stdout`, `stderr` on the error, `.child` on the promise).
function promisifiedToo(
  wrapper: AnyFunction,
  original: AnyFunction,
  check: (args: unknown[]) => Error | undefined,
  optionsOf: (args: unknown[]) => Record<string, unknown> | undefined,
): void {
  const custom = (original as { [promisify.custom]?: AnyFunction })[promisify.custom];
  if (typeof custom !== 'function') return;
  const guarded = function (this: unknown, ...args: unknown[]) {
    const blocked = check(args);
    if (blocked === undefined) return run(custom, this, args);
    const empty = emptyOutput(optionsOf(args));
    Object.assign(blocked, { stdout: empty, stderr: empty });
    const promise = Promise.reject(blocked);
    return Object.assign(promise, { child: blockedChild(blocked) });
  };
  lookAlike(guarded, custom);
  Object.defineProperty(wrapper, promisify.custom, { value: guarded, configurable: true, writable: true });
}

function objectAt(args: unknown[], index: number): Record<string, unknown> | undefined {
  const value = args[index];
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

// Which shell reads the command: cmd.exe by name or by default on Windows, /bin/sh (or another
// POSIX-like shell) otherwise. PowerShell is read as sh: its separators and substitutions are alike.
function shellOf(shell: unknown): ShellKind {
  if (typeof shell === 'string') {
    const base = shell.slice(Math.max(shell.lastIndexOf('/'), shell.lastIndexOf('\\')) + 1).toLowerCase();
    return base === 'cmd' || base === 'cmd.exe' ? 'cmd' : 'sh';
  }
  return process.platform === 'win32' ? 'cmd' : 'sh';
}
