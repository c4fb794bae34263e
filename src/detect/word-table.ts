// A lookup table of short ASCII words keyed by a running hash, so scanners can recognise a word while
// reading it, without slicing it into a string. Open addressing over typed arrays: a lookup is a few
// array reads, and a miss usually costs one.

/** Starting value of the running hash. */
export const HASH_SEED = 0x811c9dc5 | 0;

/** Adds one (already lower-cased) character code to a running FNV-1a hash. */
export function hashStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, 0x01000193);
}

/** Upper-case ASCII letters become lower-case; everything else is returned unchanged. */
export function lower(code: number): number {
  return code >= 65 && code <= 90 ? code | 0x20 : code;
}

/** The running hash of `text[start..end)`, lower-cased. */
export function hashText(text: string, start: number, end: number): number {
  let hash = HASH_SEED;
  for (let i = start; i < end; i++) hash = hashStep(hash, lower(text.charCodeAt(i)));
  return hash;
}

/**
 * Maps lower-case ASCII words to values. Lookups take the hash a scanner computed while reading the
 * word (with {@link hashStep} over lower-cased codes) and confirm the match character by character.
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
    const existing = this.indexOf(hashText(word, 0, word.length), word);
    if (existing >= 0) {
      this.values[existing] = value;
      return;
    }
    this.words.push(word);
    this.values.push(value);
    if (this.words.length * 2 > this.mask + 1) this.grow();
    else this.insert(this.words.length - 1);
  }

  /** The value for `text[start..end)` (compared case-insensitively) whose hash is `hash`. */
  getText(hash: number, text: string, start: number, end: number): T | undefined {
    const { keys, slots, mask } = this;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot]!;
      if (entry === 0) return undefined;
      if (keys[slot] === hash && sameText(this.words[entry - 1]!, text, start, end))
        return this.values[entry - 1];
      slot = (slot + 1) & mask;
    }
  }

  /** The value for the code units `codes[start..end)` (compared case-insensitively) hashing to `hash`. */
  getCodes(hash: number, codes: Uint16Array, start: number, end: number): T | undefined {
    const { keys, slots, mask } = this;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot]!;
      if (entry === 0) return undefined;
      if (keys[slot] === hash && sameCodes(this.words[entry - 1]!, codes, start, end))
        return this.values[entry - 1];
      slot = (slot + 1) & mask;
    }
  }

  /** Looks the word `text[start..end)` up, hashing it first. */
  lookupText(text: string, start: number, end: number): T | undefined {
    return this.getText(hashText(text, start, end), text, start, end);
  }

  /** Looks the code units `codes[start..end)` up, hashing them first. */
  lookupCodes(codes: Uint16Array, start: number, end: number): T | undefined {
    let hash = HASH_SEED;
    for (let i = start; i < end; i++) hash = hashStep(hash, lower(codes[i]!));
    return this.getCodes(hash, codes, start, end);
  }

  /** Looks a whole string up. */
  lookupString(word: string): T | undefined {
    return this.lookupText(word, 0, word.length);
  }

  private indexOf(hash: number, word: string): number {
    let slot = hash & this.mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0) return -1;
      if (this.keys[slot] === hash && this.words[entry - 1] === word) return entry - 1;
      slot = (slot + 1) & this.mask;
    }
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
    if (lower(text.charCodeAt(start + i)) !== word.charCodeAt(i)) return false;
  }
  return true;
}

function sameCodes(word: string, codes: Uint16Array, start: number, end: number): boolean {
  if (word.length !== end - start) return false;
  for (let i = 0; i < word.length; i++) {
    if (lower(codes[start + i]!) !== word.charCodeAt(i)) return false;
  }
  return true;
}
