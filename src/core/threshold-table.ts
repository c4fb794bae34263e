import { type KeyKind, NONE, resized, SlotTable } from './slot-table.js';
import { ALERT, type FailureDecision, NO_ALERT, REALERT, SUPPRESSED, type WindowSettings } from './store.js';

/** The settings of one threshold detector's table. */
export interface ThresholdSettings {
  /** Failures inside the window that make a crossing (0: no failure count, only distinct ones). */
  threshold: number;
  /**
   * Distinct "others" (accounts of a client, clients of an account or network) that must have failed
   * inside the window too (0: none needed).
   */
  distinct: number;
  windowMs: number;
  realertIntervalMs: number;
  /** Coming back over within this many ms of falling below continues the episode. */
  keepFiringForMs: number;
  capacity: number;
}

/**
 * The tables of the account-takeover threshold detectors that are enabled (undefined when off), as
 * every store reads them: credential stuffing counts distinct accounts per client, account and
 * network brute force count failures with distinct clients. One definition, so the memory store and
 * the Redis store's scripts cannot drift.
 */
export function takeoverTables(settings: WindowSettings): {
  stuffing: ThresholdSettings | undefined;
  accounts: ThresholdSettings | undefined;
  networks: ThresholdSettings | undefined;
} {
  const { credentialStuffing: cs, accountBruteForce: ab, networkBruteForce: nb, keepFiringForMs } = settings;
  const table = (
    threshold: number,
    distinct: number,
    detector: { windowMs: number; realertIntervalMs: number },
    capacity: number,
  ): ThresholdSettings => ({
    threshold,
    distinct,
    windowMs: detector.windowMs,
    realertIntervalMs: detector.realertIntervalMs,
    keepFiringForMs,
    capacity,
  });
  return {
    stuffing: cs.enabled ? table(0, cs.accounts, cs, settings.maxTrackedIps) : undefined,
    accounts: ab.enabled ? table(ab.threshold, ab.minClients, ab, settings.maxTrackedAccounts) : undefined,
    networks: nb.enabled ? table(nb.threshold, nb.minClients, nb, nb.maxTracked) : undefined,
  };
}

/**
 * Per-key state of one threshold detector, exact over a sliding window and bounded in every
 * direction (see {@link SlotTable}). A key is *over* while
 *
 * - at least `threshold` of its failures lie inside the window: the key keeps a ring of its last
 *   `threshold` failure times, and is over exactly when the oldest of them is inside the window; and
 * - at least `distinct` distinct others failed with it inside the window: the key keeps its
 *   `distinct` most recently seen others with their last times (an LRU of that size), and they are
 *   all distinct and inside the window exactly when the least recent of them is.
 *
 * So each event is O(threshold-independent) for the ring and O(`distinct`) for the set, and the
 * memory per key does not depend on how fast it is attacked. Others are numbers (an address, or a
 * 53-bit hash of an account or IPv6 prefix): two others with the same hash count as one.
 *
 * A crossing starts an *episode*; it lasts while the key stays over, and ends at `overUntil`, the
 * moment the oldest of the counted failures (or others) leaves the window, unless the key comes back
 * over within `keepFiringForMs` of that moment. A failure later than that which is over again is a
 * new crossing, even if no failure came while the key was below.
 */
export class ThresholdTable extends SlotTable {
  /** After a decision other than NO_ALERT: failures of the key since its crossing (from the threshold up). */
  lastCount = 0;
  /** After ALERT or REALERT: attempts suppressed for the key since its previous alert. */
  lastSuppressed = 0;
  /** After any decision: until when the key stays over if nothing else happens (-Infinity: not over). */
  lastOverUntil = Number.NEGATIVE_INFINITY;

  private readonly threshold: number;
  private readonly distinct: number;
  private readonly windowMs: number;
  protected readonly realertIntervalMs: number;
  private readonly keepFiringForMs: number;

  private stamps = new Float64Array(0);
  private ringHead = new Uint16Array(0);
  private ringFilled = new Uint16Array(0);
  private others = new Float64Array(0);
  private otherTimes = new Float64Array(0);
  private otherFilled = new Uint16Array(0);
  private episode = new Uint32Array(0);
  private lastAlertAt = new Float64Array(0);
  private suppressed = new Uint32Array(0);
  private overUntil = new Float64Array(0);

  constructor(settings: ThresholdSettings) {
    // A key stays while its episode may still continue (window + keep-firing time), so the moment it
    // fell below is known until the episode ends for good; it counts as active for the window only.
    super(settings.windowMs + settings.keepFiringForMs, settings.windowMs, settings.capacity);
    this.threshold = settings.threshold;
    this.distinct = settings.distinct;
    this.windowMs = settings.windowMs;
    this.realertIntervalMs = settings.realertIntervalMs;
    this.keepFiringForMs = settings.keepFiringForMs;
  }

  /**
   * Records one failure of a key (with `other`, the account or client it came with; unused by a table
   * that counts no distinct others). Returns ALERT when it makes a
   * crossing, REALERT when the key is still over and `realertIntervalMs` has passed since its last
   * alert, SUPPRESSED when over but alerted recently, NO_ALERT otherwise.
   */
  record(kind: KeyKind, intKey: number, words: Int32Array, other: number, now: number): FailureDecision {
    const slot = this.touch(kind, intKey, words, now);
    const since = now - this.windowMs;
    let until = Number.POSITIVE_INFINITY;
    let over = true;

    const threshold = this.threshold;
    if (threshold > 0) {
      const base = slot * threshold;
      let head = this.ringHead[slot]!;
      this.stamps[base + head] = now;
      head = head + 1 === threshold ? 0 : head + 1;
      this.ringHead[slot] = head;
      const filled = this.ringFilled[slot]!;
      if (filled < threshold) this.ringFilled[slot] = filled + 1;
      // With the ring full, `head` now points at the oldest of the last `threshold` failures.
      const oldest = this.stamps[base + head]!;
      over = filled + 1 >= threshold && oldest > since;
      until = oldest + this.windowMs;
    }
    if (this.distinct > 0) {
      const least = this.rememberOther(slot, other, now);
      if (this.otherFilled[slot]! < this.distinct || least <= since) over = false;
      else if (least + this.windowMs < until) until = least + this.windowMs;
    }

    if (!over) {
      // Below. The stored end of the last episode (in the past: a failure never takes a key from over
      // to below) stays, for overUntilOf and to tell whether coming back over continues the episode.
      this.lastOverUntil = Number.NEGATIVE_INFINITY;
      return NO_ALERT;
    }
    const episode = this.episode[slot]!;
    // The previous episode is over for good: the key fell below longer than keepFiringForMs ago.
    const ended = this.overUntil[slot]! + this.keepFiringForMs <= now;
    this.overUntil[slot] = until;
    this.lastOverUntil = until;
    if (episode === 0 || ended) {
      this.episode[slot] = Math.max(threshold, this.distinct);
      return this.alert(slot, now, ALERT);
    }
    this.episode[slot] = episode + 1;
    if (now - this.lastAlertAt[slot]! >= this.realertIntervalMs) return this.alert(slot, now, REALERT);
    this.suppressed[slot] = this.suppressed[slot]! + 1;
    this.lastCount = episode + 1;
    return SUPPRESSED;
  }

  /**
   * Until when the key stays over if nothing else happens: a time after `now` while it is over; the
   * time its last episode ended when that is past; -Infinity when it never was over, or is no longer
   * tracked. Does not mark the key active.
   */
  overUntilOf(kind: KeyKind, intKey: number, words: Int32Array, now: number): number {
    this.expireIdle(now);
    const slot = this.find(kind, intKey, words);
    return slot === NONE ? Number.NEGATIVE_INFINITY : this.overUntil[slot]!;
  }

  /**
   * How big the key's attack is: while an episode goes on, the failures since its crossing; otherwise
   * its failures inside the window (for `threshold` > 0) or distinct others in it.
   */
  attackCount(kind: KeyKind, intKey: number, words: Int32Array, now: number): number {
    this.expireIdle(now);
    const slot = this.find(kind, intKey, words);
    if (slot === NONE) return 0;
    const episode = this.episode[slot]!;
    if (episode > 0 && this.overUntil[slot]! + this.keepFiringForMs > now) return episode;
    const since = now - this.windowMs;
    let count = 0;
    if (this.threshold > 0) {
      const base = slot * this.threshold;
      for (let i = 0; i < this.ringFilled[slot]!; i++) if (this.stamps[base + i]! > since) count++;
      return count;
    }
    const base = slot * this.distinct;
    for (let i = 0; i < this.otherFilled[slot]!; i++) if (this.otherTimes[base + i]! > since) count++;
    return count;
  }

  /** The time of the key's last failure, or -Infinity when it is not tracked. */
  lastSeenOf(kind: KeyKind, intKey: number, words: Int32Array, now: number): number {
    this.expireIdle(now);
    const slot = this.find(kind, intKey, words);
    return slot === NONE ? Number.NEGATIVE_INFINITY : this.lastSeen[slot]!;
  }

  protected resetState(slot: number): void {
    this.ringHead[slot] = 0;
    this.ringFilled[slot] = 0;
    this.otherFilled[slot] = 0;
    this.suppressed[slot] = 0;
    this.episode[slot] = 0;
    this.lastAlertAt[slot] = Number.NEGATIVE_INFINITY;
    this.overUntil[slot] = Number.NEGATIVE_INFINITY;
  }

  protected growState(slots: number): void {
    this.stamps = resized(this.stamps, slots * this.threshold);
    this.ringHead = resized(this.ringHead, slots);
    this.ringFilled = resized(this.ringFilled, slots);
    this.others = resized(this.others, slots * this.distinct);
    this.otherTimes = resized(this.otherTimes, slots * this.distinct);
    this.otherFilled = resized(this.otherFilled, slots);
    this.episode = resized(this.episode, slots);
    this.lastAlertAt = resized(this.lastAlertAt, slots);
    this.suppressed = resized(this.suppressed, slots);
    this.overUntil = resized(this.overUntil, slots);
  }

  private alert(slot: number, now: number, decision: FailureDecision): FailureDecision {
    this.lastAlertAt[slot] = now;
    this.lastCount = this.episode[slot]!;
    this.lastSuppressed = this.suppressed[slot]!;
    this.suppressed[slot] = 0;
    return decision;
  }

  /**
   * Puts `other` (seen at `now`) into the key's set of its most recently seen others, replacing the
   * least recent one when the set is full; returns the least recent time left in the set.
   */
  private rememberOther(slot: number, other: number, now: number): number {
    const size = this.distinct;
    const base = slot * size;
    const filled = this.otherFilled[slot]!;
    let at = -1;
    let leastAt = -1;
    let least = Number.POSITIVE_INFINITY;
    for (let i = 0; i < filled; i++) {
      const time = this.otherTimes[base + i]!;
      if (this.others[base + i] === other) at = i;
      else if (time < least) {
        least = time;
        leastAt = i;
      }
    }
    if (at < 0) {
      if (filled < size) {
        at = filled;
        this.otherFilled[slot] = filled + 1;
      } else {
        at = leastAt;
        least = Number.POSITIVE_INFINITY; // the least recent one is replaced: find the next least
        for (let i = 0; i < filled; i++) {
          if (i === at) continue;
          const time = this.otherTimes[base + i]!;
          if (time < least) least = time;
        }
      }
      this.others[base + at] = other;
    }
    this.otherTimes[base + at] = now;
    return Math.min(now, least);
  }
}
