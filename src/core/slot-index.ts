const EMPTY = 0;
const GOLDEN = 0x9e3779b1;

/**
 * Hash indexes from fixed-width integer keys to slot numbers, for the per-request path: open
 * addressing with linear probing in one `Int32Array`, Fibonacci hashing, and backward-shift deletion
 * (no tombstones, so lookups stay short under constant insert/evict churn). An index stores only
 * `slot + 1`; the key of a slot is read back from the owner's slot-indexed key array, so it costs 4
 * bytes per table entry and the table is kept at most half full. V8's `Map` would work too, but costs
 * ~4x the memory per entry, about twice the time per insert/delete pair, and (for string keys) keeps
 * a heap string per entry that outlives its eviction as garbage.
 */
abstract class SlotIndex {
  protected table: Int32Array;
  protected mask: number;
  protected shift: number;

  constructor(capacity: number) {
    const bits = tableBits(capacity);
    this.table = new Int32Array(1 << bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
  }

  /** The table position the key of `slot` hashes to. */
  protected abstract homeOf(slot: number): number;

  /** Stores `slot`, whose key must not be present yet. */
  insert(slot: number): void {
    const table = this.table;
    let at = this.homeOf(slot);
    while (table[at] !== EMPTY) at = (at + 1) & this.mask;
    table[at] = slot + 1;
  }

  /** Removes the entry for `slot`. */
  remove(slot: number): void {
    const table = this.table;
    const mask = this.mask;
    let hole = this.homeOf(slot);
    while (table[hole] !== slot + 1) hole = (hole + 1) & mask;
    // Backward shift: move later entries of the probe run into the hole when that brings them
    // no further from their home position than they were.
    let at = hole;
    for (;;) {
      at = (at + 1) & mask;
      const entry = table[at]!;
      if (entry === EMPTY) break;
      const home = this.homeOf(entry - 1);
      if (((hole - home) & mask) <= ((at - home) & mask)) {
        table[hole] = entry;
        hole = at;
      }
    }
    table[hole] = EMPTY;
  }

  /** Rebuilds the table when a new slot capacity needs a larger one. Call after the keys moved. */
  protected rehash(capacity: number): void {
    const bits = tableBits(capacity);
    if (1 << bits === this.table.length) return;
    const old = this.table;
    this.table = new Int32Array(1 << bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    for (const entry of old) if (entry !== EMPTY) this.insert(entry - 1);
  }
}

/** An index of 32-bit keys (IPv4 addresses); `keyOf[slot]` is the key of a slot. */
export class IntIndex extends SlotIndex {
  constructor(
    private keyOf: Int32Array,
    capacity: number,
  ) {
    super(capacity);
  }

  /** The slot stored for `key`, or -1. */
  get(key: number): number {
    const table = this.table;
    let at = Math.imul(key, GOLDEN) >>> this.shift;
    for (;;) {
      const entry = table[at]!;
      if (entry === EMPTY) return -1;
      if (this.keyOf[entry - 1] === key) return entry - 1;
      at = (at + 1) & this.mask;
    }
  }

  /** Takes the (possibly reallocated) slot-to-key array and a new slot capacity. */
  resize(keyOf: Int32Array, capacity: number): void {
    this.keyOf = keyOf;
    this.rehash(capacity);
  }

  protected homeOf(slot: number): number {
    return Math.imul(this.keyOf[slot]!, GOLDEN) >>> this.shift;
  }
}

/**
 * An index of 128-bit keys (IPv6 prefixes) held as four 32-bit words, most significant first:
 * `words[4 * slot]` .. `words[4 * slot + 3]` is the key of a slot.
 */
export class WideIndex extends SlotIndex {
  constructor(
    private words: Int32Array,
    capacity: number,
  ) {
    super(capacity);
  }

  /** The slot stored for the key in `key[0..3]`, or -1. */
  get(key: Int32Array): number {
    const table = this.table;
    const words = this.words;
    const k0 = key[0]!;
    const k1 = key[1]!;
    const k2 = key[2]!;
    const k3 = key[3]!;
    let at = wideHash(k0, k1, k2, k3) >>> this.shift;
    for (;;) {
      const entry = table[at]!;
      if (entry === EMPTY) return -1;
      const base = (entry - 1) * 4;
      if (words[base] === k0 && words[base + 1] === k1 && words[base + 2] === k2 && words[base + 3] === k3) {
        return entry - 1;
      }
      at = (at + 1) & this.mask;
    }
  }

  /** Takes the (possibly reallocated) slot-to-words array and a new slot capacity. */
  resize(words: Int32Array, capacity: number): void {
    this.words = words;
    this.rehash(capacity);
  }

  protected homeOf(slot: number): number {
    const words = this.words;
    const base = slot * 4;
    return wideHash(words[base]!, words[base + 1]!, words[base + 2]!, words[base + 3]!) >>> this.shift;
  }
}

// Mixes four words into one before the Fibonacci step; a /64 prefix has its entropy in the first two.
function wideHash(k0: number, k1: number, k2: number, k3: number): number {
  let h = Math.imul(k0, 0x85ebca6b) ^ k1;
  h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35) ^ k2;
  h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f) ^ k3;
  return Math.imul(h ^ (h >>> 16), GOLDEN);
}

// Table of at least twice the capacity, a power of two (minimum 16).
function tableBits(capacity: number): number {
  let bits = 4;
  while (1 << bits < capacity * 2) bits++;
  return bits;
}
