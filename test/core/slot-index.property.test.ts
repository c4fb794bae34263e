import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntIndex, WideIndex } from '../../src/core/slot-index.js';

describe('IntIndex', () => {
  it('agrees with a Map under random inserts, removals and growth', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.nat(40)), {
          maxLength: 400,
        }),
        (operations) => {
          let capacity = 8;
          let keys = new Int32Array(64);
          const index = new IntIndex(keys, capacity);
          const reference = new Map<number, number>();
          const freeSlots = Array.from({ length: 64 }, (_, i) => 63 - i);
          for (const [insert, rawKey, pick] of operations) {
            // Few distinct keys, so removals and re-inserts collide often.
            const key = pick < 20 ? pick * 0x10000 : rawKey;
            if (insert && !reference.has(key) && freeSlots.length > 0) {
              if (reference.size + 1 > capacity) {
                capacity *= 2;
                const bigger = new Int32Array(keys.length);
                bigger.set(keys);
                keys = bigger;
                index.resize(keys, capacity);
              }
              const slot = freeSlots.pop()!;
              keys[slot] = key;
              index.insert(slot);
              reference.set(key, slot);
            } else if (!insert && reference.has(key)) {
              const slot = reference.get(key)!;
              index.remove(slot);
              reference.delete(key);
              freeSlots.push(slot);
            }
            for (const [k, slot] of reference) expect(index.get(k)).toBe(slot);
            expect(index.get(key)).toBe(reference.get(key) ?? -1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('WideIndex', () => {
  it('agrees with a Map of 128-bit keys under random inserts, removals and growth', () => {
    // Keys differ in one word at a time, so a hash that ignored a word would collide and be caught.
    const word = fc.oneof(
      fc.constantFrom(0, 1, -1, 0x20010db8),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.tuple(word, word, word, word)), { maxLength: 300 }),
        (operations) => {
          let capacity = 8;
          let words = new Int32Array(64 * 4);
          const index = new WideIndex(words, capacity);
          const reference = new Map<string, number>();
          const freeSlots = Array.from({ length: 64 }, (_, i) => 63 - i);
          for (const [insert, key] of operations) {
            const name = key.join(',');
            const lookup = Int32Array.from(key);
            if (insert && !reference.has(name) && freeSlots.length > 0) {
              if (reference.size + 1 > capacity) {
                capacity *= 2;
                const bigger = new Int32Array(words.length);
                bigger.set(words);
                words = bigger;
                index.resize(words, capacity);
              }
              const slot = freeSlots.pop()!;
              words.set(lookup, slot * 4);
              index.insert(slot);
              reference.set(name, slot);
            } else if (!insert && reference.has(name)) {
              const slot = reference.get(name)!;
              index.remove(slot);
              reference.delete(name);
              freeSlots.push(slot);
            }
            for (const [k, slot] of reference)
              expect(index.get(Int32Array.from(k.split(',').map(Number)))).toBe(slot);
            expect(index.get(lookup)).toBe(reference.get(name) ?? -1);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
