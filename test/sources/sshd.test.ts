import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LineOutcome, TimedEvent } from '../../src/sources/log-format.js';
import { sshdFormat } from '../../src/sources/sshd.js';

const UTC = { timeZone: 'UTC', year: 2026 } as const;

function read(lines: string[], options: Record<string, unknown> = UTC) {
  const parser = sshdFormat.createParser(options);
  const events: TimedEvent[] = [];
  const outcomes: LineOutcome[] = [];
  for (const line of lines) outcomes.push(parser.parse(line, events));
  const beforeFlush = events.length;
  parser.flush?.(undefined, events);
  return { events, outcomes, beforeFlush };
}

const at = (iso: string) => Date.parse(iso);
const failed = (time: string, ip: string, userId?: string) => ({
  time: at(time),
  event: userId === undefined ? { type: 'failed_auth', ip } : { type: 'failed_auth', ip, userId },
});
const accepted = (time: string, ip: string, userId: string) => ({
  time: at(time),
  event: { type: 'successful_auth', ip, userId },
});

describe('sshd format: attempts, not lines', () => {
  it('a password session counts each Failed line once; pam and maximum-attempts lines count 0', () => {
    const { events, outcomes } = read([
      'Dec  6 10:00:01 web1 sshd[4242]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=root',
      'Dec  6 10:00:03 web1 sshd[4242]: Failed password for root from 203.0.113.7 port 52113 ssh2',
      'Dec  6 10:00:07 web1 sshd[4242]: Failed password for root from 203.0.113.7 port 52113 ssh2',
      'Dec  6 10:00:11 web1 sshd[4242]: Failed password for root from 203.0.113.7 port 52113 ssh2',
      'Dec  6 10:00:11 web1 sshd[4242]: error: maximum authentication attempts exceeded for root from 203.0.113.7 port 52113 ssh2 [preauth]',
      'Dec  6 10:00:11 web1 sshd[4242]: Disconnecting authenticating user root 203.0.113.7 port 52113: Too many authentication failures [preauth]',
      'Dec  6 10:00:11 web1 sshd[4242]: PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.7  user=root',
      'Dec  6 10:00:12 web1 sshd[4242]: Connection closed by authenticating user root 203.0.113.7 port 52113 [preauth]',
    ]);
    expect(outcomes).toEqual([
      'matched',
      'matched',
      'matched',
      'matched',
      'matched',
      'ignored',
      'matched',
      'matched',
    ]);
    expect(events).toEqual([
      failed('2026-12-06T10:00:03Z', '203.0.113.7', 'root'),
      failed('2026-12-06T10:00:07Z', '203.0.113.7', 'root'),
      failed('2026-12-06T10:00:11Z', '203.0.113.7', 'root'),
    ]);
  });

  it('an invalid-user probe without a Failed line is one failure at the Invalid user time, decided at the close', () => {
    const { events, outcomes, beforeFlush } = read([
      'Dec  6 10:01:00 web1 sshd[5001]: Invalid user oracle from 198.51.100.23 port 40022',
      'Dec  6 10:01:01 web1 sshd[5001]: Received disconnect from 198.51.100.23 port 40022:11: Bye Bye [preauth]',
      'Dec  6 10:01:01 web1 sshd[5001]: Disconnected from invalid user oracle 198.51.100.23 port 40022 [preauth]',
    ]);
    expect(outcomes).toEqual(['matched', 'ignored', 'matched']);
    expect(beforeFlush).toBe(1); // decided by the Received disconnect, not by the end of input
    expect(events).toEqual([failed('2026-12-06T10:01:00Z', '198.51.100.23', 'oracle')]);
  });

  it('an invalid user that tries passwords counts its Failed lines only', () => {
    const { events } = read([
      'Dec  6 10:02:00 web1 sshd[5002]: Invalid user admin from 198.51.100.24 port 40100',
      'Dec  6 10:02:00 web1 sshd[5002]: Failed none for invalid user admin from 198.51.100.24 port 40100 ssh2',
      'Dec  6 10:02:00 web1 sshd[5002]: pam_unix(sshd:auth): check pass; user unknown',
      'Dec  6 10:02:00 web1 sshd[5002]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.24',
      'Dec  6 10:02:02 web1 sshd[5002]: Failed password for invalid user admin from 198.51.100.24 port 40100 ssh2',
      'Dec  6 10:02:05 web1 sshd[5002]: Failed password for invalid user admin from 198.51.100.24 port 40100 ssh2',
      'Dec  6 10:02:06 web1 sshd[5002]: Connection closed by invalid user admin 198.51.100.24 port 40100 [preauth]',
    ]);
    expect(events).toEqual([
      failed('2026-12-06T10:02:02Z', '198.51.100.24', 'admin'),
      failed('2026-12-06T10:02:05Z', '198.51.100.24', 'admin'),
    ]);
  });

  it('"Failed none" alone is a probe: one failure at its time, none when passwords follow', () => {
    const { events, outcomes } = read([
      'Dec  6 10:02:30 web1 sshd[5012]: Failed none for invalid user ubnt from 198.51.100.25 port 40200 ssh2',
      'Dec  6 10:02:31 web1 sshd[5012]: Connection closed by invalid user ubnt 198.51.100.25 port 40200 [preauth]',
      'Dec  6 10:02:40 web1 sshd[5013]: Invalid user pi from 198.51.100.26 port 40300',
      'Dec  6 10:02:41 web1 sshd[5013]: Failed none for invalid user pi from 198.51.100.26 port 40300 ssh2',
      'Dec  6 10:02:42 web1 sshd[5013]: Disconnected from invalid user pi 198.51.100.26 port 40300 [preauth]',
    ]);
    expect(outcomes).toEqual(['matched', 'matched', 'matched', 'matched', 'matched']);
    expect(events).toEqual([
      failed('2026-12-06T10:02:30Z', '198.51.100.25', 'ubnt'),
      failed('2026-12-06T10:02:40Z', '198.51.100.26', 'pi'),
    ]);
  });

  it('publickey probing closed preauth is one failure at the close time', () => {
    const { events, outcomes } = read([
      'Dec  6 10:03:00 web1 sshd[5003]: Connection closed by authenticating user git 192.0.2.50 port 61000 [preauth]',
      'Dec  6 10:03:10 web1 sshd[5004]: Disconnected from authenticating user deploy 192.0.2.51 port 61001 [preauth]',
      'Dec  6 10:03:20 web1 sshd[5005]: Connection reset by authenticating user root 192.0.2.52 port 61002 [preauth]',
      'Dec  6 10:03:30 web1 sshd[5006]: Connection closed by 192.0.2.53 port 61003 [preauth]',
    ]);
    expect(outcomes).toEqual(['matched', 'matched', 'matched', 'ignored']);
    expect(events).toEqual([
      failed('2026-12-06T10:03:00Z', '192.0.2.50', 'git'),
      failed('2026-12-06T10:03:10Z', '192.0.2.51', 'deploy'),
      failed('2026-12-06T10:03:20Z', '192.0.2.52', 'root'),
    ]);
  });

  it('a close after Received disconnect does not count twice, nor after Failed lines', () => {
    const { events } = read([
      'Dec  6 10:04:00 web1 sshd[5007]: Received disconnect from 192.0.2.60 port 50000:11:  [preauth]',
      'Dec  6 10:04:00 web1 sshd[5007]: Disconnected from authenticating user root 192.0.2.60 port 50000 [preauth]',
      'Dec  6 10:05:00 web1 sshd[5008]: Failed password for root from 192.0.2.61 port 50001 ssh2',
      'Dec  6 10:05:01 web1 sshd[5008]: Received disconnect from 192.0.2.61 port 50001:11: Bye Bye [preauth]',
      'Dec  6 10:05:01 web1 sshd[5008]: Disconnected from authenticating user root 192.0.2.61 port 50001 [preauth]',
    ]);
    expect(events).toEqual([
      failed('2026-12-06T10:04:00Z', '192.0.2.60', 'root'),
      failed('2026-12-06T10:05:00Z', '192.0.2.61', 'root'),
    ]);
  });

  it('an Accepted login after failures is a successful_auth', () => {
    const { events, outcomes } = read([
      'Dec  6 10:06:00 web1 sshd[6000]: Failed password for alice from 2001:db8::17 port 50500 ssh2',
      'Dec  6 10:06:04 web1 sshd[6000]: Failed password for alice from 2001:db8::17 port 50500 ssh2',
      'Dec  6 10:06:09 web1 sshd[6000]: Accepted password for alice from 2001:db8::17 port 50500 ssh2',
      'Dec  6 10:06:09 web1 sshd[6000]: pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)',
      'Dec  6 10:46:09 web1 sshd[6000]: Received disconnect from 2001:db8::17 port 50500:11: disconnected by user',
      'Dec  6 10:46:09 web1 sshd[6000]: Disconnected from user alice 2001:db8::17 port 50500',
      'Dec  6 10:47:00 web1 sshd[6001]: Accepted publickey for bob from 192.0.2.9 port 41000 ssh2: ED25519 SHA256:Zm9vYmFyYmF6',
    ]);
    expect(outcomes).toEqual(['matched', 'matched', 'matched', 'ignored', 'ignored', 'ignored', 'matched']);
    expect(events).toEqual([
      failed('2026-12-06T10:06:00Z', '2001:db8::17', 'alice'),
      failed('2026-12-06T10:06:04Z', '2001:db8::17', 'alice'),
      accepted('2026-12-06T10:06:09Z', '2001:db8::17', 'alice'),
      accepted('2026-12-06T10:47:00Z', '192.0.2.9', 'bob'),
    ]);
  });

  it('a reused PID starts a new connection: the old probe is decided, the new one judged on its own', () => {
    const { events, beforeFlush } = read([
      'Dec  6 11:00:00 web1 sshd[7000]: Invalid user test from 198.51.100.70 port 33000',
      // The same PID, another connection (no close line was logged for the first one).
      'Dec  6 11:00:30 web1 sshd[7000]: Failed password for root from 198.51.100.71 port 33100 ssh2',
      'Dec  6 11:00:40 web1 sshd[7000]: Connection closed by authenticating user root 198.51.100.71 port 33100 [preauth]',
      // Another host's sshd with the same PID is another connection as well.
      'Dec  6 11:00:41 web2 sshd[7000]: Invalid user test from 198.51.100.72 port 33200',
    ]);
    expect(beforeFlush).toBe(2);
    expect(events).toEqual([
      failed('2026-12-06T11:00:00Z', '198.51.100.70', 'test'),
      failed('2026-12-06T11:00:30Z', '198.51.100.71', 'root'),
      failed('2026-12-06T11:00:41Z', '198.51.100.72', 'test'),
    ]);
  });

  it('a held probe is decided once its connection is older than holdMs, with its own time', () => {
    const parser = sshdFormat.createParser({ ...UTC, holdMs: 60_000 });
    expect(parser.holdMs).toBe(60_000);
    const events: TimedEvent[] = [];
    parser.parse('Dec  6 12:00:00 web1 sshd[8000]: Invalid user pi from 203.0.113.80 port 1234', events);
    parser.parse('Dec  6 12:01:00 web1 sshd[8001]: Server listening on :: port 22.', events);
    expect(events).toEqual([]);
    parser.parse('Dec  6 12:01:01 web1 sshd[8002]: Server listening on :: port 22.', events);
    expect(events).toEqual([failed('2026-12-06T12:00:00Z', '203.0.113.80', 'pi')]);
    // flush(now) decides by the caller's clock as well.
    parser.parse('Dec  6 12:02:00 web1 sshd[8003]: Invalid user pi from 203.0.113.81 port 1235', events);
    parser.flush?.(at('2026-12-06T12:02:30Z'), events);
    expect(events).toHaveLength(1);
    parser.flush?.(at('2026-12-06T12:03:01Z'), events);
    expect(events[1]).toEqual(failed('2026-12-06T12:02:00Z', '203.0.113.81', 'pi'));
  });

  it('keeps at most maxConnections: the oldest is decided to make room', () => {
    const parser = sshdFormat.createParser({ ...UTC, maxConnections: 2 });
    const events: TimedEvent[] = [];
    for (let i = 0; i < 5; i++) {
      parser.parse(
        `Dec  6 12:00:0${i} web1 sshd[${900 + i}]: Invalid user u${i} from 203.0.113.${i + 1} port 4000`,
        events,
      );
    }
    expect(events.map((e) => e.event.userId)).toEqual(['u0', 'u1', 'u2']);
    parser.flush?.(undefined, events);
    expect(events.map((e) => e.event.userId)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
  });

  it('a reused PID is a new connection, and the oldest still tracked is the one evicted', () => {
    const parser = sshdFormat.createParser({ ...UTC, maxConnections: 3 });
    const events: TimedEvent[] = [];
    const users = () => events.map((e) => e.event.userId);
    const probe = (second: number, pid: number, user: string, host: number) =>
      parser.parse(
        `Dec  6 12:00:${String(second).padStart(2, '0')} web1 sshd[${pid}]: Invalid user ${user} from 203.0.113.${host} port 4000`,
        events,
      );
    probe(0, 900, 'a', 1);
    probe(1, 901, 'b', 2);
    probe(2, 900, 'c', 3); // PID 900 reused by another client: a is decided, c is the newest
    expect(users()).toEqual(['a']);
    probe(3, 902, 'd', 4);
    probe(4, 903, 'e', 5); // full: b, the oldest still tracked (older than c), makes room
    expect(users()).toEqual(['a', 'b']);
    // Many reuses of one PID: each decides the one before; the forgotten ones never get ahead of c.
    for (let i = 0; i < 5000; i++) probe(5, 903, `r${i}`, 6 + (i % 2));
    expect(events).toHaveLength(2 + 5000);
    expect(users().at(-1)).toBe('r4998');
    probe(6, 904, 'f', 9); // full: c makes room
    expect(users().at(-1)).toBe('c');
    parser.flush?.(undefined, events);
    expect(users().slice(-3)).toEqual(['d', 'r4999', 'f']);
  });

  it('rsyslog "message repeated N times" counts N attempts', () => {
    const { events } = read([
      'Dec  6 13:00:00 web1 sshd[9000]: Failed password for root from 203.0.113.90 port 2222 ssh2',
      'Dec  6 13:00:09 web1 sshd[9000]: message repeated 2 times: [ Failed password for root from 203.0.113.90 port 2222 ssh2]',
    ]);
    expect(events).toEqual([
      failed('2026-12-06T13:00:00Z', '203.0.113.90', 'root'),
      failed('2026-12-06T13:00:09Z', '203.0.113.90', 'root'),
      failed('2026-12-06T13:00:09Z', '203.0.113.90', 'root'),
    ]);
  });

  it('user names are the client\'s: spaces and " from " in them do not move the address', () => {
    const { events } = read([
      'Dec  6 13:01:00 web1 sshd[9100]: Invalid user x from 10.0.0.1 port 1 from 203.0.113.91 port 3333',
      'Dec  6 13:01:00 web1 sshd[9100]: Failed password for invalid user x from 10.0.0.1 port 1 from 203.0.113.91 port 3333 ssh2',
      'Dec  6 13:01:01 web1 sshd[9101]: Invalid user  from 203.0.113.92 port 3334',
      'Dec  6 13:01:02 web1 sshd[9101]: Connection closed by invalid user  203.0.113.92 port 3334 [preauth]',
      `Dec  6 13:01:03 web1 sshd[9102]: Failed password for invalid user ${'a'.repeat(300)} from 203.0.113.93 port 3335 ssh2`,
    ]);
    expect(events).toEqual([
      failed('2026-12-06T13:01:00Z', '203.0.113.91', 'x from 10.0.0.1 port 1'),
      failed('2026-12-06T13:01:01Z', '203.0.113.92'),
      failed('2026-12-06T13:01:03Z', '203.0.113.93', 'a'.repeat(256)),
    ]);
  });
});

describe('sshd format: other systems', () => {
  it('a user refused by AllowUsers/DenyGroups is a probe, counted once unless it tries a password', () => {
    const { events, outcomes } = read([
      'Dec  6 10:10:00 web1 sshd[3100]: User root from 203.0.113.31 not allowed because not listed in AllowUsers',
      'Dec  6 10:10:01 web1 sshd[3100]: Connection closed by invalid user root 203.0.113.31 port 40001 [preauth]',
      'Dec  6 10:11:00 web1 sshd[3101]: User oracle from 203.0.113.32 not allowed because a group is listed in DenyGroups',
      'Dec  6 10:11:02 web1 sshd[3101]: Failed password for invalid user oracle from 203.0.113.32 port 40002 ssh2',
    ]);
    expect(outcomes).toEqual(['matched', 'matched', 'matched', 'matched']);
    expect(events).toEqual([
      failed('2026-12-06T10:10:00Z', '203.0.113.31', 'root'),
      failed('2026-12-06T10:11:02Z', '203.0.113.32', 'oracle'),
    ]);
  });

  it('reads unpadded days, lines without a host, Solaris message ids and the BSD PAM error', () => {
    const { events, outcomes } = read([
      'Dec 6 10:12:00 web1 sshd[3200]: Failed password for root from 203.0.113.41 port 1 ssh2',
      'Dec  6 10:12:01 sshd[3201]: Failed password for root from 203.0.113.42 port 2 ssh2',
      'Dec  6 10:12:02 sun1 sshd[3202]: [ID 800047 auth.info] Failed keyboard-interactive for admin from 203.0.113.43 port 3 ssh2',
      'Dec  6 10:12:03 bsd1 sshd[3203]: error: PAM: Authentication error for illegal user zz from 203.0.113.44',
      'Dec  6 10:12:03 bsd1 sshd[3203]: Failed keyboard-interactive/pam for invalid user zz from 203.0.113.44 port 4 ssh2',
    ]);
    expect(outcomes).toEqual(['matched', 'matched', 'matched', 'matched', 'matched']);
    expect(events).toEqual([
      failed('2026-12-06T10:12:00Z', '203.0.113.41', 'root'),
      failed('2026-12-06T10:12:01Z', '203.0.113.42', 'root'),
      failed('2026-12-06T10:12:02Z', '203.0.113.43', 'admin'),
      failed('2026-12-06T10:12:03Z', '203.0.113.44', 'zz'),
    ]);
  });
});

describe('sshd format: line shapes and outcomes', () => {
  it('reads RFC 5424, ISO 8601 (journalctl short-iso) and rsyslog high-precision timestamps with their zones', () => {
    const { events, outcomes } = read([
      '<38>1 2026-12-06T10:00:01.123+01:00 web1 sshd 1234 - - Failed password for root from 203.0.113.7 port 5000 ssh2',
      '<38>1 2026-12-06T10:00:02Z web1 sshd 1235 - [meta sequenceId="1" note="a \\] b"] Failed password for root from 203.0.113.7 port 5001 ssh2',
      '2026-12-06T10:00:03+0100 web1 sshd[1236]: Failed password for root from 203.0.113.7 port 5002 ssh2',
      '2026-12-06T10:00:04.654321-05:00 web1 sshd-session[1237]: Failed password for root from 203.0.113.7 port 5003 ssh2',
      '<86>Dec  6 10:00:05 web1 sshd[1238]: Failed password for root from 203.0.113.7 port 5004 ssh2',
    ]);
    expect(outcomes).toEqual(['matched', 'matched', 'matched', 'matched', 'matched']);
    expect(events.map((e) => e.time)).toEqual([
      at('2026-12-06T09:00:01.123Z'),
      at('2026-12-06T10:00:02Z'),
      at('2026-12-06T09:00:03Z'),
      at('2026-12-06T15:00:04.654Z'),
      at('2026-12-06T10:00:05Z'),
    ]);
  });

  it('other programs are ignored, lines in no syslog shape are unparsed, host names are not addresses', () => {
    const { events, outcomes } = read([
      'Dec  6 10:00:01 web1 CRON[100]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)',
      'Dec  6 10:00:02 web1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls',
      'Dec  6 10:00:03 web1 sshd[1]: Server listening on 0.0.0.0 port 22.',
      'Dec  6 10:00:04 web1 sshd[2]: Failed password for root from attacker.example port 22 ssh2',
      'this is not syslog',
      '',
      'Dxc  6 10:00:05 web1 sshd[3]: Failed password for root from 203.0.113.7 port 22 ssh2',
      'Dec 36 10:00:05 web1 sshd[3]: Failed password for root from 203.0.113.7 port 22 ssh2',
      '2026-13-06T10:00:03+0100 web1 sshd[1236]: Failed password for root from 203.0.113.7 port 5002 ssh2',
    ]);
    expect(outcomes).toEqual([
      'ignored',
      'ignored',
      'ignored',
      'ignored',
      'unparsed',
      'unparsed',
      'unparsed',
      'unparsed',
      'unparsed',
    ]);
    expect(events).toEqual([]);
  });

  it('a December log read in January is last year; a January line after December ones is the next year', () => {
    const now = () => at('2027-01-03T00:00:00Z');
    const { events } = read(
      [
        'Dec 31 23:59:58 web1 sshd[1]: Failed password for root from 203.0.113.1 port 1 ssh2',
        'Jan  1 00:00:01 web1 sshd[1]: Failed password for root from 203.0.113.1 port 1 ssh2',
        // A late line from a writer behind midnight: still last year's, and the log stays in 2027.
        'Dec 31 23:59:59 web1 sshd[2]: Failed password for root from 203.0.113.2 port 2 ssh2',
        'Jan  1 00:00:02 web1 sshd[1]: Failed password for root from 203.0.113.1 port 1 ssh2',
      ],
      { timeZone: 'UTC', now },
    );
    expect(events.map((e) => e.time)).toEqual([
      at('2026-12-31T23:59:58Z'),
      at('2027-01-01T00:00:01Z'),
      at('2026-12-31T23:59:59Z'),
      at('2027-01-01T00:00:02Z'),
    ]);
    // Read in December, the same log's first line is this year's.
    const same = read(
      ['Dec 31 23:59:58 web1 sshd[1]: Failed password for root from 203.0.113.1 port 1 ssh2'],
      {
        timeZone: 'UTC',
        now: () => at('2026-12-31T23:59:59Z'),
      },
    );
    expect(same.events[0]?.time).toBe(at('2026-12-31T23:59:58Z'));
  });

  it('uses the local zone by default', () => {
    const { events } = read(
      ['Jul  4 10:00:00 web1 sshd[1]: Failed password for root from 203.0.113.1 port 1 ssh2'],
      {
        year: 2026,
      },
    );
    expect(events[0]?.time).toBe(new Date(2026, 6, 4, 10, 0, 0).getTime());
  });

  it('rejects bad options with errors that name them', () => {
    expect(() => sshdFormat.createParser({ holdMs: 10 })).toThrow(
      /sshd\.holdMs must be an integer from 1000/,
    );
    expect(() => sshdFormat.createParser({ maxConections: 5 })).toThrow(
      /did you mean sshd\.maxConnections\?/,
    );
    expect(() => sshdFormat.createParser({ timeZone: 'Europe/Paris' })).toThrow(
      /sshd\.timeZone must be "local" or "UTC"/,
    );
    expect(() => sshdFormat.createParser({ year: 26 })).toThrow(/sshd\.year/);
  });
});

describe('sshd format: held events', () => {
  it('RFC 5424 lines without a time or PID are grouped by address and port', () => {
    const { events, beforeFlush } = read([
      '<38>1 - web1 sshd - - - Invalid user guest from 192.0.2.77 port 5151',
      '<38>1 - web1 sshd - - - Connection closed by invalid user guest 192.0.2.77 port 5151 [preauth]',
      '<38>1 - web1 sshd - - - Invalid user guest from 192.0.2.78 port 5152',
      '<38>1 - web1 sshd - - - Failed password for invalid user guest from 192.0.2.78 port 5152 ssh2',
    ]);
    expect(beforeFlush).toBe(2);
    expect(events).toEqual([
      { time: undefined, event: { type: 'failed_auth', ip: '192.0.2.77', userId: 'guest' } },
      { time: undefined, event: { type: 'failed_auth', ip: '192.0.2.78', userId: 'guest' } },
    ]);
  });

  it('an event is never emitted more than holdMs behind the latest time seen before its line', () => {
    const kinds = [
      (ip: string, port: number) => `Invalid user u from ${ip} port ${port}`,
      (ip: string, port: number) => `Failed password for root from ${ip} port ${port} ssh2`,
      (ip: string, port: number) =>
        `Connection closed by authenticating user root ${ip} port ${port} [preauth]`,
      (ip: string, port: number) => `Received disconnect from ${ip} port ${port}:11: Bye Bye [preauth]`,
      (ip: string, port: number) => `Accepted password for root from ${ip} port ${port} ssh2`,
    ];
    const step = fc.record({
      gapS: fc.integer({ min: 0, max: 200 }),
      pid: fc.integer({ min: 1, max: 6 }),
      host: fc.integer({ min: 1, max: 8 }),
      port: fc.integer({ min: 1, max: 3 }),
      kind: fc.integer({ min: 0, max: kinds.length - 1 }),
    });
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 80 }),
        fc.integer({ min: 1, max: 5 }),
        (steps, maxConnections) => {
          const holdMs = 120_000;
          const parser = sshdFormat.createParser({ ...UTC, holdMs, maxConnections });
          let t = Date.UTC(2026, 11, 6, 10, 0, 0);
          let latest = Number.NEGATIVE_INFINITY;
          let heldEver = 0;
          for (const s of steps) {
            t += s.gapS * 1000;
            const d = new Date(t);
            const stamp = `Dec  ${d.getUTCDate()} ${d.toISOString().slice(11, 19)}`;
            const out: TimedEvent[] = [];
            const line = `${stamp} web1 sshd[${s.pid}]: ${kinds[s.kind]!(`198.51.100.${s.host}`, s.port)}`;
            parser.parse(line, out);
            for (const e of out) expect(e.time!).toBeGreaterThanOrEqual(latest - holdMs);
            latest = Math.max(latest, t);
            if (s.kind === 0) heldEver++;
          }
          const rest: TimedEvent[] = [];
          parser.flush?.(undefined, rest);
          // Nothing is lost: at most one held probe per Invalid user line is still to come.
          expect(rest.length).toBeLessThanOrEqual(heldEver);
        },
      ),
      { numRuns: 300 },
    );
  });
});
