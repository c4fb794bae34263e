// Command positions: where a command can start (after a separator, in a substitution, at the start of
// the input). A cheap look at the first word decides whether the full evaluation (shell-command.ts)
// is worth it; past a budget per input only a cheap check is left, so hostile input stays linear.

import { report } from '../text/index.js';
import { IF_COMPARISONS, IF_KEYWORDS, isWindowsTool, startsWithOneOf } from './cmd-syntax.js';
import { CMD, commandFlagsText, mayStartCommand } from './command-words.js';
import { isBlank, isNameChar, isSpace, RUN, skipSpaces, startsWith, TRIGGER } from './shell-chars.js';
import { evaluateCommand, POSITION, proseStart } from './shell-command.js';

// Full command budget.evaluations per input; past them every position still gets a cheap check (see
// position()), so an input with thousands of separators costs linear time with a small constant.
export const MAX_EVALUATIONS = 256;
// Positions looked at closely (mayBeCommand) per input before only the cheap check is left.
const MAX_CHECKS = 4096;

/**
 * How many positions of the current input were pre-checked and fully evaluated, and where its last
 * `$` is (an assignment before it may feed a variable and is never skipped).
 */
export const budget = { evaluations: 0, checks: 0, lastDollar: -1 };

/** Starts the budget of a new input. */
export function resetBudget(): void {
  budget.evaluations = 0;
  budget.checks = 0;
  budget.lastDollar = UNKNOWN;
}

const UNKNOWN = -2;

function lastDollar(text: string): number {
  if (budget.lastDollar === UNKNOWN) budget.lastDollar = text.lastIndexOf('$');
  return budget.lastDollar;
}

// Evaluates a command position: fully within the budget (for positions mayBeCommand() finds worth
// it), then with a cheap check that still catches a distinct command word (`;wget`, `| whoami`) or an
// ordinary one with a shell-like first argument (`; cat /etc/passwd`, `&& ls -la`).
export function position(text: string, p: number, strength: number, separator: number): boolean {
  // Past the budget, a position whose first two characters start no command word is settled here, in
  // a function small enough for the scanner to inline: hostile input with a separator every few
  // characters (`;ab;ab;ab...`) then costs little more than reading it.
  if (budget.evaluations >= MAX_EVALUATIONS || budget.checks >= MAX_CHECKS) {
    const first = text.charCodeAt(p);
    if (!isSpace(first) && !startsCommandWord(first, text.charCodeAt(p + 1))) return false;
  }
  return evaluatePosition(text, p, strength, separator);
}

// Whether two characters can start a command word the cheap check below looks up.
function startsCommandWord(first: number, second: number): boolean {
  return (
    isWordChar(first) &&
    isWordChar(second) &&
    !(first >= 65 && first <= 90) &&
    mayStartCommand(first | 0x20, second | 0x20)
  );
}

function evaluatePosition(text: string, p: number, strength: number, separator: number): boolean {
  const end = text.length;
  p = skipSpaces(text, end, p);
  if (p >= end) return false;
  const first = text.charCodeAt(p);
  // A separator, backtick or `$(` here opens a position of its own, evaluated when the scan gets there.
  if (first < 128 && OWN_POSITION[first] === 1) return false;
  if (first === 0x24 && text.charCodeAt(p + 1) === 0x28) return false;
  if (budget.evaluations < MAX_EVALUATIONS && budget.checks < MAX_CHECKS) {
    budget.checks++;
    if (!mayBeCommand(text, p, strength)) return false;
    budget.evaluations++;
    return evaluateCommand(text, end, p, strength, 0, separator);
  }
  // Past the budget most positions start with a word no command starts with (`;ab;ab;ab...`): its
  // first two characters decide, the verdict commandFlagsText() would reach after reading it all.
  if (!startsCommandWord(first, text.charCodeAt(p + 1))) return false;
  let q = p + 2;
  while (q < end && q - p <= 40 && isWordChar(text.charCodeAt(q))) q++;
  const flags = commandFlagsText(text, p, q);
  if (flags === 0) return false;
  if (flags & CMD.DISTINCT) return report('shell-separator-command', p, q);
  if (flags & CMD.ENGLISH) {
    const r = skipSpaces(text, end, q);
    const c = text.charCodeAt(r);
    const option =
      c === 0x2d && (text.charCodeAt(r + 1) | 0x20) >= 0x61 && (text.charCodeAt(r + 1) | 0x20) <= 0x7a;
    if (option || c === 0x2f || c === 0x24 || c === 0x60 || c === 0x7e) {
      return report('shell-separator-command', p, r + 1);
    }
  }
  return false;
}

// A known command word at `base..q` (`p` where the word starts, before a directory). Whether the
// evaluation could match, from a cheap look at what follows: an ordinary word such as `time`, `find`
// or `set` only matches with an argument that has a character a command-line argument needs (`-`,
// `/`, `$`, a quote, a digit for `sleep 5`...), bare at the end of the input, or glued to a separator.
// Distinct commands, paths to binaries, wrappers and lookups (`which`) followed by a command and cmd
// tools are always evaluated.
function knownWordMayRun(
  text: string,
  p: number,
  base: number,
  q: number,
  flags: number,
  strength: number,
): boolean {
  if (strength === POSITION.START && base === p && capitalisedProse(text, p, q, flags)) return false;
  if (strength === POSITION.STRONG || flags & CMD.DISTINCT || base > p) return true;
  const first = text.charCodeAt(p);
  // `Time & Date`: a capitalised ordinary word after a spaced separator is never judged a command.
  if (strength === POSITION.MEDIUM && first >= 65 && first <= 90 && !allUpper(text, p, q)) return false;
  if (flags & (CMD.WRAPPER | CMD.LOOKUP) && nextWordIsCommand(text, q)) return true;
  if (isWindowsTool(text, base, q)) return true;
  const end = text.length;
  let k = skipSpaces(text, end, q);
  if (k >= end || (text.charCodeAt(k) < 128 && RUN[text.charCodeAt(k)] === 1)) {
    return (flags & CMD.BARE) !== 0; // bare: `ls`, `id;`
  }
  const limit = Math.min(end, k + 96);
  for (; k < limit; k++) {
    const c = text.charCodeAt(k);
    if (c >= 128) continue;
    if (TRIGGER[c] === 1) return ARGUMENT_CHAR[c] === 1;
    if (ARGUMENT_CHAR[c] === 1) return true;
    if (c === 0x2e && isNameChar(text.charCodeAt(k + 1)) && k > q && isNameChar(text.charCodeAt(k - 1)))
      return true;
    if (c >= 0x30 && c <= 0x39 && flags & (CMD.NUMERIC | CMD.NETWORK)) return true;
    if ((c === 0x22 || c === 0x27) && flags & CMD.ECHO) return true;
  }
  return limit < end; // cut short: read the long command line in full
}

// `Top tips for new parents: ...`: whether the evaluation would settle the known word `text[p..q)` at
// the start of the input as prose before reading its arguments (see proseStart()). Only for a word
// it reads as written: a capital letter and lower-case ones up to a blank; not a wrapper (which reads
// the next word first), a keyword or a Windows tool taking a verb, whose own grammars come first.
function capitalisedProse(text: string, p: number, q: number, flags: number): boolean {
  const first = text.charCodeAt(p);
  if (!(first >= 65 && first <= 90) || !isBlank(text.charCodeAt(q))) return false;
  for (let k = p + 1; k < q; k++) {
    const c = text.charCodeAt(k);
    if (!(c >= 97 && c <= 122)) return false;
  }
  if (flags & CMD.WRAPPER || isKeyword(text, p, q) || isWindowsTool(text, p, q)) return false;
  return proseStart(flags, text, q, text.length);
}

// Characters an argument needs to count as evidence: options, paths, variables, substitutions,
// globs, redirections, cmd variables, Windows paths, history escapes (`!whoami`).
const ARGUMENT_CHAR = new Uint8Array(128);
for (const c of '-/\\~$`%<>*?[=!:') ARGUMENT_CHAR[c.charCodeAt(0)] = 1;

function isWordChar(c: number): boolean {
  return isNameChar(c) || c === 0x2d;
}

function allUpper(text: string, start: number, end: number): boolean {
  for (let k = start; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c >= 97 && c <= 122) return false;
  }
  return true;
}

function nextWordIsCommand(text: string, q: number): boolean {
  const end = text.length;
  let k = q;
  // Options and numbers of the wrapper (`nice -n 10`, `timeout 5`) come before the command.
  for (let words = 0; words < 4; words++) {
    k = skipSpaces(text, end, k);
    const start = k;
    while (k < end && k - start <= 40 && !isBlank(text.charCodeAt(k)) && RUN[text.charCodeAt(k)] !== 1) k++;
    if (k === start) return false;
    const c = text.charCodeAt(start);
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) continue;
    for (let j = start; j < k; j++) {
      const d = text.charCodeAt(j);
      if (!(isNameChar(d) || d === 0x2d || d === 0x2e)) return true; // quotes, `$`, `\`: let the evaluation read it
    }
    return commandFlagsText(text, start, k) !== 0;
  }
  return false;
}

// `for`, `if`, `alias` at a command position: worth reading only with the syntax of their cmd or
// shell forms (`for %i in`, `if exist`, `if "%1"==`, `alias x=`), not in prose ("For example...").
function keywordMayRun(text: string, start: number, end: number): boolean {
  const limit = Math.min(text.length, end + 96);
  const alias = end - start === 5;
  for (let k = end; k < limit; k++) {
    const c = text.charCodeAt(k);
    if (c < 128 && RUN[c] === 1) return false;
    if (alias) {
      if (c === 0x3d) return true;
      continue;
    }
    if (c === 0x25 || c === 0x3d || c === 0x28 || c === 0x5b) return true;
    // `EXIST`, `ERRORLEVEL`, `DEFINED`, `CMDEXTVERSION`
    const l = c | 0x20;
    if ((l === 0x65 || l === 0x64 || l === 0x63) && startsWithOneOf(text, k, IF_KEYWORDS)) return true;
    // A comparison operator as a whole word: `IF 2 GEQ 15 ...`.
    if (
      isBlank(text.charCodeAt(k - 1)) &&
      isBlank(text.charCodeAt(k + 3)) &&
      startsWithOneOf(text, k, IF_COMPARISONS)
    )
      return true;
  }
  return false;
}

// Characters that open a command position of their own.
const OWN_POSITION = new Uint8Array(128);
for (const c of ';|&\n\r`') OWN_POSITION[c.charCodeAt(0)] = 1;

// Whether the command position at `p` is worth a full evaluation, judged from its first word without
// a full read: a word with quotes, backslashes, `$`, carets or brackets may be disguised and is always
// evaluated; a plain word only when it names a command (`cat`, `/usr/bin/id`, `powershell.exe`,
// `python3.10`) or a cmd keyword, or — after a separator — when an option follows (`; foo -x`). Most
// positions in ordinary text start with an ordinary word and are skipped.
export function mayBeCommand(text: string, p: number, strength: number): boolean {
  const end = text.length;
  p = skipSpaces(text, end, p);
  let q = p;
  let base = p;
  while (q < end) {
    const c = text.charCodeAt(q);
    if (c < 128 && PLAIN_WORD[c] === 0) break;
    if (c === 0x2f) base = q + 1;
    if (++q - p > 64) return true;
  }
  if (q < end) {
    const stop = text.charCodeAt(q);
    const after = text.charCodeAt(q + 1);
    // `{"a":1}`, `["x"]`: JSON, not a command. (Brace expansion `{a,b}` is checked on its own.)
    if (q === p && ((stop === 0x7b && !isBlank(after)) || (stop === 0x5b && JSON_START[after] === 1)))
      return false;
    // `name=value` alone before a separator or the end (`&page=2` in a query string) runs nothing.
    if (stop === 0x3d && q > p && lastDollar(text) < p && assignmentOnly(text, p, q)) return false;
    if (!(isBlank(stop) || (stop < 128 && WORD_END[stop] === 1))) return true;
    // `(sh)`, `{ id; }` after a separator: the subshell or group is read by the evaluation.
    if (q === p) return strength !== POSITION.START && !isBlank(stop) && RUN[stop] !== 1;
    // `pi<()ng`: an empty process substitution hides the command word.
    if ((stop === 0x3c || stop === 0x3e) && after === 0x28 && text.charCodeAt(q + 2) === 0x29) return true;
    // `/bin/ca?`, `/???/`: a glob, not a question mark ending a sentence or starting a query string.
    if (stop === 0x3f && !(base === p && isBlank(after)) && !queryString(text, q + 1)) return true;
  }
  if (q === base) return false;
  const flags = commandFlagsText(text, base, q);
  if (flags !== 0) return knownWordMayRun(text, p, base, q, flags, strength);
  if (isKeyword(text, base, q)) return keywordMayRun(text, base, q);
  // `powershell.exe`, `python3.10`, `gcc7.4`: without the extension or the version.
  let dot = q - 1;
  while (dot > base && text.charCodeAt(dot) !== 0x2e) dot--;
  if (dot > base && commandFlagsText(text, base, dot) !== 0) return true;
  let digits = q;
  while (digits > base + 1) {
    const c = text.charCodeAt(digits - 1);
    if (!((c >= 0x30 && c <= 0x39) || c === 0x2e)) break;
    digits--;
  }
  if (digits < q && commandFlagsText(text, base, digits) !== 0) return true;
  // An unknown word: at the start of the input it is prose; glued to a separator it is judged fully;
  // after a spaced separator only an option in the next words can make it a command.
  if (strength === POSITION.START) return false;
  if (strength === POSITION.STRONG) return true;
  const limit = Math.min(end, q + 64);
  for (let k = q; k < limit; k++) {
    const c = text.charCodeAt(k);
    if (c < 128 && TRIGGER[c] === 1) return false;
    if (c === 0x2d && isBlank(text.charCodeAt(k - 1))) return true;
  }
  return false;
}

function isKeyword(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length === 2) return startsWith(text, start, 'if');
  if (length === 3) return startsWith(text, start, 'for');
  return length === 5 && startsWith(text, start, 'alias');
}

// After `[`: the start of a JSON array value.
const JSON_START = new Uint8Array(128);
for (const c of '"{[]0123456789-') JSON_START[c.charCodeAt(0)] = 1;
// Whether `?` at `from - 1` starts a URL query string (`?page=2`) rather than being a glob: a name
// and `=` follow.
function queryString(text: string, from: number): boolean {
  const limit = Math.min(text.length, from + 32);
  for (let k = from; k < limit; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x3d) return k > from;
    if (!isNameChar(c) && c !== 0x2d && c !== 0x2e && c !== 0x5b && c !== 0x5d) return false;
  }
  return false;
}

// Whether the word at `p` is `name=value` with a plain value, followed by nothing or a separator.
// `IFS=` is always read (it is an evasion on its own).
function assignmentOnly(text: string, p: number, equals: number): boolean {
  if (equals - p === 3 && startsWith(text, p, 'ifs')) return false;
  const end = text.length;
  let k = equals + 1;
  const limit = Math.min(end, k + 256);
  while (k < limit) {
    const c = text.charCodeAt(k);
    if (c < 128 && (RUN[c] !== 0 || VALUE_SPECIAL[c] === 1)) break;
    k++;
  }
  if (k >= end) return true;
  const c = text.charCodeAt(k);
  return c < 128 && RUN[c] === 1;
}

// Characters that make an assigned value worth reading (`a=$(id)`, `x='...'`, `c=\ `).
const VALUE_SPECIAL = new Uint8Array(128);
for (const c of '$`\'"\\(){}<>^[*?!~') VALUE_SPECIAL[c.charCodeAt(0)] = 1;

// Characters of a plain first word (letters, digits, `.`, `_`, `-`, `/`, `:`, non-ASCII).
const PLAIN_WORD = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) PLAIN_WORD[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) PLAIN_WORD[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) PLAIN_WORD[c] = 1;
for (const c of '._-/:') PLAIN_WORD[c.charCodeAt(0)] = 1;
// Characters that end a plain first word without making it suspicious.
const WORD_END = new Uint8Array(128);
for (const c of ',.!?;|&()<>#') WORD_END[c.charCodeAt(0)] = 1;
