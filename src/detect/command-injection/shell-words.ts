// Reads one shell word the way a shell would build it, undoing the tricks used to hide a command
// name from filters: quotes inside a word (`c''at`, `w"h"oami`), backslash escapes (`c\at`), special
// parameters that expand to nothing (`c$@at`, `who$()ami`), unset variables (`uname$u`), cmd carets
// (`w^h^o^a^m^i`), single-character brackets (`/bin/[c]at`), `${IFS}` for a space and variables the
// input assigned itself (`a=c;b=at;$a$b`). The word lands lower-cased in `word`, what was undone in
// `flags`. Every read is bounded, so a hostile input costs time linear in its length.

/** Most code units of a word kept (the rest of a longer word is read but not stored). */
export const WORD_MAX = 64;
/** Most code units one word read looks at before giving up on the rest. */
export const SCAN_MAX = 512;
/** How far a quote looks for its closing quote before it is treated as a stray character. */
const QUOTE_MAX = 256;

import { isBlank, isDigit, isLetter, isNameChar } from './shell-chars.js';
import { dollar, expansion, recordVariable } from './shell-expansions.js';
import { W } from './shell-word-flags.js';

export { resetVariables } from './shell-expansions.js';
export { W };

/** The word being built: lower-cased, de-obfuscated code units `word[0..state.length)`. */
export const word = new Uint16Array(WORD_MAX);

/** Mutable result of the last read (one shared record: reads allocate nothing). */
export const state = {
  length: 0,
  flags: 0,
  /** Length of the name when the word is an assignment `NAME=value`. */
  nameLength: 0,
};

/** Options of a read. */
export const READ = {
  /** `NAME=value` may be an assignment (only before the command word). */
  ASSIGN: 1,
  /** Inside `{a,b}` brace expansion: `,` separates words and `}` ends the command. */
  BRACE: 2,
  /** Parentheses are part of the word (cmd `IF (1) EQU (1)`). */
  PARENS: 4,
} as const;

/** Records the assignment in the current word (after a read that set {@link W.ASSIGN}). */
export function recordAssignment(): void {
  let name = '';
  for (let k = 0; k < state.nameLength; k++) name += String.fromCharCode(word[k]!);
  let value = '';
  for (let k = state.nameLength + 1; k < state.length; k++) value += String.fromCharCode(word[k]!);
  recordVariable(name, value);
}

/** Whether the current word is the assignment of `name` (lower-case). */
export function assignedName(name: string): boolean {
  if (state.nameLength !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (word[k] !== name.charCodeAt(k)) return false;
  return true;
}

const SPACE = 0x20;
const QUOTE = 0x27;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const DOLLAR = 0x24;
const BACKTICK = 0x60;
const CARET = 0x5e;

/** Whether `c` ends a command: `;`, `|`, `&`, a newline, a parenthesis. */
export function isCommandEnd(c: number): boolean {
  return c === 0x3b || c === 0x7c || c === 0x26 || c === 0x0a || c === 0x0d || c === 0x28 || c === 0x29;
}

let length = 0;
let flags = 0;
let firstLetterSeen = false;
let extraUpper = false;

function append(c: number): void {
  if (c >= 65 && c <= 90) {
    flags |= W.UPPER;
    if (!firstLetterSeen) flags |= W.CAPITALIZED;
    else extraUpper = true;
    c |= 0x20;
  }
  if (isLetter(c)) firstLetterSeen = true;
  if (length < WORD_MAX) word[length++] = c;
  else flags |= W.OVERFLOW;
}

function appendString(text: string): void {
  for (let k = 0; k < text.length; k++) append(text.charCodeAt(k));
}

function findQuote(text: string, end: number, from: number, quote: number): number {
  const limit = Math.min(end, from + QUOTE_MAX);
  for (let k = from; k < limit; k++) {
    const c = text.charCodeAt(k);
    if (c === quote) return k;
    if (c === BACKSLASH && quote === DQUOTE) k++;
  }
  return -1;
}

// `C:\Windows\...`, `\\server\share`, `%SYSTEMROOT%\...`, `..\..\`, registry keys (`HKLM\Software`,
// `HKEY_CURRENT_USER\...`): backslashes separate directories.
function windowsPathAhead(text: string, end: number, p: number): boolean {
  const c = text.charCodeAt(p);
  if (
    isLetter(c) &&
    text.charCodeAt(p + 1) === 0x3a &&
    (text.charCodeAt(p + 2) === BACKSLASH || text.charCodeAt(p + 2) === 0x2f)
  )
    return true;
  if (c === BACKSLASH && text.charCodeAt(p + 1) === BACKSLASH) return true;
  if (c === 0x2e && text.charCodeAt(p + 1) === 0x2e && text.charCodeAt(p + 2) === BACKSLASH) return true;
  if ((c | 0x20) === 0x68 && (text.charCodeAt(p + 1) | 0x20) === 0x6b) return registryHive(text, end, p + 2);
  if (c === 0x25) {
    const limit = Math.min(end, p + 24);
    for (let k = p + 1; k < limit; k++) {
      if (text.charCodeAt(k) === 0x25) return text.charCodeAt(k + 1) === BACKSLASH;
      if (!isNameChar(text.charCodeAt(k))) return false;
    }
  }
  return false;
}

// After `HK`: a registry hive name (`LM`, `CU`, `CR`, `U`, `CC`, `EY_LOCAL_MACHINE`) and a backslash.
function registryHive(text: string, end: number, p: number): boolean {
  const limit = Math.min(end, p + 24);
  let k = p;
  while (k < limit && (isLetter(text.charCodeAt(k)) || text.charCodeAt(k) === 0x5f)) k++;
  if (text.charCodeAt(k) !== BACKSLASH) return false;
  const length = k - p;
  if (length > 3) return (text.charCodeAt(p) | 0x20) === 0x65 && text.charCodeAt(p + 2) === 0x5f; // `HKEY_`
  return length === 1 ? (text.charCodeAt(p) | 0x20) === 0x75 : length === 2;
}

/**
 * Reads the word starting at `p` (not at a space); returns the position after it. The word stops at a
 * space, a command end, a redirection, a command substitution or a backtick; the caller looks at
 * what stopped it.
 */
export function readWord(text: string, end: number, p: number, options: number): number {
  length = 0;
  flags = 0;
  firstLetterSeen = false;
  extraUpper = false;
  state.nameLength = 0;
  let quotedParts = 0;
  let plainChars = 0;
  const windowsPath = windowsPathAhead(text, end, p);
  if (windowsPath) flags |= W.SLASH_SWITCH;
  const limit = Math.min(end, p + SCAN_MAX);
  while (p < limit) {
    const c = text.charCodeAt(p);
    if (c < 128 && FAST[c] !== 0) {
      // The common case: a lower-case letter, a digit or `.`, `-`, `_`, `/`, `:`, `,`.
      if (length < WORD_MAX) word[length++] = c;
      else flags |= W.OVERFLOW;
      if (FAST[c] === 1) firstLetterSeen = true;
      plainChars++;
      p++;
      continue;
    }
    if (isBlank(c)) break;
    if ((c === 0x3c || c === 0x3e) && text.charCodeAt(p + 1) === 0x28 && text.charCodeAt(p + 2) === 0x29) {
      flags |= W.NOISE; // `<()`: an empty process substitution
      p += 3;
      continue;
    }
    if (c === 0x3b || c === 0x7c || c === 0x26 || c === 0x3c || c === 0x3e) break;
    if ((c === 0x28 || c === 0x29) && (options & READ.PARENS) === 0) break;
    if (options & READ.BRACE && (c === 0x2c || c === 0x7d)) break;
    if (c === BACKTICK) {
      if (text.charCodeAt(p + 1) === BACKTICK) {
        flags |= W.NOISE;
        p += 2;
        continue;
      }
      flags |= W.SUBST;
      break;
    }
    if (c === QUOTE || c === DQUOTE) {
      const close = findQuote(text, end, p + 1, c);
      if (close < 0) {
        p++; // a stray quote (closing a quote of the surrounding command, or an apostrophe)
        continue;
      }
      quotedParts++;
      for (let k = p + 1; k < close; k++) {
        let q = text.charCodeAt(k);
        if (q === BACKSLASH && c === DQUOTE && k + 1 < close) q = text.charCodeAt(++k);
        else if (q === 0x25) percentVariable(text, close, k);
        append(q);
      }
      if (close === p + 1) flags |= W.NOISE;
      p = close + 1;
      continue;
    }
    if (c === BACKSLASH) {
      if (windowsPath) {
        append(0x2f);
        plainChars++;
        p++;
        continue;
      }
      const next = text.charCodeAt(p + 1);
      if (p + 1 >= end) {
        p++;
        continue;
      }
      if (next === 0x0a) {
        p += 2; // line continuation
        continue;
      }
      if (isLetter(next)) flags |= W.BACKSLASH;
      append(next);
      plainChars++;
      p += 2;
      continue;
    }
    if (c === DOLLAR) {
      const next = dollar(text, end, p);
      flags |= expansion.flags;
      if (next < 0) break; // `$(`, `$((`, `${IFS}`: the word ends here
      if (next > p) {
        if (expansion.value !== '') appendString(expansion.value);
        p = next;
        continue;
      }
    }
    if (
      c === CARET &&
      (length > 0 || isLetter(text.charCodeAt(p + 1))) &&
      p + 1 < end &&
      !isBlank(text.charCodeAt(p + 1))
    ) {
      flags |= W.NOISE; // cmd escape character: `w^h^o^a^m^i`, `^p^o^w^e^r^shell` (not `^1.2`)
      p++;
      continue;
    }
    if (c === 0x5b) {
      const next = bracket(text, end, p);
      if (next > p) {
        plainChars++;
        p = next;
        continue;
      }
    }
    if (c === 0x2a || c === 0x3f) flags |= W.GLOB;
    if (c === 0x3d) {
      if (text.charCodeAt(p + 1) === 0x3d) flags |= W.DOUBLE_EQ;
      else if (
        options & READ.ASSIGN &&
        (flags & W.ASSIGN) === 0 &&
        length > 0 &&
        quotedParts === 0 &&
        isAssignableName()
      ) {
        flags |= W.ASSIGN;
        state.nameLength = length;
      }
    }
    if (c === 0x25) percentVariable(text, end, p);
    if (c === 0x40 && length === 0 && plainChars === 0) {
      p++; // cmd's `@echo`: the @ only hides the echo of the command
      continue;
    }
    append(c);
    plainChars++;
    p++;
  }
  if (quotedParts > 0) {
    if (plainChars > 0 || quotedParts > 1) flags |= W.QUOTE_SPLIT;
    else flags |= W.WHOLE_QUOTED;
  }
  if (extraUpper) flags &= ~W.CAPITALIZED;
  state.length = length;
  state.flags = flags;
  return p;
}

function isAssignableName(): boolean {
  if (!(isLetter(word[0]!) || word[0] === 0x5f)) return false;
  for (let k = 1; k < length; k++) if (!isNameChar(word[k]!)) return false;
  return true;
}

function percentVariable(text: string, end: number, p: number): void {
  const next = text.charCodeAt(p + 1);
  if (p + 1 >= end) return;
  if (isDigit(next) || next === 0x7e || next === 0x25) {
    flags |= W.PERCENT_VAR;
    return;
  }
  const limit = Math.min(end, p + 32);
  for (let k = p + 1; k < limit; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x25) {
      if (k > p + 1) flags |= W.PERCENT_VAR;
      return;
    }
    if (!isNameChar(c) && c !== 0x3a && c !== 0x7e && c !== 0x2c && c !== 0x2d) return;
  }
}

// `[x]` is the character x; `[a-z]`, `[!q]`, `[abc]` match one unknown character.
function bracket(text: string, end: number, p: number): number {
  const limit = Math.min(end, p + 16);
  for (let k = p + 1; k < limit; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x5d) {
      if (k === p + 1) return p;
      flags |= W.GLOB;
      if (k === p + 2) {
        flags |= W.BRACKET_CHAR;
        append(text.charCodeAt(p + 1));
      } else append(0x3f);
      return k + 1;
    }
    if (c <= SPACE || c === 0x5b) return p;
  }
  return p;
}

// Characters readWord copies as they are: lower-case letters (1), digits and `.-_/:,` (2).
const FAST = new Uint8Array(128);
for (let c = 0x61; c <= 0x7a; c++) FAST[c] = 1;
for (const c of '0123456789.-_/:,') FAST[c.charCodeAt(0)] = 2;

/** Whether `word[start..end)` is `text` (lower case). */
export function wordIs(start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (word[start + k] !== text.charCodeAt(k)) return false;
  return true;
}
