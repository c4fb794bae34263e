import { describe, expect, it } from 'vitest';
import { AnomalyMonitor, DEFAULT_OPTIONS } from '../../src/index.js';

describe('options', () => {
  it('default to the reference behaviour', () => {
    expect(DEFAULT_OPTIONS).toEqual({
      bruteForce: { threshold: 10, windowMs: 300_000 },
      credentialStuffing: { enabled: true, accounts: 10 },
      accountBruteForce: { enabled: true, threshold: 20, minClients: 2 },
      networkBruteForce: {
        enabled: true,
        minClients: 2,
        ipv4PrefixLength: 24,
        ipv6PrefixLength: 48,
        maxTracked: 25_000,
      },
      failedLoginSurge: { enabled: true, minPerMinute: 50, factor: 3, halfLifeMs: 3_600_000 },
      accountCompromise: { enabled: true },
      privilegedAlertIntervalMs: 60_000,
      maxTrackedIps: 100_000,
      maxTrackedAccounts: 100_000,
      ipv6PrefixLength: 64,
      lifecycle: { keepFiringForMs: 60_000, maxActiveAlerts: 10_000, sweepIntervalMs: 5_000 },
    });
    const monitor = new AnomalyMonitor();
    const alerts: unknown[] = [];
    monitor.onAlert((a) => {
      alerts.push(a);
    });
    for (let i = 0; i < 9; i++) monitor.recordFailedAuth('192.0.2.1');
    expect(alerts).toHaveLength(0);
    monitor.recordFailedAuth('192.0.2.1');
    expect(alerts).toHaveLength(1);
    expect(monitor.getStats().trackedIpsLimit).toBe(100_000);
  });

  it.each([
    [{ bruteForce: { threshold: 0 } }, /bruteForce\.threshold must be an integer from 1 to 10000 \(got 0\)/],
    [{ bruteForce: { threshold: 2.5 } }, /bruteForce\.threshold .*\(got 2\.5\)/],
    [{ bruteForce: { windowMs: -1 } }, /bruteForce\.windowMs .*\(got -1\)/],
    [{ bruteForce: { windowMs: '5m' } }, /bruteForce\.windowMs .*\(got "5m"\)/],
    [{ bruteForce: { realertIntervalMs: Number.NaN } }, /bruteForce\.realertIntervalMs .*\(got NaN\)/],
    [{ privilegedAlertIntervalMs: Infinity }, /privilegedAlertIntervalMs .*\(got Infinity\)/],
    [{ maxTrackedIps: 0 }, /maxTrackedIps must be an integer from 1 to 16777216 \(got 0\)/],
    [{ ipv6PrefixLength: 129 }, /ipv6PrefixLength must be an integer from 1 to 128 \(got 129\)/],
    [{ now: 5 }, /now must be a function/],
    [{ bruteForce: 10 }, /bruteForce must be an object \(got 10\)/],
  ])('reject %j with an error naming the option', (options, message) => {
    let error: unknown;
    try {
      new AnomalyMonitor(options as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
    expect((error as { code?: string }).code).toBe('SECMON_ERR_BAD_OPTION');
  });

  it('reject an unknown option, which is usually a typo', () => {
    expect(() => new AnomalyMonitor({ bruteforce: {} } as never)).toThrow(
      expect.objectContaining({
        code: 'SECMON_ERR_UNKNOWN_OPTION',
        message: expect.stringMatching(
          /^bruteforce is not a known option; did you mean bruteForce\? \(known: /,
        ),
      }),
    );
    expect(() => new AnomalyMonitor({ bruteForce: { treshold: 3 } } as never)).toThrow(
      /bruteForce\.treshold is not a known option; did you mean bruteForce\.threshold\?/,
    );
    expect(() => new AnomalyMonitor({ maxTrackedIp: 3 } as never)).toThrow(/did you mean maxTrackedIps\?/);
    // Nothing close: no guess, only the list.
    expect(() => new AnomalyMonitor({ colour: 'red' } as never)).toThrow(
      /^colour is not a known option \(known: bruteForce, /,
    );
  });
});
