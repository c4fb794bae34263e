// Finds references to sensitive files and directories in a decoded input, matched as whole path
// segments: system directories at the root of a path, credential and history files, Windows system
// files, server configuration at absolute paths, backups, hidden files at the root of a URL path.
// One pass over the input, which also notes whether the other path-traversal rules can match. A short
// input is scanned as it is first, noting whether anything in it is to be decoded (most inputs have
// nothing): the decoder then need not look at it again.
import { ENCODING_START, encodingAt } from '../decoding/index.js';
import { isDigit, report, startsWith } from '../text/index.js';
import { dotDotSegment, longDotRun, NOT_DOT } from './dot-dot-segment.js';
import { BACKSLASH, BOUNDARIES, COLON, DOT, isSlash, KIND, SLASH } from './path-chars.js';
import { EXT, extensionFlags, SEG, segmentFlags } from './sensitive-paths.js';

/** {@link scanPaths} result bit: a dot-dot segment matched (see `hit`); nothing else was checked. */
export const FOUND_DOT_DOT = 1;
/** {@link scanPaths} result bit: a sensitive path matched (see `hit`). */
export const FOUND_SENSITIVE = 2;
/** {@link scanPaths} result bit: dot-dot segments were looked for in the whole input, and none matched. */
export const DOT_DOT_CHECKED = 4;
/** {@link scanPaths} result bit: the input holds `://` (only set when nothing matched). */
export const HAS_SCHEME = 8;
/**
 * {@link scanPaths} result bit, raw text only: the scan met something the decoder changes (see
 * `encodingAt`) and stopped there; the other bits mean nothing.
 */
export const ENCODING = 16;
/**
 * {@link scanPaths} result bit: the scan did not read every character (a native scan skipped some, or
 * it stopped at a match). For raw text: the result stands only if the text decodes to itself.
 */
export const UNCHECKED = 32;

// Longest run of dots a name is read through (see withoutTrailingDots).
const MAX_PADDING = 8192;
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
const ROOT_RULES = SEG.ROOT | SEG.DEV_SERVER_FS | SEG.APP_PRIVATE;
// Segment flags that only matter right after their parent.
const CHILDREN =
  SEG.ETC_CHILD |
  SEG.PROC_CHILD |
  SEG.SYS_CHILD |
  SEG.ROOT_CHILD |
  SEG.RUN_CHILD |
  SEG.WINDOWS_CHILD |
  SEG.WP_CONTENT_CHILD;
// The end of a path segment: a token boundary or a slash.
const SEGMENT_END = new RegExp(`[${BOUNDARIES}/\\\\]`, 'g');
// A '.' or '_', or a token boundary: what DEEP_SKIP stops at.
const DEEP_SKIP = new RegExp(`[._${BOUNDARIES}]`, 'g');
const NOT_SLASH = /[^/\\]/g;
// Tokens longer than this are skipped with TOKEN_SKIP until they show a character that matters.
const LONG_TOKEN = 64;
// Stretches of many short tokens longer than this are skipped with QUIET_SKIP.
const QUIET_RUN = 64;
const QUIET_SKIP = /[/\\._@:]/g;
// What makes a token worth a look (a slash, '.', '_', '@') or ends it.
const TOKEN_SKIP = new RegExp(`[/\\\\._@${BOUNDARIES}]`, 'g');

const EQUALS = 0x3d;

// KIND for raw text: what may start an encoding is MAY_ENCODE (see encodingAt), except a backslash (a
// slash to the scan), which is checked where its run of slashes ends. Past those characters that
// start no encoding, the scan takes them as KIND does.
const MAY_ENCODE = 5;
const RAW_KIND = KIND.slice();
for (let c = 0; c < 0x10000; c++) if (ENCODING_START[c] === 1 && c !== BACKSLASH) RAW_KIND[c] = MAY_ENCODE;
// What pathToken returns when it met an encoding in raw text (-1: a match).
const ENCODED_TOKEN = -2;

// State of the segment being checked (module state, so checkSegment needs few parameters).
let segStart = 0;
let segEnd = 0;
let segFlags = 0;
// What the scan in progress has found (result bits).
let seen = 0;

/**
 * Scans `text` (decoded, or `raw`: as received) for references to sensitive files and directories,
 * matched as whole path segments, and for dot-dot segments (see dot-dot-segment.ts) once it meets two
 * dots in a row. Returns the result bits: which rule matched (the match is in `hit`), whether dot-dot
 * segments were ruled out, whether the input holds `://` (so a stream wrapper can match); for raw text,
 * whether it met an encoding ({@link ENCODING}) or did not read every character ({@link UNCHECKED}).
 */
export function scanPaths(text: string, raw: boolean): number {
  const length = text.length;
  seen = 0;
  longDotRun.end = -1;
  let before = 0; // the boundary character in front of the token (0 at the start)
  let token = 0; // where the token being read starts
  let quiet = 0; // where the stretch without a slash, '.', '_', '@' or ':' being read starts
  let i = 0;
  const kinds = raw ? RAW_KIND : KIND;
  while (i < length) {
    const c = text.charCodeAt(i);
    const kind = kinds[c]!;
    if (kind === 0) {
      // Ordinary characters: read on to the next one that is not, or to where a native scan takes
      // over (a long token, a long quiet stretch).
      const limit = Math.min(length, token + LONG_TOKEN + 1, quiet + QUIET_RUN + 1);
      i++;
      while (i < limit && kinds[text.charCodeAt(i)] === 0) i++;
      if (i < limit || i === length) continue;
      seen |= UNCHECKED;
      if (i - token > LONG_TOKEN) {
        // A long token with no slash, '.', '_' or '@' yet: a native scan finds the next one, or its end.
        TOKEN_SKIP.lastIndex = i;
        i = TOKEN_SKIP.test(text) ? TOKEN_SKIP.lastIndex - 1 : length;
      } else if (i - quiet > QUIET_RUN) {
        // A long stretch with no slash, '.', '_', '@' or ':': a native scan finds the next one, and
        // the token it is in starts after the last boundary before it.
        QUIET_SKIP.lastIndex = i;
        if (!QUIET_SKIP.test(text)) return seen;
        const next = QUIET_SKIP.lastIndex - 1;
        let start = next;
        while (start > i && KIND[text.charCodeAt(start - 1)] !== 1) start--;
        if (start > i) {
          token = start;
          before = text.charCodeAt(start - 1);
        }
        i = next;
        quiet = i;
      }
    } else if (kind === 1) {
      if (c === COLON) {
        quiet = i;
        if (text.charCodeAt(i + 1) === SLASH && text.charCodeAt(i + 2) === SLASH) seen |= HAS_SCHEME;
      }
      before = c;
      token = ++i;
    } else if (kind === MAY_ENCODE) {
      // `%`, `&`, `0`, NUL or a look-alike. Past one that starts no encoding in raw text, the scan
      // goes on as for decoded text.
      if (encodingAt(text, i)) return ENCODING;
      if (KIND[c] === 1) {
        before = c; // `&`, NUL
        token = ++i;
      } else i++;
    } else {
      // Only tokens with a slash, '.', '_' or '@' can name a sensitive file or an absolute path. What
      // comes before this character in the token is ordinary, and read once is enough (unless it
      // is too long to be a name, a case pathToken handles from the start).
      i = pathToken(text, token, before, i - token < MAX_NAME ? i : token, raw, kinds);
      quiet = i;
      if (i < 0) return i === ENCODED_TOKEN ? ENCODING : matched();
    }
  }
  return seen;
}

// The result bits of a scan that stopped at a match.
function matched(): number {
  return (seen & FOUND_DOT_DOT ? seen : seen | FOUND_SENSITIVE) | UNCHECKED;
}

/**
 * Checks the token at `start` (path segments separated by slashes, up to a boundary); `before` is the
 * boundary character in front of it (0 at the start of the input). The characters before `from` are
 * ordinary ones (no slash, '.' or '_'; fewer than MAX_NAME), so the first segment is read from there.
 * `raw`: the text is as received (see scanPaths), and `kinds` is RAW_KIND (else KIND). Returns where
 * the token ends, -1 when it matched, or ENCODED_TOKEN.
 */
function pathToken(
  text: string,
  start: number,
  before: number,
  from: number,
  raw: boolean,
  kinds: Uint8Array,
): number {
  const length = text.length;
  let i = start;
  let c = text.charCodeAt(i);
  const absolute = c === SLASH || c === BACKSLASH;
  // `scheme://host/...`: the segment after the two slashes is a host, not a directory.
  let hostPending = absolute && before === COLON && isSlash(text.charCodeAt(i + 1));
  if (hostPending) i += 2;
  else if (absolute) i++;
  if (raw && absolute && escapeAfter(text, i)) return ENCODED_TOKEN;
  let slashes = absolute; // whether the token has a slash so far
  let index = -1; // index of the current non-empty segment within the path
  let prevFlags = 0;
  let prevWasRoot = false;
  for (;;) {
    const s = i;
    if (from > i) i = from; // the first segment only
    let marked = false; // the segment has '.' or '_' (every sensitive file name does)
    c = 0;
    while (i < length) {
      c = text.charCodeAt(i);
      const kind = kinds[c]!;
      if (kind !== 0 && kind !== 4) {
        if (kind === 3) {
          marked = true;
          // The first two dots in a row: the dot-dot rule checks them and every later run of dots.
          // In raw text, `..%2f` and the like are to be decoded first: no use checking them now.
          if (c === DOT && text.charCodeAt(i - 1) === DOT && (seen & DOT_DOT_CHECKED) === 0) {
            if (raw && encodingAt(text, i + 1)) return ENCODED_TOKEN;
            if (dotDots(text, i - 1)) return -1;
          }
        } else if (kind !== MAY_ENCODE || KIND[c] === 1)
          break; // `&`, NUL: the main loop checks them
        else if (encodingAt(text, i)) return ENCODED_TOKEN;
      }
      if (i - s >= MAX_NAME) {
        // Too long to be a name: find where it ends with a native scan, which may skip two dots.
        if ((seen & DOT_DOT_CHECKED) === 0 && dotDots(text, s)) return -1;
        seen |= UNCHECKED;
        i = segmentEnd(text, i, c);
        c = i < length ? text.charCodeAt(i) : 0;
        marked = true;
        break;
      }
      i++;
    }
    const slashAfter = i < length && (c === SLASH || c === BACKSLASH);
    if (hostPending) hostPending = false;
    else if (i > s && !(index < 0 && i - s === 1 && text.charCodeAt(s) === DOT)) {
      // (A leading `.` segment is skipped: `/./WEB-INF/` is `/WEB-INF/` to the server.)
      index++;
      // `boot.ini....`: Windows drops the dots a name ends with (path truncation pads with them).
      const nameEnd = text.charCodeAt(i - 1) === DOT ? withoutTrailingDots(text, s, i) : i;
      const len = nameEnd - s;
      // Deep inside a long path only names with a dot or an underscore are looked up: without a
      // parent-directory segment (caught on its own) a deep path cannot reach `/etc` or `/proc`.
      const flags =
        len >= 2 && len <= MAX_NAME && (marked || ((slashes || slashAfter) && index < MAX_DIRECTORY_DEPTH))
          ? segmentFlags(text, s, nameEnd)
          : 0;
      // The first segment of an absolute path, or of a relative one that starts the value (or a
      // `name=value` in it) for `WEB-INF`.
      const atRoot =
        index === 0 && (absolute || ((flags & SEG.APP_PRIVATE) !== 0 && (start === 0 || before === EQUALS)));
      const first = text.charCodeAt(s);
      if (
        (atRoot && (flags & ROOT_RULES || first === 0x40)) ||
        flags & SEG.SENSITIVE ||
        (prevFlags & PARENTS && (flags & CHILDREN || isDigit(first))) ||
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
    i = skipSlashes(text, i); // empty segments: `//`, `\\`
    if (raw && escapeAfter(text, i)) return ENCODED_TOKEN;
    // Deep in a path, after a segment that is no parent, a segment without '.' or '_' can match
    // nothing (no look up, not at the root, not a hidden or backup file): a native scan skips to the
    // next one that has them, or to the end of the token.
    if (index >= MAX_DIRECTORY_DEPTH - 1 && prevFlags === 0) {
      const from = i;
      seen |= UNCHECKED;
      DEEP_SKIP.lastIndex = from;
      if (!DEEP_SKIP.test(text)) return length;
      const next = DEEP_SKIP.lastIndex - 1;
      if (KIND[text.charCodeAt(next)] === 1) return next;
      i = next;
      while (i > from && !isSlash(text.charCodeAt(i - 1))) i--; // back to the start of its segment
    }
  }
}
// Where the name in `text[start..end)` ends without the run of dots it ends with; a name that is only
// dots is kept as it is (dot-dot segments are another rule's), and so is a longer padding than path
// truncation needs (4 KiB): walking back over megabytes of dots would double the cost of such input.
function withoutTrailingDots(text: string, start: number, end: number): number {
  if (end - start > MAX_NAME + MAX_PADDING) return end;
  let k = end;
  while (k > start && text.charCodeAt(k - 1) === DOT) k--;
  return k === start ? end : k;
}

// Raw text: whether the run of slashes ending before `i` ends in a `\\x` or `\\u` escape (its last
// slash is the only one not followed by a slash).
function escapeAfter(text: string, i: number): boolean {
  return text.charCodeAt(i - 1) === BACKSLASH && encodingAt(text, i - 1);
}

// Runs the dot-dot rule on the runs of dots from `from` on (the scan has seen no two dots before it).
function dotDots(text: string, from: number): boolean {
  seen |= DOT_DOT_CHECKED;
  if (!dotDotSegment(text, from)) return false;
  seen |= FOUND_DOT_DOT;
  return true;
}

// Where the run of slashes at `i` ends: long runs are left to a native scan.
function skipSlashes(text: string, i: number): number {
  const limit = Math.min(text.length, i + 8);
  while (i < limit && isSlash(text.charCodeAt(i))) i++;
  if (i < limit || i === text.length || !isSlash(text.charCodeAt(i))) return i;
  NOT_SLASH.lastIndex = i;
  return NOT_SLASH.test(text) ? NOT_SLASH.lastIndex - 1 : text.length;
}

// Where the segment that is too long to be a name ends, from `i` (holding `c`) on. A run of dots,
// common in attacks, is skipped first with a simpler native scan.
function segmentEnd(text: string, i: number, c: number): number {
  if (c === DOT && i >= longDotRun.start && i < longDotRun.end) {
    i = longDotRun.end; // measured by the dot-dot rule already
  } else if (c === DOT) {
    NOT_DOT.lastIndex = i;
    if (!NOT_DOT.test(text)) return text.length;
    i = NOT_DOT.lastIndex - 1;
  }
  SEGMENT_END.lastIndex = i;
  return SEGMENT_END.test(text) ? SEGMENT_END.lastIndex - 1 : text.length;
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
    if (flags & SEG.ROOT) return report('system-path', start, end);
    if (flags & SEG.APP_PRIVATE) return report('sensitive-file', start, end);
    if (flags & SEG.DEV_SERVER_FS) return report('dev-server-fs', start, end);
  }
  if (
    (prevFlags & SEG.PARENT_ETC && flags & SEG.ETC_CHILD) ||
    (prevFlags & SEG.PARENT_PROC && (flags & SEG.PROC_CHILD || only(text, start, end, isDigit))) ||
    (prevFlags & SEG.PARENT_SYS && flags & SEG.SYS_CHILD) ||
    (prevWasRoot && prevFlags & SEG.ROOT_PARENT && flags & SEG.ROOT_CHILD) ||
    (prevFlags & SEG.PARENT_RUN && flags & SEG.RUN_CHILD)
  ) {
    return report('system-path', start, end);
  }
  if (
    (prevFlags & SEG.PARENT_WINDOWS && flags & SEG.WINDOWS_CHILD) ||
    (prevFlags & SEG.PARENT_WP_CONTENT && flags & SEG.WP_CONTENT_CHILD) ||
    flags & SEG.SENSITIVE ||
    isEnvVariant(text, start, end) ||
    isHistoryFile(text, start, end)
  ) {
    return report('sensitive-file', start, end);
  }
  // A hidden file or directory right at the root of a URL path: `/.git/`, `/.DS_Store`, `/.vscode/`.
  if (
    atRoot &&
    text.charCodeAt(start) === DOT &&
    end - start >= 2 &&
    (flags & SEG.WELL_KNOWN) === 0 &&
    !only(text, start, end, isDot)
  ) {
    return report('hidden-file-probe', start, end);
  }
  if (last && absolute && flags & SEG.SERVER_CONFIG) return report('server-config', start, end);
  if (last && absolute && flags & SEG.SHELL_STARTUP) return report('sensitive-file', start, end);
  if (last && backupFile(text, start, end)) return report('backup-file', start, end);
  return false;
}

// `.bash_history`, `.mysql_history`, `.php_history`, `.history`: what a shell or a REPL keeps of what
// was typed into it, passwords included.
function isHistoryFile(text: string, start: number, end: number): boolean {
  return (
    end - start >= 8 &&
    text.charCodeAt(start) === DOT &&
    (text.charCodeAt(end - 7) | 0x20) === 0x68 && // `h`: most names end otherwise
    startsWith(text, end - 7, end, 'history')
  );
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
  // `wp-config.php~`: the copy an editor leaves next to the file it saves.
  if (text.charCodeAt(end - 1) === 0x7e && lastDotIn(text, start, end - 1) > start) return true;
  const lastDot = lastDotIn(text, start, end);
  if (lastDot <= start) return false;
  const ext = extensionFlags(text, lastDot + 1, end);
  if (ext === 0) return false;
  if (ext & EXT.BAK) return true;
  const prevDot = lastDotIn(text, start, lastDot);
  if (ext & EXT.ARCHIVE && prevDot > start) {
    if (extensionFlags(text, prevDot + 1, lastDot) & EXT.SQL) return true;
  }
  return namePart(text, start, lastDot, 'backup') || namePart(text, start, lastDot, 'dump');
}

// Whether `word` starts the name `text[start..end)` or one of its parts after `-`, `_` or `.`
// (`site-backup.zip`, `db_dump.sql`).
function namePart(text: string, start: number, end: number, word: string): boolean {
  for (let k = start; k + word.length <= end; k++) {
    const before = k === start ? 0x2d : text.charCodeAt(k - 1);
    if ((before === 0x2d || before === 0x5f || before === DOT) && startsWith(text, k, end, word)) return true;
  }
  return false;
}

function isDot(c: number): boolean {
  return c === DOT;
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
