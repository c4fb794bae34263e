import { type Alert, AnomalyMonitor, type AnomalyMonitorOptions } from '../../src/index.js';

/** A monitor on a hand-driven clock, with every alert it raises collected. */
export function monitorWithClock(
  options: Omit<AnomalyMonitorOptions, 'now'> = {},
  start = 1_700_000_000_000,
) {
  const clock = { t: start };
  const monitor = new AnomalyMonitor({ ...options, now: () => clock.t });
  const alerts: Alert[] = [];
  monitor.onAlert((alert) => {
    alerts.push(alert);
  });
  return {
    monitor,
    alerts,
    clock,
    advance(ms: number) {
      clock.t += ms;
    },
  };
}
