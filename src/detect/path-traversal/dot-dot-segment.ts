// The parent-directory rule of the path-traversal detector: a segment of two or more dots next to a
// separator.
import { report } from '../text/index.js';
import { COLON, DOT, isBoundary, isSlash, SLASH } from './path-chars.js';

const SEMICOLON = 0x3b;
// Runs of dots longer than this are measured with a native scan.
const LONG_RUN = 32;

/**
 * The last run of more than 32 dots {@link dotDotSegment} measured, `[start, end)`, so a scan of the
 * same text that meets it can skip it without reading it again. Whoever reads it resets it first.
 */
export const longDotRun = { start: -1, end: -1 };
/** Finds where a run of dots ends (set lastIndex first). */
export const NOT_DOT = /[^.]/g;

/**
 * A segment of two or more dots next to a separator: `../`, `/..`, `..\`, `....//`, `..;/`. Looks at
 * the runs of dots from `from` on; `from` must not be inside a run of dots (0 checks the whole text).
 */
export function dotDotSegment(text: string, from: number): boolean {
  const length = text.length;
  let start = text.indexOf('..', from);
  while (start >= 0) {
    let i = start + 2;
    while (i < length && text.charCodeAt(i) === DOT) {
      if (i - start > LONG_RUN) {
        NOT_DOT.lastIndex = i;
        i = NOT_DOT.test(text) ? NOT_DOT.lastIndex - 1 : length;
        longDotRun.start = start;
        longDotRun.end = i;
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
      let after = j < length ? text.charCodeAt(j) : -1;
      // `..2f..2fetc2fpasswd`: the hex code of a slash with its `%` dropped, after exactly two dots.
      if (i - start === 2 && isBareHexSlash(text, j)) {
        after = SLASH;
        j++;
      }
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

// `2f` or `5c` (any case) at `j`: a slash or a backslash written as hex without its `%`.
function isBareHexSlash(text: string, j: number): boolean {
  const high = text.charCodeAt(j);
  const low = text.charCodeAt(j + 1) | 0x20;
  return (high === 0x32 && low === 0x66) || (high === 0x35 && low === 0x63);
}
