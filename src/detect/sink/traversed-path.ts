import { decodeDerived } from '../decoding/index.js';
import { isSlash } from '../path-traversal/index.js';
import { type Finding, finding, isAsciiLetter, lowerCode } from '../text/index.js';
import { SlidingMinimum, visitOccurrences } from './occurrences.js';
import { PathShape, ROOT } from './path-shape.js';
import { int32, Scratch } from './scratch.js';
import { homeDirectoryLength, inSensitiveRoot } from './sensitive-roots.js';

// `..` alone is the shortest input that can climb.
const MIN_INPUT_LENGTH = 2;
// No parent-directory segment starts here (a depth no path reaches).
const NO_CLIMB = 0x3fffffff;
const BASE_DEPTH = new Scratch(int32);
const CLIMB_DEPTH = new Scratch(int32);
// Climbing occurrences of one input compared in full with where they started (each costs a pass).
const MAX_COMPARISONS = 16;

/**
 * Whether request input `input` made the file path `path` (about to be opened) leave the directory
 * it was meant for. A finding when:
 * - `parent-escape`: the input occurs in the path and carries `..` segments that take the resolved
 *   path out of the directory the input was placed in (`/srv/files/` + `../../etc/passwd`; not
 *   `../files/x`, which comes back in);
 * - `normalised-parent-escape`: the input was already normalised into the path (`path.join` /
 *   `path.resolve` turned `/srv/files` + `../../etc/passwd` into `/etc/passwd`): its `..` segments
 *   climb and its remaining tail, two segments or more, ends the path (the last one may have gained an
 *   extension: `../../config/secrets` -> `/srv/config/secrets.json`);
 * - `sensitive-absolute-path`: the input is an absolute path or `file:` URL into a sensitive
 *   top-level directory (`/etc`, `/proc`, `/root`, `/home`, `/var`, `C:\Windows`, `C:\Users`...), at
 *   least two segments deep, and the resolved path starts with it;
 * - `unc-path`: the input is a Windows network path (`\\host\share\...`) the path starts with;
 * - `home-path`: the input starts with `~` and the path is that file in a home directory.
 *
 * A file name inside the intended directory is no finding, nor is an absolute input joined under a
 * base (`join(base, '/etc/hostname')` stays inside the base). Names compare ASCII-case-insensitively
 * (case-insensitive file systems); `/` and `\` both separate. The input is also tried decoded
 * (percent, HTML references, look-alikes). Limits: an input made only of `..` segments that was
 * normalised away (`resolve(base, '..')`), and a one-segment tail (which `basename()` sanitising also
 * produces), cannot be told from an unrelated path and are no finding.
 *
 * Returns the first finding with an escaped excerpt of the path around the offending segment, or
 * null. Time linear in `path.length + input.length`; never throws (non-strings give null).
 */
export function detectTraversedPath(path: string, input: string): Finding | null {
  if (typeof path !== 'string' || typeof input !== 'string' || input.length < MIN_INPUT_LENGTH) return null;
  const found = judge(path, input);
  if (found) return found;
  const decoded = decodeDerived(input);
  return decoded !== input && decoded.length >= MIN_INPUT_LENGTH ? judge(path, decoded) : null;
}

function judge(path: string, input: string): Finding | null {
  if (!mayLeave(input)) return null;
  const occurs = visitOccurrences(path, input, true, always);
  if (occurs) {
    const climbed = climbsWhereItOccurs(path, input);
    if (climbed) return climbed;
  }
  const given = new PathShape(input, fileUrlPathStart(input));
  if (given.root === ROOT.NONE) {
    if (input.charCodeAt(0) === 0x7e) return homeTail(path, input);
    // Written as it is, the input was judged exactly above; only a normalised one is judged by its tail.
    return occurs ? null : climbedTail(path, given);
  }
  const resolved = new PathShape(path);
  if (!startsWith(resolved, given)) return null;
  if (given.root === ROOT.UNC && given.count >= 2) {
    return finding('path_traversal', 'unc-path', path, 0, Math.min(path.length, input.length));
  }
  if (given.count >= 2 && inSensitiveRoot(given)) {
    return finding('path_traversal', 'sensitive-absolute-path', path, 0, Math.min(path.length, input.length));
  }
  return null;
}

// The input as written in the path: does a `..` inside it take the resolved path out of the
// directory the input starts in? A climb that comes back by name (`../files/x` under `/srv/files`)
// stays inside.
function climbsWhereItOccurs(path: string, input: string): Finding | null {
  if (!input.includes('..')) return null;
  const n = path.length;
  // baseDepth[i]: depth of the directory holding position i; climbDepth[i]: the depth a `..` segment
  // starting at i leaves the path at.
  const baseDepth = BASE_DEPTH.take(n + 1);
  const climbDepth = CLIMB_DEPTH.take(n).fill(NO_CLIMB, 0, n);
  const resolved = new PathShape(path);
  const rooted = resolved.root !== ROOT.NONE;
  let depth = 0;
  let i = resolved.rootEnd;
  while (i < n) {
    if (isSlash(path.charCodeAt(i))) {
      baseDepth[i++] = depth;
      continue;
    }
    const start = i;
    while (i < n && !isSlash(path.charCodeAt(i))) baseDepth[i++] = depth;
    if (i - start === 2 && path.charCodeAt(start) === 0x2e && path.charCodeAt(start + 1) === 0x2e) {
      depth = rooted && depth === 0 ? 0 : depth - 1;
      climbDepth[start] = depth;
    } else if (i - start !== 1 || path.charCodeAt(start) !== 0x2e) depth++;
  }
  baseDepth[n] = depth;
  const lowest = new SlidingMinimum(climbDepth, n, input.length);
  let comparisons = 0;
  let found: Finding | null = null;
  visitOccurrences(path, input, true, (start) => {
    if (lowest.at(start) >= baseDepth[start]!) return false;
    // It climbed above its directory; did it come back in? Compared in full a bounded number of
    // times (past it, a climb is taken as an escape: only a hostile input occurs that often).
    if (comparisons++ < MAX_COMPARISONS && staysInside(path, resolved, start)) return false;
    found = finding('path_traversal', 'parent-escape', path, start, start + input.length);
    return true;
  });
  return found;
}

// Whether the resolved path lies in the directory that holds position `at` of `path`.
function staysInside(path: string, resolved: PathShape, at: number): boolean {
  let cut = at;
  while (cut > resolved.rootEnd && !isSlash(path.charCodeAt(cut - 1))) cut--;
  const base = new PathShape(path.slice(0, cut));
  if (resolved.climbs !== base.climbs || resolved.count < base.count) return false;
  for (let k = 0; k < base.count; k++) if (!resolved.same(k, base, k)) return false;
  return true;
}

// A relative input normalised into the path: it climbs, and what is left of it ends the path.
function climbedTail(path: string, given: PathShape): Finding | null {
  if (given.climbs === 0 || given.count < 2) return null;
  const resolved = new PathShape(path);
  const offset = resolved.count - given.count;
  if (offset < 0) return null;
  const last = given.count - 1;
  for (let k = 0; k < last; k++) if (!resolved.same(offset + k, given, k)) return null;
  if (!resolved.startsWithSegment(offset + last, given, last)) return null;
  return finding('path_traversal', 'normalised-parent-escape', path, resolved.starts[offset]!, path.length);
}

// `~/...` or `~user/...`, expanded by the application: the path is that file in a home directory.
function homeTail(path: string, input: string): Finding | null {
  const given = new PathShape(input);
  if (given.count < 2) return null;
  const resolved = new PathShape(path);
  const home = homeDirectoryLength(resolved);
  const tail = given.count - 1; // the segments after `~` or `~user`
  if (home === 0 || resolved.count - home !== tail) return null;
  for (let k = 0; k < tail; k++) if (!resolved.same(home + k, given, k + 1)) return null;
  return finding('path_traversal', 'home-path', path, resolved.starts[home]!, path.length);
}

// Whether rooted `path` starts with rooted `prefix` (same root, same leading segments). A prefix at
// the root of the current drive (`\Windows\...`) matches any drive.
function startsWith(path: PathShape, prefix: PathShape): boolean {
  if (path.count < prefix.count) return false;
  if (prefix.root === ROOT.DRIVE) {
    if (path.root !== ROOT.DRIVE || path.drive !== prefix.drive) return false;
  } else if (prefix.root === ROOT.SLASH) {
    if (path.root !== ROOT.SLASH && path.root !== ROOT.DRIVE) return false;
  } else if (path.root !== prefix.root) return false;
  for (let k = 0; k < prefix.count; k++) if (!path.same(k, prefix, k)) return false;
  return true;
}

// Where the path of a `file:` URL starts (`file:///etc/passwd`, `file://localhost/etc`,
// `file:/C:/x`), 0 for anything else. Percent-encoded URLs come decoded through the decoder.
function fileUrlPathStart(input: string): number {
  if (
    input.length < 6 ||
    lowerCode(input.charCodeAt(0)) !== 0x66 ||
    input.slice(0, 5).toLowerCase() !== 'file:'
  ) {
    return 0;
  }
  let at = 5;
  if (input.startsWith('//', at)) {
    const slash = input.indexOf('/', at + 2);
    if (slash < 0) return input.length;
    const host = input.slice(at + 2, slash).toLowerCase();
    if (host !== '' && host !== 'localhost') return 0; // a remote host: not a local file
    at = slash;
  }
  // file:///C:/x: the drive follows the slash.
  const c1 = input.charCodeAt(at + 1);
  if (input.charCodeAt(at + 2) === 0x3a && (c1 | 0x20) >= 0x61 && (c1 | 0x20) <= 0x7a) return at + 1;
  return at;
}

// Whether `input` could be any of the findings at all: it holds `..`, or is rooted (`/`, `\`, a drive),
// a `file:` URL or starts with `~`. Most inputs of a request are none of these and cost no more.
function mayLeave(input: string): boolean {
  if (input.includes('..')) return true;
  const first = input.charCodeAt(0);
  if (first === 0x2f || first === 0x5c || first === 0x7e) return true;
  if (isAsciiLetter(first) && input.charCodeAt(1) === 0x3a) return true;
  return lowerCode(first) === 0x66 && fileUrlPathStart(input) > 0;
}

function always(): boolean {
  return true;
}
