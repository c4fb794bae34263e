import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/core/alert.js';
import { type ReplayInput, replay } from '../../src/sources/replay-runner.js';
import { at, testParser } from './support/test-parser.js';

const text = (name: string, body: string | Buffer): ReplayInput => ({
  name,
  open: () => Readable.from([Buffer.from(body)]),
});

async function run(inputs: ReplayInput[], monitor = {}) {
  const alerts: Alert[] = [];
  const result = await replay(inputs, { parser: testParser(), monitor, onAlert: (a) => alerts.push(a) });
  return { alerts, result };
}

const failures = (ip: string, offsetsMs: number[]) =>
  offsetsMs.map((ms) => `${at(ms)} fail ${ip}\n`).join('');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secmon-replay-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('replay runner: windows on log time', () => {
  const nine = [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000];

  it('10 failures whose first and last are 299.999 s apart raise brute_force at the 10th one’s log time', async () => {
    const { alerts, result } = await run([text('a.log', failures('198.51.100.7', [...nine, 299_999]))]);
    const firing = alerts.filter((a) => a.state === 'firing');
    expect(firing).toHaveLength(1);
    expect(firing[0]).toMatchObject({
      type: 'brute_force',
      sourceIp: '198.51.100.7',
      metadata: { count: 10 },
    });
    expect(firing[0]!.timestamp.toISOString()).toBe(at(299_999));
    expect(result.alerts).toEqual({ brute_force: 1 });
  });

  it('the 10th failure exactly 300 s after the first does not: the first has left the window (t - 300 s, t]', async () => {
    const { alerts, result } = await run([text('a.log', failures('198.51.100.7', [...nine, 300_000]))]);
    expect(alerts).toEqual([]);
    expect(result).toMatchObject({ lines: 10, matched: 10, events: 10, alerts: {} });
  });

  it('9 failures, a 10th 300.001 s after the first: 9 in its window; an 11th counts the one at 1 s until 301 s', async () => {
    const tenth = [...nine, 300_001];
    expect((await run([text('a.log', failures('198.51.100.7', [...tenth, 301_000]))])).alerts).toEqual([]);
    const { alerts } = await run([text('a.log', failures('198.51.100.7', [...tenth, 300_999]))]);
    expect(alerts.map((a) => [a.type, a.timestamp.toISOString(), a.metadata?.count])).toEqual([
      ['brute_force', at(300_999), 10],
    ]);
  });

  it('applies the thresholds and windows it is given', async () => {
    const lines = failures('203.0.113.9', [0, 10_000, 20_000]);
    const { alerts } = await run([text('a.log', lines)], {
      bruteForce: { threshold: 3, windowMs: 20_001 },
      networkBruteForce: { enabled: false },
    });
    expect(alerts.map((a) => a.type)).toEqual(['brute_force']);
    const narrower = await run([text('a.log', lines)], { bruteForce: { threshold: 3, windowMs: 20_000 } });
    expect(narrower.alerts).toEqual([]);
  });

  it('a probe the parser emits late still counts at its own time inside the window', async () => {
    // The probe at 0 is emitted only when the log reaches 60 s, after the failures at 1..9 s.
    const body = `${at(0)} probe 192.0.2.1\n${failures('192.0.2.1', [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000])}${at(61_000)} ignore x\n${at(61_001)} fail 192.0.2.99\n`;
    const { alerts } = await run([text('a.log', body)]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.timestamp.toISOString()).toBe(at(9000));
  });

  it('resolves attacks that ended within the log, and reports the one still going at its end as active', async () => {
    const first = failures('198.51.100.1', [...nine, 9000]); // over at 9 s, below from 300 s
    const later = failures('198.51.100.2', [900_000, ...nine.map((ms) => 901_000 + ms)]);
    const { alerts, result } = await run([text('a.log', first + later)]);
    expect(alerts.map((a) => [a.state, a.sourceIp])).toEqual([
      ['firing', '198.51.100.1'],
      ['resolved', '198.51.100.1'],
      ['firing', '198.51.100.2'],
    ]);
    // Below the threshold once the first failure is 300 s old, resolved after keep-firing-for (60 s).
    expect(alerts[1]!.timestamp.toISOString()).toBe(at(300_000));
    expect(result).toMatchObject({
      alerts: { brute_force: 2 },
      resolved: { brute_force: 1 },
      active: { brute_force: 1 },
    });
  });
});

describe('replay runner: resolutions on log time', () => {
  it('an attack that ends in a long quiet stretch of the log is resolved at the moment it fell below', async () => {
    // Over from 15 s; the 6th failure keeps it over until the one at 6 s leaves (306 s). The log is
    // then quiet until 540 s: the address is forgotten by then, the end must still be 306 s.
    const body = `${failures('203.0.113.50', [1000, 6000, 9000, 12_000, 15_000, 31_000])}${at(540_000)} ok 192.0.2.10\n`;
    const { alerts } = await run([text('a.log', body)], { bruteForce: { threshold: 5 } });
    expect(
      alerts.filter((a) => a.type === 'brute_force').map((a) => [a.state, a.timestamp.toISOString()]),
    ).toEqual([
      ['firing', at(15_000)],
      ['resolved', at(306_000)],
    ]);
  });

  it('resolves one-shot attacks a quiet period after their last event, also across a gap', async () => {
    const body = `${at(1000)} ok 198.51.100.3 root\n${at(86_400_000)} ok 192.0.2.10 alice\n`;
    const { alerts, result } = await run(
      [
        text(
          'a.log',
          failures(
            '198.51.100.3',
            [...Array(10).keys()].map((i) => i * 100),
          ) + body,
        ),
      ],
      {
        networkBruteForce: { enabled: false },
      },
    );
    const compromise = alerts.filter((a) => a.type === 'account_compromise_suspected');
    expect(compromise.map((a) => [a.state, a.timestamp.toISOString()])).toEqual([
      ['firing', at(1000)],
      ['resolved', at(301_000)], // the quiet period (the brute-force window) after its event
    ]);
    expect(result.active).toEqual({});
  });
});

describe('replay runner: inputs', () => {
  it('reads several inputs in order as one stream and counts every line by outcome', async () => {
    const { result } = await run([
      text('one', `${at(0)} fail 10.0.0.1\nnonsense\n`),
      text('two', `${at(1000)} ignore 10.0.0.1\n${at(2000)} ok 10.0.0.1 alice`), // no final newline
    ]);
    expect(result).toMatchObject({
      lines: 4,
      matched: 2,
      ignored: 1,
      unparsed: 1,
      tooLong: 0,
      events: 2,
      late: 0,
      firstTime: Date.parse(at(0)),
      lastTime: Date.parse(at(2000)),
      errors: [],
    });
  });

  it('does not join the last line of one input with the first of the next', async () => {
    const { result } = await run([
      text('one', `${at(0)} fail 10.0.0.1`),
      text('two', `${at(1)} fail 10.0.0.2\n`),
    ]);
    expect(result).toMatchObject({ lines: 2, matched: 2 });
  });

  it('gunzips gzip input, also several members in a row, read from a real file', async () => {
    const path = join(dir, 'auth.log.2.gz');
    const a = failures('198.51.100.7', [0, 1000, 2000, 3000, 4000]);
    const b = failures('198.51.100.7', [5000, 6000, 7000, 8000, 9000]);
    await writeFile(path, Buffer.concat([gzipSync(a), gzipSync(b)]));
    const bytes: number[] = [];
    const alerts: Alert[] = [];
    const result = await replay([{ name: path, open: () => createReadStream(path) }], {
      parser: testParser(),
      onAlert: (alert) => alerts.push(alert),
      onProgress: (n) => bytes.push(n),
    });
    expect(result).toMatchObject({ lines: 10, matched: 10, alerts: { brute_force: 1 }, errors: [] });
    expect(bytes.reduce((s, n) => s + n, 0)).toBe(gzipSync(a).length + gzipSync(b).length);
  });

  it('a corrupt gzip input is reported with the reason, what came before it counts, and the next input is read', async () => {
    const whole = gzipSync(
      failures(
        '198.51.100.7',
        Array.from({ length: 2000 }, (_, i) => i),
      ),
    );
    const truncated = whole.subarray(0, Math.floor(whole.length / 2));
    const reported: string[] = [];
    const result = await replay(
      [
        { name: 'cut.gz', open: () => Readable.from([truncated]) },
        text('next.log', `${at(5000)} fail 10.9.9.9\n`),
      ],
      { parser: testParser(), onInputError: (input, message) => reported.push(`${input.name}: ${message}`) },
    );
    expect(reported).toEqual(['cut.gz: not a valid gzip file (unexpected end of file)']);
    expect(result.errors).toEqual([
      { input: 'cut.gz', error: 'not a valid gzip file (unexpected end of file)' },
    ]);
    expect(result.lines).toBeGreaterThan(1);
    expect(result.matched).toBe(result.lines);
    const garbage = Buffer.concat([whole.subarray(0, 20), Buffer.alloc(200, 0x55)]);
    const bad = await replay([{ name: 'garbage.gz', open: () => Readable.from([garbage]) }], {
      parser: testParser(),
    });
    expect(bad.errors[0]!.error).toMatch(/^not a valid gzip file \(/);
  });

  it('an input that cannot be opened is an error of that input, not a crash', async () => {
    const missing = join(dir, 'missing.log');
    const result = await replay([{ name: missing, open: () => createReadStream(missing) }], {
      parser: testParser(),
    });
    expect(result.errors).toEqual([{ input: missing, error: 'no such file' }]);
  });

  it('stops on abort while an input waits for data, and keeps what was read', async () => {
    const controller = new AbortController();
    const never = new Readable({ read() {} });
    never.push(Buffer.from(failures('10.1.1.1', [0, 1000])));
    const pending = replay([{ name: '-', open: () => never }, text('next', failures('10.1.1.2', [5000]))], {
      parser: testParser(),
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    const result = await pending;
    expect(result).toMatchObject({ lines: 2, events: 2, interrupted: true, errors: [] });
  });
});
