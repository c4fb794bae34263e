// The `sshd` log format: OpenSSH's lines in auth.log / secure / syslog / journal output, counted as
// login ATTEMPTS, not lines. One password try writes several lines (pam, `Failed`, `maximum
// authentication attempts`), and a probe that never tries a password (an unknown user, a publickey
// offered and refused) writes none of the `Failed` ones; so lines are grouped by connection (host and
// sshd PID) and each connection is judged by what it wrote:
//   `Failed <method> for [invalid user] U from IP port P`       1 failure, at its own time (but
//                                                                `Failed none` is a probe, below)
//   `Invalid user U from IP port P`, `User U from IP not allowed because ...`, `Failed none ...`
//                                                                1 failure at its time, only if the
//                                                                connection writes no `Failed` line
//   `Connection closed by | Disconnected from | Connection reset by
//      authenticating user U IP port P [preauth]`               1 failure, only if no `Failed` line
//   `... invalid user U IP port P [preauth]` closes, `pam_unix(sshd:auth): authentication failure`,
//   `PAM N more authentication failures`, `maximum authentication attempts exceeded`,
//   `error: PAM: Authentication failure for ...` (BSD, macOS)  0 (matched)
//   `Accepted <method> for U from IP port P`                     1 successful login
// An `Invalid user` probe is held until its connection is decided: it ends (`Connection closed`,
// `Received disconnect`, ...), a new connection shows up on the same PID (another address or port),
// the connection is older than `holdMs` (10 minutes by default, more than sshd's LoginGraceTime of
// 2 minutes, after which sshd itself drops an unauthenticated connection), or it is evicted by the
// `maxConnections` cap (oldest first). Held events keep their own time; they are emitted at most
// `holdMs` behind the latest line time seen before the line that decides them (for lines in time
// order; a line written late by d ms can stretch that by d).
// rsyslog's `message repeated N times: [ ... ]` counts N times.
import { integerIn } from '../core/errors.js';
import type { SecurityEvent } from '../http/event-schema.js';
import { clockOptions, formatOptions, userIdOf } from './format-options.js';
import type { LineOutcome, LineParser, LogFormat, TimedEvent } from './log-format.js';
import { type Fields, readEndpoint, readFrom, readNotAllowed, readTrailingEndpoint } from './sshd-fields.js';
import { SyslogClock } from './syslog-clock.js';
import { readSyslogHeader, syslogHeader } from './syslog-line.js';

/** Options of the `sshd` format. */
export interface SshdOptions {
  /** Year of the first RFC 3164 line (which has none). Default: guessed from `now()`. */
  year?: number;
  /** Clock for the year guess, epoch ms. Default `Date.now`. */
  now?: () => number;
  /** Zone of RFC 3164 timestamps: `local` (default, the process's `TZ`) or `UTC`. */
  timeZone?: 'local' | 'UTC';
  /** How long a connection's state is kept, ms (1,000..86,400,000; default 600,000). Also the parser's `holdMs`. */
  holdMs?: number;
  /** Most connections tracked at once (1..1,000,000; default 10,000); the oldest is decided to make room. */
  maxConnections?: number;
}

const KNOWN_OPTIONS = ['year', 'now', 'timeZone', 'holdMs', 'maxConnections'];
const DEFAULT_HOLD_MS = 600_000;
const DEFAULT_MAX_CONNECTIONS = 10_000;
// rsyslog's repeat counts are its own, but a count this large is no repeat we believe.
const MAX_REPEAT = 10_000;

/** The `sshd` format. */
export const sshdFormat: LogFormat = {
  name: 'sshd',
  createParser: (options) => new SshdParser(options as SshdOptions | undefined),
};

interface Connection {
  key: string;
  ip: string;
  /** '' until a line names it (old sshd writes `Invalid user U from IP` without the port). */
  port: string;
  /** Time of its first line (or the latest time then), ms. */
  created: number;
  /** It wrote a `Failed` line: its probes count 0. */
  failed: boolean;
  /** Its probe failure was counted (or decided not to count): no second one. */
  probed: boolean;
  /** An `Invalid user` failure waiting for the connection to be decided. */
  pending: TimedEvent | undefined;
}

class SshdParser implements LineParser {
  readonly holdMs: number;
  private readonly maxConnections: number;
  private readonly clock: SyslogClock;
  private readonly header = syslogHeader();
  private readonly fields: Fields = { ip: '', port: '', user: '', tail: 0 };
  private readonly connections = new Map<string, Connection>();
  // The connections in creation order, oldest first, for eviction and expiry. Iterating the Map from
  // its front instead walks the entries deleted there again (V8 keeps them until it rehashes), which
  // made each eviction O(connections). Entries of connections already forgotten (a reused PID) are
  // skipped when reached, and dropped when they pile up, so the queue stays O(maxConnections).
  private order: Connection[] = [];
  private orderHead = 0;
  private latest = Number.NEGATIVE_INFINITY;
  // No connection expires before this time (a lower bound: rechecked when reached).
  private nextExpiry = Number.POSITIVE_INFINITY;

  constructor(options: SshdOptions | undefined) {
    const given = formatOptions('sshd', options as Record<string, unknown> | undefined, KNOWN_OPTIONS);
    this.clock = new SyslogClock(clockOptions('sshd', given));
    this.holdMs = integerIn('sshd.holdMs', given.holdMs, DEFAULT_HOLD_MS, 1000, 86_400_000);
    this.maxConnections = integerIn(
      'sshd.maxConnections',
      given.maxConnections,
      DEFAULT_MAX_CONNECTIONS,
      1,
      1_000_000,
    );
  }

  parse(line: string, out: TimedEvent[]): LineOutcome {
    const header = this.header;
    if (!readSyslogHeader(line, this.clock, header)) return 'unparsed';
    const program = header.program;
    if (program !== 'sshd' && program !== 'sshd-session' && program !== 'sshd-auth') return 'ignored';
    const time = header.time;
    if (time !== undefined && time > this.latest) {
      this.latest = time;
      if (time > this.nextExpiry) this.expire(out);
    }
    let start = header.messageStart;
    let text = line;
    let count = 1;
    if (line.startsWith('message repeated ', start)) {
      const inner = line.indexOf(' times: [ ', start);
      count = Number(line.slice(start + 17, inner));
      if (inner < 0 || !(count >= 1 && count <= MAX_REPEAT && Number.isInteger(count))) return 'ignored';
      text = line.slice(inner + 10, line.endsWith(']') ? line.length - 1 : line.length);
      start = 0;
    }
    // Solaris and illumos put the message id first: `[ID 800047 auth.info] Failed ...`.
    if (text.startsWith('[ID ', start)) {
      const end = text.indexOf('] ', start);
      if (end < 0) return 'ignored';
      start = end + 2;
    }
    return this.message(text, start, header.host, header.pid, time, count, out);
  }

  flush(now: number | undefined, out: TimedEvent[]): void {
    if (now === undefined) {
      for (const connection of this.connections.values()) this.decide(connection, out);
      this.connections.clear();
      this.order = [];
      this.orderHead = 0;
      this.nextExpiry = Number.POSITIVE_INFINITY;
      return;
    }
    if (now > this.latest) this.latest = now;
    if (this.latest > this.nextExpiry) this.expire(out);
  }

  private message(
    text: string,
    at: number,
    host: string,
    pid: string,
    time: number | undefined,
    count: number,
    out: TimedEvent[],
  ): LineOutcome {
    const f = this.fields;
    switch (text.charCodeAt(at)) {
      case 0x46 /* F */:
        {
          if (!text.startsWith('Failed ', at)) return 'ignored';
          const forAt = text.indexOf(' for ', at + 7);
          if (forAt < 0 || !readFrom(text, forAt + 5, f)) return 'ignored';
          const connection = this.connection(host, pid, time, out);
          if (forAt === at + 11 && text.startsWith('none', at + 7)) {
            // `Failed none`: the client asking which methods it may use (logged for invalid users),
            // no credential tried, and not in sshd's own failure count: a probe, like Invalid user.
            this.holdProbe(connection, time);
            return 'matched';
          }
          connection.failed = true;
          connection.pending = undefined;
          for (let i = 0; i < count; i++) out.push(timed(time, 'failed_auth', f));
          return 'matched';
        }
      case 0x49 /* I */:
        {
          if (!text.startsWith('Invalid user ', at) || !readFrom(text, at + 13, f, true)) return 'ignored';
          this.holdProbe(this.connection(host, pid, time, out), time);
          return 'matched';
        }
      case 0x55 /* U */:
        {
          // `User U from IP not allowed because ...` (AllowUsers, DenyGroups...): a probe like
          // `Invalid user`, as a password try after it is logged `Failed ... for invalid user`.
          if (!text.startsWith('User ', at) || !readNotAllowed(text, at + 5, f)) return 'ignored';
          this.holdProbe(this.connection(host, pid, time, out), time);
          return 'matched';
        }
      case 0x41 /* A */:
        {
          if (!text.startsWith('Accepted ', at)) return 'ignored';
          const forAt = text.indexOf(' for ', at + 9);
          if (forAt < 0 || !readFrom(text, forAt + 5, f)) return 'ignored';
          this.connection(host, pid, time, out);
          for (let i = 0; i < count; i++) out.push(timed(time, 'successful_auth', f));
          return 'matched';
        }
      case 0x43 /* C */:
        if (text.startsWith('Connection closed by ', at))
          return this.closed(text, at + 21, host, pid, time, out);
        if (text.startsWith('Connection reset by ', at))
          return this.closed(text, at + 20, host, pid, time, out);
        return 'ignored';
      case 0x44 /* D */:
        if (text.startsWith('Disconnected from ', at))
          return this.closed(text, at + 18, host, pid, time, out);
        return 'ignored';
      case 0x52 /* R */:
        if (text.startsWith('Received disconnect from ', at) && readEndpoint(text, at + 25, f)) {
          this.ended(host, pid, out);
        }
        return 'ignored';
      case 0x54 /* T */:
        if (text.startsWith('Timeout before authentication for ', at) && readEndpoint(text, at + 34, f)) {
          this.ended(host, pid, out);
        }
        return 'ignored';
      case 0x70 /* p */:
        return text.startsWith('pam_unix(sshd:auth): authentication failure', at) ? 'matched' : 'ignored';
      case 0x50 /* P */:
        return text.startsWith('PAM ', at) && text.includes(' more authentication failure', at)
          ? 'matched'
          : 'ignored';
      case 0x65 /* e */:
        // The PAM error BSD and macOS log before the `Failed keyboard-interactive/pam` of the same try.
        if (text.startsWith('error: PAM: ', at)) {
          return text.startsWith('uthentication failure for ', at + 13) ||
            text.startsWith('uthentication error for ', at + 13)
            ? 'matched'
            : 'ignored';
        }
        return text.startsWith('error: maximum authentication attempts exceeded for ', at)
          ? 'matched'
          : 'ignored';
      default:
        return 'ignored';
    }
  }

  // `Connection closed by` / `Connection reset by` / `Disconnected from`, then one of
  // `authenticating user U IP port P [preauth]`, `invalid user U IP port P [preauth]`,
  // `user U IP port P`, `IP port P [preauth]`.
  private closed(
    text: string,
    at: number,
    host: string,
    pid: string,
    time: number | undefined,
    out: TimedEvent[],
  ): LineOutcome {
    const f = this.fields;
    if (!readTrailingEndpoint(text, at, f)) return 'ignored';
    if (text.startsWith('authenticating user ', at)) {
      f.user = text.slice(at + 20, text.length - f.tail);
      const connection = this.connection(host, pid, time, out);
      if (!connection.failed && !connection.probed) out.push(timed(time, 'failed_auth', f));
      connection.probed = true;
      this.end(connection, out);
      return 'matched';
    }
    if (text.startsWith('invalid user ', at)) {
      this.end(this.connection(host, pid, time, out), out);
      return 'matched';
    }
    this.ended(host, pid, out);
    return 'ignored';
  }

  // A line that ends a connection without being evidence: decides the connection if it is tracked
  // (and it is this one: same address and port), but does not start tracking one.
  private ended(host: string, pid: string, out: TimedEvent[]): void {
    const connection = this.connections.get(connectionKey(host, pid, this.fields));
    if (connection !== undefined && sameConnection(connection, this.fields)) this.end(connection, out);
  }

  // The connection of (host, pid), created if new; a connection from another address or port on the
  // same PID is a new one (sshd reused the PID), and the old one is decided first.
  private connection(host: string, pid: string, time: number | undefined, out: TimedEvent[]): Connection {
    const key = connectionKey(host, pid, this.fields);
    const f = this.fields;
    const known = this.connections.get(key);
    if (known !== undefined) {
      if (sameConnection(known, f)) {
        if (known.port === '') known.port = f.port;
        return known;
      }
      this.decide(known, out);
      this.connections.delete(key);
    }
    if (this.connections.size >= this.maxConnections) this.evictOldest(out);
    const created = time ?? this.latest;
    const connection: Connection = {
      key,
      ip: f.ip,
      port: f.port,
      created,
      failed: false,
      probed: false,
      pending: undefined,
    };
    this.connections.set(key, connection);
    this.enqueue(connection);
    if (this.connections.size === 1) this.nextExpiry = created + this.holdMs;
    return connection;
  }

  // The connection ended: its held probe is decided now; the state stays (a `Disconnected from
  // authenticating user` may follow a `Received disconnect`) until it expires or the PID is reused.
  private end(connection: Connection, out: TimedEvent[]): void {
    this.decide(connection, out);
    connection.probed = true;
  }

  // A probe (`Invalid user`, `Failed none`, `User ... not allowed`) is held until the connection
  // shows whether it tried a password; only the first one, and none after a failure or a decision.
  private holdProbe(connection: Connection, time: number | undefined): void {
    if (!connection.failed && !connection.probed && connection.pending === undefined) {
      connection.pending = timed(time, 'failed_auth', this.fields);
    }
  }

  private decide(connection: Connection, out: TimedEvent[]): void {
    const pending = connection.pending;
    if (pending !== undefined) {
      connection.pending = undefined;
      connection.probed = true;
      if (!connection.failed) out.push(pending);
    }
  }

  private evictOldest(out: TimedEvent[]): void {
    const connection = this.oldest();
    if (connection === undefined) return;
    this.forget(connection, out);
  }

  // Decides `connection`, the oldest (as `oldest()` returned it), and forgets it.
  private forget(connection: Connection, out: TimedEvent[]): void {
    this.decide(connection, out);
    this.connections.delete(connection.key);
    this.orderHead++;
  }

  // The oldest connection still tracked, skipping queue entries of forgotten ones.
  private oldest(): Connection | undefined {
    const order = this.order;
    while (this.orderHead < order.length) {
      const connection = order[this.orderHead]!;
      if (this.connections.get(connection.key) === connection) return connection;
      this.orderHead++;
    }
    return undefined;
  }

  private enqueue(connection: Connection): void {
    this.order.push(connection);
    const queued = this.order.length - this.orderHead;
    if (queued > 2 * this.connections.size + 1024) {
      this.order = this.order
        .slice(this.orderHead)
        .filter((queuedConnection) => this.connections.get(queuedConnection.key) === queuedConnection);
      this.orderHead = 0;
    } else if (this.orderHead > 4096 && this.orderHead * 2 > this.order.length) {
      this.order = this.order.slice(this.orderHead);
      this.orderHead = 0;
    }
  }

  // Decides and forgets the connections older than holdMs (the oldest come first).
  private expire(out: TimedEvent[]): void {
    const oldest = this.latest - this.holdMs;
    this.nextExpiry = Number.POSITIVE_INFINITY;
    for (let connection = this.oldest(); connection !== undefined; connection = this.oldest()) {
      if (connection.created >= oldest) {
        this.nextExpiry = connection.created + this.holdMs;
        return;
      }
      this.forget(connection, out);
    }
  }
}

// Connections are keyed by host and PID (a central log holds many hosts); a line without a PID is
// keyed by its address and port, which name one connection too.
function connectionKey(host: string, pid: string, fields: Fields): string {
  return pid === '' ? `${host} - ${fields.ip} ${fields.port}` : `${host} ${pid}`;
}

// The same address, and the same port unless one line did not name it.
function sameConnection(connection: Connection, fields: Fields): boolean {
  return (
    connection.ip === fields.ip &&
    (connection.port === fields.port || connection.port === '' || fields.port === '')
  );
}

function timed(
  time: number | undefined,
  type: 'failed_auth' | 'successful_auth',
  fields: Fields,
): TimedEvent {
  const userId = userIdOf(fields.user);
  const event: SecurityEvent =
    userId === undefined ? { type, ip: fields.ip } : { type, ip: fields.ip, userId };
  return { time, event };
}
