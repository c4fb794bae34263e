// Custom formats: log lines of any application, described in a file the way fail2ban's `failregex`
// is written. Each format has a name (used as `--format NAME` / `--source NAME:PATH`) and patterns,
// regular expressions with named groups, tried in order; the first that matches makes the event:
//
//   formats:
//     myapp:
//       timeFormat: '%Y-%m-%d %H:%M:%S'      # optional (default iso8601); see time-format.ts
//       timeZone: UTC                        # optional, for times without a zone (default local)
//       patterns:
//         - event: failed_auth
//           pattern: '^(?<time>\S+ \S+) login failed for (?<user>\S+) from <HOST>'
//         - event: successful_auth
//           pattern: '^(?<time>\S+ \S+) login ok for (?<user>\S+) from <HOST>'
//
// Groups: `ip` (or `host`, or the `<HOST>` placeholder, which expands to an IPv4/IPv6 address group),
// `user`, `time`, `type` (the event type, when `event` is not given), `path` (path_traversal),
// `input` (command_injection), `reason` (suspicious_container). Everything is checked when the file
// is loaded: a bad regex, a pattern without the groups its event needs, an unknown event type, group
// or key is an error naming the file, the format and the pattern.
//
// Lines are hostile, patterns are trusted but may be careless: a line longer than `maxLineLength`
// is not matched (it is `unparsed`), and a pattern with a nested quantifier (`(\w+)+`), which can
// take exponential time on a crafted line, is refused. A line no pattern matches is `ignored`; a
// matching line whose address or time cannot be read is `unparsed`.
import { closestMatch } from '../core/did-you-mean.js';
import { badOptionError, integerIn, oneOf, rejectUnknownKeys } from '../core/errors.js';
import { EVENT_TYPES } from '../http/event-schema.js';
import { type CompiledPattern, CustomParser } from './custom-parser.js';
import { clockOptions, formatOptions } from './format-options.js';
import type { LogFormat } from './log-format.js';
import { nestedQuantifier } from './regex-safety.js';
import { timeFormat } from './time-format.js';

type EventType = (typeof EVENT_TYPES)[number];

// fail2ban's <HOST>/<ADDR>: an IPv4 address, or an IPv6 one (also IPv4-mapped, with a zone).
const IPV4 = '(?:\\d{1,3}\\.){3}\\d{1,3}';
const IPV6 = `(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|${IPV4})?(?:%[0-9A-Za-z_.-]{1,32})?`;
const HOST_GROUP = `(?<ip>${IPV4}|${IPV6})`;

const GROUPS = ['ip', 'host', 'user', 'time', 'type', 'path', 'input', 'reason'];
const FORMAT_KEYS = ['pattern', 'event', 'patterns', 'timeFormat', 'timeZone', 'maxLineLength'];
const PATTERN_KEYS = ['pattern', 'event'];
const NAME = /^[a-z][a-z0-9_-]{0,63}$/;
const MAX_PATTERNS = 64;
const DEFAULT_MAX_LINE_LENGTH = 8192;

/** One pattern of a custom format, as written in the file. */
export interface CustomPatternConfig {
  /** A regular expression (JavaScript syntax) with named groups; `<HOST>` expands to an address group. */
  pattern: string;
  /** The event type a match is; omitted when the pattern has a `type` group. */
  event?: EventType;
}

/** One custom format, as written in the file (`pattern` + `event` is a one-pattern shorthand). */
export interface CustomFormatConfig {
  patterns?: CustomPatternConfig[];
  pattern?: string;
  event?: EventType;
  /** How the `time` group reads: iso8601 (default), epoch, epoch_ms, syslog, clf, or a strftime pattern. */
  timeFormat?: string;
  /** Zone of times without one: `local` (default) or `UTC`. */
  timeZone?: 'local' | 'UTC';
  /** Longer lines are not matched (`unparsed`): 16..65,536, default 8,192. */
  maxLineLength?: number;
}

/**
 * Builds the formats a custom-format file defines, from its parsed content (`{ formats: { name:
 * {...} } }`). `source` (the file name) starts every error message. Throws a `SECMON_ERR_BAD_OPTION`
 * or `SECMON_ERR_UNKNOWN_OPTION` `TypeError` naming the format and pattern at fault; `reserved` are
 * names taken by built-in formats.
 */
export function customFormats(
  config: unknown,
  source: string,
  reserved: readonly string[] = [],
): LogFormat[] {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw badOptionError(source, 'an object with a `formats` key', config);
  }
  for (const key of Object.keys(config)) {
    if (key !== 'formats') {
      throw badOptionError(
        `${source}: ${key}`,
        'absent: the file holds one key, formats',
        (config as Record<string, unknown>)[key],
        {
          suggestion: closestMatch(key, ['formats']),
        },
      );
    }
  }
  const formats = (config as { formats?: unknown }).formats;
  if (
    typeof formats !== 'object' ||
    formats === null ||
    Array.isArray(formats) ||
    Object.keys(formats).length === 0
  ) {
    throw badOptionError(
      `${source}: formats`,
      'an object of named formats ({ myapp: { patterns: [...] } })',
      formats,
    );
  }
  return Object.entries(formats).map(([name, format]) =>
    compileFormat(`${source}: formats.${name}`, name, format, reserved),
  );
}

function compileFormat(where: string, name: string, config: unknown, reserved: readonly string[]): LogFormat {
  if (!NAME.test(name)) {
    throw badOptionError(
      `${where}`,
      'named with lowercase letters, digits, - and _ (starting with a letter)',
      name,
    );
  }
  if (reserved.includes(name))
    throw badOptionError(where, `a name other than the built-in formats (${reserved.join(', ')})`, name);
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw badOptionError(where, 'an object ({ patterns: [...] })', config);
  }
  rejectUnknownKeys(`${where}.`, config, FORMAT_KEYS);
  const given = config as Record<string, unknown>;
  let items: unknown[];
  if (given.patterns !== undefined) {
    if (given.pattern !== undefined || given.event !== undefined) {
      throw badOptionError(
        `${where}.pattern`,
        'absent when `patterns` is given (put it in the list)',
        given.pattern ?? given.event,
      );
    }
    if (
      !Array.isArray(given.patterns) ||
      given.patterns.length === 0 ||
      given.patterns.length > MAX_PATTERNS
    ) {
      throw badOptionError(`${where}.patterns`, `a list of 1 to ${MAX_PATTERNS} patterns`, given.patterns);
    }
    items = given.patterns;
  } else {
    if (given.pattern === undefined)
      throw badOptionError(`${where}.patterns`, 'a list of patterns (or `pattern` and `event`)', undefined);
    items = [{ pattern: given.pattern, event: given.event }];
  }
  const patterns = items.map((item, index) =>
    compilePattern(given.patterns === undefined ? where : `${where}.patterns[${index}]`, item),
  );
  const maxLineLength = integerIn(
    `${where}.maxLineLength`,
    given.maxLineLength,
    DEFAULT_MAX_LINE_LENGTH,
    16,
    65_536,
  );
  const timeZone = oneOf(`${where}.timeZone`, given.timeZone, ['local', 'UTC'] as const, 'local');
  const zone = { timeZone };
  timeFormat(`${where}.timeFormat`, given.timeFormat ?? 'iso8601', zone); // checked now, built per parser
  return {
    name,
    createParser(options) {
      const clock = clockOptions(name, formatOptions(name, options, ['year', 'now']));
      const readTime = timeFormat(`${where}.timeFormat`, given.timeFormat ?? 'iso8601', {
        ...clock,
        timeZone,
      })();
      return new CustomParser(patterns, maxLineLength, readTime);
    },
  };
}

function compilePattern(where: string, item: unknown): CompiledPattern {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw badOptionError(where, 'an object ({ pattern, event })', item);
  }
  rejectUnknownKeys(`${where}.`, item, PATTERN_KEYS);
  const { pattern, event } = item as Record<string, unknown>;
  if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > 4096) {
    throw badOptionError(
      `${where}.pattern`,
      'a regular expression (a string of 1 to 4,096 characters)',
      pattern,
    );
  }
  const expanded = pattern.replace(/<(HOST|ADDR)>/g, HOST_GROUP);
  let regex: RegExp;
  try {
    regex = new RegExp(expanded);
  } catch (error) {
    throw badOptionError(
      `${where}.pattern`,
      `a valid regular expression (${(error as Error).message})`,
      pattern,
    );
  }
  const nested = nestedQuantifier(expanded);
  if (nested !== undefined) {
    throw badOptionError(
      `${where}.pattern`,
      `free of nested quantifiers such as ${nested}, which take exponential time on a crafted line`,
      pattern,
    );
  }
  const groups = groupNames(expanded);
  for (const group of groups) {
    if (!GROUPS.includes(group)) {
      const guess = closestMatch(group, GROUPS);
      throw badOptionError(
        `${where}.pattern`,
        `using only the groups ${GROUPS.join(', ')}`,
        `(?<${group}>...)`,
        {
          suggestion: guess === undefined ? undefined : `(?<${guess}>...)`,
        },
      );
    }
  }
  if (groups.includes('ip') && groups.includes('host')) {
    throw badOptionError(`${where}.pattern`, 'with one address group: ip, host or <HOST>', pattern);
  }
  if (event === undefined) {
    if (!groups.includes('type')) {
      throw badOptionError(
        `${where}.event`,
        `one of ${EVENT_TYPES.join(', ')} (or a (?<type>...) group in the pattern)`,
        event,
      );
    }
    return { regex, event: undefined };
  }
  const type = oneOf(`${where}.event`, event, EVENT_TYPES, 'failed_auth');
  for (const group of requiredGroups(type)) {
    if (!groups.includes(group) && !(group === 'ip' && groups.includes('host'))) {
      const what =
        group === 'ip' ? 'an address group: (?<ip>...), (?<host>...) or <HOST>' : `a (?<${group}>...) group`;
      throw badOptionError(`${where}.pattern`, `with ${what} for ${type} events`, pattern);
    }
  }
  return { regex, event: type };
}

function requiredGroups(type: EventType): string[] {
  switch (type) {
    case 'path_traversal':
      return ['ip', 'path'];
    case 'command_injection':
      return ['ip', 'input'];
    case 'privileged_container':
      return ['user'];
    case 'suspicious_container':
      return ['user', 'reason'];
    default:
      return ['ip'];
  }
}

// The names of `(?<name>...)` groups (not lookbehinds), skipping escaped parentheses and classes.
function groupNames(source: string): string[] {
  const names: string[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (
      !inClass &&
      c === '(' &&
      source.startsWith('(?<', i) &&
      source[i + 3] !== '=' &&
      source[i + 3] !== '!'
    ) {
      const end = source.indexOf('>', i + 3);
      names.push(source.slice(i + 3, end));
    }
  }
  return names;
}
