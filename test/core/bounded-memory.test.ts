import { describe, expect, it } from 'vitest';
import { monitorWithClock } from './helpers.js';

describe('bounded memory', () => {
  it('tracks at most maxTrackedIps addresses and evicts the least recently active first', () => {
    const { monitor, alerts, advance } = monitorWithClock({ maxTrackedIps: 3, bruteForce: { threshold: 2 } });
    monitor.recordFailedAuth('192.0.2.1');
    advance(1);
    monitor.recordFailedAuth('192.0.2.2');
    advance(1);
    monitor.recordFailedAuth('192.0.2.3');
    advance(1);
    monitor.recordFailedAuth('192.0.2.4'); // evicts .1, the least recently active
    let stats = monitor.getStats();
    expect(stats.monitoredIps).toBe(3);
    expect(stats.evictedIps).toBe(1);
    // .1 starts over (its failure was evicted); .2 still has its failure and crosses.
    monitor.recordFailedAuth('192.0.2.1'); // evicts .2
    monitor.recordFailedAuth('192.0.2.3'); // .3 crosses
    expect(alerts.filter((a) => a.type === 'brute_force').map((a) => a.sourceIp)).toEqual(['192.0.2.3']);
    stats = monitor.getStats();
    expect(stats.evictedIps).toBe(2);
    expect(stats.trackedIpsLimit).toBe(3);
  });

  it('keeps a recently active address when it evicts', () => {
    const { monitor, alerts } = monitorWithClock({ maxTrackedIps: 2, bruteForce: { threshold: 3 } });
    monitor.recordFailedAuth('192.0.2.1');
    monitor.recordFailedAuth('192.0.2.2');
    monitor.recordFailedAuth('192.0.2.1'); // .1 is now the most recent
    monitor.recordFailedAuth('192.0.2.3'); // evicts .2
    monitor.recordFailedAuth('192.0.2.1'); // third failure of .1: it survived
    expect(alerts.map((a) => a.sourceIp)).toEqual(['192.0.2.1']);
  });

  it('stops counting an address in monitoredIps once it has been idle for the window', () => {
    const { monitor, advance } = monitorWithClock({ bruteForce: { windowMs: 10_000 } });
    monitor.recordFailedAuth('192.0.2.1');
    advance(5000);
    monitor.recordFailedAuth('192.0.2.2');
    expect(monitor.getStats().monitoredIps).toBe(2);
    advance(5000);
    expect(monitor.getStats().monitoredIps).toBe(1);
    advance(5000);
    expect(monitor.getStats().monitoredIps).toBe(0);
    expect(monitor.getStats().evictedIps).toBe(0);
  });

  it('survives an IP-spraying attacker: a million addresses never grow past the cap', () => {
    const { monitor, advance } = monitorWithClock({ maxTrackedIps: 5000 });
    for (let i = 0; i < 1_000_000; i++) {
      monitor.recordFailedAuth(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      if (i % 1000 === 0) advance(1);
    }
    const stats = monitor.getStats();
    expect(stats.monitoredIps).toBe(5000);
    expect(stats.evictedIps).toBe(1_000_000 - 5000);
  });

  it('keeps per-address memory independent of the attack rate', () => {
    // A hot address keeps only `threshold` timestamps: after 200,000 failures the monitor still
    // behaves exactly as the window says (one alert, the rest suppressed).
    const { monitor, alerts } = monitorWithClock({ bruteForce: { threshold: 10 } });
    for (let i = 0; i < 200_000; i++) monitor.recordFailedAuth('203.0.113.1');
    expect(alerts).toHaveLength(1);
    expect(monitor.getStats().suppressedAlerts).toBe(200_000 - 10);
  });

  it('bounds IPv6 rotation within one /64 to a single window', () => {
    const { monitor } = monitorWithClock();
    for (let i = 0; i < 10_000; i++)
      monitor.recordFailedAuth(`2001:db8:aa:bb:${(i >> 8).toString(16)}::${(i & 255).toString(16)}`);
    expect(monitor.getStats().monitoredIps).toBe(1);
  });
});
