const EMPTY = 0;

/**
 * A hash index from 32-bit integer keys (IPv4 addresses) to slot numbers, for the per-request path:
 * open addressing with linear probing in one `Int32Array`, Fibonacci hashing, and backward-shift
 * deletion (no tombstones, so lookups stay short under constant insert/evict churn). It stores only
 * `slot + 1`; the key of a slot is read back through `keyOf`, so the index costs 4 bytes per table
 * entry and the table is kept at most half full. `V8`'s `Map` would work too, but costs ~4x the
 * memory per entry and about twice the time per insert/delete pair.
 */
export class IntIndex {
  private table: Int32Array;
  private mask: number;
  private shift: number;

  constructor(
    private keyOf: Int32Array,
    capacity: number,
  ) {
    const bits = tableBits(capacity);
    this.table = new Int32Array(1 << bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
  }

  /** The slot stored for `key`, or -1. */
  get(key: number): number {
    const table = this.table;
    let at = Math.imul(key, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const entry = table[at]!;
      if (entry === EMPTY) return -1;
      if (this.keyOf[entry - 1] === key) return entry - 1;
      at = (at + 1) & this.mask;
    }
  }

  /** Stores `slot` for the key `keyOf[slot]`, which must not be present yet. */
  insert(slot: number): void {
    const table = this.table;
    let at = Math.imul(this.keyOf[slot]!, 0x9e3779b1) >>> this.shift;
    while (table[at] !== EMPTY) at = (at + 1) & this.mask;
    table[at] = slot + 1;
  }

  /** Removes the entry for `slot` (its key is `keyOf[slot]`). */
  remove(slot: number): void {
    const table = this.table;
    const mask = this.mask;
    let hole = Math.imul(this.keyOf[slot]!, 0x9e3779b1) >>> this.shift;
    while (table[hole] !== slot + 1) hole = (hole + 1) & mask;
    // Backward shift: move later entries of the probe run into the hole when that brings them
    // no further from their home position than they were.
    let at = hole;
    for (;;) {
      at = (at + 1) & mask;
      const entry = table[at]!;
      if (entry === EMPTY) break;
      const home = Math.imul(this.keyOf[entry - 1]!, 0x9e3779b1) >>> this.shift;
      const distanceNow = (at - home) & mask;
      const distanceInHole = (hole - home) & mask;
      if (distanceInHole <= distanceNow) {
        table[hole] = entry;
        hole = at;
      }
    }
    table[hole] = EMPTY;
  }

  /**
   * Takes the (possibly reallocated) slot-to-key array and a new slot capacity; rebuilds the table
   * when the capacity needs a larger one.
   */
  resize(keyOf: Int32Array, capacity: number): void {
    this.keyOf = keyOf;
    const bits = tableBits(capacity);
    if (1 << bits === this.table.length) return;
    const old = this.table;
    this.table = new Int32Array(1 << bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    for (const entry of old) if (entry !== EMPTY) this.insert(entry - 1);
  }
}

// Table of at least twice the capacity, a power of two (minimum 16).
function tableBits(capacity: number): number {
  let bits = 4;
  while (1 << bits < capacity * 2) bits++;
  return bits;
}
