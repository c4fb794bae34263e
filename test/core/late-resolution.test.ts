import { describe, expect, it } from 'vitest';
import { monitorWithClock } from './helpers.js';

const T = 1_700_000_000_000;

describe('resolution of an attack looked at late', () => {
  it('keeps the moment it fell below when the address is forgotten before keep-firing-for is up', () => {
    const { monitor, alerts, clock } = monitorWithClock(
      {
        bruteForce: { threshold: 2, windowMs: 10_000 },
        lifecycle: { keepFiringForMs: 5000, sweepIntervalMs: 0 },
      },
      T,
    );
    monitor.recordFailedAuth('203.0.113.5');
    clock.t = T + 3000;
    monitor.recordFailedAuth('203.0.113.5'); // over until T + 10 s (the first failure leaves)
    clock.t = T + 11_000;
    monitor.getStats(); // below since T + 10 s: resolved if it stays below until T + 15 s
    clock.t = T + 100_000; // the next look: the address has long been forgotten (idle)
    monitor.getStats();
    expect(alerts.map((a) => [a.state, a.timestamp.getTime() - T])).toEqual([
      ['firing', 3000],
      ['resolved', 10_000],
    ]);
  });
});
