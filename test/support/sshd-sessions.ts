// How OpenSSH (Debian 12, sshd 9.2, UsePAM yes, MaxAuthTries 6) writes one connection to auth.log:
// the lines of a password session, an invalid-user probe, a publickey probe, a login, a scanner.
// Each builder marks the lines that count as an attempt under secmon's rules (issue 12):
// every `Failed <method>` line but `Failed none` is one; an `Invalid user` line (or `Failed none`
// after it) or a `[preauth]` close by an authenticating user is one only when its connection tried no
// credential (wrote no other `Failed` line); nothing else counts.
import type { ActorLine } from './log-timeline.js';
import type { SeededRandom } from './seeded-random.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Jan 12 00:00:07`: an RFC 3164 timestamp (UTC fields of the epoch seconds; day padded with a space). */
export function syslogTime(sec: number): string {
  const date = new Date(sec * 1000);
  const day = date.getUTCDate();
  const pad = (n: number) => (n < 10 ? `0${n}` : String(n));
  return `${MONTHS[date.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

/** Shared state of one log: host name, the PID counter, logind session numbers. */
export class SshdHost {
  private pid: number;
  private session = 1;

  constructor(
    readonly rng: SeededRandom,
    readonly host = 'srv1',
  ) {
    this.pid = rng.int(900, 5000);
  }

  /** A new sshd PID (one per connection), increasing as the kernel hands them out, wrapping at pid_max. */
  nextPid(): number {
    this.pid += this.rng.int(1, 7);
    if (this.pid > 4_194_000) this.pid = 1000;
    return this.pid;
  }

  nextSession(): number {
    return this.session++;
  }

  line(time: number, program: string, text: string, attemptOf?: string): ActorLine {
    return attemptOf === undefined
      ? { time, text: `${syslogTime(time)} ${this.host} ${program}: ${text}` }
      : { time, text: `${syslogTime(time)} ${this.host} ${program}: ${text}`, attemptOf };
  }
}

/** A client connection: address, source port and the sshd PID that serves it. */
interface Connection {
  ip: string;
  port: number;
  pid: number;
}

function connect(host: SshdHost, ip: string): Connection {
  return { ip, port: host.rng.int(1024, 65535), pid: host.nextPid() };
}

function sshd(host: SshdHost, c: Connection, time: number, text: string, attempt = false): ActorLine {
  return host.line(time, `sshd[${c.pid}]`, text, attempt ? c.ip : undefined);
}

/**
 * The first lines of a connection for a user that does not exist: `Invalid user`, and for half of
 * the clients `Failed none` (a client that first asks which methods it may use; sshd logs that for
 * invalid users). Neither is a credential tried: only the `Invalid user` line can count (`attempt`).
 */
function invalidUserOpening(
  host: SshdHost,
  c: Connection,
  user: string,
  time: number,
  attempt: boolean,
): ActorLine[] {
  const lines = [sshd(host, c, time, `Invalid user ${user} from ${c.ip} port ${c.port}`, attempt)];
  if (host.rng.chance(0.5))
    lines.push(sshd(host, c, time, `Failed none for invalid user ${user} from ${c.ip} port ${c.port} ssh2`));
  return lines;
}

function pamFailure(ip: string, user: string | undefined): string {
  const suffix = user === undefined ? '' : `  user=${user}`;
  return `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}${suffix}`;
}

/**
 * A password session with `tries` failed passwords (1 to 6) starting at `start`; `invalid` when the
 * user does not exist. Returns the lines and the time of the last one. Six tries end with sshd's
 * `maximum authentication attempts exceeded`; fewer end with the client closing, disconnecting or
 * resetting the connection.
 */
export function passwordSession(
  host: SshdHost,
  ip: string,
  user: string,
  invalid: boolean,
  tries: number,
  start: number,
): { lines: ActorLine[]; end: number } {
  const rng = host.rng;
  const c = connect(host, ip);
  const lines: ActorLine[] = [];
  const who = invalid ? 'invalid user' : 'authenticating user';
  let t = start;
  if (invalid) lines.push(...invalidUserOpening(host, c, user, t, false));
  t += rng.int(0, 1);
  if (invalid) lines.push(sshd(host, c, t, 'pam_unix(sshd:auth): check pass; user unknown'));
  lines.push(sshd(host, c, t, pamFailure(ip, invalid ? undefined : user)));
  for (let i = 0; i < tries; i++) {
    t += i === 0 ? rng.int(1, 2) : rng.int(2, 4);
    lines.push(
      sshd(
        host,
        c,
        t,
        `Failed password for ${invalid ? 'invalid user ' : ''}${user} from ${ip} port ${c.port} ssh2`,
        true,
      ),
    );
  }
  const pamUser = invalid ? undefined : user;
  const more = `PAM ${tries - 1} more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}${pamUser === undefined ? '' : `  user=${pamUser}`}`;
  if (tries >= 6) {
    lines.push(
      sshd(
        host,
        c,
        t,
        `error: maximum authentication attempts exceeded for ${invalid ? 'invalid user ' : ''}${user} from ${ip} port ${c.port} ssh2 [preauth]`,
      ),
      sshd(
        host,
        c,
        t,
        `Disconnecting ${who} ${user} ${ip} port ${c.port}: Too many authentication failures [preauth]`,
      ),
      sshd(host, c, t, more),
      sshd(host, c, t, `PAM service(sshd) ignoring max retries; ${tries} > 3`),
    );
    return { lines, end: t };
  }
  t += rng.int(0, 2);
  const ending = rng.int(0, 2);
  if (ending === 0) {
    lines.push(sshd(host, c, t, `Connection closed by ${who} ${user} ${ip} port ${c.port} [preauth]`));
  } else if (ending === 1) {
    lines.push(
      sshd(host, c, t, `Received disconnect from ${ip} port ${c.port}:11: Bye Bye [preauth]`),
      sshd(host, c, t, `Disconnected from ${who} ${user} ${ip} port ${c.port} [preauth]`),
    );
  } else {
    lines.push(sshd(host, c, t, `Connection reset by ${who} ${user} ${ip} port ${c.port} [preauth]`));
  }
  if (tries > 1) lines.push(sshd(host, c, t, more));
  return { lines, end: t };
}

/** The ways a connection can make exactly one attempt. */
export type SingleAttempt = 'password' | 'invalidPassword' | 'invalidProbe' | 'keyProbe';
export const SINGLE_ATTEMPTS: readonly SingleAttempt[] = [
  'password',
  'invalidPassword',
  'invalidProbe',
  'keyProbe',
];

/**
 * A connection that makes exactly one attempt, counted at exactly `at`: a wrong password (for a real
 * or an unknown user), an unknown user that gives up before any password (user enumeration), or a
 * publickey offer that fails and closes before authentication. Its other lines lie within 2 s
 * before and 3 s after `at`.
 */
export function singleAttempt(
  host: SshdHost,
  ip: string,
  user: string,
  kind: SingleAttempt,
  at: number,
): ActorLine[] {
  const rng = host.rng;
  const c = connect(host, ip);
  switch (kind) {
    case 'password':
      return [
        sshd(host, c, at - rng.int(1, 2), pamFailure(ip, user)),
        sshd(host, c, at, `Failed password for ${user} from ${ip} port ${c.port} ssh2`, true),
        sshd(
          host,
          c,
          at + rng.int(0, 2),
          `Connection closed by authenticating user ${user} ${ip} port ${c.port} [preauth]`,
        ),
      ];
    case 'invalidPassword': {
      const opened = at - rng.int(1, 2);
      return [
        ...invalidUserOpening(host, c, user, opened, false),
        sshd(host, c, opened, 'pam_unix(sshd:auth): check pass; user unknown'),
        sshd(host, c, opened, pamFailure(ip, undefined)),
        sshd(host, c, at, `Failed password for invalid user ${user} from ${ip} port ${c.port} ssh2`, true),
        sshd(
          host,
          c,
          at + rng.int(0, 2),
          `Connection closed by invalid user ${user} ${ip} port ${c.port} [preauth]`,
        ),
      ];
    }
    case 'invalidProbe': {
      const closed = at + rng.int(0, 3);
      const lines = invalidUserOpening(host, c, user, at, true);
      if (rng.chance(0.5)) {
        lines.push(
          sshd(host, c, closed, `Connection closed by invalid user ${user} ${ip} port ${c.port} [preauth]`),
        );
      } else {
        lines.push(
          sshd(host, c, closed, `Received disconnect from ${ip} port ${c.port}:11: Bye Bye [preauth]`),
          sshd(host, c, closed, `Disconnected from invalid user ${user} ${ip} port ${c.port} [preauth]`),
        );
      }
      return lines;
    }
    case 'keyProbe': {
      const form = rng.int(0, 2);
      if (form === 0)
        return [
          sshd(
            host,
            c,
            at,
            `Connection closed by authenticating user ${user} ${ip} port ${c.port} [preauth]`,
            true,
          ),
        ];
      if (form === 1)
        return [
          sshd(
            host,
            c,
            at,
            `Connection reset by authenticating user ${user} ${ip} port ${c.port} [preauth]`,
            true,
          ),
        ];
      return [
        sshd(host, c, at, `Received disconnect from ${ip} port ${c.port}:11: Bye Bye [preauth]`),
        sshd(
          host,
          c,
          at,
          `Disconnected from authenticating user ${user} ${ip} port ${c.port} [preauth]`,
          true,
        ),
      ];
    }
  }
}

/**
 * A login that succeeds: `failures` wrong passwords first (a user who mistypes), then `Accepted`,
 * the session, and its end `minutes` later. Only the wrong passwords count as attempts.
 */
export function loginSession(
  host: SshdHost,
  ip: string,
  user: string,
  method: 'password' | 'publickey',
  failures: number,
  start: number,
): ActorLine[] {
  const rng = host.rng;
  const c = connect(host, ip);
  const lines: ActorLine[] = [];
  let t = start;
  if (failures > 0) lines.push(sshd(host, c, t, pamFailure(ip, user)));
  for (let i = 0; i < failures; i++) {
    t += rng.int(2, 4);
    lines.push(sshd(host, c, t, `Failed password for ${user} from ${ip} port ${c.port} ssh2`, true));
  }
  t += rng.int(1, 5);
  const key = method === 'publickey' ? `: ED25519 SHA256:${fingerprint(rng)}` : '';
  const session = host.nextSession();
  const logind = 'systemd-logind[512]';
  lines.push(
    sshd(host, c, t, `Accepted ${method} for ${user} from ${ip} port ${c.port} ssh2${key}`),
    sshd(
      host,
      c,
      t,
      `pam_unix(sshd:session): session opened for user ${user}(uid=${1000 + (user.length % 7)}) by (uid=0)`,
    ),
    host.line(t, logind, `New session ${session} of user ${user}.`),
  );
  t += rng.int(30, 3600);
  lines.push(
    sshd(host, c, t, `Received disconnect from ${ip} port ${c.port}:11: disconnected by user`),
    sshd(host, c, t, `Disconnected from user ${user} ${ip} port ${c.port}`),
    sshd(host, c, t, `pam_unix(sshd:session): session closed for user ${user}`),
    host.line(t, logind, `Session ${session} logged out. Waiting for processes to exit.`),
    host.line(t, logind, `Removed session ${session}.`),
  );
  return lines;
}

/** A connection that never tries to log in (a port scanner, a banner grabber, an old client). */
export function scannerConnection(host: SshdHost, ip: string, at: number): ActorLine[] {
  const c = connect(host, ip);
  switch (host.rng.int(0, 3)) {
    case 0:
      return [sshd(host, c, at, `Connection closed by ${ip} port ${c.port} [preauth]`)];
    case 1:
      return [sshd(host, c, at, `banner exchange: Connection from ${ip} port ${c.port}: invalid format`)];
    case 2:
      return [
        sshd(host, c, at, 'error: kex_exchange_identification: Connection closed by remote host'),
        sshd(host, c, at, `Connection closed by ${ip} port ${c.port}`),
      ];
    default:
      return [
        sshd(
          host,
          c,
          at,
          `Unable to negotiate with ${ip} port ${c.port}: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]`,
        ),
      ];
  }
}

/** Lines of other programs in auth.log: cron sessions, sudo, systemd-logind. */
export function noiseLines(host: SshdHost, at: number): ActorLine[] {
  const rng = host.rng;
  const pid = rng.int(10_000, 99_999);
  switch (rng.int(0, 2)) {
    case 0:
      return [
        host.line(
          at,
          `CRON[${pid}]`,
          'pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
        ),
        host.line(at, `CRON[${pid}]`, '(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)'),
        host.line(at + rng.int(0, 1), `CRON[${pid}]`, 'pam_unix(cron:session): session closed for user root'),
      ];
    case 1:
      return [
        host.line(
          at,
          'sudo',
          '   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl status nginx',
        ),
        host.line(
          at,
          'sudo',
          'pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)',
        ),
        host.line(at + rng.int(0, 2), 'sudo', 'pam_unix(sudo:session): session closed for user root'),
      ];
    default:
      return [host.line(at, 'systemd[1]', 'Started session-c1.scope - Session c1 of User root.')];
  }
}

function fingerprint(rng: SeededRandom): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let text = '';
  for (let i = 0; i < 43; i++) text += alphabet[rng.int(0, 63)];
  return text;
}
