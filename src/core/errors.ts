/** Stable error codes. Each has a section in the README's "Errors" part, named after the code. */
export type SecmonErrorCode = 'SECMON_ERR_BAD_OPTION' | 'SECMON_ERR_UNKNOWN_OPTION';

const DOCS = 'https://github.com/secmon/secmon#errors';

/** A `TypeError` with a stable `code`, thrown for bad configuration (never for bad data). */
export type SecmonConfigError = TypeError & { code: SecmonErrorCode };

/**
 * Builds the error for an option that has a value secmon does not accept. The message names the
 * option, the value received and what is accepted, e.g.
 * `bruteForce.threshold must be an integer >= 1 (got 0)`.
 */
export function badOptionError(option: string, accepted: string, got: unknown): SecmonConfigError {
  const error = new TypeError(
    `${option} must be ${accepted} (got ${describeValue(got)}) [SECMON_ERR_BAD_OPTION, see ${DOCS}]`,
  ) as SecmonConfigError;
  error.code = 'SECMON_ERR_BAD_OPTION';
  return error;
}

/** Builds the error for an option name secmon does not know (usually a typo). */
export function unknownOptionError(option: string, known: readonly string[]): SecmonConfigError {
  const error = new TypeError(
    `${option} is not a known option (known: ${known.join(', ')}) [SECMON_ERR_UNKNOWN_OPTION, see ${DOCS}]`,
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
  return `a ${typeof value}`;
}
