import { syncBuiltinESMExports } from 'node:module';
import { guardChildProcess } from './child-process-sinks.js';
import { guardFileSystem } from './fs-sinks.js';
import { type GuardSinksOptions, resolveGuardOptions } from './guard-options.js';
import { registerSinkGuard } from './request-context.js';
import { SinkChecker, type SinkGuardStats, type SinkMonitor } from './sink-check.js';

/** What {@link guardSinks} returns: call it to remove every wrapper; `stats()` reads its counters. */
export interface SinkGuard {
  (): void;
  /** A fresh copy of the guard's counters. */
  stats(): SinkGuardStats;
}

/**
 * Guards the places where request input turns into a shell command or a file path. Wraps the
 * shell-running functions of `child_process` (`exec`, `execSync`; `spawn`, `spawnSync`, `execFile`,
 * `execFileSync` with `shell` set) and the path-taking functions of `fs` and `fs/promises` (read,
 * write, open, stat, streams, readdir, unlink, rename, copy, ...), for `require` and ESM `import`
 * alike (ESM bindings are kept in sync with `module.syncBuiltinESMExports()`). A wrapped call made
 * while serving a request (set up by `requestGuard` or `withRequestInputs`) checks each of the
 * request's inputs with `detectInjectedCommand` / `detectTraversedPath`; a finding is recorded with
 * `monitor.recordCommandInjection(ip, input, { sink })` or `recordPathTraversal(ip, path, { sink })`
 * (once per input, kind and request), and in `block` mode the call does not run: it throws a
 * `SecmonBlockedError` (status 403), or hands it to the callback, rejects the promise, or fails the
 * stream or child process, as that function reports errors. Outside a request the wrappers only ask
 * whether there is one. A failure inside a check lets the call run (counted in `stats()`, warned
 * about once). Install it once, before the application loads the modules that use these functions
 * (a reference taken before, `const { exec } = require('child_process')`, keeps the unwrapped one).
 * Invalid options throw a `TypeError` with code `SECMON_ERR_BAD_OPTION` or `SECMON_ERR_UNKNOWN_OPTION`.
 */
export function guardSinks(monitor: SinkMonitor, options?: GuardSinksOptions): SinkGuard {
  const resolved = resolveGuardOptions(monitor, options);
  const checker = new SinkChecker(monitor, resolved.block);
  const unwraps: (() => void)[] = [];
  if (resolved.sinks.has('command')) unwraps.push(guardChildProcess(checker));
  if (resolved.sinks.has('file')) unwraps.push(guardFileSystem(checker));
  const unregister = registerSinkGuard();
  syncBuiltinESMExports();
  const unwrap = () => {
    for (const undo of unwraps.splice(0)) undo();
    unregister();
    syncBuiltinESMExports();
  };
  return Object.assign(unwrap, { stats: () => ({ ...checker.stats }) });
}
