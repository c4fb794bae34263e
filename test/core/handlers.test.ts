import { describe, expect, it } from 'vitest';
import { type Alert, AnomalyMonitor } from '../../src/index.js';

describe('alert handlers', () => {
  it('deliver each alert to every subscriber, and stop after unsubscribe', () => {
    const monitor = new AnomalyMonitor();
    const first: Alert[] = [];
    const second: Alert[] = [];
    monitor.onAlert((alert) => {
      first.push(alert);
    });
    const unsubscribe = monitor.onAlert((alert) => {
      second.push(alert);
    });
    monitor.recordPathTraversal('192.0.2.1', '../a');
    unsubscribe();
    unsubscribe(); // idempotent
    monitor.recordPathTraversal('192.0.2.1', '../b');
    expect(first).toHaveLength(2);
    expect(second).toHaveLength(1);
  });

  it('isolate a handler that throws: the caller never sees it, others still run, it is counted', () => {
    const monitor = new AnomalyMonitor();
    const seen: string[] = [];
    monitor.onAlert(() => {
      throw new Error('handler bug');
    });
    monitor.onAlert((alert) => {
      seen.push(alert.type);
    });
    expect(() => monitor.recordCommandInjection('192.0.2.1', '$(id)')).not.toThrow();
    expect(seen).toEqual(['command_injection']);
    expect(monitor.getStats().handlerErrors).toBe(1);
  });

  it('count a handler whose promise rejects, without an unhandled rejection', async () => {
    const monitor = new AnomalyMonitor();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      monitor.onAlert(async () => {
        throw new Error('webhook down');
      });
      monitor.recordCommandInjection('192.0.2.1', '`id`');
      monitor.recordCommandInjection('192.0.2.1', '`id`');
      await new Promise((resolve) => setImmediate(resolve));
      expect(monitor.getStats().handlerErrors).toBe(2);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('let a handler unsubscribe itself while alerts are delivered', () => {
    const monitor = new AnomalyMonitor();
    const calls: string[] = [];
    const unsubscribe = monitor.onAlert(() => {
      calls.push('once');
      unsubscribe();
    });
    monitor.onAlert(() => {
      calls.push('always');
    });
    monitor.recordPathTraversal('192.0.2.1', '../a');
    monitor.recordPathTraversal('192.0.2.1', '../a');
    expect(calls).toEqual(['once', 'always', 'always']);
  });

  it('reject a handler that is not a function', () => {
    const monitor = new AnomalyMonitor();
    expect(() => monitor.onAlert('nope' as never)).toThrow(TypeError);
  });
});
