import { badOptionError, rejectUnknownKeys } from '../core/errors.js';
import { SINK_KINDS, type SinkKind } from '../core/event-details.js';

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

const MODES = ['record', 'block'];
const KEYS = ['mode', 'sinks'];

/**
 * Validates `guardSinks` options. Throws a `TypeError` with code `SECMON_ERR_BAD_OPTION` or
 * `SECMON_ERR_UNKNOWN_OPTION` naming the option, what it got and what it accepts (with the nearest
 * accepted name or value for a typo).
 */
export function resolveGuardOptions(options: GuardSinksOptions | undefined): ResolvedGuardOptions {
  const given = options ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw badOptionError('options', 'an object', given);
  }
  rejectUnknownKeys('', given, KEYS);
  const mode = given.mode ?? 'record';
  if (!MODES.includes(mode)) throw badOptionError('mode', '"record" or "block"', mode, MODES);
  const sinks = given.sinks ?? SINK_KINDS;
  if (!Array.isArray(sinks) || sinks.length === 0) {
    throw badOptionError('sinks', 'a non-empty array of "command" and "file"', sinks);
  }
  for (const sink of sinks) {
    if (!SINK_KINDS.includes(sink)) {
      throw badOptionError('sinks[]', '"command" or "file"', sink, SINK_KINDS);
    }
  }
  return { block: mode === 'block', sinks: new Set(sinks) };
}
