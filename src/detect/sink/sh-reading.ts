// Reads a command line the way `/bin/sh` tokenises it (POSIX, plus the bash syntax a payload may use:
// `$'...'`, `<(...)`, `&>`, `|&`, brace expansion): words, operators, quoting, substitutions and
// expansions, comments, and which word names the command to run. One pass, each character once;
// nesting deeper than MAX_NESTING is left unread (and counts as syntax). Not read: here-document
// bodies (read as commands, which only errs towards a finding), aliases, `case` patterns.

import { WordTable, wordEntries } from '../text/index.js';
import { type CommandReading, MAX_NESTING, ROLE } from './command-reading.js';
import { SimpleCommand } from './simple-commands.js';

// What is being read at one nesting level.
const TOP = 0;
const SUBSHELL = 1; // ( ... )
const COMMAND_SUBST = 2; // $( ... ), <( ... ), >( ... )
const BACKTICK = 3; // ` ... `
const DOUBLE = 4; // " ... "
const SINGLE = 5; // ' ... '
const ANSI = 6; // $' ... '
const PARAM = 7; // ${ ... }

const TAB = 0x09;
const LF = 0x0a;
const SPACE = 0x20;

// Words after which the next word again names a command.
const KEEP_COMMAND_POSITION = new WordTable(wordEntries('if then else elif do while until ! { time', true));

// Per nesting level (reused between calls; a reading is never re-entered).
const LEVELS = MAX_NESTING + 1;
const context = new Uint8Array(LEVELS);
const inComment = new Uint8Array(LEVELS);
const bracketAt = new Int32Array(LEVELS);
const braceAt = new Int32Array(LEVELS);
const braceList = new Uint8Array(LEVELS);
const commands: SimpleCommand[] = [];

let reading: CommandReading;
let text = '';
let role: Uint8Array;
let top = 0;
// The simple command being read at the innermost command level.
let command: SimpleCommand;

/** Fills `target` (roles, depths, words, command names, nested scripts) from its text. */
export function readSh(target: CommandReading): void {
  reading = target;
  text = target.text;
  role = target.role;
  top = -1;
  open(TOP);
  const n = text.length;
  const depth = target.depth;
  let i = 0;
  while (i < n) {
    depth[i] = top;
    const ctx = context[top]!;
    const c = text.charCodeAt(i);
    let next: number;
    if (ctx <= BACKTICK) next = commandChar(i, c, ctx);
    else if (ctx === SINGLE) next = closeOrLiteral(i, c, 0x27);
    else if (ctx === DOUBLE) next = doubleQuotedChar(i, c);
    else if (ctx === ANSI) next = c === 0x5c ? escaped(i) : closeOrLiteral(i, c, 0x27);
    else next = c === 0x7d ? closeParameter(i) : doubleQuotedChar(i, c);
    if (next < 0) {
      // Nested too deep: the rest is not read.
      role.fill(ROLE.UNREAD, i, n);
      depth.fill(top, i, n);
      break;
    }
    for (let k = i + 1; k < next; k++) depth[k] = depth[i]!;
    i = next;
  }
  depth[n] = top;
  for (; top >= 0; top--) {
    if (context[top]! <= BACKTICK) commands[top]!.end(n);
  }
}

// A character in a command context (top level, subshell, substitution, backticks).
function commandChar(i: number, c: number, ctx: number): number {
  if (inComment[top]) {
    if (c !== LF) {
      role[i] = ROLE.COMMENT_TEXT;
      return i + 1;
    }
    inComment[top] = 0;
  }
  const next = text.charCodeAt(i + 1);
  switch (c) {
    case SPACE:
    case TAB:
      command.endWord(i);
      role[i] = ROLE.BLANK;
      return i + 1;
    case LF:
      return separator(i, 1);
    case 0x3b: // ;
      return separator(i, next === 0x3b || next === 0x26 ? 2 : 1);
    case 0x26: // &
      if (next === 0x3e) return redirection(i, text.charCodeAt(i + 2) === 0x3e ? 3 : 2);
      return separator(i, next === 0x26 ? 2 : 1);
    case 0x7c: // |
      if (next === 0x7c) return separator(i, 2);
      command.end(i);
      role[i] = ROLE.PIPE;
      if (next === 0x26) role[i + 1] = ROLE.PIPE;
      return next === 0x26 ? i + 2 : i + 1;
    case 0x3c: // <
    case 0x3e: // >
      if (next === 0x28) {
        startWord(i);
        role[i] = ROLE.SUBSTITUTION;
        role[i + 1] = ROLE.SUBSTITUTION;
        return open(COMMAND_SUBST) ? i + 2 : -1;
      }
      return redirection(i, operatorLength(i, c, next));
    case 0x28: // (
      command.endWord(i);
      role[i] = ROLE.GROUP;
      return open(SUBSHELL) ? i + 1 : -1;
    case 0x29: // )
      if (ctx !== COMMAND_SUBST && ctx !== SUBSHELL) {
        command.endWord(i);
        role[i] = ROLE.GROUP;
        return i + 1;
      }
      command.end(i);
      role[i] = ctx === COMMAND_SUBST ? ROLE.SUBSTITUTION : ROLE.GROUP;
      return close(i);
    case 0x60: // `
      if (ctx === BACKTICK) {
        command.end(i);
        role[i] = ROLE.SUBSTITUTION;
        return close(i);
      }
      startWord(i);
      role[i] = ROLE.SUBSTITUTION;
      return open(BACKTICK) ? i + 1 : -1;
    case 0x5c: // \
      startWord(i);
      return escaped(i);
    case 0x27: // '
    case 0x22: // "
      startWord(i);
      role[i] = ROLE.QUOTE;
      return open(c === 0x27 ? SINGLE : DOUBLE) ? i + 1 : -1;
    case 0x24: // $
      startWord(i);
      return dollar(i, true);
    default:
      return wordChar(i, c, next);
  }
}

// Characters that only mean something in (or at the start of) a word.
function wordChar(i: number, c: number, next: number): number {
  const starting = !command.inWord;
  if (c === 0x23 && starting) {
    role[i] = ROLE.COMMENT;
    inComment[top] = 1;
    return i + 1;
  }
  if ((c === 0x7b || c === 0x7d) && starting && command.atCommand && (c === 0x7d || isBlankOrEnd(next))) {
    role[i] = ROLE.GROUP; // the reserved words { and }
    return i + 1;
  }
  startWord(i);
  if (c === 0x7e)
    role[i] = starting ? ROLE.EXPANSION : ROLE.WORD; // ~ at the start: a home directory
  else if (c === 0x2a || c === 0x3f) role[i] = ROLE.GLOB;
  else if (c === 0x5b) {
    if (bracketAt[top]! < 0) bracketAt[top] = i;
  } else if (c === 0x5d) {
    if (bracketAt[top]! >= 0) {
      role[bracketAt[top]!] = ROLE.GLOB;
      role[i] = ROLE.GLOB;
      bracketAt[top] = -1;
    }
  } else if (c === 0x7b) {
    if (braceAt[top]! < 0) {
      braceAt[top] = i;
      braceList[top] = 0;
    }
  } else if (c === 0x2c || (c === 0x2e && next === 0x2e)) {
    braceList[top] = 1; // {a,b} or {1..9}: brace expansion makes several words (bash)
  } else if (c === 0x7d) {
    if (braceAt[top]! >= 0 && braceList[top]) {
      role[braceAt[top]!] = ROLE.EXPANSION;
      role[i] = ROLE.EXPANSION;
    }
    braceAt[top] = -1;
  } else if (c === 0x0d || c === 0x0c || c === 0x0b) role[i] = ROLE.CONTROL;
  return i + 1;
}

// `$` (in a command context, a double-quoted string or `${...}`): what follows decides.
function dollar(i: number, command: boolean): number {
  const c = text.charCodeAt(i + 1);
  if (c === 0x28) {
    role[i] = ROLE.SUBSTITUTION;
    role[i + 1] = ROLE.SUBSTITUTION;
    return open(COMMAND_SUBST) ? i + 2 : -1;
  }
  if (c === 0x7b) {
    role[i] = ROLE.EXPANSION;
    role[i + 1] = ROLE.EXPANSION;
    return open(PARAM) ? i + 2 : -1;
  }
  if (command && (c === 0x27 || c === 0x22)) {
    role[i] = ROLE.QUOTE;
    role[i + 1] = ROLE.QUOTE;
    return open(c === 0x27 ? ANSI : DOUBLE) ? i + 2 : -1;
  }
  if (isNameStart(c)) {
    role[i] = ROLE.EXPANSION;
    return i + 1;
  }
  if ((c >= 0x30 && c <= 0x39) || SPECIAL_PARAMETERS.includes(text[i + 1] ?? ' ')) {
    role[i] = ROLE.EXPANSION;
    role[i + 1] = ROLE.EXPANSION;
    return i + 2;
  }
  role[i] = ROLE.WORD;
  return i + 1;
}

const SPECIAL_PARAMETERS = '@*#?$!-';

// Inside "..." and ${...}: only `$`, backticks and some backslashes are special.
function doubleQuotedChar(i: number, c: number): number {
  if (c === 0x22 && context[top] === DOUBLE) {
    role[i] = ROLE.QUOTE;
    return close(i);
  }
  if (c === 0x24) return dollar(i, false);
  if (c === 0x60) {
    role[i] = ROLE.SUBSTITUTION;
    return open(BACKTICK) ? i + 1 : -1;
  }
  if (c === 0x5c) {
    const next = text.charCodeAt(i + 1);
    if (next === 0x24 || next === 0x60 || next === 0x22 || next === 0x5c || next === LF) return escaped(i);
  }
  if (context[top] === PARAM && (c === 0x22 || c === 0x27)) {
    role[i] = ROLE.QUOTE;
    return open(c === 0x22 ? DOUBLE : SINGLE) ? i + 1 : -1;
  }
  role[i] = ROLE.WORD;
  return i + 1;
}

function closeOrLiteral(i: number, c: number, quote: number): number {
  if (c === quote) {
    role[i] = ROLE.QUOTE;
    return close(i);
  }
  role[i] = ROLE.WORD;
  return i + 1;
}

function closeParameter(i: number): number {
  role[i] = ROLE.EXPANSION;
  return close(i);
}

// A backslash and the character it makes literal.
function escaped(i: number): number {
  role[i] = ROLE.ESCAPER;
  if (i + 1 >= text.length) return i + 1;
  role[i + 1] = ROLE.WORD;
  return i + 2;
}

function separator(i: number, length: number): number {
  command.end(i);
  role.fill(ROLE.SEPARATOR, i, i + length);
  return i + length;
}

function redirection(i: number, length: number): number {
  command.endWord(i);
  role.fill(ROLE.REDIRECTION, i, Math.min(i + length, text.length));
  command.redirectTarget = true;
  return i + length;
}

// `>`, `>>`, `>&`, `>|`, `<`, `<<`, `<<<`, `<<-`, `<>`, `<&`.
function operatorLength(i: number, c: number, next: number): number {
  if (c === 0x3e) return next === 0x3e || next === 0x26 || next === 0x7c ? 2 : 1;
  if (next === 0x3c) {
    const third = text.charCodeAt(i + 2);
    return third === 0x3c || third === 0x2d ? 3 : 2;
  }
  return next === 0x3e || next === 0x26 ? 2 : 1;
}

// Opens a nesting level (false past MAX_NESTING). Quote characters belong to the outer level.
function open(kind: number): boolean {
  if (top + 1 >= LEVELS) return false;
  top++;
  context[top] = kind;
  inComment[top] = 0;
  bracketAt[top] = -1;
  braceAt[top] = -1;
  if (kind <= BACKTICK) {
    commands[top] ??= new SimpleCommand(reading, keepsCommandPosition);
    command = commands[top]!;
    command.reset(reading);
  }
  return true;
}

// Closes the innermost level with the character at `i`.
function close(i: number): number {
  top--;
  for (let level = top; level >= 0; level--) {
    if (context[level]! <= BACKTICK) {
      command = commands[level]!;
      break;
    }
  }
  return i + 1;
}

function startWord(i: number): void {
  if (command.startWord(i)) {
    bracketAt[top] = -1;
    braceAt[top] = -1;
  }
}

// Reserved words and variable assignments (`LANG=C ls`) leave the next word naming the command.
function keepsCommandPosition(text: string, from: number, end: number): boolean {
  if (end - from <= 5 && KEEP_COMMAND_POSITION.lookupText(text, from, end)) return true;
  if (!isNameStart(text.charCodeAt(from))) return false;
  const limit = Math.min(end, from + 64);
  for (let k = from + 1; k < limit; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x3d) return true;
    if (!isNameStart(c) && !(c >= 0x30 && c <= 0x39)) return false;
  }
  return false;
}

function isNameStart(c: number): boolean {
  const l = c | 0x20;
  return (l >= 0x61 && l <= 0x7a) || c === 0x5f;
}

function isBlankOrEnd(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || Number.isNaN(c);
}
