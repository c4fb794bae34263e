import { decodeForInspection } from './decode.js';
import { type Finding, finding } from './finding.js';
import { EXT, extensionFlags, isStreamWrapper, SEG, segmentFlags } from './sensitive-paths.js';
import { HASH_SEED, hashStep } from './word-table.js';

const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const COLON = 0x3a;
const SEMICOLON = 0x3b;
// Longest segment name the tables hold; longer segments are not looked up.
const MAX_NAME = 24;
// Directory names (without '.' or '_') are looked up in the first this many segments of a path.
const MAX_DIRECTORY_DEPTH = 32;
// Segment flags that make the next segment worth a look.
const PARENTS =
  SEG.PARENT_ETC |
  SEG.PARENT_PROC |
  SEG.PARENT_SYS |
  SEG.ROOT_PARENT |
  SEG.PARENT_RUN |
  SEG.PARENT_WINDOWS |
  SEG.PARENT_WP_CONTENT;

// Segment flags checked when the segment is the first of an absolute path.
const ROOT_RULES = SEG.ROOT | SEG.DEV_SERVER_FS;
// Segment flags that only matter right after their parent.
const CHILDREN =
  SEG.ETC_CHILD |
  SEG.PROC_CHILD |
  SEG.SYS_CHILD |
  SEG.ROOT_CHILD |
  SEG.RUN_CHILD |
  SEG.WINDOWS_CHILD |
  SEG.WP_CONTENT_CHILD;

// Characters that end a path-like token: whitespace and the punctuation that surrounds a path in a
// query string, a JSON document, a shell command or prose. (1: boundary, 2: slash or backslash.)
const CLASS = new Uint8Array(128);
for (const c of ' "\'`<>()[]{}|&;,=?#:+') CLASS[c.charCodeAt(0)] = 1;
for (let c = 0; c <= 0x20; c++) CLASS[c] = 1;
CLASS[0x7f] = 1;
CLASS[SLASH] = 2;
CLASS[BACKSLASH] = 2;
// Characters a sensitive name or an absolute path needs (3).
CLASS[DOT] = 3;
CLASS[0x5f] = 3;
CLASS[0x40] = 3;

function isBoundary(c: number): boolean {
  return c < 128 && CLASS[c] === 1;
}

function isSlash(c: number): boolean {
  return c === SLASH || c === BACKSLASH;
}

function lowerCode(c: number): number {
  return c >= 65 && c <= 90 ? c | 0x20 : c;
}

const NOT_DOT = /[^.]/g;
// Characters a sensitive name or an absolute path needs.
const MARK = /[/\\._@]/g;
// The end of a path segment: a token boundary (see CLASS) or a slash.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters end a segment
const SEGMENT_END = /[\x00-\x20"'`<>()[\]{}|&;,=?#:+\\/\x7f]/g;

// Where the last match was found (module state: the detector allocates nothing until it reports).
let matchRule = '';
let matchStart = 0;
let matchEnd = 0;

function match(rule: string, start: number, end: number): true {
  matchRule = rule;
  matchStart = start;
  matchEnd = end;
  return true;
}

/**
 * Detects a path traversal or local-file-inclusion attempt in one input value (a path, a query or form
 * value, a header, a file name). The input is decoded first (see `decodeForInspection`: repeated
 * percent-decoding, overlong UTF-8, `%u`, HTML references, look-alike dots and slashes, NUL bytes), then
 * checked for parent-directory segments (`../`, `..\`, `.../`, `..;/`) and for references to sensitive
 * files: system directories (`/etc`, `/proc/self`, `/var/log`), credentials and history files
 * (`.ssh/id_rsa`, `.env`, `.git/config`, `.bash_history`), Windows system files (`win.ini`, `boot.ini`,
 * `system32/config`), server configuration at absolute paths, backup dumps, hidden files at the root of a
 * URL path and PHP stream wrappers (`php://filter`). Returns a {@link Finding} naming the rule, or null.
 * Never throws; linear time in the input length.
 */
export function detectPathTraversal(input: string): Finding | null {
  if (typeof input !== 'string' || input.length === 0) return null;
  const text = decodeForInspection(input);
  if (dotDotSegment(text) || streamWrapper(text) || sensitivePath(text)) {
    return finding('path_traversal', matchRule, text, matchStart, matchEnd);
  }
  return null;
}

/** A segment of two or more dots next to a separator: `../`, `/..`, `..\`, `....//`, `..;/`. */
function dotDotSegment(text: string): boolean {
  const length = text.length;
  let start = text.indexOf('..');
  while (start >= 0) {
    let i = start + 2;
    while (i < length && text.charCodeAt(i) === DOT) {
      if (i - start > 32) {
        NOT_DOT.lastIndex = i;
        i = NOT_DOT.test(text) ? NOT_DOT.lastIndex - 1 : length;
        break;
      }
      i++;
    }
    const before = start === 0 ? -1 : text.charCodeAt(start - 1);
    const leftSlash = isSlash(before);
    if (before === -1 || leftSlash || isBoundary(before)) {
      let j = i;
      // `..;jsessionid=x/` and `..;/`: servlet containers drop path parameters after ';'.
      if (j < length && text.charCodeAt(j) === SEMICOLON) {
        const limit = Math.min(length, j + 64);
        while (j < limit && !isSlash(text.charCodeAt(j)) && text.charCodeAt(j) > 0x20) j++;
      }
      const after = j < length ? text.charCodeAt(j) : -1;
      const rightSlash = isSlash(after);
      if (
        rightSlash ||
        (leftSlash && (after === -1 || (isBoundary(after) && after !== COLON))) ||
        (before === -1 && after === -1 && i - start === 2)
      ) {
        return match('dot-dot-segment', start, rightSlash ? j + 1 : i);
      }
    }
    start = text.indexOf('..', i);
  }
  return false;
}

/** `php://filter/...`, `phar://`, `expect://`: PHP stream wrappers that read files or run code. */
function streamWrapper(text: string): boolean {
  let at = text.indexOf('://');
  while (at > 0) {
    let start = at;
    while (
      start > 0 &&
      at - start <= 16 &&
      !isBoundary(text.charCodeAt(start - 1)) &&
      !isSlash(text.charCodeAt(start - 1))
    )
      start--;
    if (isStreamWrapper(text, start, at)) return match('stream-wrapper', start, at + 3);
    at = text.indexOf('://', at + 3);
  }
  return false;
}

// State of the segment being checked (module state, so checkSegment needs few parameters).
let segStart = 0;
let segEnd = 0;
let segFlags = 0;

/** References to sensitive files and directories, matched as whole path segments. */
function sensitivePath(text: string): boolean {
  // Only tokens with a slash, '.', '_' or '@' can name a sensitive file or an absolute path: a native
  // scan finds them, and everything between is skipped.
  let from = 0;
  for (;;) {
    MARK.lastIndex = from;
    if (!MARK.test(text)) return false;
    let start = MARK.lastIndex - 1;
    while (start > from && !isBoundary(text.charCodeAt(start - 1))) start--;
    const before = start === 0 ? -1 : text.charCodeAt(start - 1);
    const end = pathToken(text, start, isBoundary(before) ? before : 0);
    if (end < 0) return true;
    from = end;
  }
}

/**
 * Checks the token at `start` (path segments separated by slashes, up to a boundary); `before` is the
 * boundary character in front of it (-1 at the start of the input). Returns where the token ends, or
 * -1 when it matched.
 */
function pathToken(text: string, start: number, before: number): number {
  const length = text.length;
  let i = start;
  let c = text.charCodeAt(i);
  const absolute = c === SLASH || c === BACKSLASH;
  // `scheme://host/...`: the segment after the two slashes is a host, not a directory.
  let hostPending = absolute && before === COLON && isSlash(text.charCodeAt(i + 1));
  if (hostPending) i += 2;
  else if (absolute) i++;
  let slashes = absolute; // whether the token has a slash so far
  let index = -1; // index of the current non-empty segment within the path
  let prevFlags = 0;
  let prevWasRoot = false;
  for (;;) {
    const s = i;
    let hash = HASH_SEED;
    let marked = false; // the segment has '.' or '_' (every sensitive file name does)
    c = 0;
    while (i < length) {
      c = text.charCodeAt(i);
      if (c < 128) {
        const kind = CLASS[c]!;
        if (kind === 1 || kind === 2) break;
        if (c === DOT || c === 0x5f) marked = true;
      }
      if (i - s >= MAX_NAME) {
        // Too long to be a name: find where it ends with a native scan.
        SEGMENT_END.lastIndex = i;
        i = SEGMENT_END.test(text) ? SEGMENT_END.lastIndex - 1 : length;
        c = i < length ? text.charCodeAt(i) : 0;
        marked = true;
        break;
      }
      hash = hashStep(hash, lowerCode(c));
      i++;
    }
    const slashAfter = i < length && (c === SLASH || c === BACKSLASH);
    if (hostPending) hostPending = false;
    else if (i > s) {
      index++;
      const len = i - s;
      // Deep inside a long path only names with a dot or an underscore are looked up: without a
      // parent-directory segment (caught on its own) a deep path cannot reach `/etc` or `/proc`.
      const flags =
        len >= 2 && len <= MAX_NAME && (marked || ((slashes || slashAfter) && index < MAX_DIRECTORY_DEPTH))
          ? segmentFlags(hash, text, s, i)
          : 0;
      const atRoot = absolute && index === 0;
      const first = text.charCodeAt(s);
      if (
        (atRoot && (flags & ROOT_RULES || first === 0x40)) ||
        flags & SEG.SENSITIVE ||
        (prevFlags & PARENTS && (flags & CHILDREN || (first >= 0x30 && first <= 0x39))) ||
        first === DOT ||
        (!slashAfter && marked)
      ) {
        segStart = s;
        segEnd = i;
        segFlags = flags;
        if (checkSegment(text, prevFlags, atRoot, prevWasRoot, absolute, !slashAfter)) return -1;
      }
      prevWasRoot = atRoot;
      prevFlags = flags;
    }
    if (!slashAfter) return i;
    slashes = true;
    i++; // the slash
    while (i < length && isSlash(text.charCodeAt(i))) i++; // empty segments: `//`, `\\`
  }
}

function checkSegment(
  text: string,
  prevFlags: number,
  atRoot: boolean,
  prevWasRoot: boolean,
  absolute: boolean,
  last: boolean,
): boolean {
  const start = segStart;
  const end = segEnd;
  const flags = segFlags;
  if (atRoot) {
    if (flags & SEG.ROOT) return match('system-path', start, end);
    if (flags & SEG.DEV_SERVER_FS) return match('dev-server-fs', start, end);
  }
  if (
    (prevFlags & SEG.PARENT_ETC && flags & SEG.ETC_CHILD) ||
    (prevFlags & SEG.PARENT_PROC && (flags & SEG.PROC_CHILD || only(text, start, end, isDigit))) ||
    (prevFlags & SEG.PARENT_SYS && flags & SEG.SYS_CHILD) ||
    (prevWasRoot && prevFlags & SEG.ROOT_PARENT && flags & SEG.ROOT_CHILD) ||
    (prevFlags & SEG.PARENT_RUN && flags & SEG.RUN_CHILD)
  ) {
    return match('system-path', start, end);
  }
  if (
    (prevFlags & SEG.PARENT_WINDOWS && flags & SEG.WINDOWS_CHILD) ||
    (prevFlags & SEG.PARENT_WP_CONTENT && flags & SEG.WP_CONTENT_CHILD) ||
    flags & SEG.SENSITIVE ||
    isEnvVariant(text, start, end)
  ) {
    return match('sensitive-file', start, end);
  }
  // A hidden file or directory right at the root of a URL path: `/.git/`, `/.DS_Store`, `/.vscode/`.
  if (
    atRoot &&
    text.charCodeAt(start) === DOT &&
    end - start >= 2 &&
    (flags & SEG.WELL_KNOWN) === 0 &&
    !only(text, start, end, isDot)
  ) {
    return match('hidden-file-probe', start, end);
  }
  if (last && absolute && flags & SEG.SERVER_CONFIG) return match('server-config', start, end);
  if (last && backupFile(text, start, end)) return match('backup-file', start, end);
  return false;
}

// `.env.local`, `.env.production`... but not the templates projects commit (`.env.example`).
function isEnvVariant(text: string, start: number, end: number): boolean {
  if (end - start < 6 || text.charCodeAt(start) !== DOT || !startsWith(text, start + 1, end, 'env.'))
    return false;
  const rest = start + 5;
  return !(
    startsWith(text, rest, end, 'example') ||
    startsWith(text, rest, end, 'sample') ||
    startsWith(text, rest, end, 'template') ||
    startsWith(text, rest, end, 'dist')
  );
}

// Database dumps and editor/backup copies: `backup.sql.zip`, `db.sql.gz`, `config.php.bak`, `dump.sql`.
function backupFile(text: string, start: number, end: number): boolean {
  const lastDot = lastDotIn(text, start, end);
  if (lastDot <= start) return false;
  const ext = extensionFlags(text, lastDot + 1, end);
  if (ext === 0) return false;
  if (ext & EXT.BAK) return true;
  const prevDot = lastDotIn(text, start, lastDot);
  if (ext & EXT.ARCHIVE && prevDot > start) {
    if (extensionFlags(text, prevDot + 1, lastDot) & EXT.SQL) return true;
  }
  return startsWith(text, start, end, 'backup') || startsWith(text, start, end, 'dump');
}

function isDot(c: number): boolean {
  return c === DOT;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function only(text: string, start: number, end: number, test: (c: number) => boolean): boolean {
  for (let k = start; k < end; k++) if (!test(text.charCodeAt(k))) return false;
  return true;
}

// The last '.' in `text[start..end)`, or -1. (Not lastIndexOf: that would search past `start`.)
function lastDotIn(text: string, start: number, end: number): number {
  for (let k = end - 1; k >= start; k--) if (text.charCodeAt(k) === DOT) return k;
  return -1;
}

function startsWith(text: string, start: number, end: number, word: string): boolean {
  if (end - start < word.length) return false;
  for (let k = 0; k < word.length; k++) {
    if (lowerCode(text.charCodeAt(start + k)) !== word.charCodeAt(k)) return false;
  }
  return true;
}
