import { describe, expect, it } from 'vitest';
import { monitorWithClock } from './helpers.js';

describe('brute force', () => {
  it('alerts when an address reaches the threshold inside the window, with its metadata', () => {
    const { monitor, alerts, advance } = monitorWithClock({ bruteForce: { threshold: 3, windowMs: 10_000 } });
    monitor.recordFailedAuth('198.51.100.4', 'alice');
    advance(1000);
    monitor.recordFailedAuth('198.51.100.4', 'alice');
    expect(alerts).toHaveLength(0);
    advance(1000);
    monitor.recordFailedAuth('198.51.100.4', 'alice');
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert.type).toBe('brute_force');
    expect(alert.severity).toBe('high');
    expect(alert.sourceIp).toBe('198.51.100.4');
    expect(alert.userId).toBe('alice');
    expect(alert.timestamp).toEqual(new Date(1_700_000_002_000));
    expect(alert.metadata).toEqual({ count: 3, threshold: 3, windowSeconds: 10, suppressed: 0 });
    expect(alert.message).toContain('198.51.100.4');
  });

  it('does not count failures older than the window', () => {
    const { monitor, alerts, advance } = monitorWithClock({ bruteForce: { threshold: 3, windowMs: 10_000 } });
    monitor.recordFailedAuth('198.51.100.4');
    advance(5000);
    monitor.recordFailedAuth('198.51.100.4');
    advance(5000); // the first failure is now exactly windowMs old: out
    monitor.recordFailedAuth('198.51.100.4');
    expect(alerts).toHaveLength(0);
    advance(1);
    monitor.recordFailedAuth('198.51.100.4');
    expect(alerts).toHaveLength(1);
  });

  it('counts addresses separately', () => {
    const { monitor, alerts } = monitorWithClock({ bruteForce: { threshold: 2 } });
    monitor.recordFailedAuth('198.51.100.1');
    monitor.recordFailedAuth('198.51.100.2');
    expect(alerts).toHaveLength(0);
    monitor.recordFailedAuth('198.51.100.2');
    expect(alerts.map((a) => a.sourceIp)).toEqual(['198.51.100.2']);
  });

  it('alerts once per crossing and counts the attempts it holds back as suppressed', () => {
    const { monitor, alerts, advance } = monitorWithClock({
      bruteForce: { threshold: 3, windowMs: 60_000, realertIntervalMs: 30_000 },
    });
    for (let i = 0; i < 10; i++) {
      monitor.recordFailedAuth('203.0.113.9');
      advance(1000);
    }
    expect(alerts).toHaveLength(1);
    const stats = monitor.getStats();
    expect(stats.suppressedAlerts).toBe(7);
    expect(stats.suppressedByType.brute_force).toBe(7);
    expect(stats.alerts.brute_force).toBe(1);
    expect(stats.failedAuthAttempts).toBe(10);
  });

  it('re-alerts at most once per realertIntervalMs while the address stays over, carrying the suppressed count', () => {
    const { monitor, alerts, advance } = monitorWithClock({
      bruteForce: { threshold: 3, windowMs: 60_000, realertIntervalMs: 10_000 },
    });
    // One failure a second for 25 seconds: over the threshold from the 3rd on.
    for (let i = 0; i < 25; i++) {
      monitor.recordFailedAuth('203.0.113.9');
      advance(1000);
    }
    // Crossing at t=2s, re-alerts at t=12s and t=22s.
    expect(alerts.map((a) => a.timestamp.getTime() - 1_700_000_000_000)).toEqual([2000, 12_000, 22_000]);
    expect(alerts.map((a) => a.metadata?.suppressed)).toEqual([0, 9, 9]);
    expect(alerts.map((a) => a.metadata?.count)).toEqual([3, 13, 23]);
    // 25 failures: 2 below the threshold, 3 alerted, the other 20 suppressed.
    expect(monitor.getStats().suppressedByType.brute_force).toBe(20);
  });

  it('alerts again on a new crossing after the count fell below the threshold', () => {
    const { monitor, alerts, advance } = monitorWithClock({
      bruteForce: { threshold: 2, windowMs: 10_000, realertIntervalMs: 1_000_000 },
      lifecycle: { keepFiringForMs: 0 },
    });
    monitor.recordFailedAuth('203.0.113.9');
    monitor.recordFailedAuth('203.0.113.9'); // crossing 1
    advance(20_000);
    monitor.recordFailedAuth('203.0.113.9'); // alone in the window: below
    advance(1000);
    monitor.recordFailedAuth('203.0.113.9'); // crossing 2, although realertIntervalMs has not passed
    expect(alerts.map((a) => [a.state, a.timestamp.getTime() - 1_700_000_000_000])).toEqual([
      ['firing', 0],
      ['resolved', 10_000], // the first failure left the window: below the threshold
      ['firing', 21_000],
    ]);
    expect(alerts[0]!.id).toBe(alerts[1]!.id);
    expect(alerts[2]!.id).not.toBe(alerts[0]!.id);
  });

  it('keeps an attacker who hovers at the threshold in one attack: no new alert at every crossing', () => {
    // One failure every 30 s, forever: 10 in every 300 s window, then 9 for a moment before each next
    // failure. With keepFiringFor (60 s by default) that is one attack, not an alert every 30 s.
    const { monitor, alerts, advance } = monitorWithClock();
    for (let i = 0; i < 100; i++) {
      monitor.recordFailedAuth('198.51.100.30');
      advance(30_000);
    }
    expect(alerts.filter((a) => a.type === 'brute_force').map((a) => a.state)).toEqual([
      'firing', // the crossing, at 270 s
      ...Array(9).fill('firing'), // re-alerts every realertIntervalMs (300 s) while it goes on
    ]);
    expect(new Set(alerts.map((a) => a.id)).size).toBe(1);
  });

  it('re-alerts on every attempt over the threshold when realertIntervalMs is 0', () => {
    const { monitor, alerts } = monitorWithClock({ bruteForce: { threshold: 2, realertIntervalMs: 0 } });
    for (let i = 0; i < 5; i++) monitor.recordFailedAuth('203.0.113.9');
    expect(alerts).toHaveLength(4);
  });

  it('alerts on the first failure when the threshold is 1', () => {
    const { monitor, alerts } = monitorWithClock({ bruteForce: { threshold: 1 } });
    monitor.recordFailedAuth('203.0.113.9');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.metadata).toMatchObject({ count: 1, threshold: 1 });
  });

  it('treats a clock that goes backwards as standing still', () => {
    const { monitor, alerts, clock } = monitorWithClock({ bruteForce: { threshold: 3, windowMs: 10_000 } });
    monitor.recordFailedAuth('203.0.113.9');
    clock.t -= 60_000;
    monitor.recordFailedAuth('203.0.113.9');
    monitor.recordFailedAuth('203.0.113.9');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.timestamp.getTime()).toBe(1_700_000_000_000);
  });

  it('groups the addresses of one IPv6 /64 into one window and names the prefix', () => {
    const { monitor, alerts } = monitorWithClock({ bruteForce: { threshold: 3 } });
    monitor.recordFailedAuth('2001:db8:1:2::1');
    monitor.recordFailedAuth('[2001:db8:1:2:aaaa::5]:443');
    monitor.recordFailedAuth('2001:db8:1:2:ffff:ffff:ffff:ffff');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.sourceIp).toBe('2001:db8:1:2::/64');
    expect(monitor.getStats().monitoredIps).toBe(1);
  });

  it('counts an address the same with and without its port or IPv4-mapped form', () => {
    const { monitor, alerts } = monitorWithClock({ bruteForce: { threshold: 3 } });
    monitor.recordFailedAuth('192.0.2.1');
    monitor.recordFailedAuth('192.0.2.1:51234');
    monitor.recordFailedAuth('::ffff:192.0.2.1');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.sourceIp).toBe('192.0.2.1');
  });

  it('puts every unparseable address into one shared window without a source address', () => {
    const { monitor, alerts } = monitorWithClock({ bruteForce: { threshold: 3 } });
    monitor.recordFailedAuth('not an ip');
    monitor.recordFailedAuth('');
    monitor.recordFailedAuth('999.1.1.1');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.sourceIp).toBeUndefined();
    expect(alerts[0]!.message).toContain('unparseable');
    expect(monitor.getStats().monitoredIps).toBe(1);
  });
});
