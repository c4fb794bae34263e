// A path as a file system resolves it: its root (none, `/`, a drive `C:\`, a UNC share `\\host\`),
// then its segments with `.` dropped and `..` applied, kept as positions in the original text.
// `/` and `\` both separate segments (Windows accepts both; elsewhere a `..\` is at least an attempt).

import { isSlash } from '../path-traversal/index.js';
import { isAsciiLetter, lowerCode } from '../text/index.js';

/** What a path is relative to. */
export const ROOT = {
  /** The working directory (or a base the application joins it to). */
  NONE: 0,
  /** `/...` (on Windows: the root of the current drive). */
  SLASH: 1,
  /** `C:\...`, also `\\?\C:\...`. */
  DRIVE: 2,
  /** `\\host\share\...`: on Windows, a network share. */
  UNC: 3,
} as const;

/** A path resolved: root, parent-directory climbs left over, and the remaining segments. */
export class PathShape {
  root: number = ROOT.NONE;
  /** Where the segments start (after the root). */
  rootEnd = 0;
  /** Lower-case drive letter of a DRIVE root. */
  drive = 0;
  /** Leading `..` segments a relative path keeps (`../../a` -> 2); 0 for a rooted one. */
  climbs = 0;
  /** Remaining segments `[starts[k], ends[k])`, in order. */
  count = 0;
  starts: Int32Array;
  ends: Int32Array;

  constructor(
    readonly text: string,
    from = 0,
  ) {
    const capacity = ((text.length - from) >> 1) + 2;
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    let i = this.readRoot(from);
    this.rootEnd = i;
    const n = text.length;
    while (i < n) {
      while (i < n && isSlash(text.charCodeAt(i))) i++;
      const start = i;
      while (i < n && !isSlash(text.charCodeAt(i))) i++;
      if (i > start) this.push(start, i);
    }
  }

  /** Whether segment `k` equals `other`'s segment `j`, ASCII case folded. */
  same(k: number, other: PathShape, j: number): boolean {
    const length = this.ends[k]! - this.starts[k]!;
    return length === other.ends[j]! - other.starts[j]! && this.startsWithSegment(k, other, j);
  }

  /** Whether segment `k` starts with `other`'s segment `j` (`secrets.json` with `secrets`). */
  startsWithSegment(k: number, other: PathShape, j: number): boolean {
    const a = this.starts[k]!;
    const b = other.starts[j]!;
    const length = other.ends[j]! - b;
    if (this.ends[k]! - a < length) return false;
    for (let d = 0; d < length; d++) {
      if (lowerCode(this.text.charCodeAt(a + d)) !== lowerCode(other.text.charCodeAt(b + d))) return false;
    }
    return true;
  }

  private push(start: number, end: number): void {
    const { text } = this;
    if (end - start === 1 && text.charCodeAt(start) === 0x2e) return; // .
    if (end - start === 2 && text.charCodeAt(start) === 0x2e && text.charCodeAt(start + 1) === 0x2e) {
      if (this.count > 0) this.count--;
      else if (this.root === ROOT.NONE) this.climbs++; // a rooted path stays at its root
      return;
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }

  private readRoot(from: number): number {
    const { text } = this;
    const c0 = text.charCodeAt(from);
    const c1 = text.charCodeAt(from + 1);
    if (isSlash(c0) && isSlash(c1)) {
      // \\?\C:\ and \\.\C:\ are drive paths; \\host\share is a network share.
      const c2 = text.charCodeAt(from + 2);
      if ((c2 === 0x3f || c2 === 0x2e) && isSlash(text.charCodeAt(from + 3))) {
        const drive = this.readDrive(from + 4);
        if (drive > 0) return drive;
      }
      this.root = c0 === 0x5c && c1 === 0x5c ? ROOT.UNC : ROOT.SLASH;
      return from + 2;
    }
    if (isSlash(c0)) {
      this.root = ROOT.SLASH;
      return from + 1;
    }
    const drive = this.readDrive(from);
    return drive > 0 ? drive : from;
  }

  private readDrive(at: number): number {
    const { text } = this;
    const letter = text.charCodeAt(at);
    if (!isAsciiLetter(letter) || text.charCodeAt(at + 1) !== 0x3a || !isSlash(text.charCodeAt(at + 2)))
      return 0;
    this.root = ROOT.DRIVE;
    this.drive = lowerCode(letter);
    return at + 3;
  }
}
