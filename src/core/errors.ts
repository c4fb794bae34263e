/** Stable error codes. Each has a section in the README's "Errors" part, named after the code. */
export type SecmonErrorCode = 'SECMON_ERR_BAD_OPTION' | 'SECMON_ERR_UNKNOWN_OPTION';

const DOCS = 'https://github.com/secmon/secmon#errors';

/** A `TypeError` with a stable `code`, thrown for bad configuration (never for bad data). */
export type SecmonConfigError = TypeError & { code: SecmonErrorCode };

/**
 * Builds the error for an option that has a value secmon does not accept. The message names the
 * option, the value received and what is accepted, e.g.
 * `bruteForce.threshold must be an integer >= 1 (got 0)`; for a misspelt choice among `choices`, the
 * one it is closest to (`mode must be "record" or "block" (got "blok"); did you mean "block"?`).
 */
export function badOptionError(
  option: string,
  accepted: string,
  got: unknown,
  choices?: readonly string[],
): SecmonConfigError {
  const guess = typeof got === 'string' && choices ? closest(got, choices) : undefined;
  const hint = guess === undefined ? '' : `; did you mean ${JSON.stringify(guess)}?`;
  const error = new TypeError(
    `${option} must be ${accepted} (got ${describeValue(got)})${hint} [SECMON_ERR_BAD_OPTION, see ${DOCS}]`,
  ) as SecmonConfigError;
  error.code = 'SECMON_ERR_BAD_OPTION';
  return error;
}

/**
 * Builds the error for an option name secmon does not know (usually a typo), suggesting the known
 * name it is closest to: `bruteForce.treshold is not a known option; did you mean
 * bruteForce.threshold? (known: ...)`.
 */
export function unknownOptionError(option: string, known: readonly string[]): SecmonConfigError {
  const dot = option.lastIndexOf('.') + 1;
  const guess = closest(option.slice(dot), known);
  const hint = guess === undefined ? '' : `; did you mean ${option.slice(0, dot)}${guess}?`;
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

/**
 * The candidate `word` is most likely a misspelling of: the nearest by edit distance (letter case
 * ignored), if it is at most a third of the word's length away (at least 1). Undefined when none is
 * that near, or `word` is one of them.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 64 || candidates.includes(word)) return undefined;
  const typed = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

// Edit distance counting a swap of two neighbours as one edit (`mdoe` is one from `mode`), a row at a time.
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      let distance = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        distance = Math.min(distance, before[j - 2]! + 1);
      row[j] = distance;
    }
    before = previous;
    previous = row;
  }
  return previous[b.length]!;
}
