import { IntIndex, WideIndex } from './slot-index.js';

/** No slot. */
export const NONE = -1;
const INITIAL_CAPACITY = 1024;

/** The kinds of key a table holds: a 32-bit integer, 128 bits as four words, or the one shared key. */
export const INT_KEY = 0;
export const WIDE_KEY = 1;
export const SHARED_KEY = 2;
export type KeyKind = typeof INT_KEY | typeof WIDE_KEY | typeof SHARED_KEY;

/**
 * The bounded part of every per-key table (clients, networks, accounts): at most `capacity` keys,
 * each in a numbered slot; past the capacity the least recently active key is evicted (LRU, O(1));
 * a key idle for `idleMs` is dropped, and counts as active while it was seen within `activeMs` (at most
 * `idleMs`: a table may keep a key a while after it stops counting). Keys live in typed arrays (integers in an {@link IntIndex},
 * 128-bit keys in a {@link WideIndex}), so no per-key object or string is kept and nothing is left
 * behind as garbage when keys churn. Subclasses keep their per-key state in arrays of their own,
 * indexed by slot, grown in {@link growState}. Time must not go backwards (the monitor clamps it).
 */
export abstract class SlotTable {
  /** Keys evicted because the table was full. */
  evicted = 0;

  private intKeys = new Int32Array(0);
  private readonly intIndex: IntIndex;
  private wideWords = new Int32Array(0);
  private readonly wideIndex: WideIndex;
  private sharedSlot = NONE;
  private keyKind = new Uint8Array(0);

  private size = 0;
  private allocated = 0;
  protected slots = 0;
  private freeHead = NONE;
  private oldest = NONE;
  private newest = NONE;
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  protected lastSeen = new Float64Array(0);

  constructor(
    private readonly idleMs: number,
    private readonly activeMs: number,
    readonly capacity: number,
  ) {
    this.intIndex = new IntIndex(this.intKeys, 0);
    this.wideIndex = new WideIndex(this.wideWords, 0);
  }

  /**
   * Keys with activity inside the last `activeMs` (drops idle ones first). O(1) when `activeMs` is
   * `idleMs`; otherwise walks the keys kept past `activeMs`, from the least recently active end.
   */
  activeCount(now: number): number {
    this.expireIdle(now);
    let inactive = 0;
    const cutoff = now - this.activeMs;
    for (let slot = this.oldest; slot !== NONE && this.lastSeen[slot]! <= cutoff; slot = this.next[slot]!) {
      inactive++;
    }
    return this.size - inactive;
  }

  /** Called when a new slot is taken: subclasses reset their state for it. */
  protected abstract resetState(slot: number): void;

  /** Called when the arrays grow to `slots` slots: subclasses grow theirs. */
  protected abstract growState(slots: number): void;

  /**
   * The slot of a key, or {@link NONE}; does not mark it active. `intKey` is read for
   * {@link INT_KEY}, `words[0..3]` for {@link WIDE_KEY}.
   */
  protected find(kind: KeyKind, intKey: number, words: Int32Array): number {
    if (kind === INT_KEY) return this.intIndex.get(intKey);
    if (kind === WIDE_KEY) return this.wideWords.length === 0 ? NONE : this.wideIndex.get(words);
    return this.sharedSlot;
  }

  /** Finds or creates the key's slot and marks it the most recently active. */
  protected touch(kind: KeyKind, intKey: number, words: Int32Array, now: number): number {
    this.expireIdle(now);
    let slot = this.find(kind, intKey, words);
    if (slot === NONE) {
      slot = this.allocate();
      this.keyKind[slot] = kind;
      if (kind === INT_KEY) {
        this.intKeys[slot] = intKey;
        this.intIndex.insert(slot);
      } else if (kind === WIDE_KEY) {
        if (this.wideWords.length === 0) this.growWide(this.slots);
        this.wideWords.set(words, slot * 4);
        this.wideIndex.insert(slot);
      } else {
        this.sharedSlot = slot;
      }
      this.size++;
      this.resetState(slot);
      this.linkNewest(slot);
    } else if (slot !== this.newest) {
      this.unlink(slot);
      this.linkNewest(slot);
    }
    this.lastSeen[slot] = now;
    return slot;
  }

  // The list is ordered by last activity, so idle keys are always at the old end.
  protected expireIdle(now: number): void {
    const cutoff = now - this.idleMs;
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
      this.grow(Math.min(this.capacity, Math.max(INITIAL_CAPACITY, this.slots * 2)));
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
    if (kind === INT_KEY) this.intIndex.remove(slot);
    else if (kind === WIDE_KEY) this.wideIndex.remove(slot);
    else this.sharedSlot = NONE;
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
    this.lastSeen = resized(this.lastSeen, slots);
    this.prev = resized(this.prev, slots);
    this.next = resized(this.next, slots);
    this.keyKind = resized(this.keyKind, slots);
    this.intKeys = resized(this.intKeys, slots);
    this.intIndex.resize(this.intKeys, slots);
    if (this.wideWords.length > 0) this.growWide(slots);
    this.growState(slots);
    this.slots = slots;
  }

  private growWide(slots: number): void {
    this.wideWords = resized(this.wideWords, slots * 4);
    this.wideIndex.resize(this.wideWords, slots);
  }
}

type TypedArray = Float64Array | Uint16Array | Uint32Array | Int32Array | Uint8Array;

/** A copy of `array` with room for `length` items (the existing ones kept). */
export function resized<T extends TypedArray>(array: T, length: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array.length > length ? array.subarray(0, length) : array);
  return bigger;
}
