// A monitor whose clock is the log's: each event is recorded at the time its line says it happened,
// so windows, re-alert intervals and resolutions are computed on log time, exactly as they would have
// been live. The in-memory store decides inside the `record*` call, so setting the clock just before
// it is enough.
import { AnomalyMonitor } from '../core/monitor.js';
import type { AnomalyMonitorOptions } from '../core/options.js';
import type { SecurityEvent } from '../http/event-schema.js';
import { recordEvent } from '../http/record-events.js';

/** Monitor options a log-time monitor accepts: everything but the clock, the store and the sweep timer. */
export type LogTimeMonitorOptions = Omit<AnomalyMonitorOptions, 'now' | 'store'>;

/** An {@link AnomalyMonitor} driven by log time. */
export interface LogTimeMonitor {
  readonly monitor: AnomalyMonitor;
  /** Records `event` at `time` (epoch ms); times must not decrease (an event pipeline guarantees it). */
  record(event: SecurityEvent, time: number): void;
  /** Moves the clock to `time` without an event and delivers the resolutions due by then. */
  advanceTo(time: number): void;
  /** The current log time, epoch ms. */
  readonly time: number;
}

/**
 * A monitor with the in-memory store whose clock is set by each recorded event (`record`). Its
 * resolution timer is off (wall-clock time means nothing here): resolutions are delivered as log time
 * passes them, with the next event or `advanceTo`. Throws the monitor's `TypeError` for bad options.
 */
export function createLogTimeMonitor(options: LogTimeMonitorOptions = {}, startTime = 0): LogTimeMonitor {
  let clock = startTime;
  const monitor = new AnomalyMonitor({
    ...options,
    now: () => clock,
    lifecycle: { ...options.lifecycle, sweepIntervalMs: 0 },
  });
  return {
    monitor,
    record(event, time) {
      clock = time;
      recordEvent(monitor, event);
    },
    advanceTo(time) {
      if (time > clock) clock = time;
      monitor.getStats(); // delivers due resolutions
    },
    get time() {
      return clock;
    },
  };
}
