import { badOptionError, rejectUnknownKeys } from './errors.js';

// 2^31 ms is about 24.8 days: longer windows are almost certainly a unit mistake (seconds vs ms).
export const MAX_DURATION_MS = 2 ** 31;
/** Largest threshold of any detector. */
export const MAX_THRESHOLD = 10_000;
/** Largest cap of any tracked-subject table. */
export const MAX_TRACKED = 2 ** 24;

/** An option block (`undefined` is an empty one), its keys checked against `known`. */
export function optionBlock<T extends object>(
  name: string,
  value: T | undefined,
  known: readonly string[],
): T {
  const block = value ?? ({} as T);
  if (typeof block !== 'object' || block === null || Array.isArray(block)) {
    throw badOptionError(name, 'an object', block);
  }
  rejectUnknownKeys(`${name}.`, block, known);
  return block;
}

/** `value` when it is a boolean, `fallback` when undefined; otherwise a bad-option error. */
export function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw badOptionError(name, 'true or false', value);
  return value;
}
