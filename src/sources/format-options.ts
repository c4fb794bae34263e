// Option checks shared by the log formats. Every format validates its options when its parser is
// created (at start-up), with the same errors as the rest of secmon: the option is named with the
// format's prefix (`sshd.holdMs`), the value received is shown, a typo gets "did you mean".
import { badOptionError, rejectUnknownKeys } from '../core/errors.js';
import type { SyslogClockOptions } from './syslog-clock.js';

/** The options object of format `format`, its keys checked against `known`. */
export function formatOptions(
  format: string,
  options: Readonly<Record<string, unknown>> | undefined,
  known: readonly string[],
): Readonly<Record<string, unknown>> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw badOptionError(`the options of the ${format} format`, 'an object', options);
  }
  rejectUnknownKeys(`${format}.`, options, known);
  return options;
}

/** The clock options (`year`, `now`, `timeZone`) of a format reading year-less syslog times. */
export function clockOptions(format: string, options: Readonly<Record<string, unknown>>): SyslogClockOptions {
  const { year, now, timeZone } = options;
  if (
    year !== undefined &&
    (typeof year !== 'number' || !Number.isInteger(year) || year < 1970 || year > 9999)
  ) {
    throw badOptionError(`${format}.year`, 'an integer from 1970 to 9999', year);
  }
  if (now !== undefined && typeof now !== 'function') {
    throw badOptionError(`${format}.now`, 'a function returning epoch ms', now);
  }
  if (timeZone !== undefined && timeZone !== 'local' && timeZone !== 'UTC') {
    throw badOptionError(`${format}.timeZone`, '"local" or "UTC"', timeZone);
  }
  return {
    year: year as number | undefined,
    now: now as (() => number) | undefined,
    timeZone: timeZone as 'local' | 'UTC' | undefined,
  };
}

/**
 * Whether `text` looks like an IPv4 or IPv6 address (not a host name): the monitor parses it exactly,
 * this only keeps host names (sshd with `UseDNS yes`) out of the per-address keys.
 */
export function looksLikeAddress(text: string): boolean {
  const length = text.length;
  if (length < 2 || length > 100) return false;
  if (text.indexOf(':') >= 0) {
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x25 /* % */) return i > 1; // a zone index (`fe80::1%eth0`) ends it
      if (!(isHexDigit(c) || c === 0x3a || c === 0x2e)) return false;
    }
    return true;
  }
  let dots = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) dots++;
    else if (c < 0x30 || c > 0x39) return false;
  }
  return dots === 3;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** An account name as the event schema takes it: `undefined` when empty, at most 256 characters. */
export function userIdOf(user: string): string | undefined {
  if (user.length === 0) return undefined;
  return user.length > 256 ? user.slice(0, 256) : user;
}
