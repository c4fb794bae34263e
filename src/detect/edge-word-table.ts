// A lookup table of short ASCII words keyed by a hash of a word's length and its first two and last two
// characters. A scanner computes that hash once, after it has found where a word ends, instead of
// hashing every character as it reads: most words it reads are never looked up.
import { lower } from './word-table.js';

/**
 * The hash {@link EdgeWordTable} is keyed by, of `text[start..end)` (at least 2 characters), lower-cased.
 * A constant number of reads whatever the word's length.
 */
export function edgeHash(text: string, start: number, end: number): number {
  let hash = Math.imul((end - start) ^ 0x811c9dc5, 0x01000193);
  hash = Math.imul(hash ^ lower(text.charCodeAt(start)), 0x01000193);
  hash = Math.imul(hash ^ lower(text.charCodeAt(start + 1)), 0x01000193);
  hash = Math.imul(hash ^ lower(text.charCodeAt(end - 2)), 0x01000193);
  hash = Math.imul(hash ^ lower(text.charCodeAt(end - 1)), 0x01000193);
  return hash ^ (hash >>> 15);
}

/** Maps lower-case ASCII words (2 characters or more) to numbers; open addressing over typed arrays. */
export class EdgeWordTable {
  private keys = new Int32Array(64);
  private slots = new Int32Array(64); // entry index + 1; 0 marks an empty slot
  private mask = 63;
  private readonly words: string[] = [];
  private readonly values: number[] = [];

  /** Adds `word` (lower case, 2 characters or more) or replaces its value. */
  set(word: string, value: number): void {
    const existing = this.find(edgeHash(word, 0, word.length), word, 0, word.length);
    if (existing >= 0) {
      this.values[existing] = value;
      return;
    }
    this.words.push(word);
    this.values.push(value);
    // At most a quarter full, so a miss usually reads one empty slot.
    if (this.words.length * 4 > this.mask + 1) this.grow();
    else this.insert(this.words.length - 1);
  }

  /** The value of `text[start..end)` (compared case-insensitively, at least 2 characters), or 0. */
  get(text: string, start: number, end: number): number {
    const entry = this.find(edgeHash(text, start, end), text, start, end);
    return entry < 0 ? 0 : this.values[entry]!;
  }

  private find(hash: number, text: string, start: number, end: number): number {
    const { keys, slots, mask } = this;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot]!;
      if (entry === 0) return -1;
      if (keys[slot] === hash && sameText(this.words[entry - 1]!, text, start, end)) return entry - 1;
      slot = (slot + 1) & mask;
    }
  }

  private insert(index: number): void {
    const word = this.words[index]!;
    const hash = edgeHash(word, 0, word.length);
    let slot = hash & this.mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    this.keys[slot] = hash;
    this.slots[slot] = index + 1;
  }

  private grow(): void {
    const size = (this.mask + 1) * 2;
    this.keys = new Int32Array(size);
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < this.words.length; i++) this.insert(i);
  }
}

function sameText(word: string, text: string, start: number, end: number): boolean {
  if (word.length !== end - start) return false;
  for (let i = 0; i < word.length; i++) {
    if (lower(text.charCodeAt(start + i)) !== word.charCodeAt(i)) return false;
  }
  return true;
}
