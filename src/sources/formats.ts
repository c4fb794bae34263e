// Placeholder until the parsers branch is merged: the registry of log formats (its API as that
// branch defines it: formatNamed, FORMAT_NAMES). Replaced by that branch's file on merge.
import { closestMatch } from '../core/did-you-mean.js';
import { badOptionError } from '../core/errors.js';
import type { LogFormat } from './log-format.js';

const BUILT_IN: readonly LogFormat[] = [];

/** The names of the built-in formats. */
export const FORMAT_NAMES: readonly string[] = BUILT_IN.map((format) => format.name);

/** Options of {@link formatNamed}. */
export interface FormatLookupOptions {
  customFormats?: readonly LogFormat[];
  setting?: string;
}

/** The format called `name`; an unknown name throws a `SECMON_ERR_BAD_OPTION` `TypeError`. */
export function formatNamed(name: string, options: FormatLookupOptions = {}): LogFormat {
  const all = options.customFormats === undefined ? BUILT_IN : [...BUILT_IN, ...options.customFormats];
  for (const format of all) if (format.name === name) return format;
  const names = all.map((format) => format.name);
  const guess = closestMatch(name, names);
  throw badOptionError(
    options.setting ?? 'format',
    `one of ${names.map((n) => JSON.stringify(n)).join(', ')}`,
    name,
    {
      suggestion: guess === undefined ? undefined : JSON.stringify(guess),
    },
  );
}
