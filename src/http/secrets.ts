import { badOptionError } from '../core/errors.js';

/**
 * Rules for the secrets that protect secmon's endpoints, shared by the library helpers and the
 * service's settings so both refuse the same values. An empty or blank secret is a configuration
 * error, never "no protection": a protection the user asked for must not silently vanish.
 */

/** The kinds of secret secmon takes. */
export type SecretKind = 'bearer token' | 'basic-auth pair';

/** What a valid secret of each kind looks like, for error messages. */
export const SECRET_RULE: Record<SecretKind, string> = {
  // A header carries visible ASCII; a token with a space, a control character or a non-ASCII
  // letter can never be presented as `Authorization: Bearer <token>`.
  'bearer token': 'a non-empty token of visible ASCII characters (no spaces)',
  'basic-auth pair': 'a "user:password" pair with a non-blank user (no ":") and a non-blank password',
};

const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\x00-\x1f\x7f]/;

/** True when `value` is a usable secret of this kind (see {@link SECRET_RULE}). */
export function isValidSecret(kind: SecretKind, value: string): boolean {
  if (kind === 'bearer token') return VISIBLE_ASCII.test(value);
  const colon = value.indexOf(':');
  if (colon <= 0 || CONTROL.test(value)) return false;
  return value.slice(0, colon).trim() !== '' && value.slice(colon + 1).trim() !== '';
}

/**
 * A list option of secrets: one string or an array of strings, each valid for its kind; `undefined`
 * is an empty list (no protection asked for). Throws a `SECMON_ERR_BAD_OPTION` `TypeError` naming the
 * option and the position of a bad item (`bearerTokens[0]`), describing the value without showing
 * it; an `undefined` item (an unset environment variable) is named as such.
 */
export function secretListOption(name: string, value: unknown, kind: SecretKind): string[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) {
    throw badOptionError(name, `a ${kind} or an array of them`, value);
  }
  list.forEach((item: unknown, index) => {
    if (typeof item !== 'string' || !isValidSecret(kind, item)) {
      const itemName = typeof value === 'string' ? name : `${name}[${index}]`;
      const unset = item === undefined ? ' (an unset environment variable?)' : '';
      throw badOptionError(itemName, `${SECRET_RULE[kind]}${unset}`, item, { secret: true });
    }
  });
  return [...(list as string[])];
}
