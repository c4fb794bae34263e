import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEvents } from '../../src/http/event-schema.js';
import { customFormats } from '../../src/sources/custom-format.js';
import { FORMAT_NAMES, formatNamed } from '../../src/sources/formats.js';
import type { LineParser, LogFormat, TimedEvent } from '../../src/sources/log-format.js';

// Real lines of every format, cut and spliced by fast-check into the hostile shapes a log can hold.
const SEEDS = [
  'Dec  6 10:00:03 web1 sshd[4242]: Failed password for invalid user root from 203.0.113.7 port 52113 ssh2',
  'Dec  6 10:01:00 web1 sshd[5001]: Invalid user oracle from 2001:db8::1 port 40022',
  'Dec  6 10:03:00 web1 sshd[5003]: Connection closed by authenticating user git 192.0.2.50 port 61000 [preauth]',
  '<38>1 2026-12-06T10:00:01.123+01:00 web1 sshd 1234 - [a b="\\]"] Accepted password for a from 192.0.2.1 port 1 ssh2',
  '2026-12-06T10:00:03+0100 web1 sshd[1236]: message repeated 3 times: [ Failed password for root from 203.0.113.7 port 5002 ssh2]',
  '203.0.113.7 - alice [06/Dec/2026:10:00:01 +0100] "GET /a/..%2f..%2fetc/passwd?x=%3Bid HTTP/1.1" 401 179 "-" "curl" "10.0.0.1, 10.0.0.2"',
  '{"type":"failed_auth","ip":"203.0.113.7","userId":"alice","time":"2026-12-06T10:00:01.250+01:00"}',
  '2026-12-06 10:00:01 WARN login failed for user=alice from 203.0.113.7',
];

const line = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc
    .tuple(fc.constantFrom(...SEEDS), fc.nat(), fc.nat(), fc.string({ unit: 'binary', maxLength: 40 }))
    .map(([seed, a, b, insert]) => {
      const i = a % (seed.length + 1);
      const j = i + (b % (seed.length + 1 - i));
      return seed.slice(0, i) + insert + seed.slice(j);
    }),
  fc.tuple(fc.constantFrom(...SEEDS), fc.nat()).map(([seed, n]) => seed.slice(0, n % (seed.length + 1))),
);

const [custom] = customFormats(
  {
    formats: {
      myapp: {
        timeFormat: '%Y-%m-%d %H:%M:%S',
        pattern: '^(?<time>\\S+ \\S+) WARN login failed for user=(?<user>\\S+) from <HOST>$',
        event: 'failed_auth',
      },
    },
  },
  'test',
);
const FORMATS: LogFormat[] = [...FORMAT_NAMES.map((name) => formatNamed(name)), custom!];

function parsers(): LineParser[] {
  return FORMATS.map((format) =>
    format.createParser(format.name === 'sshd' ? { year: 2026, maxConnections: 4 } : undefined),
  );
}

describe('hostile lines', () => {
  it('never throw, and every event they yield is one the event API accepts, with a finite time or none', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        for (const parser of parsers()) {
          const out: TimedEvent[] = [];
          for (const text of lines) {
            expect(['matched', 'ignored', 'unparsed']).toContain(parser.parse(text, out));
          }
          parser.flush?.(undefined, out);
          for (const { time, event } of out) {
            expect(parseEvents(event)).toEqual({ ok: true, events: [event] });
            if (time !== undefined) expect(Number.isFinite(time)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
