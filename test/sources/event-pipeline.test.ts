import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../../src/http/event-schema.js';
import { createEventPipeline } from '../../src/sources/event-pipeline.js';
import type { LineParser } from '../../src/sources/log-format.js';
import { at, T0, testParser } from './support/test-parser.js';

function run(
  lines: string[],
  options: { holdMs?: number; disorderMs?: number; maxBufferedEvents?: number } = {},
) {
  const delivered: Array<{ ip: string; time: number; user?: string }> = [];
  const parser = testParser(options.holdMs ?? 60_000);
  const pipeline = createEventPipeline({
    parser,
    deliver: (event: SecurityEvent, time: number) => {
      delivered.push({
        ip: event.ip!,
        time: time - T0,
        ...('userId' in event && event.userId ? { user: event.userId } : {}),
      });
    },
    disorderMs: options.disorderMs ?? 0,
    maxBufferedEvents: options.maxBufferedEvents,
    startTime: T0,
  });
  const duringInput: number[] = [];
  for (const line of lines) {
    pipeline.line(line);
    duringInput.push(delivered.length);
  }
  pipeline.end();
  return { delivered, counts: pipeline.counts, duringInput, pipeline };
}

describe('event pipeline', () => {
  it('delivers a held event at its own time, before the later events it was emitted after', () => {
    const { delivered, counts } = run([
      `${at(0)} probe 10.0.0.1`,
      `${at(1000)} fail 10.0.0.2`,
      `${at(2000)} fail 10.0.0.3`,
      `${at(61_000)} fail 10.0.0.4`, // decides the probe (held 60 s): emitted after 10.0.0.2 and .3
      `${at(200_000)} fail 10.0.0.5`,
    ]);
    expect(delivered.map((d) => [d.ip, d.time])).toEqual([
      ['10.0.0.1', 0],
      ['10.0.0.2', 1000],
      ['10.0.0.3', 2000],
      ['10.0.0.4', 61_000],
      ['10.0.0.5', 200_000],
    ]);
    expect(counts).toMatchObject({ lines: 5, matched: 5, events: 5, late: 0, untimed: 0 });
  });

  it('holds nothing longer than the horizon: events are delivered while the input is still being read', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `${at(i * 10_000)} fail 10.0.1.${i}`);
    const { duringInput } = run(lines, { holdMs: 60_000, disorderMs: 5000 });
    // After line i (time 10 s * i), events up to 10 s * i - 65 s are out: all but the last 7.
    expect(duringInput[99]).toBe(93);
    expect(duringInput[50]).toBe(44);
  });

  it('puts lines that are out of order in the log back in order within the disorder horizon', () => {
    const { delivered, counts } = run(
      [
        `${at(0)} fail a`,
        `${at(3000)} fail b`,
        `${at(1000)} fail c`,
        `${at(2000)} fail d`,
        `${at(9000)} fail e`,
      ],
      { holdMs: 0, disorderMs: 5000 },
    );
    expect(delivered.map((d) => [d.ip, d.time])).toEqual([
      ['a', 0],
      ['c', 1000],
      ['d', 2000],
      ['b', 3000],
      ['e', 9000],
    ]);
    expect(counts.late).toBe(0);
  });

  it('records an event older than what was already delivered at the latest delivered time, and counts it', () => {
    const { delivered, counts } = run(
      [`${at(0)} fail a`, `${at(20_000)} fail b`, `${at(30_000)} fail c`, `${at(10_000)} fail late`],
      { holdMs: 0, disorderMs: 5000 },
    );
    expect(delivered.map((d) => [d.ip, d.time])).toEqual([
      ['a', 0],
      ['b', 20_000],
      ['late', 20_000],
      ['c', 30_000],
    ]);
    expect(counts.late).toBe(1);
  });

  it('gives an event without a time the latest time seen', () => {
    const { delivered, counts } = run([`${at(5000)} fail a`, '- fail b', `${at(7000)} fail c`], {
      holdMs: 0,
    });
    expect(delivered.map((d) => [d.ip, d.time])).toEqual([
      ['a', 5000],
      ['b', 5000],
      ['c', 7000],
    ]);
    expect(counts.untimed).toBe(1);
  });

  it('keeps ties in the order they were emitted', () => {
    const { delivered } = run([`${at(0)} fail a`, `${at(0)} fail b`, `${at(0)} fail c`, `${at(0)} fail d`], {
      holdMs: 1000,
    });
    expect(delivered.map((d) => d.ip)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('bounds the buffer: past maxBufferedEvents the oldest goes out early', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `${at(i)} fail x${i}`);
    const { duringInput, delivered } = run(lines, { holdMs: 3_600_000, maxBufferedEvents: 10 });
    expect(duringInput[49]).toBe(40);
    expect(delivered.map((d) => d.time)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('counts every line by outcome, and a parser that throws makes the line unparsed, not a crash', () => {
    let calls = 0;
    const throwing: LineParser = {
      holdMs: 0,
      parse(line, out) {
        calls++;
        if (line === 'boom') throw new Error('parser bug');
        if (line === 'skip') return 'ignored';
        out.push({ time: T0, event: { type: 'failed_auth', ip: '10.0.0.1' } });
        return 'matched';
      },
    };
    const delivered: number[] = [];
    const pipeline = createEventPipeline({
      parser: throwing,
      deliver: (_e, t) => delivered.push(t),
      startTime: T0,
    });
    for (const line of ['ok', 'boom', 'skip', 'ok']) pipeline.line(line);
    pipeline.tooLong();
    pipeline.end();
    expect(calls).toBe(4);
    expect(delivered).toEqual([T0, T0]);
    expect(pipeline.counts).toEqual({
      lines: 5,
      matched: 2,
      ignored: 1,
      unparsed: 1,
      tooLong: 1,
      events: 2,
      late: 0,
      untimed: 0,
    });
  });

  it('delivers held events on advance() without new lines (a live source idle on its file)', () => {
    const parser = testParser(60_000);
    const delivered: string[] = [];
    const pipeline = createEventPipeline({
      parser,
      deliver: (event) => delivered.push(event.ip!),
      disorderMs: 0,
      startTime: T0,
    });
    pipeline.line(`${at(0)} probe p`);
    pipeline.advance(T0 + 59_999);
    expect(delivered).toEqual([]);
    pipeline.advance(T0 + 120_000);
    expect(delivered).toEqual(['p']);
  });

  it('refuses options out of range, naming them', () => {
    const parser = testParser();
    expect(() => createEventPipeline({ parser, deliver: () => {}, disorderMs: -1 })).toThrow(
      'disorderMs must be an integer from 0 to 86400000 (got -1)',
    );
    expect(() => createEventPipeline({ parser, deliver: () => {}, maxBufferedEvents: 0 })).toThrow(
      /^maxBufferedEvents must be an integer/,
    );
  });
});

describe('event pipeline without reordering (live sources on the wall clock)', () => {
  it('delivers each event as the parser emits it, a held one when it is decided, at its own time', () => {
    const delivered: Array<[string, number]> = [];
    const pipeline = createEventPipeline({
      parser: testParser(60_000),
      deliver: (event, time) => delivered.push([event.ip!, time - T0]),
      reorder: false,
      startTime: T0,
    });
    pipeline.line(`${at(0)} probe p`);
    pipeline.line(`${at(1000)} fail a`);
    expect(delivered).toEqual([['a', 1000]]); // nothing waits for the horizon
    pipeline.line(`${at(61_000)} fail b`);
    expect(delivered).toEqual([
      ['a', 1000],
      ['b', 61_000],
      ['p', 0],
    ]);
    pipeline.end();
    expect(pipeline.counts).toMatchObject({ events: 3, late: 0 });
  });
});

describe('event pipeline ordering (property)', () => {
  it('any mix of held events and lines out of order within the horizon comes out in time order, each once, none late', () => {
    const HOLD = 60_000;
    const DISORDER = 5000;
    // Each line: its own time = a base that moves forward, minus a disorder jitter; some are probes
    // (held by the test parser until the log has moved HOLD past them).
    const line = fc.record({
      step: fc.integer({ min: 0, max: 20_000 }),
      jitter: fc.integer({ min: 0, max: DISORDER }),
      probe: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 200 }), (lines) => {
        const delivered: Array<{ ip: string; time: number }> = [];
        const pipeline = createEventPipeline({
          parser: testParser(HOLD),
          deliver: (event, time) => delivered.push({ ip: event.ip!, time }),
          disorderMs: DISORDER,
          startTime: T0,
        });
        let base = 0;
        const expected: Array<{ ip: string; time: number }> = [];
        lines.forEach(({ step, jitter, probe }, i) => {
          base += step;
          const time = Math.max(0, base - jitter);
          expected.push({ ip: `e${i}`, time: T0 + time });
          pipeline.line(`${at(time)} ${probe ? 'probe' : 'fail'} e${i}`);
        });
        pipeline.end();
        expect(pipeline.counts.late).toBe(0);
        const times = delivered.map((d) => d.time);
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect([...delivered].sort((a, b) => a.ip.localeCompare(b.ip))).toEqual(
          [...expected].sort((a, b) => a.ip.localeCompare(b.ip)),
        );
      }),
    );
  });
});
