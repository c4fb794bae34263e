// Undoes the encodings attackers use to slip path and shell syntax past naive filters, so the detectors
// look at what a server, a framework or a shell may end up seeing. Linear time: a bounded number of
// passes, each reading every character once, into reusable buffers.

import { hexValue, isAsciiLetter, isDigit } from '../text/index.js';
import { characterReference, reference } from './html-references.js';
import { FOLD_TABLE, TWO_DOTS, ZERO_WIDTH } from './lookalikes.js';

// Rounds of decoding: `%25252e` needs three. More rounds than this are not something a server does.
const MAX_ROUNDS = 4;
// A scratch buffer up to this many code units is kept between calls; larger inputs get their own.
const RETAINED_CAPACITY = 1 << 16;

let scratch = new Uint16Array(1024);

// Set by decodeRound: whether the round changed anything (if not, decoding has converged), and
// whether another round could change more (it changed something, and wrote a `%`, `&`, `\` or `0`
// that was decoded or copied, except a `\` from `0x5c`).
let roundChanged = false;
let roundLeftTriggers = false;
// Set by decodeRound: whether its output has a code unit above 0xff (if not, it fits a one-byte string).
let roundWide = false;

/**
 * Decodes `input` for inspection: repeated percent-decoding (also `%uXXXX`, overlong and malformed
 * UTF-8 sequences such as `%c0%ae` and `%c0%2e`), HTML character references (`&#46;`, `&#x2f;`,
 * `&sol;`), `\xNN` / `\uNNNN` escapes and `0x2e`-style hex for `.`, `/` and `\`; zero-width characters
 * are dropped (a NUL is kept, see {@link decodedNul}) and Unicode look-alikes of ASCII punctuation
 * (full-width and small forms, dot leaders, division and fraction slashes, set minus) are folded to
 * ASCII. Input with nothing to decode is returned as it is (no copy). Never throws; linear time: at most four passes.
 */
export function decodeForInspection(input: string): string {
  // Both detectors decode the same value in turn (the request guard runs them one after the other):
  // the second call gets the first one's result.
  if (input === lastInput) return lastOutput;
  sawNul = false;
  lastOutput = decode(input);
  lastInput = input;
  lastSawNul = sawNul;
  return lastOutput;
}

/**
 * decodeForInspection() of a value derived from the one being inspected (the text inside a base64
 * value), leaving the remembered last value, and what decodedNul() says of it, as they were: the next
 * detector still finds the inspected value decoded.
 */
export function decodeDerived(input: string): string {
  return decode(input);
}

/**
 * Whether the value decodeForInspection() returned last holds a NUL. A server written in C ends the
 * name there; one that strips NUL bytes joins what is around it: the detectors read it both ways.
 */
export function decodedNul(): boolean {
  return lastSawNul;
}

/**
 * `text` without its NUL characters: what a server that strips them sees. Built like a decoded value
 * (`replaceAll` may return a slice of `text`, and a scanner that meets one string kind more reads
 * every later input slower: 1.8 times on the bench's adversarial shapes).
 */
export function withoutNul(text: string): string {
  const codes = new Uint16Array(text.length);
  let length = 0;
  let wide = false;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0) continue;
    codes[length++] = c;
    if (c > 0xff) wide = true;
  }
  return toText(codes, length, wide);
}

let lastInput = '';
let lastOutput = '';
let lastSawNul = false;
// Set when the decoding in progress writes (or copies) a NUL.
let sawNul = false;

/**
 * Records that `input` decodes to itself (a scan of it met no {@link encodingAt}), so the next
 * decodeForInspection() of it, by the other detector, costs nothing.
 */
export function noteUndecoded(input: string): void {
  lastInput = input;
  lastOutput = input;
  lastSawNul = false; // a NUL is an encodingAt() position
}

function decode(input: string): string {
  // A native scan finds something to decode; most inputs have nothing and are returned untouched.
  if (!ENCODED.test(input)) return input;
  let text = input;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // A two dot leader (U+2025) is the only character that decodes to more code units than it takes.
    const capacity = round === 0 && text.indexOf('\u2025') >= 0 ? 2 * text.length : text.length;
    let target = scratch;
    if (capacity > RETAINED_CAPACITY) target = new Uint16Array(capacity);
    else if (scratch.length < capacity) {
      scratch = new Uint16Array(Math.min(RETAINED_CAPACITY, Math.max(capacity, scratch.length * 2)));
      target = scratch;
    }
    const length = decodeRound(text, target);
    if (!roundChanged) break;
    text = toText(target, length, roundWide);
    // Another round only when there is something left to decode: the native scan is much cheaper
    // than a round that changes nothing (a literal `&` or `0` often survives a round).
    if (!roundLeftTriggers || !ENCODED.test(text)) break;
  }
  return text;
}

// Something decodeRound would change: a percent escape, a character reference, a `\x`/`\u` escape,
// `0x2e`-style hex, NUL, or a look-alike character. Bounded repetitions only: linear time.
const ENCODED =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a NUL byte is noted (see decodedNul)
  /%(?:[0-9a-fA-F]{2}|[uU][0-9a-fA-F]{4})|&(?:#|[a-zA-Z]{2,8};)|\\[xu]|\x00|0[xX][0-9a-fA-F]{2}|[\u00ad\u200b-\u200d\u2024\u2025\u2044\u2060\u2215\u2216\u2571\u2572\u29f5\u29f8\u29f9\u3000\ufe50-\ufe6b\ufeff\uff01-\uff5e]/;

// ASCII characters decodeRound copies as they are: all but `%`, `&`, `\\`, `0` and NUL, which may start
// something to decode (a round that writes one of the first four may leave work for another round).
const PLAIN = new Uint8Array(128).fill(1);
for (const c of '%&\\0') PLAIN[c.charCodeAt(0)] = 0;
PLAIN[0] = 0;

/**
 * Code units that may start something decodeForInspection() changes (see {@link encodingAt}): `%`,
 * `&`, `\\`, `0`, NUL and every character ENCODED lists as a look-alike.
 */
export const ENCODING_START = new Uint8Array(0x10000);
for (let c = 0; c < 0x80; c++) if (PLAIN[c] === 0) ENCODING_START[c] = 1;
for (let c = 0x80; c < 0x10000; c++) if (ENCODED.test(String.fromCharCode(c))) ENCODING_START[c] = 1;

/**
 * Whether something decodeForInspection() changes may start at `text[i]`: what ENCODED matches there
 * (or more). A text with no such position anywhere decodes to itself, so a scanner that reads every
 * character can inspect the raw text and skip the decoder's native scan.
 */
export function encodingAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  const next = text.charCodeAt(i + 1);
  switch (c) {
    case 0x25: // `%XX`, `%uXXXX`
      return (
        hexRun(text, i + 1, 2, text.length) >= 0 ||
        ((next | 0x20) === 0x75 && hexRun(text, i + 2, 4, text.length) >= 0)
      );
    case 0x26: // `&#`, `&name;`
      return next === 0x23 || namedReference(text, i + 1);
    case 0x5c: // `\x`, `\u`
      return next === 0x78 || next === 0x75;
    case 0x30: // `0x2e`
      return (next | 0x20) === 0x78 && hexRun(text, i + 2, 2, text.length) >= 0;
    default: // NUL, look-alikes
      return ENCODING_START[c] === 1;
  }
}

// Two to eight ASCII letters and a `;` from `at` on, as ENCODED's `&[a-zA-Z]{2,8};`.
function namedReference(text: string, at: number): boolean {
  const limit = Math.min(text.length, at + 9);
  let end = at;
  while (end < limit && isAsciiLetter(text.charCodeAt(end))) end++;
  return end - at >= 2 && end - at <= 8 && text.charCodeAt(end) === 0x3b;
}

// Byte copy of a narrow output, for a one-byte string: half the memory, and faster to scan than the
// two-byte string 'utf16le' decoding always makes.
let narrowScratch = new Uint8Array(0);

// Outputs up to this long are built with fromCharCode; longer ones with a Buffer decode.
const SHORT_TEXT = 64;

/** The string of `codes[0..length)`; `wide` tells whether a code unit is above 0xff. */
function toText(codes: Uint16Array, length: number, wide: boolean): string {
  // Spreading code units into fromCharCode costs several ns each; past a few dozen, a Buffer decode is
  // cheaper (measured on this project's bench VM: 876 against 320 ns for 130 units, equal near 64).
  if (length <= SHORT_TEXT)
    return String.fromCharCode.apply(null, codes.subarray(0, length) as unknown as number[]);
  if (wide) return Buffer.from(codes.buffer, codes.byteOffset, length * 2).toString('utf16le');
  let bytes = narrowScratch;
  if (length > RETAINED_CAPACITY) bytes = new Uint8Array(length);
  else if (bytes.length < length) bytes = narrowScratch = new Uint8Array(RETAINED_CAPACITY);
  bytes.set(codes.subarray(0, length));
  return Buffer.from(bytes.buffer, bytes.byteOffset, length).toString('latin1');
}

// hexRun(src, at, 2, length) unrolled: runs of overlong UTF-8 (`%c0%ae`) decode ~10% slower through
// the loop.
function hexByte(src: string, at: number, length: number): number {
  if (at + 1 >= length) return -1;
  const high = hexValue(src.charCodeAt(at));
  const low = hexValue(src.charCodeAt(at + 1));
  return (high | low) > 15 ? -1 : high * 16 + low;
}

function hexRun(src: string, at: number, count: number, length: number): number {
  if (at + count > length) return -1;
  let value = 0;
  let digits = 0; // every digit ORed: more than 15 when one is no hex digit
  for (let k = 0; k < count; k++) {
    const digit = hexValue(src.charCodeAt(at + k));
    digits |= digit;
    value = value * 16 + digit;
  }
  return digits > 15 ? -1 : value;
}

// Output of the round in progress (module state keeps emit() free of closures).
let out = 0;
let dst: Uint16Array = scratch;
let decodedTrigger = false; // the round wrote a `%`, `&`, `\` or `0` (decoded, or copied by emit())
let emittedWide = false; // emit() wrote a code unit above 0xff

/** Writes one code point to the output, folding look-alikes; returns whether the output differs. */
function emit(cp: number): boolean {
  if (cp === 0) {
    sawNul = true;
    dst[out++] = 0;
    return false;
  }
  if (cp < 0x80) {
    if (PLAIN[cp] === 0) decodedTrigger = true;
    dst[out++] = cp;
    return false;
  }
  if (cp > 0xffff) {
    emittedWide = true;
    const v = cp - 0x10000;
    dst[out++] = 0xd800 + (v >> 10);
    dst[out++] = 0xdc00 + (v & 0x3ff);
    return false;
  }
  const folded = FOLD_TABLE[cp]!;
  if (folded === 0) {
    if (cp > 0xff) emittedWide = true;
    dst[out++] = cp;
    return false;
  }
  if (folded === ZERO_WIDTH) return true;
  if (folded === TWO_DOTS) {
    dst[out++] = 0x2e;
    dst[out++] = 0x2e;
    return true;
  }
  if (PLAIN[folded] === 0) decodedTrigger = true; // a look-alike folds to ASCII, never to NUL
  dst[out++] = folded;
  return true;
}

/**
 * One pass of decoding `src` into `target`; returns the decoded length. The hot paths keep the output
 * position in a local (module state is slow to update per character) and hand it to emit() and the
 * escape readers through `out`.
 */
function decodeRound(src: string, target: Uint16Array): number {
  const length = src.length;
  const d = target;
  dst = target;
  let o = 0;
  let changed = false;
  let wide = false; // a code unit above 0xff written by this loop
  decodedTrigger = false;
  emittedWide = false;
  let units = 0; // every code unit the fast path wrote, ORed: above 0xff when one is
  let i = 0;
  while (i < length) {
    const c = src.charCodeAt(i);
    // Most code units are copied, or folded to one other unit: one table read settles them. Whether
    // one is wide is worked out from `units` at the end.
    const simple = SIMPLE_OUTPUT[c]!;
    if (simple !== 0) {
      d[o++] = simple;
      units |= simple;
      if (simple !== c) changed = true; // a look-alike folded
      i++;
      continue;
    }
    if (c === 0x25 && i + 2 < length) {
      // The common case inline: `%XX` for an ASCII character.
      const high = src.charCodeAt(i + 1);
      const low = src.charCodeAt(i + 2);
      const byte = hexValue(high) * 16 + hexValue(low); // 0x80 or more unless both are hex digits
      if (byte < 0x80) {
        if (PLAIN[byte] === 0) {
          if (byte === 0) sawNul = true;
          else decodedTrigger = true;
        }
        d[o++] = byte;
        i += 3;
        changed = true;
        continue;
      }
      // `%uXXXX` inline too (IIS-style escapes of look-alikes come in long runs); as emit() would.
      if ((high | 0x20) === 0x75) {
        const unit = hexRun(src, i + 2, 4, length);
        if (unit >= 0x80) {
          const folded = FOLD_TABLE[unit]!;
          i += 6;
          changed = true;
          if (folded === 0) {
            if (unit > 0xff) wide = true;
            d[o++] = unit;
          } else if (folded === TWO_DOTS) {
            d[o++] = 0x2e;
            d[o++] = 0x2e;
          } else if (folded !== ZERO_WIDTH) {
            if (folded < 0x80 && PLAIN[folded] === 0) decodedTrigger = true;
            d[o++] = folded;
          }
          continue;
        }
      }
    } else if (c === 0x2025) {
      // Two dot leaders (U+2025) come in long runs too: a run is written in one loop.
      do {
        d[o++] = 0x2e;
        d[o++] = 0x2e;
      } while (++i < length && src.charCodeAt(i) === 0x2025);
      changed = true;
      continue;
    }
    out = o;
    if (c === 0x25) {
      const consumed = percent(src, i, length);
      if (consumed > 0) {
        o = out;
        i += consumed;
        changed = true;
        continue;
      }
    } else if (c === 0x26) {
      const consumed = characterReference(src, i, length);
      if (consumed > 0) {
        emit(reference.code);
        o = out;
        i += consumed;
        changed = true;
        continue;
      }
    } else if (c === 0x5c) {
      const next = src.charCodeAt(i + 1);
      if (next === 0x78) {
        const byte = hexByte(src, i + 2, length);
        if (byte >= 0) {
          emit(byte);
          o = out;
          i += 4;
          changed = true;
          continue;
        }
      } else if (next === 0x75) {
        const unit = hexRun(src, i + 2, 4, length);
        if (unit >= 0) {
          emit(unit);
          o = out;
          i += 6;
          changed = true;
          continue;
        }
      }
    } else if (c === 0x30 && (src.charCodeAt(i + 1) | 0x20) === 0x78) {
      const byte = hexByte(src, i + 2, length);
      if (byte === 0x2e || byte === 0x2f || byte === 0x5c) {
        d[o++] = byte;
        i += 4;
        changed = true;
        continue;
      }
    }
    if (emit(c)) changed = true;
    o = out;
    i++;
  }
  roundChanged = changed;
  roundLeftTriggers = changed && decodedTrigger;
  roundWide = wide || emittedWide || units > 0xff;
  return o;
}

// What decodeRound writes for each code unit it copies or folds to one unit without looking further:
// the unit itself, or the ASCII character a look-alike folds to. 0 for the rest, which emit() and the
// escape readers handle: NUL, `%`, `&`, `\\`, `0`, zero-width characters, the two dot leader, and the
// look-alikes of `%`, `&`, `\\` and `0` (another round may decode what they start).
const SIMPLE_OUTPUT = new Uint16Array(0x10000);
for (let c = 1; c < 0x10000; c++) {
  const folded = c < 0x80 ? (PLAIN[c] === 1 ? c : 0) : FOLD_TABLE[c]! || c;
  if (folded === ZERO_WIDTH || folded === TWO_DOTS || (folded < 0x80 && PLAIN[folded] === 0)) continue;
  SIMPLE_OUTPUT[c] = folded;
}

// Two characters read as hex digits the way IIS did, letters past `f` going on from 16 (`g` = 16 ...
// `z` = 35); -1 unless both are ASCII letters or digits.
function looseHexByte(src: string, at: number, length: number): number {
  if (at + 1 >= length) return -1;
  const high = looseHexDigit(src.charCodeAt(at));
  const low = looseHexDigit(src.charCodeAt(at + 1));
  return high < 0 || low < 0 ? -1 : high * 16 + low;
}

function looseHexDigit(c: number): number {
  if (isDigit(c)) return c - 0x30;
  return isAsciiLetter(c) ? (c | 0x20) - 0x61 + 10 : -1;
}

/** Decodes a `%` escape at `i`; returns how many code units it consumed (0: not an escape). */
function percent(src: string, i: number, length: number): number {
  const byte = hexByte(src, i + 1, length);
  if (byte < 0) {
    if ((src.charCodeAt(i + 1) | 0x20) === 0x75) {
      const unit = hexRun(src, i + 2, 4, length);
      if (unit >= 0) {
        emit(unit);
        return 6;
      }
    }
    return 0;
  }
  // `%XX` for an ASCII character never gets here: decodeRound decodes it inline.
  return utf8Sequence(src, i, length, byte);
}

// Decodes percent-encoded UTF-8 starting with lead byte `lead` at `i`, accepting the overlong forms
// that old servers decoded (`%c0%ae` = '.'); continuation bytes must be well formed.
function utf8Sequence(src: string, i: number, length: number, lead: number): number {
  let need = 0;
  let cp = 0;
  if (lead >= 0xc0 && lead <= 0xdf) {
    need = 1;
    cp = lead & 0x1f;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    need = 2;
    cp = lead & 0x0f;
  } else if (lead >= 0xf0 && lead <= 0xf7) {
    need = 3;
    cp = lead & 0x07;
  } else if (lead >= 0xf8 && lead <= 0xfb) {
    need = 4;
    cp = lead & 0x03;
  } else if (lead >= 0xfc && lead <= 0xfd) {
    need = 5;
    cp = lead & 0x01;
  }
  let at = i + 3;
  let ok = need > 0;
  for (let k = 0; k < need; k++) {
    const next = src.charCodeAt(at) === 0x25 ? hexByte(src, at + 1, length) : -1;
    if (next < 0 || (next & 0xc0) !== 0x80) {
      ok = false;
      break;
    }
    cp = cp * 64 + (next & 0x3f);
    at += 3;
  }
  if (ok) {
    emit(cp > 0x10ffff ? 0xfffd : cp);
    return at - i;
  }
  if (lead === 0xc0 || lead === 0xc1) {
    // A lone overlong lead byte: some decoders drop it, so `%c0%2e` became '.'.
    const next = src.charCodeAt(i + 3) === 0x25 ? hexByte(src, i + 4, length) : -1;
    if (next >= 0 && next < 0x80) {
      emit(next);
      return 6;
    }
    // IIS read any letter as a hex digit (`q` = 26) and kept the low six bits of the continuation
    // byte, so `%c0%qf`, `%c0%9v` and `%c1%pc` became `/`, `/` and `\`.
    const loose = src.charCodeAt(i + 3) === 0x25 ? looseHexByte(src, i + 4, length) : -1;
    if (loose >= 0) {
      emit(((lead & 0x1f) << 6) | (loose & 0x3f));
      return 6;
    }
    return 3;
  }
  emit(lead); // not UTF-8: keep the byte as a Latin-1 character
  return 3;
}
