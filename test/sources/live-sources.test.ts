// LiveSources with a real monitor and real files, and a test format that holds events back the way
// sshd holds a probe until its connection ends: when held events are decided, and what is counted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnomalyMonitor } from '../../src/core/monitor.js';
import { createLogger } from '../../src/service/logger.js';
import { LiveSources } from '../../src/sources/live-sources.js';
import type { LineParser, LogFormat, TimedEvent } from '../../src/sources/log-format.js';
import { waitFor } from '../support/processes.js';

let dir: string;
let sources: LiveSources | undefined;
const logged: Array<Record<string, unknown>> = [];
const logger = createLogger(
  'info',
  new Writable({
    write(chunk, _encoding, done) {
      logged.push(JSON.parse(String(chunk)));
      done();
    },
  }),
);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'secmon-live-'));
  logged.length = 0;
});
afterEach(async () => {
  await sources?.stop();
  sources = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** `fail IP` is a failed login now; `hold IP` one held until flushed; anything else is unparsed. */
function holdingFormat(flushes: Array<number | undefined>): LogFormat {
  return {
    name: 'holding',
    createParser(): LineParser {
      const held: TimedEvent[] = [];
      return {
        holdMs: 60_000,
        parse(line, out) {
          const [verb, ip] = line.split(' ');
          if (verb === 'fail' && ip) out.push({ time: undefined, event: { type: 'failed_auth', ip } });
          else if (verb === 'hold' && ip) held.push({ time: undefined, event: { type: 'failed_auth', ip } });
          else if (verb === 'boom') throw new Error('parser bug');
          else return 'unparsed';
          return 'matched';
        },
        flush(now, out) {
          flushes.push(now);
          out.push(...held.splice(0));
        },
      };
    },
  };
}

function start(path: string, flushes: Array<number | undefined>, saveIntervalMs = 50) {
  const monitor = new AnomalyMonitor();
  sources = new LiveSources([{ name: 'app', format: 'holding', path }], {
    monitor,
    logger,
    formats: new Map([['holding', holdingFormat(flushes)]]),
    fromStart: true,
    pollIntervalMs: 20,
    saveIntervalMs,
  });
  return { monitor, ready: sources.start() };
}

describe('live sources', () => {
  it('records events as lines are read, counts outcomes, and survives a parser that throws', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, 'fail 192.0.2.1\nnonsense\nboom 192.0.2.2\nfail 192.0.2.1\n');
    const { monitor, ready } = start(path, []);
    await ready;
    const counts = sources!.sources[0]!.counts;
    expect(counts.lines).toEqual({ matched: 2, ignored: 0, unparsed: 2, too_long: 0 });
    expect(counts.events).toBe(2);
    expect(monitor.getStats().failedAuthAttempts).toBe(2);
    expect(logged.filter((line) => line.level === 'error').map((line) => line.msg)).toEqual([
      'the parser failed on a line (counted as unparsed; logged once)',
    ]);
  });

  it('decides held events with the wall clock once the file is read to its end', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, 'hold 192.0.2.9\n');
    const flushes: Array<number | undefined> = [];
    const { monitor, ready } = start(path, flushes);
    await ready;
    // Caught up and quiet: the next checkpoints decide the held event with the wall clock.
    await waitFor('the held event decided', () => monitor.getStats().failedAuthAttempts === 1, {
      timeoutMs: 5000,
      intervalMs: 10,
    });
    expect(flushes.every((now) => typeof now === 'number' && Math.abs(now - Date.now()) < 5000)).toBe(true);
  });

  it('decides what a parser still holds when it stops: those lines are behind the saved position', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, 'hold 192.0.2.9\n');
    const flushes: Array<number | undefined> = [];
    const { monitor, ready } = start(path, flushes, 60_000);
    await ready;
    expect(monitor.getStats().failedAuthAttempts).toBe(0);
    await sources!.stop();
    sources = undefined;
    expect(flushes).toEqual([undefined]);
    expect(monitor.getStats().failedAuthAttempts).toBe(1);
  });
});
