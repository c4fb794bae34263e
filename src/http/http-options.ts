import { badOptionError, rejectUnknownKeys } from '../core/errors.js';
import type { AnomalyMonitor } from '../core/monitor.js';

// Validation shared by the HTTP helpers. Every helper checks its arguments when it is called (at
// start-up, where the app is assembled), with the same error type, codes and "did you mean" help as
// `new AnomalyMonitor(options)`. Option names in messages are prefixed with the helper's name
// (`requestGuard.mode`), so a message says which call is wrong.

/**
 * The options object of helper `fn`: `{}` for `undefined`; a bad-option error for anything that is
 * not a plain object, an unknown-option error (with a suggestion) for a key not in `known`.
 */
export function helperOptions(
  fn: string,
  options: unknown,
  known: readonly string[],
): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw badOptionError(`the options of ${fn}`, 'an object', options);
  }
  rejectUnknownKeys(`${fn}.`, options, known);
  return options as Record<string, unknown>;
}

/** The monitor passed to helper `fn`; a bad-option error when it is not one. */
export function monitorArgument(fn: string, monitor: unknown): AnomalyMonitor {
  // Duck-typed, so a monitor from another copy of secmon in node_modules still works.
  if (
    typeof monitor !== 'object' ||
    monitor === null ||
    typeof (monitor as Partial<AnomalyMonitor>).recordFailedAuth !== 'function'
  ) {
    throw badOptionError(`the monitor passed to ${fn}`, 'an AnomalyMonitor (new AnomalyMonitor())', monitor);
  }
  return monitor as AnomalyMonitor;
}

/** `value` if it is a function, `undefined` if undefined; otherwise a bad-option error saying what it is called with. */
export function functionOption<F extends (...args: never[]) => unknown>(
  name: string,
  value: unknown,
  signature: string,
): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw badOptionError(name, `a function ${signature}`, value);
  return value as F;
}

/**
 * One item or an array of them (the README writes `basicAuth: 'user:password'` and
 * `statuses: [401, 403]`), each checked by `check`; `undefined` gives `fallback`. A bad item is named
 * by its position (`recordAuthFailures.statuses[1]`).
 */
export function listOption<T>(
  name: string,
  value: unknown,
  fallback: readonly T[],
  accepted: string,
  check: (item: unknown) => item is T,
): T[] {
  if (value === undefined) return [...fallback];
  const single = !Array.isArray(value);
  const list: unknown[] = single ? [value] : (value as unknown[]);
  if (list.length === 0) throw badOptionError(name, `${accepted}, or a non-empty array of them`, value);
  list.forEach((item, index) => {
    if (!check(item)) throw badOptionError(single ? name : `${name}[${index}]`, accepted, item);
  });
  return list as T[];
}
