// Whether text around a match reads as a sentence: a sensitive path or a command mentioned in prose
// (`Edit /etc/hosts to add the entry.`, ``Run `make test` before you push.``) rather than being the
// value an injection sends.
import { isAsciiLetter } from './ascii.js';

/** What may open a quoted mention in a sentence: quotes, backticks, brackets. */
export const OPENER = new Uint8Array(0x10000);
for (const c of '`"\'([') OPENER[c.charCodeAt(0)] = 1;

/** What may close a quoted mention in a sentence, with the punctuation after it. */
export const CLOSER = new Uint8Array(0x10000);
for (const c of '`"\')].,;:!?') CLOSER[c.charCodeAt(0)] = 1;

/**
 * Space-separated words of two or more letters (an apostrophe allowed inside, quotes, brackets and
 * sentence punctuation around) in `text[from..to)`; anything else in a word (digits, slashes, shell
 * syntax) spoils it.
 */
function proseWords(text: string, from: number, to: number): number {
  let count = 0;
  let k = from;
  while (k < to) {
    while (k < to && text.charCodeAt(k) === 0x20) k++;
    const wordStart = k;
    let letters = 0;
    let clean = true;
    while (k < to && text.charCodeAt(k) !== 0x20) {
      const c = text.charCodeAt(k);
      if (isAsciiLetter(c)) letters++;
      else if (!(c === 0x27 && k > wordStart) && CLOSER[c] !== 1 && OPENER[c] !== 1) clean = false;
      k++;
    }
    if (clean && letters >= 2) count++;
  }
  return count;
}

// Words of prose around a match that make the value a sentence, at least one of them before it.
const PROSE_WORDS = 3;

/**
 * Whether the text around the match at `[start, end)` reads as a sentence: a word of prose (see
 * {@link proseWords}) before it, and {@link PROSE_WORDS} or more before and after it together.
 */
export function proseAround(text: string, start: number, end: number): boolean {
  const before = proseWords(text, 0, start);
  return before >= 1 && before + proseWords(text, end, text.length) >= PROSE_WORDS;
}
