// Where a request input occurs in the string a sink receives, found in linear time whatever the two
// strings hold (Knuth-Morris-Pratt: no backtracking, so `aaaa…` against `aaab` costs what it reads),
// and the minimum of a fixed-length window sliding over an array, so a check per occurrence is O(1)
// amortised however often the input occurs.

import { lowerCode } from '../text/index.js';
import { int32, Scratch, uint16 } from './scratch.js';

const PATTERN = new Scratch(uint16);
const FAILURE = new Scratch(int32);
const QUEUE = new Scratch(int32);

/** Calls `visit(start)` for each occurrence of `needle` in `haystack` until it returns true. */
export type OccurrenceVisitor = (start: number) => boolean;

/**
 * Visits every occurrence of `needle` in `haystack` (overlapping ones too), left to right, until
 * `visit` returns true; returns whether it did. `foldCase`: ASCII letters match either case (what a
 * case-insensitive file system does). O(haystack + needle).
 */
export function visitOccurrences(
  haystack: string,
  needle: string,
  foldCase: boolean,
  visit: OccurrenceVisitor,
): boolean {
  const m = needle.length;
  const n = haystack.length;
  if (m === 0 || m > n) return false;
  const pattern = PATTERN.take(m);
  for (let i = 0; i < m; i++) pattern[i] = fold(needle.charCodeAt(i), foldCase);
  const failure = FAILURE.take(m);
  for (let i = 1, k = 0; i < m; i++) {
    while (k > 0 && pattern[i] !== pattern[k]) k = failure[k - 1]!;
    if (pattern[i] === pattern[k]) k++;
    failure[i] = k;
  }
  for (let i = 0, k = 0; i < n; i++) {
    const c = fold(haystack.charCodeAt(i), foldCase);
    while (k > 0 && c !== pattern[k]) k = failure[k - 1]!;
    if (c === pattern[k]) k++;
    if (k === m) {
      if (visit(i - m + 1)) return true;
      k = failure[m - 1]!;
    }
  }
  return false;
}

function fold(c: number, foldCase: boolean): number {
  return foldCase ? lowerCode(c) : c;
}

/**
 * The minimum of `values[start .. start + width)` (within the first `length` values) for window
 * starts that only ever grow (the occurrences of one input, left to right): each index enters and
 * leaves the queue once, so all queries together cost O(length). One in use at a time.
 */
export class SlidingMinimum {
  private readonly queue: Int32Array;
  private head = 0;
  private tail = 0;
  private next = 0;

  constructor(
    private readonly values: Int32Array,
    private readonly length: number,
    private readonly width: number,
  ) {
    this.queue = QUEUE.take(length);
  }

  /** The minimum of the window starting at `start` (not smaller than the previous start). */
  at(start: number): number {
    const end = Math.min(start + this.width, this.length);
    const { values, queue } = this;
    for (; this.next < end; this.next++) {
      const value = values[this.next]!;
      while (this.tail > this.head && values[queue[this.tail - 1]!]! >= value) this.tail--;
      queue[this.tail++] = this.next;
    }
    while (this.head < this.tail && queue[this.head]! < start) this.head++;
    return this.head < this.tail ? values[queue[this.head]!]! : Number.MAX_SAFE_INTEGER;
  }
}
