import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Alert, AnomalyMonitor } from '../../src/index.js';
import { NaiveModel } from '../support/naive-window-model.js';

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
