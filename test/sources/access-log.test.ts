import { describe, expect, it } from 'vitest';
import { apacheFormat, nginxFormat } from '../../src/sources/access-log.js';
import type { LineOutcome, TimedEvent } from '../../src/sources/log-format.js';

function read(lines: string[], options?: Record<string, unknown>, format = nginxFormat) {
  const parser = format.createParser(options);
  const events: TimedEvent[] = [];
  const outcomes: LineOutcome[] = [];
  for (const line of lines) outcomes.push(parser.parse(line, events));
  expect(parser.holdMs).toBe(0);
  return { events, outcomes };
}

const at = (iso: string) => Date.parse(iso);
const UA = '"-" "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"';

describe('nginx / apache access logs', () => {
  it('401 is a failed login with the basic-auth user, 429 a rate limit, 200 and 404 are ignored', () => {
    const { events, outcomes } = read([
      `203.0.113.7 - alice [06/Dec/2026:10:00:01 +0100] "GET /admin/ HTTP/1.1" 401 179 ${UA}`,
      `203.0.113.7 - - [06/Dec/2026:10:00:02 +0100] "POST /api/login HTTP/2.0" 401 52 ${UA}`,
      `2001:db8::7 - - [06/Dec/2026:10:00:03 -0500] "GET /api/items?page=2 HTTP/1.1" 429 0 ${UA}`,
      `198.51.100.1 - - [06/Dec/2026:10:00:04 +0000] "GET / HTTP/1.1" 200 612 ${UA}`,
      `198.51.100.1 - - [06/Dec/2026:10:00:05 +0000] "GET /favicon.ico HTTP/1.1" 404 153 ${UA}`,
    ]);
    expect(outcomes).toEqual(['matched', 'matched', 'matched', 'ignored', 'ignored']);
    expect(events).toEqual([
      {
        time: at('2026-12-06T09:00:01Z'),
        event: { type: 'failed_auth', ip: '203.0.113.7', userId: 'alice' },
      },
      { time: at('2026-12-06T09:00:02Z'), event: { type: 'failed_auth', ip: '203.0.113.7' } },
      { time: at('2026-12-06T15:00:03Z'), event: { type: 'rate_limit_exceeded', ip: '2001:db8::7' } },
    ]);
  });

  it('reads the common format (Apache), with configurable statuses and login paths', () => {
    const options = { failedAuthStatuses: [401, 403], failedAuthPaths: ['/login', '/wp-login.php'] };
    const { events, outcomes } = read(
      [
        '192.0.2.4 - bob [06/Dec/2026:10:00:01 +0000] "POST /login HTTP/1.1" 403 12',
        '192.0.2.4 - - [06/Dec/2026:10:00:02 +0000] "POST /wp-login.php?redirect_to=%2F HTTP/1.1" 401 12',
        '192.0.2.4 - - [06/Dec/2026:10:00:03 +0000] "GET /private/ HTTP/1.1" 401 12',
      ],
      options,
      apacheFormat,
    );
    expect(outcomes).toEqual(['matched', 'matched', 'ignored']);
    expect(events.map((e) => e.event)).toEqual([
      { type: 'failed_auth', ip: '192.0.2.4', userId: 'bob' },
      { type: 'failed_auth', ip: '192.0.2.4' },
    ]);
  });

  it('judges the path and the decoded query values with the request guard detectors, whatever the status', () => {
    const { events, outcomes } = read([
      `203.0.113.9 - - [06/Dec/2026:10:00:01 +0000] "GET /static/..%2f..%2f..%2fetc%2fpasswd HTTP/1.1" 400 0 ${UA}`,
      `203.0.113.9 - - [06/Dec/2026:10:00:02 +0000] "GET /download?file=..%2F..%2F..%2Fetc%2Fshadow&x=1 HTTP/1.1" 200 10 ${UA}`,
      `203.0.113.9 - - [06/Dec/2026:10:00:03 +0000] "GET /ping?host=127.0.0.1%3Buname+-a HTTP/1.1" 200 10 ${UA}`,
      `203.0.113.9 - - [06/Dec/2026:10:00:04 +0000] "GET /search?q=how+to+cook+pasta HTTP/1.1" 200 10 ${UA}`,
      // nginx escapes a quote in the request line as \\x22.
      `203.0.113.9 - - [06/Dec/2026:10:00:05 +0000] "GET /a?q=\\x22;id\\x22 HTTP/1.1" 200 10 ${UA}`,
      `203.0.113.9 - - [06/Dec/2026:10:00:06 +0000] "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03" 400 157 "-" "-"`,
    ]);
    expect(outcomes).toEqual(['matched', 'matched', 'matched', 'ignored', 'matched', 'ignored']);
    expect(events.map((e) => e.event)).toEqual([
      { type: 'path_traversal', ip: '203.0.113.9', path: '/static/..%2f..%2f..%2fetc%2fpasswd' },
      { type: 'path_traversal', ip: '203.0.113.9', path: '../../../etc/shadow' },
      { type: 'command_injection', ip: '203.0.113.9', input: '127.0.0.1;uname -a' },
      { type: 'command_injection', ip: '203.0.113.9', input: '";id"' },
    ]);
  });

  it('inspect: false turns the detectors off', () => {
    const { outcomes } = read(
      [
        `203.0.113.9 - - [06/Dec/2026:10:00:02 +0000] "GET /download?file=../../etc/passwd HTTP/1.1" 200 10 ${UA}`,
      ],
      { inspect: false },
    );
    expect(outcomes).toEqual(['ignored']);
  });

  it('behind proxies: the X-Forwarded-For field judged with the trust-proxy rules', () => {
    // log_format main '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
    //                  "$http_referer" "$http_user_agent" "$http_x_forwarded_for"';
    const lines = [
      `10.0.0.2 - - [06/Dec/2026:10:00:01 +0000] "POST /login HTTP/1.1" 401 0 ${UA} "198.51.100.66, 10.0.0.9"`,
      `10.0.0.2 - - [06/Dec/2026:10:00:02 +0000] "POST /login HTTP/1.1" 401 0 ${UA} "-"`,
      `203.0.113.200 - - [06/Dec/2026:10:00:03 +0000] "POST /login HTTP/1.1" 401 0 ${UA} "198.51.100.67"`,
    ];
    const ips = (options: Record<string, unknown>) => read(lines, options).events.map((e) => e.event.ip);
    // Trust the private network: the spoofed-looking chain is walked to the first untrusted address.
    expect(ips({ forwardedForField: 10, trustProxy: '10.0.0.0/8' })).toEqual([
      '198.51.100.66',
      '10.0.0.2',
      '203.0.113.200', // not a trusted proxy: its X-Forwarded-For is not believed
    ]);
    // A hop count of 1 trusts only the connecting proxy: the last address it appended is the client.
    expect(ips({ forwardedForField: 10, trustProxy: 1 })).toEqual(['10.0.0.9', '10.0.0.2', '198.51.100.67']);
    // true trusts every hop: the left-most address.
    expect(ips({ forwardedForField: 10, trustProxy: true })).toEqual([
      '198.51.100.66',
      '10.0.0.2',
      '198.51.100.67',
    ]);
    // Trusting nothing: $remote_addr.
    expect(ips({ forwardedForField: 10, trustProxy: false })).toEqual([
      '10.0.0.2',
      '10.0.0.2',
      '203.0.113.200',
    ]);
    expect(ips({ forwardedForField: 10, trustProxy: ['loopback', '10.0.0.2'] })).toEqual([
      '10.0.0.9',
      '10.0.0.2',
      '203.0.113.200',
    ]);
  });

  it('lines not in the format are unparsed', () => {
    const { outcomes } = read([
      '',
      'garbage',
      '203.0.113.7 - - [06/Dec/2026:10:00:01] "GET / HTTP/1.1" 401 0',
      '203.0.113.7 - - [06/Foo/2026:10:00:01 +0000] "GET / HTTP/1.1" 401 0',
      '203.0.113.7 - - [06/Dec/2026:10:00:01 +0000] "GET / HTTP/1.1 401 0',
      '203.0.113.7 - - [06/Dec/2026:10:00:01 +0000] "GET / HTTP/1.1" 4o1 0',
      'Dec  6 10:00:01 web1 sshd[1]: Failed password for root from 203.0.113.7 port 1 ssh2',
    ]);
    expect(outcomes).toEqual([
      'unparsed',
      'unparsed',
      'unparsed',
      'unparsed',
      'unparsed',
      'unparsed',
      'unparsed',
    ]);
  });

  it('rejects bad options with errors that name them', () => {
    expect(() => nginxFormat.createParser({ failedAuthStatuses: [401, 99] })).toThrow(
      /nginx\.failedAuthStatuses\[1\] must be an HTTP status/,
    );
    expect(() => apacheFormat.createParser({ failedAuthPaths: 'login' })).toThrow(
      /apache\.failedAuthPaths must be a path prefix starting with \//,
    );
    expect(() => nginxFormat.createParser({ trustProxy: 'not-an-address', forwardedForField: 10 })).toThrow(
      /nginx\.trustProxy must be true, false, a hop count/,
    );
    expect(() => nginxFormat.createParser({ trustProxy: true })).toThrow(
      /nginx\.forwardedForField must be set/,
    );
    expect(() => nginxFormat.createParser({ forwardedForField: 10 })).toThrow(
      /nginx\.trustProxy must be set when forwardedForField is/,
    );
    expect(() => nginxFormat.createParser({ forwardedForField: 3 })).toThrow(
      /nginx\.forwardedForField must be an integer from 8/,
    );
    expect(() => nginxFormat.createParser({ trustProxi: true })).toThrow(/did you mean nginx\.trustProxy\?/);
  });
});
