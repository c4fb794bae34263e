import {
  decodeDerived,
  decodedNul,
  decodeForInspection,
  noteUndecoded,
  withoutNul,
} from '../decoding/index.js';
import { CLOSER, type Finding, finding, hit, OPENER, proseAround, report } from '../text/index.js';
import { dotDotSegment } from './dot-dot-segment.js';
import { isBoundary, isSlash } from './path-chars.js';
import {
  DOT_DOT_CHECKED,
  ENCODING,
  FOUND_DOT_DOT,
  FOUND_SENSITIVE,
  HAS_SCHEME,
  scanPaths,
  UNCHECKED,
} from './sensitive-path-scan.js';
import { isStreamWrapper } from './sensitive-paths.js';
import { systemFilePath } from './system-file-path.js';

/**
 * Detects a path traversal or local-file-inclusion attempt in one input value (a path, a query or form
 * value, a header, a file name). The input is decoded first (see `decodeForInspection`: repeated
 * percent-decoding, overlong UTF-8, `%u`, HTML references, look-alike dots and slashes, NUL bytes), then
 * checked for parent-directory segments (`../`, `..\`, `.../`, `..;/`) and for references to sensitive
 * files: system directories (`/etc`, `/proc/self`, `/var/log`), credentials and history files
 * (`.ssh/id_rsa`, `.env`, `.git/config`, `.bash_history`), Windows system files (`win.ini`, `boot.ini`,
 * `system32/config`), server configuration at absolute paths, backup dumps, hidden files at the root of a
 * URL path and PHP stream wrappers (`php://filter`); a value that is nothing but an absolute path to
 * system logs or configuration (see system-file-path.ts), or base64 of a path caught here. A sensitive
 * path mentioned in a sentence is not reported. Returns a {@link Finding} naming the rule, or null.
 * Never throws; linear time in the input length.
 */
export function detectPathTraversal(input: string): Finding | null {
  if (typeof input !== 'string' || input.length === 0) return null;
  // One scan for sensitive paths that also checks for dot-dot segments when it meets two dots, and
  // notes whether a stream wrapper can match; most inputs need nothing more. Dot-dot segments take
  // precedence over stream wrappers, and both over sensitive paths, wherever they are in the input.
  let text = input;
  let scan = 0;
  if (input.length <= RAW_SCAN_MAX) {
    // Most inputs have nothing to decode: the scan reads the input as it is, and tells.
    scan = scanPaths(input, true);
    if (scan & (ENCODING | UNCHECKED)) {
      text = decodeForInspection(input);
      if (scan & ENCODING || text !== input) scan = scanPaths(text, false);
    } else noteUndecoded(input);
  } else {
    text = decodeForInspection(input);
    scan = scanPaths(text, false);
  }
  const found = judge(text, scan, input);
  if (found !== null || !decodedNul()) return found;
  // `C:\boot.ini%00.php`: a NUL ends the name on a server written in C; `..%00/`: others drop it.
  const stripped = withoutNul(text);
  return judge(stripped, scanPaths(stripped, false), input);
}

// The finding for the decoded `text` (`input` as received) that scanPaths() returned `scan` for.
function judge(text: string, scan: number, input: string): Finding | null {
  if (scan & FOUND_SENSITIVE) {
    const { rule, start, end } = hit;
    const dotDot = (scan & DOT_DOT_CHECKED) === 0 && dotDotSegment(text, 0);
    if (!dotDot && !streamWrapper(text)) {
      if (mentionedInProse(text, start, end)) return null;
      report(rule, start, end);
    }
  } else if (
    (scan & FOUND_DOT_DOT) === 0 &&
    !(scan & HAS_SCHEME && streamWrapper(text)) &&
    !systemFilePath(text)
  ) {
    return base64Path(input) ? finding('path_traversal', hit.rule, input, hit.start, hit.end) : null;
  }
  return finding('path_traversal', hit.rule, text, hit.start, hit.end);
}

// Longest input scanned before it is decoded. Short values are most of what a guard sees, and most
// have nothing to decode; for a longer one the decoder's native look for encodings costs little next
// to the scan, while checking each `&`, `0` and backslash run adds up, and a scan that meets an
// encoding late is wasted (measured: neutral on the bench's long values at 64, ~9% slower at 256).
const RAW_SCAN_MAX = 64;

// Shortest and longest value looked at as base64 (`Li4v` is `../`; a path longer than 3 KiB is no probe).
const BASE64_MIN = 8;
const BASE64_MAX = 4096;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const ASCII_GROUP_START = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef') ASCII_GROUP_START[c.charCodeAt(0)] = 1;

/**
 * `Li4vZXRjL3Bhc3N3ZA==` (`../etc/passwd`): a value that is nothing but base64 of printable text,
 * decoded and checked again, for applications that take a file name base64-encoded. Reports the whole
 * value as `base64-encoded-path`.
 */
function base64Path(input: string): boolean {
  const length = input.length;
  if (length < BASE64_MIN || length > BASE64_MAX || length % 4 === 1) return false;
  // Base64 of ASCII text starts every group of four with `A`-`Z` or `a`-`f` (the top bit of the byte
  // is clear): most values fail here, before the full check.
  for (let k = 0; k < length; k += 4) if (!ASCII_GROUP_START[input.charCodeAt(k) & 0x7f]) return false;
  if (!BASE64.test(input)) return false;
  const bytes = Buffer.from(input, 'base64');
  for (const byte of bytes) if (byte < 0x20 || byte > 0x7e) return false;
  const text = decodeDerived(bytes.toString('latin1'));
  const scan = scanPaths(text, false);
  if (!(scan & (FOUND_SENSITIVE | FOUND_DOT_DOT)) && !systemFilePath(text)) return false;
  return report('base64-encoded-path', 0, length);
}

/** `php://filter/...`, `phar://`, `expect://`: PHP stream wrappers that read files or run code. */
function streamWrapper(text: string): boolean {
  let at = text.indexOf('://');
  while (at > 0) {
    // The scheme: back to a boundary or a slash, at most 17 characters (the longest wrapper has 14).
    let start = at;
    while (
      start > 0 &&
      at - start <= 16 &&
      !isBoundary(text.charCodeAt(start - 1)) &&
      !isSlash(text.charCodeAt(start - 1))
    )
      start--;
    if (isStreamWrapper(text, start, at)) return report('stream-wrapper', start, at + 3);
    at = text.indexOf('://', at + 3);
  }
  return false;
}

/**
 * Whether the sensitive path at `[start, end)` is mentioned in a sentence (`Edit /etc/hosts to add the
 * entry.`, ``stored in `/etc/kubernetes/pki`.``) rather than being the value: it stands between spaces,
 * perhaps in quotes, backticks or brackets and followed by sentence punctuation, after at least one
 * word of letters and with three or more besides. A file-inclusion sink opens the whole value; a
 * sentence opens nothing. Dot-dot segments and stream wrappers are reported in prose too.
 */
function mentionedInProse(text: string, start: number, end: number): boolean {
  let tokenStart = start;
  while (tokenStart > 0 && text.charCodeAt(tokenStart - 1) !== 0x20) tokenStart--;
  let tokenEnd = end;
  while (tokenEnd < text.length && text.charCodeAt(tokenEnd) !== 0x20) tokenEnd++;
  let pathStart = tokenStart;
  while (pathStart < start && OPENER[text.charCodeAt(pathStart)] === 1) pathStart++;
  let pathEnd = tokenEnd;
  while (pathEnd > end && CLOSER[text.charCodeAt(pathEnd - 1)] === 1) pathEnd--;
  if (!onlyPathChars(text, pathStart, start) || !onlyPathChars(text, end, pathEnd)) return false;
  return proseAround(text, tokenStart, tokenEnd);
}

function onlyPathChars(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (PATH_CHAR[text.charCodeAt(k)] !== 1) return false;
  return true;
}

// Characters of the path itself around the match (`/etc/nginx/nginx.conf` around `etc`).
const PATH_CHAR = new Uint8Array(0x10000);
for (let c = 0x30; c <= 0x39; c++) PATH_CHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) PATH_CHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) PATH_CHAR[c] = 1;
for (const c of '._-/\\~:@+*') PATH_CHAR[c.charCodeAt(0)] = 1;
