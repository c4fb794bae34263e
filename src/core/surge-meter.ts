import { ALERT, type FailureDecision, NO_ALERT, REALERT, SUPPRESSED } from './store.js';

/** Width of one bin of the rate window, ms. */
export const SURGE_BIN_MS = 10_000;
export const MINUTE_MS = 60_000;

/** The settings of the failed-login surge detector. */
export interface SurgeSettings {
  minPerMinute: number;
  factor: number;
  halfLifeMs: number;
  windowMs: number;
  realertIntervalMs: number;
  /** A surge that comes back over within this many ms of falling below goes on. */
  keepFiringForMs: number;
}

/**
 * What the surge's settings make of its meter: the number of bins of its window, the EWMA's weight of
 * one minute, and the whole minutes of its warm-up. One derivation for every store.
 */
export function surgeShape(settings: { windowMs: number; halfLifeMs: number }): {
  bins: number;
  alpha: number;
  warmupMinutes: number;
} {
  return {
    bins: Math.ceil(settings.windowMs / SURGE_BIN_MS),
    alpha: 1 - 2 ** (-MINUTE_MS / settings.halfLifeMs),
    warmupMinutes: Math.ceil(settings.windowMs / MINUTE_MS),
  };
}

/**
 * The failed-login rate across all clients against its own learned baseline, O(1) per event (O(bins)
 * while a surge goes on) and constant memory.
 *
 * - Rate: failures of the last `windowMs` (in 10-second bins; the window is rounded up to whole bins),
 *   per minute.
 * - Baseline: an exponentially weighted moving average of each whole minute's failures, with the
 *   given half-life and the usual start-up correction (the average of what was seen so far, weighted).
 *   It learns nothing while a surge goes on, so an attack cannot teach it to look normal.
 * - The meter warms up for one window of whole minutes before it may fire (a service that starts
 *   with ordinary failures must not page).
 * - It is over while rate >= max(`minPerMinute`, `factor` × baseline); a crossing alerts once, then at
 *   most once per `realertIntervalMs` while it stays over; it ends when the rate falls below and stays
 *   below for `keepFiringForMs`.
 */
export class SurgeMeter {
  /** After an ALERT or REALERT: failures of this surge so far; after any decision: the rate, per minute. */
  lastCount = 0;
  lastSuppressed = 0;
  /** Until when the surge stays over if nothing else happens (-Infinity: not over). */
  lastOverUntil = Number.NEGATIVE_INFINITY;
  /** The baseline the current decision was made against, failures per minute. */
  lastBaseline = 0;

  private readonly bins: Uint32Array;
  private readonly alpha: number;
  private readonly warmupMinutes: number;
  private bin = Number.NaN; // the current bin's number (time / SURGE_BIN_MS)
  private sum = 0; // failures in the window's bins
  private minute = Number.NaN;
  private minuteCount = 0;
  private ewma = 0;
  private weight = 0; // how much of the average is real data: 1 - (1 - alpha)^minutes
  private minutesSeen = 0;
  private frozenNeeded = 0; // the count that makes a surge, fixed while one goes on
  private over = false;
  private episodeCount = 0;
  private lastAlertAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;
  private endedAt = Number.NEGATIVE_INFINITY;
  private belowSince = Number.NaN; // while over: when the count fell below what made the surge

  constructor(private readonly settings: SurgeSettings) {
    const { bins, alpha, warmupMinutes } = surgeShape(settings);
    this.bins = new Uint32Array(bins);
    this.alpha = alpha;
    this.warmupMinutes = warmupMinutes;
  }

  /** Records one failed login anywhere and decides (ALERT, REALERT, SUPPRESSED or NO_ALERT). */
  record(now: number): FailureDecision {
    this.settle(now);
    this.advance(now);
    const slot = this.bin % this.bins.length;
    this.bins[slot] = this.bins[slot]! + 1;
    this.sum++;
    this.minuteCount++;
    const needed = this.over ? this.frozenNeeded : this.needed();
    if (this.sum < needed || this.minutesSeen < this.warmupMinutes) return NO_ALERT;
    this.belowSince = Number.NaN; // back over: the surge goes on
    if (!this.over) {
      this.over = true;
      this.frozenNeeded = needed;
      this.episodeCount = this.sum;
      return this.alert(now, ALERT);
    }
    this.episodeCount++;
    if (now - this.lastAlertAt >= this.settings.realertIntervalMs) return this.alert(now, REALERT);
    this.suppressed++;
    this.lastCount = this.episodeCount;
    return SUPPRESSED;
  }

  /**
   * Until when the surge goes on if nothing else happens (a time after `now`); when it has ended, the
   * time it ended; -Infinity when there has been none.
   */
  overUntil(now: number): number {
    this.settle(now);
    if (!this.over) return this.endedAt;
    return Number.isNaN(this.belowSince) ? this.dropTime() : this.belowSince;
  }

  /** The learned baseline, failures per minute (0 before the first whole minute). */
  private baseline(): number {
    return this.weight > 0 ? this.ewma / this.weight : 0;
  }

  /** Failures of the rate window right now. */
  count(now: number): number {
    this.advance(now);
    return this.sum;
  }

  private alert(now: number, decision: FailureDecision): FailureDecision {
    this.lastAlertAt = now;
    this.lastCount = this.episodeCount;
    this.lastSuppressed = this.suppressed;
    this.suppressed = 0;
    this.lastOverUntil = this.dropTime();
    this.lastBaseline = this.baseline();
    return decision;
  }

  // Notes when a surge's count fell below what made it (computed from the bins before they move on to
  // `now`: they are the ones the count was made of), and ends it once it stayed below long enough.
  private settle(now: number): void {
    if (!this.over) return;
    if (Number.isNaN(this.belowSince)) {
      const drop = this.dropTime();
      if (drop > now) return;
      this.belowSince = drop;
    }
    if (this.belowSince + this.settings.keepFiringForMs > now) return;
    this.over = false;
    this.endedAt = this.belowSince;
    this.belowSince = Number.NaN;
  }

  // Failures of the window that make a surge now: the rate threshold times the window in minutes.
  private needed(): number {
    const perMinute = Math.max(this.settings.minPerMinute, this.settings.factor * this.baseline());
    return Math.ceil((perMinute * this.bins.length * SURGE_BIN_MS) / MINUTE_MS);
  }

  // When old bins leaving the window take the count below `frozenNeeded`, if no failure comes.
  private dropTime(): number {
    const size = this.bins.length;
    let sum = this.sum;
    for (let age = size - 1; age >= 0; age--) {
      const bin = this.bin - age;
      sum -= this.bins[bin % size]!;
      if (sum < this.frozenNeeded) return (bin + size) * SURGE_BIN_MS;
    }
    return (this.bin + size) * SURGE_BIN_MS;
  }

  // Moves the bins and the minute forward to `now`, expiring bins and learning finished minutes.
  private advance(now: number): void {
    const bin = Math.floor(now / SURGE_BIN_MS);
    if (Number.isNaN(this.bin)) {
      this.bin = bin;
      this.minute = Math.floor(now / MINUTE_MS);
      return;
    }
    if (bin > this.bin) {
      const size = this.bins.length;
      const steps = Math.min(bin - this.bin, size);
      for (let i = 1; i <= steps; i++) {
        const slot = (this.bin + i) % size;
        this.sum -= this.bins[slot]!;
        this.bins[slot] = 0;
      }
      this.bin = bin;
    }
    const minute = Math.floor(now / MINUTE_MS);
    if (minute > this.minute) {
      const passed = minute - this.minute;
      if (!this.over) this.learn(this.minuteCount, passed);
      this.minute = minute;
      this.minuteCount = 0;
    }
  }

  // One finished minute with `count` failures, then `passed - 1` empty ones (decayed in one step).
  private learn(count: number, passed: number): void {
    const keep = 1 - this.alpha;
    this.ewma = this.ewma * keep + this.alpha * count;
    this.weight = this.weight * keep + this.alpha;
    if (passed > 1) {
      const decay = powInteger(keep, passed - 1);
      this.ewma *= decay;
      this.weight = 1 - (1 - this.weight) * decay;
    }
    this.minutesSeen += passed;
  }
}

/**
 * `base` to the power `exponent` (a whole number >= 0) by repeated squaring: plain multiplications, so
 * the Redis store's Lua port (redis-detector-lua.ts) computes the same bits (`**` and C's `pow` can
 * differ in the last one).
 */
export function powInteger(base: number, exponent: number): number {
  let result = 1;
  let square = base;
  for (let rest = exponent; rest > 0; rest = Math.floor(rest / 2)) {
    if (rest % 2 === 1) result *= square;
    square *= square;
  }
  return result;
}
