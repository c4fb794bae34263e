import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { closestMatch } from '../core/did-you-mean.js';
import { FORMAT_NAMES } from '../sources/formats.js';
import type { SourceSpec } from '../sources/live-sources.js';
import type { LogFormat } from '../sources/log-format.js';
import { bool } from './setting-schemas.js';

// The settings of live log sources (`secmon serve --source FORMAT:PATH`): part of the one settings
// table (SETTINGS in settings.ts), kept apart so that each file stays one screenful.

/** `--help` heading. */
export const SOURCES = 'Log sources (live):';

/**
 * Checks that every source names a built-in format or one of `custom` (SECMON_FORMATS_FILE); the
 * problem (with a did-you-mean for a typo), or undefined.
 */
export function unknownSourceFormat(
  sources: readonly SourceSpec[],
  custom: readonly LogFormat[],
): string | undefined {
  const names = [...FORMAT_NAMES, ...custom.map((format) => format.name)];
  for (const [index, source] of sources.entries()) {
    if (names.includes(source.format)) continue;
    const where =
      sources.length > 1 ? `item ${index + 1} (${JSON.stringify(source.name.slice(0, 80))}) ` : '';
    const guess = closestMatch(source.format, names);
    const hint = guess === undefined ? '' : `; did you mean ${guess}?`;
    const file = custom.length === 0 ? ' (custom formats come from SECMON_FORMATS_FILE)' : '';
    return `${where}names the format ${JSON.stringify(source.format.slice(0, 40))}, which is not one of ${names.join(', ')}${file}${hint}`;
  }
  return undefined;
}

// A source name is its metric label: configured by the operator, so bounded in number; bounded in
// length too, and to characters a dashboard variable and a shell take without quoting.
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_ITEM = 4096;

/**
 * Parses source items, each `[NAME=]FORMAT:PATH`. A relative path is resolved against the working
 * directory (positions are kept by absolute path). The name is NAME, or `FORMAT:PATH` as written.
 * Errors name the item and what is accepted. Formats are checked apart ({@link unknownSourceFormat}),
 * once the custom formats are loaded.
 */
export function parseSourceItems(
  items: readonly string[],
): { ok: true; sources: SourceSpec[] } | { ok: false; error: string } {
  const sources: SourceSpec[] = [];
  for (const [index, raw] of items.entries()) {
    const item = raw.trim();
    const where = items.length > 1 ? `item ${index + 1} (${JSON.stringify(item.slice(0, 80))}) ` : '';
    if (item === '' || item.length > MAX_ITEM) {
      return {
        ok: false,
        error: `${where}must be FORMAT:PATH or NAME=FORMAT:PATH, at most ${MAX_ITEM} characters`,
      };
    }
    let rest = item;
    let name: string | undefined;
    const equals = item.indexOf('=');
    const colon = item.indexOf(':');
    if (equals !== -1 && (colon === -1 || equals < colon)) {
      name = item.slice(0, equals);
      rest = item.slice(equals + 1);
      if (!NAME.test(name)) {
        return {
          ok: false,
          error: `${where}has the name ${JSON.stringify(name.slice(0, 80))}: a source name must be 1 to 64 letters, digits, '_', '.' or '-'`,
        };
      }
    }
    const split = rest.indexOf(':');
    const format = split === -1 ? '' : rest.slice(0, split);
    const path = split === -1 ? '' : rest.slice(split + 1);
    if (format === '' || path === '') {
      return {
        ok: false,
        error: `${where}must be FORMAT:PATH or NAME=FORMAT:PATH (formats: ${FORMAT_NAMES.join(', ')}, or one of SECMON_FORMATS_FILE)`,
      };
    }
    const absolute = isAbsolute(path) ? resolve(path) : resolve(process.cwd(), path);
    const spec: SourceSpec = { name: name ?? `${format}:${path}`, format, path: absolute };
    const sameName = sources.find((other) => other.name === spec.name);
    if (sameName !== undefined) {
      return {
        ok: false,
        error: `${where}repeats the source name ${JSON.stringify(spec.name)}: names must differ`,
      };
    }
    const samePath = sources.find((other) => other.path === spec.path);
    if (samePath !== undefined) {
      return {
        ok: false,
        error: `${where}reads ${spec.path} again (already source ${JSON.stringify(samePath.name)}): every line would count twice`,
      };
    }
    sources.push(spec);
  }
  return { ok: true, sources };
}

/** A comma-separated list (environment) or the values of a repeated flag. */
const sourceList = z.union([z.string(), z.array(z.string())]).transform((value, ctx) => {
  const items = typeof value === 'string' ? value.split(',') : value;
  const parsed = parseSourceItems(items);
  if (parsed.ok) return parsed.sources;
  ctx.addIssue({ code: 'custom', message: parsed.error });
  return z.NEVER;
});

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be an integer from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be an integer from ${min} to ${max}`);

/** Entries of the settings table (see `Setting` in settings.ts). */
export const SOURCE_SETTINGS = [
  {
    key: 'sources',
    env: 'SECMON_SOURCES',
    flag: '--source',
    description:
      'log files to follow, FORMAT:PATH or NAME=FORMAT:PATH (the name is the metric label); the flag repeats, the variable is comma-separated',
    defaultText: 'none',
    schema: sourceList,
    repeatable: true,
    group: SOURCES,
  },
  {
    key: 'formatsFile',
    env: 'SECMON_FORMATS_FILE',
    flag: '--formats-file',
    description:
      'a YAML or JSON file of custom formats (named patterns) that sources may name, checked at start',
    defaultText: 'none',
    schema: z.string().trim().min(1, 'must be a file path'),
    group: SOURCES,
  },
  {
    key: 'fromStart',
    env: 'SECMON_FROM_START',
    flag: '--from-start',
    description:
      'read a file that has no saved position from its first byte (default: from its end, only new lines)',
    defaultText: 'false',
    schema: bool,
    switch: true,
    group: SOURCES,
  },
  {
    key: 'stateDir',
    env: 'SECMON_STATE_DIR',
    flag: '--state-dir',
    description:
      'directory where the read position of each file is kept, so a restart resumes exactly (none: every start is a fresh one)',
    defaultText: 'none',
    schema: z.string().trim().min(1, 'must be a directory path'),
    group: SOURCES,
  },
  {
    key: 'sourcePollMs',
    env: 'SECMON_SOURCE_POLL_MS',
    flag: '--source-poll-ms',
    description: 'longest time between two looks at a followed file, ms (changes are also watched)',
    defaultText: '500',
    schema: integer(10, 60_000),
    group: SOURCES,
  },
  {
    key: 'sourceMaxLineBytes',
    env: 'SECMON_SOURCE_MAX_LINE_BYTES',
    flag: '--source-max-line-bytes',
    description: 'longest line read, bytes; a longer line is skipped and counted as too_long',
    defaultText: '65536',
    schema: integer(256, 16 * 1024 * 1024),
    group: SOURCES,
  },
] as const;
