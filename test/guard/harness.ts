// Shared set-up of the wrapper tests: a fresh monitor whose alerts are collected before each test, the
// sink guard a test installs removed after it (also when it fails), and a request to run calls in.
import { afterEach, beforeEach } from 'vitest';
import { type SinkGuard, withRequestInputs } from '../../src/guard.js';
import { type Alert, AnomalyMonitor } from '../../src/index.js';

export interface Harness {
  monitor: AnomalyMonitor;
  alerts: Alert[];
  /** The guard the running test installed, if any: removed after the test. */
  guard: SinkGuard | undefined;
  /** Runs `fn` as a request from `ip` carrying `inputs`. */
  inRequest<T>(inputs: string[], fn: () => T): T;
}

/** Registers the hooks in the calling test file; read the fields inside tests only. */
export function guardHarness(ip: string): Harness {
  const harness: Harness = {
    monitor: new AnomalyMonitor(),
    alerts: [],
    guard: undefined,
    inRequest: (inputs, fn) => withRequestInputs({ ip, inputs }, fn),
  };
  beforeEach(() => {
    harness.monitor = new AnomalyMonitor();
    harness.alerts = [];
    harness.monitor.onAlert((alert) => {
      harness.alerts.push(alert);
    });
  });
  afterEach(() => {
    harness.guard?.();
    harness.guard = undefined;
  });
  return harness;
}
