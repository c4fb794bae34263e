// HTML character references: `&#46;`, `&#x2f;` and the named ones that spell path and shell
// punctuation (`&sol;`, `&period;`, `&semi;`, `&vert;`...).
import { hexValue, isAsciiLetter, isDigit, WordTable } from '../text/index.js';

/** The code point of the last reference read by {@link characterReference}. */
export const reference = { code: 0 };

const NAMED_ENTITIES = new WordTable<number>([
  ['lt', 0x3c],
  ['gt', 0x3e],
  ['amp', 0x26],
  ['quot', 0x22],
  ['apos', 0x27],
  ['sol', 0x2f],
  ['bsol', 0x5c],
  ['period', 0x2e],
  ['semi', 0x3b],
  ['colon', 0x3a],
  ['vert', 0x7c],
  ['verbar', 0x7c],
  ['excl', 0x21],
  ['dollar', 0x24],
  ['lpar', 0x28],
  ['rpar', 0x29],
  ['grave', 0x60],
  ['num', 0x23],
  ['percnt', 0x25],
  ['equals', 0x3d],
  ['tab', 0x09],
  ['newline', 0x0a],
  ['nbsp', 0xa0],
  ['lowbar', 0x5f],
  ['ast', 0x2a],
  ['quest', 0x3f],
  ['plus', 0x2b],
  ['comma', 0x2c],
  ['lsqb', 0x5b],
  ['rsqb', 0x5d],
  ['lbrack', 0x5b],
  ['rbrack', 0x5d],
  ['lcub', 0x7b],
  ['rcub', 0x7d],
  ['lbrace', 0x7b],
  ['rbrace', 0x7d],
  ['hat', 0x5e],
  ['tilde', 0x7e],
  ['commat', 0x40],
]);

/**
 * Reads an HTML character reference at `i` (`&#46;`, `&#x2e;`, `&sol;`): returns how many code units it
 * takes (0: not a reference) and leaves its code point in {@link reference}.
 */
export function characterReference(src: string, i: number, length: number): number {
  let at = i + 1;
  if (src.charCodeAt(at) === 0x23) {
    at++;
    const hex = (src.charCodeAt(at) | 0x20) === 0x78;
    if (hex) at++;
    const start = at;
    let value = 0;
    while (at < length && at - start < 8) {
      const c = src.charCodeAt(at);
      const digit = hex ? hexValue(c) : isDigit(c) ? c - 0x30 : 0x80;
      if (digit > 15) break;
      value = value * (hex ? 16 : 10) + digit;
      at++;
    }
    if (at === start || value > 0x10ffff) return 0;
    if (src.charCodeAt(at) === 0x3b) at++;
    reference.code = value;
    return at - i;
  }
  const start = at;
  while (at < length && at - start <= 8 && isAsciiLetter(src.charCodeAt(at))) at++;
  if (at === start || src.charCodeAt(at) !== 0x3b) return 0;
  const code = NAMED_ENTITIES.lookupText(src, start, at);
  if (code === undefined) return 0;
  reference.code = code;
  return at + 1 - i;
}
