// Character classes shared by the command-injection scanners.
import { startsWith as startsWithIn } from '../text/index.js';

/** Characters where a command can start or shell-only syntax begins. */
export const TRIGGER = new Uint8Array(128);
for (const c of ';|&\n\r`$<>({') TRIGGER[c.charCodeAt(0)] = 1;

/** Separators (1) and spaces (2), which together make one command position. */
export const RUN = new Uint8Array(128);
for (const c of ';|&\n\r') RUN[c.charCodeAt(0)] = 1;
for (const c of ' \t+\v\f') RUN[c.charCodeAt(0)] = 2;

/** Whether `c` separates words (`+` too: form-encoded spaces survive in many inputs). */
export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x2b || c === 0x0b || c === 0x0c || c === 0xa0;
}

/** Skips spaces (not newlines: a newline ends a command). */
export function skipSpaces(text: string, end: number, p: number): number {
  while (p < end && isSpace(text.charCodeAt(p))) p++;
  return p;
}

/** A space, a control character or past the end of the text (NaN). */
export function isBlank(c: number): boolean {
  return !(c > 0x20) || isSpace(c);
}

// ASCII letters (either case) and digits, as the decoder and the path side read them.
export { isAsciiLetter as isLetter, isDigit } from '../text/index.js';

/** A letter, a digit or `_`. */
export function isNameChar(c: number): boolean {
  const l = c | 0x20;
  return (l >= 0x61 && l <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/** Whether `text` has `word` (lower case) at `p`, compared case-insensitively. */
export function startsWith(text: string, p: number, word: string): boolean {
  return startsWithIn(text, p, text.length, word);
}
