import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Alert, AnomalyMonitor } from '../../src/index.js';

/**
 * The obvious, slow model of brute-force detection: every failure time is kept per address and
 * counted by scanning. The monitor keeps only `threshold` times per address in a ring and an LRU
 * list; over random event sequences both must raise the same alerts and report the same counts.
 */
class NaiveModel {
  private readonly clients = new Map<
    string,
    {
      times: number[];
      lastSeen: number;
      inEpisode: boolean;
      episode: number;
      lastAlert: number;
      suppressed: number;
    }
  >();
  suppressedTotal = 0;
  evicted = 0;

  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
    private readonly realertMs: number,
    private readonly cap: number,
  ) {}

  failure(ip: string, now: number): { count: number; suppressed: number } | undefined {
    this.expire(now);
    let client = this.clients.get(ip);
    if (client) {
      this.clients.delete(ip); // re-insert: Map order is our recency order
    } else {
      if (this.clients.size === this.cap) {
        const oldest = this.clients.keys().next().value as string;
        this.clients.delete(oldest);
        this.evicted++;
      }
      client = {
        times: [],
        lastSeen: now,
        inEpisode: false,
        episode: 0,
        lastAlert: -Infinity,
        suppressed: 0,
      };
    }
    this.clients.set(ip, client);
    client.lastSeen = now;
    client.times.push(now);
    const inWindow = client.times.filter((t) => t > now - this.windowMs).length;
    if (inWindow < this.threshold) {
      client.inEpisode = false;
      return undefined;
    }
    if (!client.inEpisode) {
      client.inEpisode = true;
      client.episode = this.threshold;
    } else {
      client.episode++;
      if (now - client.lastAlert < this.realertMs) {
        client.suppressed++;
        this.suppressedTotal++;
        return undefined;
      }
    }
    const result = { count: client.episode, suppressed: client.suppressed };
    client.lastAlert = now;
    client.suppressed = 0;
    return result;
  }

  active(now: number): number {
    this.expire(now);
    return this.clients.size;
  }

  private expire(now: number): void {
    for (const [ip, client] of this.clients) {
      if (client.lastSeen <= now - this.windowMs) this.clients.delete(ip);
    }
  }
}

describe('brute-force window', () => {
  it('behaves exactly like the naive model over random event sequences', () => {
    fc.assert(
      fc.property(
        fc.record({
          threshold: fc.integer({ min: 1, max: 6 }),
          // Times are multiples of 5 ms so that events land exactly on window edges often.
          windowMs: fc.integer({ min: 1, max: 40 }).map((n) => n * 5),
          realertIntervalMs: fc.integer({ min: 0, max: 60 }).map((n) => n * 5),
          maxTrackedIps: fc.integer({ min: 1, max: 6 }),
        }),
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 3 }),
            fc.integer({ min: 0, max: 12 }).map((n) => n * 5),
          ),
          { maxLength: 300 },
        ),
        (config, events) => {
          let t = 1_000_000;
          const monitor = new AnomalyMonitor({
            bruteForce: {
              threshold: config.threshold,
              windowMs: config.windowMs,
              realertIntervalMs: config.realertIntervalMs,
            },
            maxTrackedIps: config.maxTrackedIps,
            now: () => t,
          });
          const got: Alert[] = [];
          monitor.onAlert((alert) => {
            got.push(alert);
          });
          const model = new NaiveModel(
            config.threshold,
            config.windowMs,
            config.realertIntervalMs,
            config.maxTrackedIps,
          );
          const expected: Array<{ ip: string; count: number; suppressed: number; at: number }> = [];
          for (const [client, dt] of events) {
            t += dt;
            const ip = `192.0.2.${client}`;
            monitor.recordFailedAuth(ip);
            const alert = model.failure(ip, t);
            if (alert) expected.push({ ip, ...alert, at: t });
          }
          expect(
            got.map((a) => ({
              ip: a.sourceIp,
              count: a.metadata?.count,
              suppressed: a.metadata?.suppressed,
              at: a.timestamp.getTime(),
            })),
          ).toEqual(expected);
          const stats = monitor.getStats();
          expect(stats.suppressedByType.brute_force).toBe(model.suppressedTotal);
          expect(stats.evictedIps).toBe(model.evicted);
          expect(stats.monitoredIps).toBe(model.active(t));
        },
      ),
      { numRuns: 500 },
    );
  });
});
