// The registry of log formats: the name a user writes (`--format sshd`, `--source nginx:/var/log/...`)
// to the format. Adding a format is one file and one line in BUILT_IN.
import { badOptionError, oneOf } from '../core/errors.js';
import { apacheFormat, nginxFormat } from './access-log.js';
import { jsonFormat } from './json-lines.js';
import type { LogFormat } from './log-format.js';
import { sshdFormat } from './sshd.js';

const BUILT_IN: readonly LogFormat[] = [sshdFormat, nginxFormat, apacheFormat, jsonFormat];

/** The names of the built-in formats. */
export const FORMAT_NAMES: readonly string[] = BUILT_IN.map((format) => format.name);

/** Options of {@link formatNamed}. */
export interface FormatLookupOptions {
  /** Formats defined in a custom-format file (see `loadCustomFormats`), looked up after the built-in ones. */
  customFormats?: readonly LogFormat[];
  /** How the setting is called in the error message. Default `format`. */
  setting?: string;
}

/**
 * The format called `name`: a built-in one or one of `customFormats`. An unknown name throws a
 * `SECMON_ERR_BAD_OPTION` `TypeError` listing the known names, with "did you mean" for a typo.
 */
export function formatNamed(name: string, options: FormatLookupOptions = {}): LogFormat {
  const all = options.customFormats === undefined ? BUILT_IN : [...BUILT_IN, ...options.customFormats];
  for (const format of all) if (format.name === name) return format;
  const setting = options.setting ?? 'format';
  const names = all.map((format) => format.name);
  // oneOf refuses every name not in `names` but undefined (reachable only from JavaScript), for
  // which it gives its fallback: that one is refused here, with the same message.
  if (name !== undefined) oneOf(setting, name, names, names[0]!);
  throw badOptionError(setting, `one of ${names.map((n) => JSON.stringify(n)).join(', ')}`, name);
}
