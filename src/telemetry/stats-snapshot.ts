import type { AnomalyMonitor } from '../core/monitor.js';
import type { MonitorStats } from '../core/stats.js';

/**
 * Reads one `getStats()` snapshot per collection. A Prometheus registry collects all its metrics
 * synchronously one after another when scraped, so the first metric to ask takes the snapshot and
 * the rest of that scrape reuse it; the snapshot is dropped at the next microtask. Every metric of
 * one scrape therefore describes the same instant, and a scrape costs one `getStats()`.
 */
export class StatsSnapshot {
  private current: MonitorStats | undefined;
  private readonly forget = (): void => {
    this.current = undefined;
  };

  constructor(private readonly monitor: AnomalyMonitor) {}

  get(): MonitorStats {
    if (this.current === undefined) {
      this.current = this.monitor.getStats();
      queueMicrotask(this.forget);
    }
    return this.current;
  }
}
