// Guards the path-taking functions of `fs` (callback, sync and stream forms) and `fs/promises`. Each
// checks its path arguments (strings, Buffers, file: URLs; not descriptors or handles) against the
// current request's inputs and, blocked, reports the error the way the function reports a failure:
// to the callback, thrown, as a rejected promise, or on the stream. `exists` reports "no such file".

import fs from 'node:fs';
import { promisify } from 'node:util';
import { blockedReadable, blockedWritable } from './blocked-results.js';
import { type AnyFunction, callbackOf, lookAlike, replaceFunction } from './replace-function.js';
import { currentRequest } from './request-context.js';
import type { SinkChecker } from './sink-check.js';

/** How a blocked call reports its error. */
type Report = 'callback' | 'throw' | 'promise' | 'readable' | 'writable' | 'exists' | 'existsSync';

// Functions whose first argument is a path, and those whose first two are.
const ONE_PATH = [
  'access',
  'appendFile',
  'chmod',
  'chown',
  'lchmod',
  'lchown',
  'lutimes',
  'lstat',
  'mkdir',
  'mkdtemp',
  'open',
  'opendir',
  'readdir',
  'readFile',
  'readlink',
  'realpath',
  'rm',
  'rmdir',
  'stat',
  'statfs',
  'truncate',
  'unlink',
  'utimes',
  'writeFile',
];
const TWO_PATHS = ['copyFile', 'cp', 'link', 'rename', 'symlink'];

/** Wraps the path-taking functions of fs and fs/promises; returns a function that unwraps them. */
export function guardFileSystem(checker: SinkChecker): () => void {
  const restores: (() => void)[] = [];
  const wrap = (target: object, prefix: string, name: string, paths: number, report: Report) => {
    const restore = replaceFunction(target, name, (original) =>
      pathWrapper(original, checker, `${prefix}${name}`, paths, report),
    );
    if (restore) restores.push(restore);
  };
  for (const [names, paths] of [
    [ONE_PATH, 1],
    [TWO_PATHS, 2],
  ] as const) {
    for (const name of names) {
      wrap(fs, 'fs.', name, paths, 'callback');
      wrap(fs, 'fs.', `${name}Sync`, paths, 'throw');
      wrap(fs.promises, 'fs.promises.', name, paths, 'promise');
    }
  }
  wrap(fs, 'fs.', 'openAsBlob', 1, 'promise');
  wrap(fs, 'fs.', 'watch', 1, 'throw');
  wrap(fs, 'fs.', 'createReadStream', 1, 'readable');
  wrap(fs, 'fs.', 'createWriteStream', 1, 'writable');
  wrap(fs, 'fs.', 'exists', 1, 'exists');
  wrap(fs, 'fs.', 'existsSync', 1, 'existsSync');
  // realpath.native and realpathSync.native take paths too.
  wrap(fs.realpath, 'fs.realpath.', 'native', 1, 'callback');
  wrap(fs.realpathSync, 'fs.realpathSync.', 'native', 1, 'throw');
  return () => {
    for (const restore of restores.reverse()) restore();
  };
}

function pathWrapper(
  original: AnyFunction,
  checker: SinkChecker,
  sink: string,
  paths: number,
  report: Report,
): AnyFunction {
  const check = (args: unknown[]): Error | undefined => {
    const request = currentRequest();
    if (request === undefined) return undefined;
    return (
      checker.path(request, sink, args[0]) ?? (paths === 2 ? checker.path(request, sink, args[1]) : undefined)
    );
  };
  const wrapper = function (this: unknown, ...args: unknown[]) {
    const blocked = check(args);
    return blocked === undefined
      ? Reflect.apply(original, this, args)
      : fail(original, this, args, blocked, report);
  };
  // fs.exists has a promise form of its own (util.promisify would call the original).
  const custom = (original as { [promisify.custom]?: AnyFunction })[promisify.custom];
  if (typeof custom === 'function') {
    const guarded = function (this: unknown, ...args: unknown[]) {
      return check(args) === undefined ? Reflect.apply(custom, this, args) : Promise.resolve(false);
    };
    lookAlike(guarded, custom);
    Object.defineProperty(wrapper, promisify.custom, { value: guarded, configurable: true, writable: true });
  }
  return wrapper;
}

function fail(
  original: AnyFunction,
  self: unknown,
  args: unknown[],
  blocked: Error,
  report: Report,
): unknown {
  switch (report) {
    case 'throw':
      throw blocked;
    case 'promise':
      return Promise.reject(blocked);
    case 'readable':
      return blockedReadable(blocked);
    case 'writable':
      return blockedWritable(blocked);
    case 'existsSync':
      return false;
    default: {
      const callback = callbackOf(args);
      // Without a callback the function throws its own argument error before touching anything.
      if (callback === undefined) return Reflect.apply(original, self, args);
      if (report === 'exists') process.nextTick(callback, false);
      else process.nextTick(callback, blocked);
      return undefined;
    }
  }
}
