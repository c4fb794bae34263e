// Lookup tables of short ASCII words, so scanners can recognise a word they found in a string (or in
// code units) without slicing it out. Open addressing over typed arrays: a lookup is a few array
// reads, and a miss usually costs one. Also the ASCII case folding they and the path side use (here,
// in the module of its hottest callers, the hashes: an imported call in their loops costs more).

const HASH_SEED = 0x811c9dc5 | 0;

// Adds one (already lower-cased) character code to an FNV-1a hash.
function hashStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x01000193);
}

/** Upper-case ASCII letters become lower-case; everything else is returned unchanged. */
export function lowerCode(c: number): number {
  return c >= 65 && c <= 90 ? c | 0x20 : c;
}

/** Whether `text[start..end)` starts with `word` (lower case), compared case-insensitively. */
export function startsWith(text: string, start: number, end: number, word: string): boolean {
  if (end - start < word.length) return false;
  for (let k = 0; k < word.length; k++) {
    if (lowerCode(text.charCodeAt(start + k)) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** The FNV-1a hash of `text[start..end)`, lower-cased: what a {@link WordTable} is keyed by. */
function hashText(text: string, start: number, end: number): number {
  let hash = HASH_SEED;
  for (let i = start; i < end; i++) hash = hashStep(hash, lowerCode(text.charCodeAt(i)));
  return hash;
}

/** Each word of `names` (separated by white space) paired with `value`, to fill a word table. */
export function wordEntries<T>(names: string, value: T): (readonly [string, T])[] {
  return names
    .trim()
    .split(/\s+/)
    .map((name) => [name, value] as const);
}

/**
 * Maps lower-case ASCII words to values, keyed by {@link hashText} and kept at most half full. Words
 * are compared case-insensitively, in a string or in code units.
 */
export class WordTable<T> {
  private keys = new Int32Array(64);
  private slots = new Int32Array(64); // entry index + 1; 0 marks an empty slot
  private mask = 63;
  private readonly words: string[] = [];
  private readonly values: T[] = [];

  constructor(words?: Iterable<readonly [string, T]>) {
    if (words) for (const [word, value] of words) this.set(word, value);
  }

  /** Adds `word` (lower case) or replaces its value. */
  set(word: string, value: T): void {
    const existing = this.find(hashText(word, 0, word.length), word, 0, word.length);
    if (existing >= 0) {
      this.values[existing] = value;
      return;
    }
    this.words.push(word);
    this.values.push(value);
    if (this.words.length * 2 > this.mask + 1) this.grow();
    else this.insert(this.words.length - 1);
  }

  /** The value of the word `text[start..end)`, or undefined. */
  lookupText(text: string, start: number, end: number): T | undefined {
    return this.value(this.find(hashText(text, start, end), text, start, end));
  }

  /** The value of a whole string, or undefined. */
  lookupString(word: string): T | undefined {
    return this.lookupText(word, 0, word.length);
  }

  /** The value of the word in the code units `codes[start..end)`, or undefined. */
  lookupCodes(codes: Uint16Array, start: number, end: number): T | undefined {
    let hash = HASH_SEED;
    for (let i = start; i < end; i++) hash = hashStep(hash, lowerCode(codes[i]!));
    return this.value(this.findCodes(hash, codes, start, end));
  }

  /** The index of the entry for `text[start..end)` hashing to `hash`, or -1. */
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

  /** The index of the entry for the code units `codes[start..end)` hashing to `hash`, or -1. */
  private findCodes(hash: number, codes: Uint16Array, start: number, end: number): number {
    const { keys, slots, mask } = this;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot]!;
      if (entry === 0) return -1;
      if (keys[slot] === hash && sameCodes(this.words[entry - 1]!, codes, start, end)) return entry - 1;
      slot = (slot + 1) & mask;
    }
  }

  /** The value of entry `index` (-1: none). */
  private value(index: number): T | undefined {
    return index < 0 ? undefined : this.values[index];
  }

  private insert(index: number): void {
    const word = this.words[index]!;
    const hash = hashText(word, 0, word.length);
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
    if (lowerCode(text.charCodeAt(start + i)) !== word.charCodeAt(i)) return false;
  }
  return true;
}

function sameCodes(word: string, codes: Uint16Array, start: number, end: number): boolean {
  if (word.length !== end - start) return false;
  for (let i = 0; i < word.length; i++) {
    if (lowerCode(codes[start + i]!) !== word.charCodeAt(i)) return false;
  }
  return true;
}
