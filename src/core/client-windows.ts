import { type ClientKey, ipv6KeyWords, UNPARSEABLE } from './client-address.js';
import { IntIndex, WideIndex } from './slot-index.js';
import { ALERT, type FailureDecision, NO_ALERT, SUPPRESSED } from './store.js';

const NONE = -1;
const INITIAL_CAPACITY = 1024;

// What kind of key a slot holds, so releasing it updates the right index.
const IPV4 = 0;
const IPV6 = 1;
const OTHER = 2; // the shared unparseable key

// The words of the IPv6 key being looked up (calls are synchronous: one buffer suffices).
const lookup = new Int32Array(4);

/**
 * Per-client state for brute-force detection, bounded in every direction:
 *
 * - at most `capacity` clients; past it the least recently active one is evicted (LRU, O(1));
 * - a client idle for `windowMs` is dropped (it has no failure left inside the window);
 * - per client, a ring of the last `threshold` failure times: the client is at or over the
 *   threshold exactly when the oldest of those is still inside the window, so each event is O(1)
 *   and memory per client does not depend on how fast it attacks.
 *
 * State lives in typed arrays indexed by slot number (struct of arrays) rather than in one object
 * per client: no per-event allocation, about `8 * threshold + 57` bytes per slot plus ~10 bytes of
 * index, and 16 more per slot once an IPv6 client is seen (its 128-bit key, so no string is kept per
 * client: an IPv6 spray leaves no garbage behind). Arrays grow by doubling up to `capacity`. Time
 * must not go backwards (the monitor clamps it).
 */
export class ClientWindows {
  /** Clients evicted because the table was full. */
  evicted = 0;
  /** After {@link recordFailure} returned ALERT: failures from the client in this crossing episode. */
  lastCount = 0;
  /** After an ALERT: attempts suppressed for the client since its previous alert. */
  lastSuppressed = 0;

  // IPv4 clients (integer keys) are indexed by an IntIndex, IPv6 prefixes (four words each,
  // allocated when the first one arrives) by a WideIndex; the shared unparseable key has one slot.
  private intKeys = new Int32Array(0);
  private readonly intIndex: IntIndex;
  private v6Words = new Int32Array(0);
  private readonly v6Index: WideIndex;
  private unparseableSlot = NONE;
  private keyKind = new Uint8Array(0);
  private size = 0;
  private allocated = 0;
  private slots = 0;
  private freeHead = NONE;
  private oldest = NONE;
  private newest = NONE;

  private stamps = new Float64Array(0);
  private lastSeen = new Float64Array(0);
  private lastAlertAt = new Float64Array(0);
  private lastRateLimitAlertAt = new Float64Array(0);
  private ringHead = new Uint16Array(0);
  private ringFilled = new Uint16Array(0);
  private suppressed = new Uint32Array(0);
  private episode = new Uint32Array(0);
  private prev = new Int32Array(0);
  private next = new Int32Array(0);

  constructor(
    private readonly threshold: number,
    private readonly windowMs: number,
    private readonly realertIntervalMs: number,
    readonly capacity: number,
  ) {
    this.intIndex = new IntIndex(this.intKeys, 0);
    this.v6Index = new WideIndex(this.v6Words, 0);
    this.grow(Math.min(capacity, INITIAL_CAPACITY));
  }

  /** Clients with activity inside the window (drops idle ones first). */
  activeCount(now: number): number {
    this.expireIdle(now);
    return this.size;
  }

  /**
   * Records one failed login. Returns ALERT when this failure takes the client to the threshold
   * (a crossing) or when it is still over the threshold and `realertIntervalMs` has passed since its
   * last alert; SUPPRESSED when it is over but alerted recently; NO_ALERT otherwise.
   */
  recordFailure(key: ClientKey, now: number): FailureDecision {
    const slot = this.touch(key, now);
    const threshold = this.threshold;
    const base = slot * threshold;
    let head = this.ringHead[slot]!;
    this.stamps[base + head] = now;
    head = head + 1 === threshold ? 0 : head + 1;
    this.ringHead[slot] = head;
    const filled = this.ringFilled[slot]!;
    if (filled < threshold) this.ringFilled[slot] = filled + 1;
    // When the ring is full, `head` now points at the oldest of the last `threshold` failures.
    const over = filled + 1 >= threshold && this.stamps[base + head]! > now - this.windowMs;
    if (!over) {
      this.episode[slot] = 0; // below the threshold: the next crossing alerts again
      return NO_ALERT;
    }
    const episode = this.episode[slot]!;
    if (episode === 0) {
      this.episode[slot] = threshold;
      return this.alert(slot, threshold, now);
    }
    this.episode[slot] = episode + 1;
    if (now - this.lastAlertAt[slot]! >= this.realertIntervalMs) return this.alert(slot, episode + 1, now);
    this.suppressed[slot] = this.suppressed[slot]! + 1;
    return SUPPRESSED;
  }

  /**
   * Records a request from a client that is already rate limited. Returns true when an alert is due:
   * at most one per client per `realertIntervalMs`, so a blocked client that keeps coming does not
   * cause an alert storm.
   */
  recordRateLimited(key: ClientKey, now: number): boolean {
    const slot = this.touch(key, now);
    if (now - this.lastRateLimitAlertAt[slot]! < this.realertIntervalMs) return false;
    this.lastRateLimitAlertAt[slot] = now;
    return true;
  }

  private alert(slot: number, count: number, now: number): FailureDecision {
    this.lastAlertAt[slot] = now;
    this.lastCount = count;
    this.lastSuppressed = this.suppressed[slot]!;
    this.suppressed[slot] = 0;
    return ALERT;
  }

  /** Finds or creates the client's slot and marks it the most recently active. */
  private touch(key: ClientKey, now: number): number {
    this.expireIdle(now);
    const kind =
      typeof key === 'number' ? IPV4 : key !== UNPARSEABLE && ipv6KeyWords(key, lookup) ? IPV6 : OTHER;
    let slot =
      kind === IPV4
        ? this.intIndex.get(key as number)
        : kind === IPV6
          ? this.v6Index.get(lookup)
          : this.unparseableSlot;
    if (slot === NONE) {
      slot = this.allocate();
      this.keyKind[slot] = kind;
      if (kind === IPV4) {
        this.intKeys[slot] = key as number;
        this.intIndex.insert(slot);
      } else if (kind === IPV6) {
        if (this.v6Words.length === 0) this.resizeV6Words(this.slots);
        this.v6Words.set(lookup, slot * 4);
        this.v6Index.insert(slot);
      } else {
        this.unparseableSlot = slot;
      }
      this.size++;
      this.ringHead[slot] = 0;
      this.ringFilled[slot] = 0;
      this.suppressed[slot] = 0;
      this.episode[slot] = 0;
      this.lastAlertAt[slot] = Number.NEGATIVE_INFINITY;
      this.lastRateLimitAlertAt[slot] = Number.NEGATIVE_INFINITY;
      this.linkNewest(slot);
    } else if (slot !== this.newest) {
      this.unlink(slot);
      this.linkNewest(slot);
    }
    this.lastSeen[slot] = now;
    return slot;
  }

  // The list is ordered by last activity, so idle clients are always at the old end.
  private expireIdle(now: number): void {
    const cutoff = now - this.windowMs;
    let slot = this.oldest;
    while (slot !== NONE && this.lastSeen[slot]! <= cutoff) {
      this.release(slot);
      slot = this.oldest;
    }
  }

  private allocate(): number {
    if (this.freeHead !== NONE) {
      const slot = this.freeHead;
      this.freeHead = this.next[slot]!;
      return slot;
    }
    if (this.allocated === this.slots && this.slots < this.capacity) {
      this.grow(Math.min(this.capacity, this.slots * 2));
    }
    if (this.allocated < this.slots) return this.allocated++;
    const victim = this.oldest;
    this.evicted++;
    this.release(victim);
    return this.allocate();
  }

  private release(slot: number): void {
    this.unlink(slot);
    const kind = this.keyKind[slot];
    if (kind === IPV4) this.intIndex.remove(slot);
    else if (kind === IPV6) this.v6Index.remove(slot);
    else this.unparseableSlot = NONE;
    this.size--;
    this.next[slot] = this.freeHead;
    this.freeHead = slot;
  }

  private linkNewest(slot: number): void {
    this.prev[slot] = this.newest;
    this.next[slot] = NONE;
    if (this.newest === NONE) this.oldest = slot;
    else this.next[this.newest] = slot;
    this.newest = slot;
  }

  private unlink(slot: number): void {
    const before = this.prev[slot]!;
    const after = this.next[slot]!;
    if (before === NONE) this.oldest = after;
    else this.next[before] = after;
    if (after === NONE) this.newest = before;
    else this.prev[after] = before;
  }

  private grow(slots: number): void {
    this.stamps = resized(this.stamps, slots * this.threshold);
    this.lastSeen = resized(this.lastSeen, slots);
    this.lastAlertAt = resized(this.lastAlertAt, slots);
    this.lastRateLimitAlertAt = resized(this.lastRateLimitAlertAt, slots);
    this.ringHead = resized(this.ringHead, slots);
    this.ringFilled = resized(this.ringFilled, slots);
    this.suppressed = resized(this.suppressed, slots);
    this.episode = resized(this.episode, slots);
    this.prev = resized(this.prev, slots);
    this.next = resized(this.next, slots);
    this.keyKind = resized(this.keyKind, slots);
    this.intKeys = resized(this.intKeys, slots);
    this.intIndex.resize(this.intKeys, slots);
    if (this.v6Words.length > 0) this.resizeV6Words(slots);
    this.slots = slots;
  }

  private resizeV6Words(slots: number): void {
    this.v6Words = resized(this.v6Words, slots * 4);
    this.v6Index.resize(this.v6Words, slots);
  }
}

type TypedArray = Float64Array | Uint16Array | Uint32Array | Int32Array | Uint8Array;

function resized<T extends TypedArray>(array: T, length: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array);
  return bigger;
}
