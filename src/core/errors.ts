import { closestMatch } from './did-you-mean.js';

/** Stable error codes. Each has a section in the README's "Errors" part, named after the code. */
export type SecmonErrorCode = 'SECMON_ERR_BAD_OPTION' | 'SECMON_ERR_UNKNOWN_OPTION';

const DOCS = 'https://github.com/secmon/secmon#errors';

/** A `TypeError` with a stable `code`, thrown for bad configuration (never for bad data). */
export type SecmonConfigError = TypeError & { code: SecmonErrorCode };

/** How {@link badOptionError} words its message. */
interface BadOptionDetails {
  /** A likely intended value, shown as "did you mean ...?". */
  suggestion?: string;
  /** The value is a secret (a token, a password): say what kind of value it is, never its text. */
  secret?: boolean;
}

/**
 * Builds the error for an option that has a value secmon does not accept. The message names the
 * option, the value received and what is accepted, e.g.
 * `bruteForce.threshold must be an integer >= 1 (got 0)`.
 */
export function badOptionError(
  option: string,
  accepted: string,
  got: unknown,
  details: BadOptionDetails = {},
): SecmonConfigError {
  const shown = details.secret ? describeSecret(got) : describeValue(got);
  const hint = details.suggestion === undefined ? '' : `; did you mean ${details.suggestion}?`;
  const error = new TypeError(
    `${option} must be ${accepted} (got ${shown})${hint} [SECMON_ERR_BAD_OPTION, see ${DOCS}]`,
  ) as SecmonConfigError;
  error.code = 'SECMON_ERR_BAD_OPTION';
  return error;
}

/**
 * Builds the error for an option name secmon does not know (usually a typo). `option` is the full
 * name (`bruteForce.treshold`); when a known name is close to its last part, the message asks
 * "did you mean bruteForce.threshold?".
 */
export function unknownOptionError(option: string, known: readonly string[]): SecmonConfigError {
  const dot = option.lastIndexOf('.');
  const guess = closestMatch(option.slice(dot + 1), known);
  const hint = guess === undefined ? '' : `; did you mean ${option.slice(0, dot + 1)}${guess}?`;
  const error = new TypeError(
    `${option} is not a known option${hint} (known: ${known.join(', ')}) [SECMON_ERR_UNKNOWN_OPTION, see ${DOCS}]`,
  ) as SecmonConfigError;
  error.code = 'SECMON_ERR_UNKNOWN_OPTION';
  return error;
}

/** `value` if it is an integer in `[min, max]`, `fallback` if undefined; otherwise a bad-option error. */
export function integerIn(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badOptionError(name, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/**
 * `value` if it is one of `choices`, `fallback` if undefined; otherwise a bad-option error listing
 * the choices (and the closest one, for a typo such as `"blok"`).
 */
export function oneOf<T extends string>(name: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  const guess = typeof value === 'string' ? closestMatch(value, choices) : undefined;
  throw badOptionError(name, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, value, {
    suggestion: guess === undefined ? undefined : JSON.stringify(guess),
  });
}

/** Throws an unknown-option error for the first key of `object` not in `known`. */
export function rejectUnknownKeys(prefix: string, object: object, known: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) throw unknownOptionError(prefix + key, known);
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

// A secret is described, never shown: an error message ends up in logs.
function describeSecret(value: unknown): string {
  if (typeof value !== 'string') return describeValue(value);
  if (value.trim() === '') return value === '' ? 'an empty string' : 'a blank string';
  return `a ${value.length}-character string, not shown`;
}
