// Time formats of custom log formats: how the text of a pattern's `time` group becomes epoch ms.
// Named ones (`iso8601`, `epoch`, `epoch_ms`, `syslog`, `clf`) or a strftime-style pattern of the
// directives below. A time without a zone (`%z`, or an ISO 8601 time without one) is read in
// `timeZone` (local by default); a format without `%Y` gets its year the way syslog lines do (the
// current year, carried across December -> January).
import { badOptionError } from '../core/errors.js';
import { SyslogClock, type SyslogClockOptions } from './syslog-clock.js';
import { parseIsoTime } from './syslog-line.js';

/** Reads one time text; `undefined` when it is not in the format. Has state (the year of a year-less log). */
export type TimeReader = (text: string) => number | undefined;

const NAMED: Readonly<Record<string, string>> = {
  syslog: '%b %e %H:%M:%S',
  clf: '%d/%b/%Y:%H:%M:%S %z',
};
/** The time format names accepted besides a strftime pattern. */
export const TIME_FORMAT_NAMES = ['iso8601', 'epoch', 'epoch_ms', ...Object.keys(NAMED)];

// strftime directive -> [regex, field].
const DIRECTIVES: Readonly<Record<string, readonly [string, Field]>> = {
  Y: ['(\\d{4})', 'year'],
  m: ['(\\d{1,2})', 'month'],
  b: ['(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)', 'monthName'],
  d: ['(\\d{1,2})', 'day'],
  e: ['( ?\\d{1,2})', 'day'],
  H: ['(\\d{1,2})', 'hour'],
  M: ['(\\d{2})', 'minute'],
  S: ['(\\d{2})', 'second'],
  f: ['(\\d{1,9})', 'fraction'],
  z: ['(Z|[+-]\\d{2}:?\\d{2})', 'zone'],
};
type Field = 'year' | 'month' | 'monthName' | 'day' | 'hour' | 'minute' | 'second' | 'fraction' | 'zone';
const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

/**
 * Checks time format `spec` (a name of {@link TIME_FORMAT_NAMES} or a strftime pattern using %Y %m %b
 * %d %e %H %M %S %f %z %T %F %%) and returns a factory of readers (one per parsed stream, as a
 * year-less format keeps state). A bad spec throws a `SECMON_ERR_BAD_OPTION` error naming `option`.
 */
export function timeFormat(
  option: string,
  spec: unknown,
  clockOptions: SyslogClockOptions,
): () => TimeReader {
  if (typeof spec !== 'string' || spec.length === 0 || spec.length > 200) {
    throw badOptionError(option, `one of ${TIME_FORMAT_NAMES.join(', ')} or a strftime pattern`, spec);
  }
  if (spec === 'iso8601') {
    return () => {
      const clock = new SyslogClock(clockOptions);
      return (text) => parseIsoTime(text) ?? localIsoTime(text, clock);
    };
  }
  if (spec === 'epoch') return () => (text) => epochOf(text, 1000);
  if (spec === 'epoch_ms') return () => (text) => epochOf(text, 1);
  return strftime(option, NAMED[spec] ?? spec, clockOptions);
}

// An ISO 8601 date-time without a zone (`2026-12-06 10:00:01,123`, as Python's logging writes it),
// read in the clock's zone.
const LOCAL_ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?$/;

function localIsoTime(text: string, clock: SyslogClock): number | undefined {
  const m = LOCAL_ISO.exec(text);
  if (m === null) return undefined;
  const [month, day, hour, minute, second] = [
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
  ];
  if (!(month >= 0 && month < 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 61))
    return undefined;
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  return clock.epoch(Number(m[1]), month, day, hour, minute, second) + ms;
}

// Seconds or ms since 1970, digits with an optional fraction.
function epochOf(text: string, unit: number): number | undefined {
  if (!/^\d{1,16}(\.\d{1,9})?$/.test(text)) return undefined;
  return Math.floor(Number(text) * unit);
}

function strftime(option: string, spec: string, clockOptions: SyslogClockOptions): () => TimeReader {
  let source = '^';
  const fields: Field[] = [];
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]!;
    if (c !== '%') {
      source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      continue;
    }
    const d = spec[++i];
    if (d === '%') {
      source += '%';
    } else if (d === 'T' || d === 'F') {
      const expanded = d === 'T' ? ['H', 'M', 'S'] : ['Y', 'm', 'd'];
      source += expanded.map((x) => DIRECTIVES[x]![0]).join(d === 'T' ? ':' : '-');
      for (const x of expanded) fields.push(DIRECTIVES[x]![1]);
    } else if (d !== undefined && DIRECTIVES[d] !== undefined) {
      const [regex, field] = DIRECTIVES[d]!;
      if (fields.includes(field))
        throw badOptionError(option, `a time format naming each field once (%${d} twice)`, spec);
      source += regex;
      fields.push(field);
    } else {
      throw badOptionError(option, 'a strftime pattern using %Y %m %b %d %e %H %M %S %f %z %T %F %%', spec);
    }
  }
  const has = (field: Field) => fields.includes(field);
  if (!(has('month') || has('monthName')) || !has('day') || !has('hour') || !has('minute')) {
    throw badOptionError(
      option,
      'a time format with at least a month (%m or %b), a day, hours and minutes',
      spec,
    );
  }
  const regex = new RegExp(`${source}$`);
  const index = (field: Field) => fields.indexOf(field) + 1;
  const [year, month, monthName, day, hour, minute, second, fraction, zone] = [
    index('year'),
    index('month'),
    index('monthName'),
    index('day'),
    index('hour'),
    index('minute'),
    index('second'),
    index('fraction'),
    index('zone'),
  ];
  return () => {
    const clock = new SyslogClock(clockOptions);
    return (text) => {
      const m = regex.exec(text);
      if (m === null) return undefined;
      const mo = month > 0 ? Number(m[month]) - 1 : MONTHS.indexOf(m[monthName]!) / 3;
      const d = Number(m[day]);
      const h = Number(m[hour]);
      const mi = Number(m[minute]);
      const s = second > 0 ? Number(m[second]) : 0;
      if (!(mo >= 0 && mo < 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && s < 61)) return undefined;
      const ms = fraction > 0 ? Math.floor(Number(`0.${m[fraction]}`) * 1000) : 0;
      if (zone > 0) {
        const z = m[zone]!;
        const offset =
          z === 'Z' ? 0 : (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(-2)));
        const y = year > 0 ? Number(m[year]) : new Date(clockOptions.now?.() ?? Date.now()).getUTCFullYear();
        return Date.UTC(y, mo, d, h, mi, s, ms) - offset * 60_000;
      }
      if (year > 0) return clock.epoch(Number(m[year]), mo, d, h, mi, s) + ms;
      return clock.resolve(mo, d, h, mi, s) + ms;
    };
  };
}
