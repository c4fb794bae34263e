// The `nginx` and `apache` formats: access logs in the combined or common format
//   203.0.113.7 - alice [06/Dec/2026:10:00:01 +0100] "GET /admin?x=1 HTTP/1.1" 401 179 "-" "curl/8.5.0"
// with any fields appended (nginx `log_format ... "$http_x_forwarded_for"`). A line yields:
//   - `failed_auth` for a status in `failedAuthStatuses` (default 401) on a path starting with one of
//     `failedAuthPaths` (default: any path), with the basic-auth user ($remote_user) when logged;
//   - `rate_limit_exceeded` for a status in `rateLimitStatuses` (default 429);
//   - `path_traversal` / `command_injection` when the request guard's detectors flag the path or a
//     query value (at most one of each per line, as the guard records), whatever the status.
// The client is $remote_addr, or behind proxies the X-Forwarded-For field `forwardedForField` judged
// with the `trustProxy` rules of Express (SECMON_TRUST_PROXY).
import { badOptionError, integerIn } from '../core/errors.js';
import { booleanOption } from '../core/option-readers.js';
import type { SecurityEvent } from '../http/event-schema.js';
import { listOption } from '../http/http-options.js';
import { formatOptions, looksLikeAddress, userIdOf } from './format-options.js';
import type { LineOutcome, LineParser, LogFormat, TimedEvent } from './log-format.js';
import { inspectTarget, type TargetFindings } from './request-inspection.js';
import { clientAddress, compileTrustProxy, type TrustFunction, type TrustProxy } from './trust-proxy.js';

/** Options of the `nginx` / `apache` formats. */
export interface AccessLogOptions {
  /** Statuses that are a failed login. One or a list; default `[401]`. */
  failedAuthStatuses?: number | readonly number[];
  /** Path prefixes where those statuses are a failed login (`/login`, `/api/auth`). Default: any path. */
  failedAuthPaths?: string | readonly string[];
  /** Statuses that are `rate_limit_exceeded`. One or a list; default `[429]`. */
  rateLimitStatuses?: number | readonly number[];
  /** Run the path-traversal and command-injection detectors on the path and query values. Default true. */
  inspect?: boolean;
  /** Most values (the path and query values) judged per line, 1..100,000; default 256 (as the request guard). */
  maxValues?: number;
  /**
   * The field holding `X-Forwarded-For`, numbered from 1 = $remote_addr with `[time]` one field and
   * each quoted field one: in `combined` + `"$http_x_forwarded_for"` it is 10. Default: none.
   */
  forwardedForField?: number;
  /** Which proxies are trusted, as SECMON_TRUST_PROXY / Express's `trust proxy`. Default false. */
  trustProxy?: TrustProxy;
}

const KNOWN_OPTIONS = [
  'failedAuthStatuses',
  'failedAuthPaths',
  'rateLimitStatuses',
  'inspect',
  'maxValues',
  'forwardedForField',
  'trustProxy',
];
// The fields before it are remote_addr, ident, user, [time], "request", status, bytes.
const FIRST_APPENDED_FIELD = 8;
const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

/** The `nginx` format (combined/common access logs). */
export const nginxFormat: LogFormat = {
  name: 'nginx',
  createParser: (options) => new AccessLogParser('nginx', options),
};

/** The `apache` format: the same parser as `nginx` (Apache's combined/common formats are the same). */
export const apacheFormat: LogFormat = {
  name: 'apache',
  createParser: (options) => new AccessLogParser('apache', options),
};

const isStatus = (item: unknown): item is number =>
  typeof item === 'number' && Number.isInteger(item) && item >= 100 && item <= 599;
const isPathPrefix = (item: unknown): item is string =>
  typeof item === 'string' && item.startsWith('/') && item.length <= 1024;

class AccessLogParser implements LineParser {
  readonly holdMs = 0;
  private readonly failedAuth: Set<number>;
  private readonly failedAuthPaths: readonly string[] | undefined;
  private readonly rateLimit: Set<number>;
  private readonly inspect: boolean;
  private readonly maxValues: number;
  private readonly forwardedForField: number;
  private readonly trust: TrustFunction | undefined;
  private readonly findings: TargetFindings = { traversal: undefined, injection: undefined };
  // The last time field read and its epoch ms: a busy log repeats the same second.
  private lastTimeText = '\u0000'; // matches no line until the first time is read
  private lastTime = 0;

  constructor(name: string, options: Readonly<Record<string, unknown>> | undefined) {
    const given = formatOptions(name, options, KNOWN_OPTIONS);
    this.failedAuth = new Set(
      listOption(
        `${name}.failedAuthStatuses`,
        given.failedAuthStatuses,
        [401],
        'an HTTP status (100..599)',
        isStatus,
      ),
    );
    this.failedAuthPaths =
      given.failedAuthPaths === undefined
        ? undefined
        : listOption(
            `${name}.failedAuthPaths`,
            given.failedAuthPaths,
            [],
            'a path prefix starting with /',
            isPathPrefix,
          );
    this.rateLimit = new Set(
      listOption(
        `${name}.rateLimitStatuses`,
        given.rateLimitStatuses,
        [429],
        'an HTTP status (100..599)',
        isStatus,
      ),
    );
    this.inspect = booleanOption(`${name}.inspect`, given.inspect, true);
    this.maxValues = integerIn(`${name}.maxValues`, given.maxValues, 256, 1, 100_000);
    this.forwardedForField = integerIn(
      `${name}.forwardedForField`,
      given.forwardedForField,
      0,
      FIRST_APPENDED_FIELD,
      64,
    );
    this.trust = compileTrustProxy(`${name}.trustProxy`, given.trustProxy);
    if (this.forwardedForField === 0 && this.trust !== undefined) {
      throw badOptionError(
        `${name}.forwardedForField`,
        'set when trustProxy is (the field holding X-Forwarded-For)',
        undefined,
      );
    }
    // A forwarded-for field read without saying whose word to take would silently be ignored.
    if (this.forwardedForField !== 0 && given.trustProxy === undefined) {
      throw badOptionError(
        `${name}.trustProxy`,
        'set when forwardedForField is: the proxies trusted to write X-Forwarded-For (false: none)',
        undefined,
      );
    }
  }

  parse(line: string, out: TimedEvent[]): LineOutcome {
    // remote_addr ident user [time] "request" status bytes ...
    const addrEnd = line.indexOf(' ');
    if (addrEnd <= 0) return 'unparsed';
    const identEnd = line.indexOf(' ', addrEnd + 1);
    if (identEnd < 0) return 'unparsed';
    const timeStart = line.indexOf(' [', identEnd);
    if (timeStart < 0) return 'unparsed';
    const timeEnd = line.indexOf('] "', timeStart + 2);
    if (timeEnd < 0) return 'unparsed';
    const time = this.time(line, timeStart + 2, timeEnd);
    if (time === undefined) return 'unparsed';
    const requestStart = timeEnd + 3;
    const requestEnd = quotedEnd(line, requestStart);
    if (requestEnd < 0 || line.charCodeAt(requestEnd + 1) !== 0x20) return 'unparsed';
    const status = statusAt(line, requestEnd + 2);
    if (status < 0) return 'unparsed';

    const failed = this.failedAuth.has(status);
    const limited = this.rateLimit.has(status);
    const target = failed || limited || this.inspect ? requestTarget(line, requestStart, requestEnd) : '';
    const findings = this.findings;
    findings.traversal = undefined;
    findings.injection = undefined;
    if (this.inspect && target.length > 0) inspectTarget(target, this.maxValues, findings);
    const authFailure = failed && this.onAuthPath(target);
    if (!authFailure && !limited && findings.traversal === undefined && findings.injection === undefined) {
      return 'ignored';
    }

    let ip = line.slice(0, addrEnd);
    if (this.trust !== undefined) {
      const forwardedFor = fieldAt(line, requestEnd + 2, this.forwardedForField - 5);
      if (forwardedFor !== undefined) ip = clientAddress(ip, forwardedFor, this.trust);
    }
    if (!looksLikeAddress(ip)) return 'ignored';
    const userId = remoteUser(line, identEnd + 1, timeStart);
    if (authFailure) out.push({ time, event: withUser({ type: 'failed_auth', ip }, userId) });
    if (limited) out.push({ time, event: withUser({ type: 'rate_limit_exceeded', ip }, userId) });
    if (findings.traversal !== undefined) {
      out.push({ time, event: withUser({ type: 'path_traversal', ip, path: findings.traversal }, userId) });
    }
    if (findings.injection !== undefined) {
      out.push({
        time,
        event: withUser({ type: 'command_injection', ip, input: findings.injection }, userId),
      });
    }
    return 'matched';
  }

  private onAuthPath(target: string): boolean {
    const prefixes = this.failedAuthPaths;
    if (prefixes === undefined) return true;
    for (const prefix of prefixes) if (target.startsWith(prefix)) return true;
    return false;
  }

  // `06/Dec/2026:10:00:01 +0100` -> epoch ms; undefined when it is not that shape.
  private time(line: string, start: number, end: number): number | undefined {
    if (end - start !== 26) return undefined;
    if (line.startsWith(this.lastTimeText, start)) return this.lastTime;
    const text = line.slice(start, end);
    const day = twoDigits(text, 0);
    const month = MONTHS.indexOf(text.slice(3, 6));
    const year = twoDigits(text, 7) * 100 + twoDigits(text, 9);
    const hour = twoDigits(text, 12);
    const minute = twoDigits(text, 15);
    const second = twoDigits(text, 18);
    const zoneHours = twoDigits(text, 22);
    const zoneMinutes = twoDigits(text, 24);
    const sign = text.charCodeAt(21);
    if (
      !(
        day >= 1 &&
        day <= 31 &&
        month >= 0 &&
        month % 3 === 0 &&
        twoDigits(text, 7) >= 0 &&
        twoDigits(text, 9) >= 0
      ) ||
      !(hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 61) ||
      !(zoneHours >= 0 && zoneMinutes >= 0 && (sign === 0x2b || sign === 0x2d)) ||
      text.charCodeAt(2) !== 0x2f ||
      text.charCodeAt(6) !== 0x2f ||
      text.charCodeAt(11) !== 0x3a ||
      text.charCodeAt(20) !== 0x20
    ) {
      return undefined;
    }
    const offset = (sign === 0x2b ? 1 : -1) * (zoneHours * 60 + zoneMinutes) * 60_000;
    this.lastTimeText = text;
    this.lastTime = Date.UTC(year, month / 3, day, hour, minute, second) - offset;
    return this.lastTime;
  }
}

function withUser<E extends SecurityEvent>(event: E, userId: string | undefined): E {
  if (userId !== undefined) event.userId = userId;
  return event;
}

// $remote_user between ident and [time]; `-` is none.
function remoteUser(line: string, start: number, end: number): string | undefined {
  if (end - start === 1 && line.charCodeAt(start) === 0x2d) return undefined;
  return userIdOf(unescapeLogged(line.slice(start, end)));
}

// The index of the quote closing the quoted field that starts at `start` (after its opening quote);
// `\"` and `\\` are escapes (Apache writes them; nginx writes `\x22`). -1 when it is not closed.
function quotedEnd(line: string, start: number): number {
  for (let i = start; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x22) return i;
    if (c === 0x5c) i++;
  }
  return -1;
}

// The HTTP status at `at` (three digits followed by a space or the end), or -1.
function statusAt(line: string, at: number): number {
  const a = line.charCodeAt(at) - 0x30;
  const b = line.charCodeAt(at + 1) - 0x30;
  const c = line.charCodeAt(at + 2) - 0x30;
  if (!(a >= 1 && a <= 5 && b >= 0 && b <= 9 && c >= 0 && c <= 9)) return -1;
  const after = line.charCodeAt(at + 3);
  if (!(after === 0x20 || Number.isNaN(after))) return -1;
  return a * 100 + b * 10 + c;
}

// The request target of `METHOD TARGET PROTOCOL` (the log's escapes undone); '' when the request line
// is not one (a TLS handshake sent to the HTTP port, `-`).
function requestTarget(line: string, start: number, end: number): string {
  const space = line.indexOf(' ', start);
  if (space < 0 || space >= end) return '';
  let targetEnd = line.lastIndexOf(' ', end);
  if (targetEnd <= space) targetEnd = end; // HTTP/0.9: no protocol
  let target = line.slice(space + 1, targetEnd);
  if (target.includes('\\')) target = unescapeLogged(target);
  // An absolute-form target (a proxy request): the path starts after the authority.
  if (!target.startsWith('/') && /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(target)) {
    const slash = target.indexOf('/', target.indexOf('//') + 2);
    target = slash < 0 ? '/' : target.slice(slash);
  }
  return target;
}

// Undoes the escapes nginx (`\xHH`) and Apache (`\xhh`, `\"`, `\\`) write into a logged field.
function unescapeLogged(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(x[0-9a-fA-F]{2}|["\\])/g, (_all, code: string) =>
    code.length === 1 ? code : String.fromCharCode(Number.parseInt(code.slice(1), 16)),
  );
}

// The `n`-th field (1 = the status) of the fields starting at `at`: bare ones end at a space, quoted
// ones at their closing quote (returned without the quotes, escapes undone). undefined if missing.
function fieldAt(line: string, at: number, n: number): string | undefined {
  let i = at;
  for (let field = 1; i < line.length; field++) {
    let start = i;
    let end: number;
    let next: number;
    if (line.charCodeAt(i) === 0x22) {
      start = i + 1;
      end = quotedEnd(line, start);
      if (end < 0) return undefined;
      next = end + 1;
    } else {
      end = line.indexOf(' ', i);
      if (end < 0) end = line.length;
      next = end;
    }
    if (field === n) return unescapeLogged(line.slice(start, end));
    if (line.charCodeAt(next) !== 0x20) return undefined;
    i = next + 1;
  }
  return undefined;
}

function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 0x30;
  const ones = text.charCodeAt(at + 1) - 0x30;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}
