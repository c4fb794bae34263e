// Reads the header of a syslog line in the three shapes auth logs come in, without a regular
// expression or a Date string parse (the header is fixed-width enough to read by character codes):
//   RFC 3164      `Dec  6 10:00:01 host sshd[1234]: message` (optionally after `<PRI>`)
//   RFC 5424      `<38>1 2026-12-06T10:00:01.123+01:00 host sshd 1234 - - message`
//   ISO 8601      `2026-12-06T10:00:01+0100 host sshd[1234]: message` (journalctl -o short-iso,
//                 rsyslog's high-precision format)
import type { SyslogClock } from './syslog-clock.js';

/** The parts of a syslog header; one object is reused for every line (read it before the next line). */
export interface SyslogHeader {
  /** Epoch ms; `undefined` when the line has no timestamp (RFC 5424 `-`). */
  time: number | undefined;
  host: string;
  /** The program (`sshd`, `sshd-session`), the APP-NAME of RFC 5424. */
  program: string;
  /** The process id, `''` when the line has none. */
  pid: string;
  /** Index in the line where the message starts. */
  messageStart: number;
}

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
const SPACE = 0x20;
const ZERO = 0x30;

/** A fresh header object for {@link readSyslogHeader} to fill. */
export function syslogHeader(): SyslogHeader {
  return { time: undefined, host: '', program: '', pid: '', messageStart: 0 };
}

/**
 * Reads the header of `line` into `out`; `false` when the line is in none of the three shapes.
 * Year-less RFC 3164 times are resolved by `clock`.
 */
export function readSyslogHeader(line: string, clock: SyslogClock, out: SyslogHeader): boolean {
  let at = 0;
  if (line.charCodeAt(0) === 0x3c /* < */) {
    at = line.indexOf('>', 1);
    if (at < 2 || at > 4) return false;
    at++;
    if (line.charCodeAt(at) === 0x31 /* 1 */ && line.charCodeAt(at + 1) === SPACE)
      return readRfc5424(line, at + 2, out);
  }
  const first = line.charCodeAt(at);
  if (first >= ZERO && first <= ZERO + 9) {
    at = readIsoTime(line, at, out);
  } else {
    at = readBsdTime(line, at, clock, out);
  }
  if (at < 0 || line.charCodeAt(at) !== SPACE) return false;
  return readTag(line, at + 1, out);
}

// `Dec  6 10:00:01` (also `Dec 06` and the unpadded `Dec 6`); returns the index after it, or -1.
function readBsdTime(line: string, at: number, clock: SyslogClock, out: SyslogHeader): number {
  if (line.length < at + 15 || line.charCodeAt(at + 3) !== SPACE) return -1;
  const month = MONTHS.indexOf(line.slice(at, at + 3));
  if (month < 0 || month % 3 !== 0) return -1;
  let day: number;
  let i = at + 4;
  const first = line.charCodeAt(i);
  const second = digit(line.charCodeAt(i + 1));
  if (first === SPACE) {
    day = second;
    i += 2;
  } else if (second >= 0) {
    day = digit(first) < 0 ? -1 : digit(first) * 10 + second;
    i += 2;
  } else {
    day = digit(first);
    i += 1;
  }
  const hour = twoDigits(line, i + 1);
  const minute = twoDigits(line, i + 4);
  const seconds = twoDigits(line, i + 7);
  if (
    !(day >= 1 && day <= 31 && inRange(hour, 23) && inRange(minute, 59) && inRange(seconds, 60)) ||
    line.charCodeAt(i) !== SPACE ||
    line.charCodeAt(i + 3) !== 0x3a ||
    line.charCodeAt(i + 6) !== 0x3a
  ) {
    return -1;
  }
  out.time = clock.resolve(month / 3, day, hour, minute, seconds);
  return i + 9;
}

const scratch = syslogHeader();

/**
 * Epoch ms of an ISO 8601 / RFC 3339 date-time with its zone (`2026-12-06T10:00:01Z`,
 * `2026-12-06T10:00:01.123+01:00`, `2026-12-06 10:00:01+0100`); `undefined` for anything else,
 * including a time without a zone (which would mean a different instant in every zone).
 */
export function parseIsoTime(text: string): number | undefined {
  return readIsoTime(text, 0, scratch) === text.length ? scratch.time : undefined;
}

// `2026-12-06T10:00:01[.123456](Z|+01:00|+0100)`; returns the index after it, or -1.
function readIsoTime(line: string, at: number, out: SyslogHeader): number {
  if (line.length < at + 20) return -1;
  const century = twoDigits(line, at);
  const year = century < 0 ? -1 : century * 100 + twoDigits(line, at + 2);
  const month = twoDigits(line, at + 5);
  const day = twoDigits(line, at + 8);
  const hour = twoDigits(line, at + 11);
  const minute = twoDigits(line, at + 14);
  const second = twoDigits(line, at + 17);
  if (
    !(century >= 0 && year >= century * 100 && month >= 1 && month <= 12 && day >= 1 && day <= 31) ||
    !(inRange(hour, 23) && inRange(minute, 59) && inRange(second, 60)) ||
    line.charCodeAt(at + 4) !== 0x2d ||
    line.charCodeAt(at + 7) !== 0x2d ||
    (line.charCodeAt(at + 10) !== 0x54 && line.charCodeAt(at + 10) !== SPACE) ||
    line.charCodeAt(at + 13) !== 0x3a ||
    line.charCodeAt(at + 16) !== 0x3a
  ) {
    return -1;
  }
  let i = at + 19;
  let ms = 0;
  if (line.charCodeAt(i) === 0x2e /* . */) {
    // Fractions up to microseconds (or more): milliseconds are the first three digits.
    let scale = 100;
    i++;
    const start = i;
    for (let d = digit(line.charCodeAt(i)); d >= 0; d = digit(line.charCodeAt(++i))) {
      ms += d * scale;
      scale /= 10;
    }
    if (i === start) return -1;
    ms = Math.floor(ms);
  }
  let offsetMinutes = 0;
  const zone = line.charCodeAt(i);
  if (zone === 0x5a /* Z */) {
    i++;
  } else if (zone === 0x2b || zone === 0x2d) {
    const hours = twoDigits(line, i + 1);
    const colon = line.charCodeAt(i + 3) === 0x3a ? 1 : 0;
    const minutes = twoDigits(line, i + 3 + colon);
    if (!(hours >= 0 && hours < 24 && minutes >= 0 && minutes < 60)) return -1;
    offsetMinutes = (zone === 0x2b ? 1 : -1) * (hours * 60 + minutes);
    i += 5 + colon;
  } else {
    return -1;
  }
  out.time = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  return i;
}

// `host program[pid]: ` or `host program: `; fills host, program, pid and messageStart.
function readTag(line: string, at: number, out: SyslogHeader): boolean {
  const hostEnd = line.indexOf(' ', at);
  if (hostEnd <= at) return false;
  // Some writers leave the host out (`Dec  6 10:00:01 sshd[1234]: ...`): a first word ending in
  // `]:` is the tag (no host name or address ends so).
  if (line.charCodeAt(hostEnd - 1) === 0x3a && line.charCodeAt(hostEnd - 2) === 0x5d) {
    out.host = '';
    return readProgram(line, at, out);
  }
  out.host = line.slice(at, hostEnd);
  return readProgram(line, hostEnd + 1, out);
}

// `program[pid]: ` or `program: ` at `tagStart`; fills program, pid and messageStart.
function readProgram(line: string, tagStart: number, out: SyslogHeader): boolean {
  const colon = line.indexOf(': ', tagStart);
  if (colon <= tagStart) {
    // A message may be empty: `sshd[1234]:` at the end of the line.
    if (!line.endsWith(':') || line.length - 1 <= tagStart) return false;
  }
  const tagEnd = colon > tagStart ? colon : line.length - 1;
  // A tag has no spaces (or it is not a tag, and this is no syslog line).
  const space = line.indexOf(' ', tagStart);
  if (space >= 0 && space < tagEnd) return false;
  if (line.charCodeAt(tagEnd - 1) === 0x5d /* ] */) {
    const open = line.lastIndexOf('[', tagEnd);
    if (open <= tagStart) return false;
    out.program = line.slice(tagStart, open);
    out.pid = line.slice(open + 1, tagEnd - 1);
  } else {
    out.program = line.slice(tagStart, tagEnd);
    out.pid = '';
  }
  out.messageStart = Math.min(tagEnd + 2, line.length);
  return true;
}

// After `<PRI>1 `: `TIMESTAMP HOST APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]`.
function readRfc5424(line: string, at: number, out: SyslogHeader): boolean {
  let i: number;
  if (line.charCodeAt(at) === 0x2d /* - */) {
    out.time = undefined;
    i = at + 1;
  } else {
    i = readIsoTime(line, at, out);
    if (i < 0) return false;
  }
  if (line.charCodeAt(i) !== SPACE) return false;
  const host = nextField(line, i + 1);
  if (host < 0) return false;
  out.host = line.slice(i + 1, host);
  const app = nextField(line, host + 1);
  if (app < 0) return false;
  out.program = line.slice(host + 1, app);
  const procid = nextField(line, app + 1);
  if (procid < 0) return false;
  const pid = line.slice(app + 1, procid);
  out.pid = pid === '-' ? '' : pid;
  const msgid = nextField(line, procid + 1);
  if (msgid < 0) return false;
  i = msgid + 1;
  if (line.charCodeAt(i) === 0x2d) {
    i++;
  } else {
    // Structured data: `[id key="value" ...]` elements; `\]` and `\"` are escaped inside values.
    while (line.charCodeAt(i) === 0x5b /* [ */) {
      let quoted = false;
      i++;
      for (; i < line.length; i++) {
        const c = line.charCodeAt(i);
        if (c === 0x5c /* \ */ && quoted) i++;
        else if (c === 0x22) quoted = !quoted;
        else if (c === 0x5d && !quoted) break;
      }
      if (i >= line.length) return false;
      i++;
    }
  }
  if (i < line.length && line.charCodeAt(i) !== SPACE) return false;
  i++;
  if (line.charCodeAt(i) === 0xfeff) i++; // the BOM RFC 5424 puts before a UTF-8 message
  out.messageStart = Math.min(i, line.length);
  return true;
}

// The index of the space ending the field that starts at `at` (-1 if none, or the field is empty).
function nextField(line: string, at: number): number {
  const end = line.indexOf(' ', at);
  return end > at ? end : -1;
}

function inRange(value: number, max: number): boolean {
  return value >= 0 && value <= max;
}

function digit(code: number): number {
  const d = code - ZERO;
  return d >= 0 && d <= 9 ? d : -1;
}

// Two decimal digits at `at`, or a negative number when they are not digits.
function twoDigits(line: string, at: number): number {
  const tens = digit(line.charCodeAt(at));
  const ones = digit(line.charCodeAt(at + 1));
  return tens < 0 || ones < 0 ? -1 : tens * 10 + ones;
}
