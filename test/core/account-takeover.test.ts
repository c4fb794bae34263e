import { describe, expect, it } from 'vitest';
import { accountTakeoverScenarios } from './account-takeover-scenarios.js';
import { monitorWithClock } from './helpers.js';

accountTakeoverScenarios((options, start) => ({
  ...monitorWithClock(options, start),
  flush: () => Promise.resolve(),
}));

describe('alert lifecycle (memory store)', () => {
  it('delivers resolutions from a timer, without new traffic', async () => {
    let now = 1_700_000_000_000;
    const { AnomalyMonitor } = await import('../../src/index.js');
    const monitor = new AnomalyMonitor({
      now: () => now,
      lifecycle: { quietPeriodMs: 1000, sweepIntervalMs: 20 },
    });
    const states: string[] = [];
    monitor.onAlert((alert) => {
      states.push(alert.state);
    });
    monitor.recordCommandInjection('192.0.2.70', '; id');
    now += 5000;
    for (let i = 0; i < 100 && states.length < 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(states).toEqual(['firing', 'resolved']);
    await monitor.close();
  });
});

describe('privacy mode (memory store)', () => {
  it('gives the same pseudonym on every replica with the same key, and another with another key', () => {
    const shown = (hmacKey: string) => {
      const { monitor, alerts } = monitorWithClock({ privacy: { hmacKey } });
      monitor.recordPathTraversal('192.0.2.1', '../x', { userId: 'ivan' });
      return [alerts[0]!.sourceIp, alerts[0]!.userId];
    };
    expect(shown('a key of sixteen+ chars')).toEqual(shown('a key of sixteen+ chars'));
    expect(shown('a key of sixteen+ chars')).not.toEqual(shown('another key, also long'));
  });
  it('refuses a short or missing key', () => {
    expect(() => monitorWithClock({ privacy: { hmacKey: 'short' } })).toThrow(
      /privacy.hmacKey must be a secret of at least 16/,
    );
  });
});
