import { badOptionError, oneOf } from '../core/errors.js';
import { SINK_KINDS, type SinkKind } from '../core/event-details.js';
import { helperOptions } from '../http/http-options.js';
import type { SinkMonitor } from './sink-check.js';

/** Options of `guardSinks`. Every field is optional. */
export interface GuardSinksOptions {
  /**
   * `record` (default): record each finding in the monitor and let the call run. `block`: also stop
   * the call before it runs, with a `SecmonBlockedError` reported the way the call reports errors.
   */
  mode?: 'record' | 'block';
  /**
   * Which sinks to guard: `command` (child_process: `exec`, `execSync`, and `spawn`, `spawnSync`,
   * `execFile`, `execFileSync` with a `shell`) and `file` (the path-taking functions of `fs` and
   * `fs/promises`). Default: both.
   */
  sinks?: readonly SinkKind[];
}

/** Options with defaults filled in. */
export interface ResolvedGuardOptions {
  block: boolean;
  sinks: ReadonlySet<SinkKind>;
}

const MODES = ['record', 'block'] as const;
const KEYS = ['mode', 'sinks'];

/**
 * Validates the arguments of `guardSinks`, like every secmon helper: a `TypeError` with code
 * `SECMON_ERR_BAD_OPTION` or `SECMON_ERR_UNKNOWN_OPTION` naming the option (`guardSinks.mode`), what it
 * got and what it accepts, with the nearest accepted name or value for a typo.
 */
export function resolveGuardOptions(monitor: unknown, options: unknown): ResolvedGuardOptions {
  // Duck-typed, so a monitor from another copy of secmon in node_modules still works.
  const sinkMonitor = monitor as Partial<SinkMonitor> | null;
  if (
    typeof sinkMonitor !== 'object' ||
    sinkMonitor === null ||
    typeof sinkMonitor.recordCommandInjection !== 'function' ||
    typeof sinkMonitor.recordPathTraversal !== 'function'
  ) {
    throw badOptionError(
      'the monitor passed to guardSinks',
      'an AnomalyMonitor (new AnomalyMonitor())',
      monitor,
    );
  }
  const given = helperOptions('guardSinks', options, KEYS);
  const mode = oneOf('guardSinks.mode', given.mode, MODES, 'record');
  const sinks = given.sinks ?? SINK_KINDS;
  if (!Array.isArray(sinks) || sinks.length === 0) {
    throw badOptionError('guardSinks.sinks', 'a non-empty array of "command" and "file"', sinks);
  }
  const kinds = sinks.map((sink, index) =>
    oneOf(`guardSinks.sinks[${index}]`, sink ?? null, SINK_KINDS, 'command'),
  );
  return { block: mode === 'block', sinks: new Set(kinds) };
}
