// `secmon replay` flags exactly the addresses that made N attempts within W seconds: no more, no
// fewer. Logs come from a generator that knows the truth (test/support/auth-log-generator.ts):
// realistic multi-line sshd sessions of brute forcers, bursts, attackers just under and just over the
// threshold, user enumerators, publickey probers, a botnet, users who mistype, scanners and cron,
// interleaved, IPv4 and IPv6. Many random logs go through the replay runner in-process; one goes
// through the real `secmon replay` command.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientKey, formatClientKey } from '../../src/core/client-address.js';
import { nginxFormat } from '../../src/sources/access-log.js';
import type { LogFormat } from '../../src/sources/log-format.js';
import { replay } from '../../src/sources/replay-runner.js';
import { sshdFormat } from '../../src/sources/sshd.js';
import {
  type FiniteSshdLogOptions,
  generateSshdLog,
  SSHD_ACTOR_KINDS,
  type SshdActorKind,
} from '../support/auth-log-generator.js';
import { streamNginxLog } from '../support/nginx-log-generator.js';

const cli = resolve(import.meta.dirname, '../../dist/service/cli.js');

/** The key secmon reports an address under (IPv6 by /64): truth and alerts are compared on it. */
const keyOf = (ip: string) => formatClientKey(clientKey(ip, 64))!;
const keysOf = (ips: Iterable<string>) => [...new Set([...ips].map(keyOf))].sort();

/** The addresses the replay runner raises a firing brute_force alert for. */
async function replayedAttackers(
  lines: string[],
  threshold: number,
  windowSec: number,
  format: LogFormat = sshdFormat,
): Promise<string[]> {
  const flagged = new Set<string>();
  await replay(
    [{ name: 'generated.log', open: () => Readable.from([Buffer.from(`${lines.join('\n')}\n`)]) }],
    {
      // The generated auth.log is in UTC, in 2026; access-log lines carry their year and zone.
      parser: format.createParser(format === sshdFormat ? { year: 2026, timeZone: 'UTC' } : {}),
      monitor: { bruteForce: { threshold, windowMs: windowSec * 1000 } },
      onAlert: (alert) => {
        if (alert.type === 'brute_force' && alert.state === 'firing' && alert.sourceIp)
          flagged.add(alert.sourceIp);
      },
    },
  );
  return [...flagged].sort();
}

const kindCounts = fc.record(
  Object.fromEntries(SSHD_ACTOR_KINDS.map((kind) => [kind, fc.integer({ min: 0, max: 4 })])) as Record<
    SshdActorKind,
    fc.Arbitrary<number>
  >,
);

const logOptions: fc.Arbitrary<FiniteSshdLogOptions> = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  threshold: fc.integer({ min: 2, max: 12 }),
  windowSec: fc.integer({ min: 20, max: 900 }),
  ipv6Share: fc.constantFrom(0, 0.15, 0.5),
  actors: kindCounts,
});

describe('the auth.log generator', () => {
  it('writes the same log for the same seed, with timestamps that never go back', () => {
    const a = generateSshdLog({ seed: 42, threshold: 10, windowSec: 300 });
    const b = generateSshdLog({ seed: 42, threshold: 10, windowSec: 300 });
    expect(a.lines).toEqual(b.lines);
    expect(generateSshdLog({ seed: 43, threshold: 10, windowSec: 300 }).lines).not.toEqual(a.lines);
    const seconds = a.lines.map((line) => Date.parse(`2026 ${line.slice(0, 15)} UTC`));
    for (let i = 1; i < seconds.length; i++) expect(seconds[i]).toBeGreaterThanOrEqual(seconds[i - 1]!);
  });

  it('puts attackers on both sides of the boundary: N attempts spanning W - 1 s are in the truth, spanning W s are not', () => {
    fc.assert(
      fc.property(logOptions, (options) => {
        const log = generateSshdLog({ ...options, actors: { ...options.actors, slowUnder: 2, slowOver: 2 } });
        for (const [ip, kind] of log.kindOf) {
          if (kind === 'slowOver') expect(log.truth.flagged.has(ip)).toBe(true);
          if (kind === 'slowUnder') expect(log.truth.flagged.has(ip)).toBe(false);
          if (kind === 'botnet' || kind === 'user' || kind === 'scanner')
            expect(log.truth.flagged.has(ip)).toBe(false);
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('secmon replay is exact against the generator’s truth', () => {
  it('the runner flags exactly the addresses with N attempts within W seconds, for random logs, N and W', async () => {
    await fc.assert(
      fc.asyncProperty(logOptions, async (options) => {
        const log = generateSshdLog(options);
        const flagged = await replayedAttackers(log.lines, options.threshold, options.windowSec);
        expect(flagged).toEqual(keysOf(log.truth.flagged));
      }),
      { numRuns: 60 },
    );
  });

  it('a large log (3,000+ lines, 60 actors of each attacking kind) at the defaults N = 10, W = 300 s', async () => {
    const log = generateSshdLog({
      seed: 20261207,
      threshold: 10,
      windowSec: 300,
      durationSec: 4 * 3600,
      actors: {
        brute: 60,
        burst: 60,
        slowUnder: 60,
        slowOver: 60,
        enumerator: 60,
        keyProber: 60,
        botnet: 10,
        mistyper: 60,
      },
    });
    expect(log.lines.length).toBeGreaterThan(3000);
    expect(log.truth.flagged.size).toBeGreaterThan(200);
    expect(await replayedAttackers(log.lines, 10, 300)).toEqual(keysOf(log.truth.flagged));
  });

  it('nginx: brute_force for exactly the addresses with N 401s within W seconds, among visitors, crawlers and probes', async () => {
    for (const [seed, threshold, windowSec] of [
      [1, 10, 300],
      [2, 5, 60],
      [3, 3, 20],
    ] as const) {
      const log = streamNginxLog({ seed, threshold, windowSec, lines: 5000 });
      const lines = [...log.lines];
      expect(log.truth.flagged.size).toBeGreaterThan(3);
      expect(await replayedAttackers(lines, threshold, windowSec, nginxFormat)).toEqual(
        keysOf(log.truth.flagged),
      );
    }
  });

  describe('through the `secmon replay` command', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'secmon-exactness-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('prints a firing brute_force alert for exactly the addresses of the truth, and a summary line', async () => {
      if (!existsSync(cli)) throw new Error('dist/ is missing: run `npm run build` first');
      const log = generateSshdLog({ seed: 7, threshold: 6, windowSec: 120, ipv6Share: 0.3 });
      const file = join(dir, 'auth.log');
      await writeFile(file, `${log.lines.join('\n')}\n`);
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          cli,
          'replay',
          '--format',
          'sshd',
          '--threshold',
          '6',
          '--window',
          '120s',
          '--json',
          '--year',
          '2026',
          '--time-zone',
          'UTC',
          file,
        ],
        { maxBuffer: 16 << 20 },
      );
      const objects = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const summary = objects.pop() as { summary: { lines: number } };
      expect(summary.summary.lines).toBe(log.lines.length);
      const flagged = objects
        .filter((alert) => alert.type === 'brute_force' && alert.state === 'firing')
        .map((alert) => alert.sourceIp as string);
      expect(log.truth.flagged.size).toBeGreaterThan(5);
      expect([...new Set(flagged)].sort()).toEqual(keysOf(log.truth.flagged));
    });
  });
});
