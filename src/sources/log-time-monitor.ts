// A monitor whose clock is the log's: each event is recorded at the time its line says it happened,
// so windows, re-alert intervals and resolutions are computed on log time, exactly as they would have
// been live. The in-memory store decides inside the `record*` call, so setting the clock just before
// it is enough.
//
// Live, a timer looks at active attacks every few seconds, so an attack is found to have ended
// while its address is still tracked, and resolved at the moment it fell below its threshold. On log
// time there is no timer: between two events hours apart the address would expire first, and the
// resolution could only be dated when it was due. So across a gap in the log, while attacks are
// active, the clock steps through it and delivers resolutions the way the live timer does.
import { AnomalyMonitor } from '../core/monitor.js';
import { type AnomalyMonitorOptions, resolveOptions } from '../core/options.js';
import type { SecurityEvent } from '../http/event-schema.js';
import { recordEvent } from '../http/record-events.js';

/** How often the live service's timer delivers resolutions (the monitor's default sweep interval), ms. */
const LIVE_SWEEP_MS = 5000;

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
 * passes them, with the next event or `advanceTo`, at the moment each attack ended. Throws the monitor's `TypeError` for bad options.
 */
export function createLogTimeMonitor(options: LogTimeMonitorOptions = {}, startTime = 0): LogTimeMonitor {
  let clock = startTime;
  const monitor = new AnomalyMonitor({
    ...options,
    now: () => clock,
    lifecycle: { ...options.lifecycle, sweepIntervalMs: 0 },
  });
  // An attack's address stays tracked for at least keep-firing-for past the moment its resolution is
  // due, so a look every half of that (at least the live timer's 5 s) always finds it.
  const stepMs = Math.max(LIVE_SWEEP_MS, Math.floor(resolveOptions(options).lifecycle.keepFiringForMs / 2));
  // Attacks firing and not yet resolved (bounded by lifecycle.maxActiveAlerts: past it the oldest
  // is resolved early, with a resolved alert).
  const active = new Set<string>();
  monitor.onAlert((alert) => {
    if (alert.state === 'firing') active.add(alert.id);
    else active.delete(alert.id);
  });
  const stepThrough = (time: number) => {
    for (let at = clock + stepMs; at < time && active.size > 0; at += stepMs) {
      clock = at;
      monitor.getStats(); // delivers the resolutions due by `at`
    }
  };
  return {
    monitor,
    record(event, time) {
      if (time - clock > stepMs && active.size > 0) stepThrough(time);
      clock = time;
      recordEvent(monitor, event);
    },
    advanceTo(time) {
      if (time > clock) {
        stepThrough(time);
        clock = time;
      }
      monitor.getStats(); // delivers due resolutions
    },
    get time() {
      return clock;
    },
  };
}
