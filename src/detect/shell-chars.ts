// Character classes shared by the command-injection scanners.
import { isSpace } from './shell-words.js';

/** Characters where a command can start or shell-only syntax begins. */
export const TRIGGER = new Uint8Array(128);
for (const c of ';|&\n\r`$<>({') TRIGGER[c.charCodeAt(0)] = 1;

/** Separators (1) and spaces (2), which together make one command position. */
export const RUN = new Uint8Array(128);
for (const c of ';|&\n\r') RUN[c.charCodeAt(0)] = 1;
for (const c of ' \t+\v\f') RUN[c.charCodeAt(0)] = 2;

/** A space, a control character or past the end of the text (NaN). */
export function isBlank(c: number): boolean {
  return !(c > 0x20) || isSpace(c);
}

/** A letter, a digit or `_`. */
export function isNameChar(c: number): boolean {
  const l = c | 0x20;
  return (l >= 0x61 && l <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/** Whether `text` has `word` (lower case) at `p`, compared case-insensitively. */
export function startsWith(text: string, p: number, word: string): boolean {
  if (p + word.length > text.length) return false;
  for (let k = 0; k < word.length; k++) {
    const c = text.charCodeAt(p + k);
    if ((c >= 65 && c <= 90 ? c | 0x20 : c) !== word.charCodeAt(k)) return false;
  }
  return true;
}
