import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { customFormats } from '../../src/sources/custom-format.js';
import { loadCustomFormats } from '../../src/sources/custom-format-file.js';
import { formatNamed } from '../../src/sources/formats.js';
import type { LineOutcome, LogFormat, TimedEvent } from '../../src/sources/log-format.js';
import { nestedQuantifier } from '../../src/sources/regex-safety.js';

const dir = mkdtempSync(join(tmpdir(), 'secmon-custom-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function read(format: LogFormat, lines: string[], options?: Record<string, unknown>) {
  const parser = format.createParser(options);
  const events: TimedEvent[] = [];
  const outcomes: LineOutcome[] = lines.map((line) => parser.parse(line, events));
  return { events, outcomes };
}

const MYAPP_YAML = `
# Formats of our own apps
formats:
  myapp:
    timeFormat: '%Y-%m-%d %H:%M:%S'
    timeZone: UTC
    patterns:
      - event: failed_auth
        pattern: '^(?<time>\\S+ \\S+) WARN login failed for user=(?<user>\\S+) from <HOST>$'
      - event: successful_auth
        pattern: '^(?<time>\\S+ \\S+) INFO login ok for user=(?<user>\\S+) from <HOST>$'
  api:
    pattern: '^\\[(?<time>[^\\]]+)\\] (?<type>[a-z_]+) ip=(?<ip>\\S+)'
    timeFormat: clf
`;

describe('custom formats', () => {
  it('loads a YAML file: fail2ban-style patterns with <HOST>, user and time groups', () => {
    const file = join(dir, 'formats.yaml');
    writeFileSync(file, MYAPP_YAML);
    const formats = loadCustomFormats(file);
    expect(formats.map((f) => f.name)).toEqual(['myapp', 'api']);
    const myapp = formatNamed('myapp', { customFormats: formats });
    const { events, outcomes } = read(myapp, [
      '2026-12-06 10:00:01 WARN login failed for user=alice from 203.0.113.7',
      '2026-12-06 10:00:02 WARN login failed for user=bob from 2001:db8::42',
      '2026-12-06 10:00:03 INFO login ok for user=alice from ::ffff:203.0.113.7',
      '2026-12-06 10:00:04 INFO cache warmed in 120 ms',
      '2026-13-06 10:00:05 WARN login failed for user=alice from 203.0.113.7',
      `2026-12-06 10:00:06 WARN login failed for user=${'x'.repeat(9000)} from 203.0.113.7`,
    ]);
    expect(outcomes).toEqual(['matched', 'matched', 'matched', 'ignored', 'unparsed', 'unparsed']);
    expect(events).toEqual([
      {
        time: Date.parse('2026-12-06T10:00:01Z'),
        event: { type: 'failed_auth', ip: '203.0.113.7', userId: 'alice' },
      },
      {
        time: Date.parse('2026-12-06T10:00:02Z'),
        event: { type: 'failed_auth', ip: '2001:db8::42', userId: 'bob' },
      },
      {
        time: Date.parse('2026-12-06T10:00:03Z'),
        event: { type: 'successful_auth', ip: '::ffff:203.0.113.7', userId: 'alice' },
      },
    ]);
  });

  it('takes the event type from a type group, and the clf / epoch / syslog time formats', () => {
    const [api] = customFormats(
      {
        formats: {
          api: { pattern: '^\\[(?<time>[^\\]]+)\\] (?<type>[a-z_]+) ip=(?<ip>\\S+)', timeFormat: 'clf' },
        },
      },
      'test',
    );
    const { events, outcomes } = read(api!, [
      '[06/Dec/2026:10:00:01 +0100] rate_limit_exceeded ip=198.51.100.9',
      '[06/Dec/2026:10:00:02 +0100] login_failed ip=198.51.100.9',
      '[06/Dec/2026:10:00:03 +0100] failed_auth ip=not-an-ip',
    ]);
    expect(outcomes).toEqual(['matched', 'unparsed', 'unparsed']);
    expect(events).toEqual([
      {
        time: Date.parse('2026-12-06T09:00:01Z'),
        event: { type: 'rate_limit_exceeded', ip: '198.51.100.9' },
      },
    ]);

    const times = (timeFormat: string, text: string, options?: Record<string, unknown>) => {
      const [f] = customFormats(
        {
          formats: {
            t: {
              pattern: '^(?<time>.+) bad login from <HOST>$',
              event: 'failed_auth',
              timeFormat,
              timeZone: 'UTC',
            },
          },
        },
        'test',
      );
      return read(f!, [`${text} bad login from 192.0.2.1`], options).events[0]?.time;
    };
    expect(times('epoch', '1796551201.5')).toBe(1796551201500);
    expect(times('epoch_ms', '1796551201500')).toBe(1796551201500);
    expect(times('syslog', 'Dec  6 10:00:01', { year: 2026 })).toBe(Date.parse('2026-12-06T10:00:01Z'));
    expect(times('%d.%m.%Y %T.%f', '06.12.2026 10:00:01.250')).toBe(Date.parse('2026-12-06T10:00:01.250Z'));
    expect(times('%FT%T%z', '2026-12-06T10:00:01-02:00')).toBe(Date.parse('2026-12-06T12:00:01Z'));
    // Without a zone, an ISO time is read in the format's timeZone (Python's logging writes `,123`).
    expect(times('iso8601', '2026-12-06 10:00:01,125')).toBe(Date.parse('2026-12-06T10:00:01.125Z'));
    expect(times('iso8601', '2026-12-06T10:00:01+01:00')).toBe(Date.parse('2026-12-06T09:00:01Z'));
    expect(times('iso8601', '2026-12-06T25:00:01')).toBeUndefined(); // the line is unparsed
  });

  it('path_traversal, command_injection and container events take their own groups', () => {
    const [f] = customFormats(
      {
        formats: {
          waf: {
            patterns: [
              { event: 'path_traversal', pattern: '^traversal <HOST> "(?<path>[^"]*)"$' },
              { event: 'command_injection', pattern: '^injection <HOST> "(?<input>[^"]*)"$' },
              { event: 'privileged_container', pattern: '^privileged by (?<user>\\S+)$' },
              { event: 'suspicious_container', pattern: '^suspicious by (?<user>\\S+): (?<reason>.+)$' },
            ],
          },
        },
      },
      'test',
    );
    const { events } = read(f!, [
      'traversal 192.0.2.1 "/../../etc/passwd"',
      'injection 192.0.2.1 "; id"',
      'privileged by ci-bot',
      'suspicious by ci-bot: hostPath /var/run/docker.sock',
    ]);
    expect(events.map((e) => e.event)).toEqual([
      { type: 'path_traversal', ip: '192.0.2.1', path: '/../../etc/passwd' },
      { type: 'command_injection', ip: '192.0.2.1', input: '; id' },
      { type: 'privileged_container', userId: 'ci-bot' },
      { type: 'suspicious_container', userId: 'ci-bot', reasons: ['hostPath /var/run/docker.sock'] },
    ]);
  });

  it('refuses a bad definition with an error naming the file, the format and the pattern', () => {
    const bad = (format: unknown) => () => customFormats({ formats: { myapp: format } }, 'formats.yaml');
    expect(bad({ pattern: 'login failed from (<HOST>', event: 'failed_auth' })).toThrow(
      /formats\.yaml: formats\.myapp\.pattern must be a valid regular expression/,
    );
    expect(bad({ patterns: [{ pattern: 'login failed for (?<user>\\S+)', event: 'failed_auth' }] })).toThrow(
      /formats\.yaml: formats\.myapp\.patterns\[0\]\.pattern must be with an address group/,
    );
    expect(bad({ pattern: 'login failed from <HOST>', event: 'faild_auth' })).toThrow(
      /formats\.myapp\.event must be one of "failed_auth".*\(got "faild_auth"\); did you mean "failed_auth"\?/,
    );
    expect(bad({ pattern: 'login failed from <HOST>' })).toThrow(
      /formats\.myapp\.event must be one of failed_auth/,
    );
    expect(bad({ pattern: 'login failed from <HOST>', event: 'failed_auth', timezone: 'UTC' })).toThrow(
      /formats\.myapp\.timezone is not a known option; did you mean formats\.yaml: formats\.myapp\.timeZone\?/,
    );
    expect(bad({ patterns: [{ patern: 'x <HOST>', event: 'failed_auth' }] })).toThrow(
      /formats\.myapp\.patterns\[0\]\.patern is not a known option; did you mean .*pattern\?/,
    );
    expect(bad({ pattern: 'failed for (?<usr>\\S+) from <HOST>', event: 'failed_auth' })).toThrow(
      /must be using only the groups .*\(got "\(\?<usr>\.\.\.\)"\); did you mean \(\?<user>\.\.\.\)\?/,
    );
    expect(bad({ pattern: '^(\\w+\\s?)+ from <HOST>$', event: 'failed_auth' })).toThrow(
      /must be free of nested quantifiers such as \(\\w\+\\s\?\)\+/,
    );
    expect(bad({ pattern: 'x from <HOST>', event: 'failed_auth', timeFormat: '%Y-%q' })).toThrow(
      /formats\.myapp\.timeFormat must be a strftime pattern/,
    );
    expect(() =>
      customFormats({ formats: { sshd: { pattern: '<HOST>', event: 'failed_auth' } } }, 'f', ['sshd']),
    ).toThrow(/f: formats\.sshd must be a name other than the built-in formats/);
    expect(() => customFormats({ format: {} }, 'f.yaml')).toThrow(
      /f\.yaml: format must be absent: the file holds one key, formats .*; did you mean formats\?/,
    );
  });

  it('refuses an unreadable or malformed file, naming it', () => {
    expect(() => loadCustomFormats(join(dir, 'missing.yaml'))).toThrow(
      /custom format file .*missing\.yaml must be a readable file/,
    );
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"formats": ');
    expect(() => loadCustomFormats(broken)).toThrow(/custom format file .*broken\.json must be valid JSON/);
  });
});

describe('nested quantifier check', () => {
  it('finds the exponential shapes and lets linear ones through', () => {
    expect(nestedQuantifier('(a+)+')).toBe('(a+)+');
    expect(nestedQuantifier('^(?:\\d*,)*x$')).toBe('(?:\\d*,)*');
    expect(nestedQuantifier('((ab)*c)+')).toBe('((ab)*c)+');
    expect(nestedQuantifier('(x+){2,5}')).toBe('(x+){2,5}');
    expect(
      nestedQuantifier('^(?<time>\\S+ \\S+) login failed for (?<user>\\S+) from (\\d{1,3}\\.){3}\\d+$'),
    ).toBeUndefined();
    expect(nestedQuantifier('([a+]b)+')).toBeUndefined();
    expect(nestedQuantifier('(a+)?')).toBeUndefined();
    expect(nestedQuantifier('\\(a+\\)+')).toBeUndefined();
  });
});
