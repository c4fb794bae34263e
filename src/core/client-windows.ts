import { type KeyKind, resized } from './slot-table.js';
import { ThresholdTable } from './threshold-table.js';

/**
 * Per-client state: the brute-force window of each client key (a {@link ThresholdTable} with no
 * distinct-others condition) and when a rate-limited client last raised an alert. Rate-limited
 * requests keep a client's slot active too, so one LRU bounds both.
 */
export class ClientWindows extends ThresholdTable {
  private lastRateLimitAlertAt = new Float64Array(0);

  /**
   * Records a request from a client that is already rate limited. Returns true when an alert is due:
   * at most one per client per `realertIntervalMs`, so a blocked client that keeps coming does not
   * cause an alert storm.
   */
  recordRateLimited(kind: KeyKind, intKey: number, words: Int32Array, now: number): boolean {
    const slot = this.touch(kind, intKey, words, now);
    if (now - this.lastRateLimitAlertAt[slot]! < this.realertIntervalMs) return false;
    this.lastRateLimitAlertAt[slot] = now;
    return true;
  }

  protected override resetState(slot: number): void {
    super.resetState(slot);
    this.lastRateLimitAlertAt[slot] = Number.NEGATIVE_INFINITY;
  }

  protected override growState(slots: number): void {
    super.growState(slots);
    this.lastRateLimitAlertAt = resized(this.lastRateLimitAlertAt, slots);
  }
}
