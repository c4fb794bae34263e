// `$` inside a shell word: special parameters (`$@`, `$1`), variables (`$x`, `${x}`, `${PATH:0:1}`,
// `$SHELL`), `${IFS}` as a space, and the start of substitutions. Variables the input assigned itself
// (`a=c;b=at;$a$b`) expand to their values, unset ones to nothing.

import { lowerCode } from '../text/index.js';
import { isLetter, isNameChar } from './shell-chars.js';
import { W } from './shell-word-flags.js';

const SPACE = 0x20;
const QUOTE = 0x27;
const DQUOTE = 0x22;
const DOLLAR = 0x24;

/** What the last {@link dollar} found: flags to add to the word, text to append to it. */
export const expansion = { flags: 0, value: '' };

// Variables assigned earlier in the same input (`a=/etc&&b=passwd&&cat $a/$b`), at most 16.
const MAX_VARIABLES = 16;
const variableNames: string[] = [];
const variableValues: string[] = [];

/** Forgets the variables of the previous input. */
export function resetVariables(): void {
  if (variableNames.length === 0) return;
  variableNames.length = 0;
  variableValues.length = 0;
}

/** Records `name=value` (both lower case), keeping at most 16 variables. */
export function recordVariable(name: string, value: string): void {
  const at = variableNames.indexOf(name);
  if (at >= 0) variableValues[at] = value;
  else if (variableNames.length < MAX_VARIABLES) {
    variableNames.push(name);
    variableValues.push(value);
  }
}

// `$@ $* $! $? $- $$ $# $_ $0..$9`: special parameters, which usually expand to nothing useful.
const SPECIAL_PARAMETER = new Uint8Array(128);
for (const c of '@*!?-$#_0123456789') SPECIAL_PARAMETER[c.charCodeAt(0)] = 1;

/**
 * Handles `$` at `p` inside a word. Returns the position after what it consumed, `p` when the `$` is
 * an ordinary character, or -1 when the word must end here.
 */
export function dollar(text: string, end: number, p: number): number {
  expansion.flags = 0;
  expansion.value = '';
  const next = text.charCodeAt(p + 1);
  if (p + 1 >= end) return p;
  if (next === 0x28) {
    if (text.charCodeAt(p + 2) === 0x29) {
      expansion.flags |= W.NOISE; // `$()`: expands to nothing
      return p + 3;
    }
    expansion.flags |= text.charCodeAt(p + 2) === 0x28 ? W.ARITHMETIC : W.SUBST;
    return -1;
  }
  if (next === 0x5b) {
    expansion.flags |= W.ARITHMETIC;
    return -1;
  }
  if (next === 0x7b) return braced(text, end, p);
  if (next === QUOTE || next === DQUOTE) return p + 1; // `$'...'`, `$"..."`: the quote follows
  if (next < 128 && SPECIAL_PARAMETER[next] === 1) {
    expansion.flags |= W.NOISE | W.VARIABLE;
    return p + 2;
  }
  if (!(isLetter(next) || next === 0x5f)) return p;
  let k = p + 1;
  const limit = Math.min(end, p + 33);
  while (k < limit && isNameChar(text.charCodeAt(k))) k++;
  expansion.flags |= W.NAMED_VARIABLE;
  return expand(text, p + 1, k, k);
}

// `${NAME}`, `${NAME:0:1}`, `${IFS}`.
function braced(text: string, end: number, p: number): number {
  const limit = Math.min(end, p + 64);
  let close = -1;
  for (let k = p + 2; k < limit; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x7d) {
      close = k;
      break;
    }
    if (c === 0x7b || c === DOLLAR || c <= SPACE) break;
  }
  if (close < 0) return p;
  let k = p + 2;
  while (k < close && isNameChar(text.charCodeAt(k))) k++;
  if (k === p + 2) {
    expansion.flags |= W.NOISE | W.VARIABLE;
    return close + 1;
  }
  expansion.flags |= W.NAMED_VARIABLE;
  // `${PATH:0:1}` and friends: the first character of a path variable is '/'.
  if (
    text.charCodeAt(k) === 0x3a &&
    text.charCodeAt(k + 1) === 0x30 &&
    text.charCodeAt(k + 2) === 0x3a &&
    text.charCodeAt(k + 3) === 0x31
  ) {
    if (isPathVariable(text, p + 2, k)) {
      expansion.flags |= W.VARIABLE | W.NOISE;
      expansion.value = '/';
      return close + 1;
    }
  }
  return expand(text, p + 2, k, close + 1);
}

function isPathVariable(text: string, start: number, end: number): boolean {
  return (
    nameIs(text, start, end, 'PATH') ||
    nameIs(text, start, end, 'HOME') ||
    nameIs(text, start, end, 'PWD') ||
    nameIs(text, start, end, 'OLDPWD') ||
    nameIs(text, start, end, 'SHELL')
  );
}

function nameIs(text: string, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (text.charCodeAt(start + k) !== name.charCodeAt(k)) return false;
  return true;
}

// Expands the variable named `text.charCodeAt(start..end)`; `after` is where the reference ends.
function expand(text: string, start: number, end: number, after: number): number {
  if (nameIs(text, start, end, 'IFS')) {
    expansion.flags |= W.IFS | W.VARIABLE;
    return -1;
  }
  expansion.flags |= W.VARIABLE;
  if (nameIs(text, start, end, 'SHELL') || nameIs(text, start, end, 'BASH')) {
    expansion.flags |= W.EXPANDED;
    expansion.value = 'sh';
    return after;
  }
  if (variableNames.length > 0) {
    let name = '';
    for (let k = start; k < end; k++) {
      name += String.fromCharCode(lowerCode(text.charCodeAt(k)));
    }
    const at = variableNames.indexOf(name);
    if (at >= 0) {
      expansion.flags |= W.EXPANDED;
      expansion.value = variableValues[at]!;
      return after;
    }
  }
  expansion.flags |= W.NOISE; // unset: expands to nothing
  return after;
}
