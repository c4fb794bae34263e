import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { closestMatch } from '../core/did-you-mean.js';
import { FORMAT_NAMES, formatNamed } from '../sources/formats.js';
import type { SourceSpec } from '../sources/live-sources.js';
import type { LogFormat } from '../sources/log-format.js';
import { optionValue, withoutDocsLink } from './option-text.js';
import { bool, integer } from './setting-schemas.js';

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

/** One `NAME.KEY=VALUE` of SECMON_SOURCE_OPTIONS: the source's name, the format option, its value. */
export interface SourceOption {
  source: string;
  key: string;
  value: unknown;
}

/**
 * Parses `NAME.KEY=VALUE` items (a source's name may hold dots, a format option's key never does:
 * the last dot before `=` splits them). VALUE is read as JSON when it is JSON (`10`, `true`,
 * `[401,403]`), as text otherwise (`loopback`).
 */
export function parseSourceOptions(
  items: readonly string[],
): { ok: true; options: SourceOption[] } | { ok: false; error: string } {
  const options: SourceOption[] = [];
  for (const [index, raw] of items.entries()) {
    const item = raw.trim();
    if (item === '' && items.length > 1) continue;
    const where = items.length > 1 ? `item ${index + 1} (${JSON.stringify(item.slice(0, 80))}) ` : '';
    const equals = item.indexOf('=');
    const dot = equals === -1 ? -1 : item.lastIndexOf('.', equals);
    if (item.length > MAX_ITEM || equals === -1 || dot < 1 || dot + 1 === equals) {
      return {
        ok: false,
        error: `${where}must be NAME.OPTION=VALUE, e.g. web.trustProxy=loopback (NAME: the source's name)`,
      };
    }
    const value = optionValue(item.slice(equals + 1).trim());
    options.push({ source: item.slice(0, dot), key: item.slice(dot + 1, equals).trim(), value });
  }
  return { ok: true, options };
}

/**
 * Gives each source its options (SECMON_SOURCE_OPTIONS) and checks them the way the format will
 * (by creating a parser once), so a bad option stops the start with a message that names it. A
 * source reading an X-Forwarded-For field (`forwardedForField`) without its own `trustProxy` takes
 * the service's SECMON_TRUST_PROXY: one set of trust rules for requests and for their log lines.
 * Call after {@link unknownSourceFormat}.
 */
export function withSourceOptions(
  sources: readonly SourceSpec[],
  options: readonly SourceOption[],
  serviceTrustProxy: unknown,
  customFormats: LogFormat[],
): { ok: true; sources: SourceSpec[] } | { ok: false; error: string } {
  const names = sources.map((source) => source.name);
  for (const option of options) {
    if (names.includes(option.source)) continue;
    const guess = closestMatch(option.source, names);
    return {
      ok: false,
      error: `names the source ${JSON.stringify(option.source.slice(0, 80))}, which is not one of SECMON_SOURCES (${names.map((name) => JSON.stringify(name)).join(', ') || 'none'})${guess === undefined ? '' : `; did you mean ${guess}?`}`,
    };
  }
  const result: SourceSpec[] = [];
  for (const source of sources) {
    const own: Record<string, unknown> = {};
    for (const option of options) if (option.source === source.name) own[option.key] = option.value;
    if (own.forwardedForField !== undefined && own.trustProxy === undefined && serviceTrustProxy !== false)
      own.trustProxy = serviceTrustProxy;
    const spec = Object.keys(own).length === 0 ? source : { ...source, options: own };
    try {
      formatNamed(source.format, { customFormats }).createParser(spec.options);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      return { ok: false, error: `source ${JSON.stringify(source.name)}: ${withoutDocsLink(error.message)}` };
    }
    result.push(spec);
  }
  return { ok: true, sources: result };
}

/** `;`-separated in the environment (values may hold commas), or the values of a repeated flag. */
const sourceOptionList = z.union([z.string(), z.array(z.string())]).transform((value, ctx) => {
  const parsed = parseSourceOptions(typeof value === 'string' ? value.split(';') : value);
  if (parsed.ok) return parsed.options;
  ctx.addIssue({ code: 'custom', message: parsed.error });
  return z.NEVER;
});

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
    key: 'sourceOptions',
    env: 'SECMON_SOURCE_OPTIONS',
    flag: '--source-option',
    description:
      "a format option of one source, NAME.OPTION=VALUE (e.g. web.forwardedForField=10); the flag repeats, the variable is ';'-separated",
    defaultText: 'none',
    schema: sourceOptionList,
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
