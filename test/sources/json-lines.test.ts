import { describe, expect, it } from 'vitest';
import { jsonFormat, readJsonEvent } from '../../src/sources/json-lines.js';
import type { LineOutcome, TimedEvent } from '../../src/sources/log-format.js';

describe('json format', () => {
  it('reads one event per line with an optional ISO or epoch-ms time', () => {
    const parser = jsonFormat.createParser();
    const events: TimedEvent[] = [];
    const outcomes: LineOutcome[] = [
      '{"type":"failed_auth","ip":"203.0.113.7","userId":"alice","time":"2026-12-06T10:00:01.250+01:00"}',
      '{"type":"rate_limit_exceeded","ip":"2001:db8::1","time":1796551201000}',
      '{"type":"command_injection","ip":"198.51.100.2","input":"; rm -rf /"}',
      '   ',
      '{"type":"suspicious_container","userId":"ci-bot","reasons":["privileged","hostPath /"],"time":"2026-12-06T09:00:00Z"}',
    ].map((line) => parser.parse(line, events));
    expect(outcomes).toEqual(['matched', 'matched', 'matched', 'ignored', 'matched']);
    expect(events).toEqual([
      {
        time: Date.parse('2026-12-06T09:00:01.250Z'),
        event: { type: 'failed_auth', ip: '203.0.113.7', userId: 'alice' },
      },
      { time: 1796551201000, event: { type: 'rate_limit_exceeded', ip: '2001:db8::1' } },
      { time: undefined, event: { type: 'command_injection', ip: '198.51.100.2', input: '; rm -rf /' } },
      {
        time: Date.parse('2026-12-06T09:00:00Z'),
        event: { type: 'suspicious_container', userId: 'ci-bot', reasons: ['privileged', 'hostPath /'] },
      },
    ]);
  });

  it('bad lines are unparsed, and readJsonEvent names the field to blame', () => {
    const cases: [string, string, RegExp][] = [
      ['{"type":"failed_auth","ip":"1.2.3.4"', 'line', /not valid JSON/],
      ['[1,2]', 'line', /one event/],
      ['"failed_auth"', 'line', /one event/],
      ['{"events":[{"type":"failed_auth","ip":"1.2.3.4"}]}', 'events', /not a batch/],
      ['{"type":"failed_login","ip":"1.2.3.4"}', 'type', /type must be one of failed_auth/],
      ['{"type":"failed_auth"}', 'ip', /ip is required/],
      ['{"type":"failed_auth","ip":"1.2.3.4","user":"bob"}', 'user', /user is not a known field/],
      [`{"type":"failed_auth","ip":"1.2.3.4","userId":"${'u'.repeat(257)}"}`, 'userId', /at most 256/],
      ['{"type":"failed_auth","ip":"1.2.3.4","time":"2026-12-06T10:00:01"}', 'time', /with its zone/],
      ['{"type":"failed_auth","ip":"1.2.3.4","time":"yesterday"}', 'time', /with its zone/],
      ['{"type":"failed_auth","ip":"1.2.3.4","time":-5}', 'time', /epoch ms from 0/],
      ['{"type":"failed_auth","ip":"1.2.3.4","time":true}', 'time', /ISO 8601 string or epoch ms/],
    ];
    const parser = jsonFormat.createParser();
    const events: TimedEvent[] = [];
    for (const [line, field, error] of cases) {
      expect(parser.parse(line, events), line).toBe('unparsed');
      const read = readJsonEvent(line);
      expect(read.ok).toBe(false);
      if (!read.ok) {
        expect(read.field, line).toBe(field);
        expect(read.error, line).toMatch(error);
      }
    }
    expect(events).toEqual([]);
  });

  it('takes no options', () => {
    expect(() => jsonFormat.createParser({ strict: true })).toThrow(/json\.strict is not a known option/);
  });
});
