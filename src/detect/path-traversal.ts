import { decodeForInspection } from './decode.js';
import { type Finding, finding } from './finding.js';
import { hit, report } from './match.js';
import { COLON, DOT, isBoundary, isSlash } from './path-chars.js';
import { sensitivePath } from './sensitive-path-scan.js';
import { isStreamWrapper } from './sensitive-paths.js';

const SEMICOLON = 0x3b;
const NOT_DOT = /[^.]/g;

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
    return finding('path_traversal', hit.rule, text, hit.start, hit.end);
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
        return report('dot-dot-segment', start, rightSlash ? j + 1 : i);
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
    if (isStreamWrapper(text, start, at)) return report('stream-wrapper', start, at + 3);
    at = text.indexOf('://', at + 3);
  }
  return false;
}
