// What a shell makes of each character of a command line: the result of reading it the way `/bin/sh`
// (sh-reading.ts) or `cmd.exe` (cmd-reading.ts) tokenises it, kept per position so the detector can
// ask in O(1) what any stretch of the command (where a request input occurs) contains.

import { int32, Scratch, uint8 } from './scratch.js';

/** What one character of a command is to the shell that reads it. */
export const ROLE = {
  /** A literal character of a word (also everything inside quotes). */
  WORD: 0,
  /** White space between words. */
  BLANK: 1,
  /** A backslash (cmd: caret) that makes the next character literal. */
  ESCAPER: 2,
  /** A quote that opens or closes quoting. */
  QUOTE: 3,
  /** Text of a comment: read by nobody. */
  COMMENT_TEXT: 4,
  // Shell syntax from here on: a request input holding one of these changed what the command does.
  /** `;`, `&`, `&&`, `||`, a newline. */
  SEPARATOR: 5,
  PIPE: 6,
  /** `<`, `>`, `>>`, `2>&1`, `<<<`... */
  REDIRECTION: 7,
  /** `$(`, backticks, `<(`, `>(`, the `)` that closes them. */
  SUBSTITUTION: 8,
  /** `$name`, `${`, `~` at the start of a word, brace expansion, cmd's `%name%` and `!name!`. */
  EXPANSION: 9,
  /** `*`, `?`, `[...]`. */
  GLOB: 10,
  /** `(`, `)`, `{`, `}` grouping commands. */
  GROUP: 11,
  /** `#` that starts a comment. */
  COMMENT: 12,
  /**
   * `\r`, `\f`, `\v` outside quotes: white space to some readers (cmd splits at `\f` and `\v`, strips
   * `\r`; line-based tools end a line at `\r`), a plain character to /bin/sh. No argument needs one.
   */
  CONTROL: 13,
  /** Past the nesting limit: not read, treated as syntax. */
  UNREAD: 14,
} as const;

function isLiteral(role: number): boolean {
  return role !== ROLE.QUOTE && role !== ROLE.ESCAPER;
}

/** The first role that is shell syntax. */
export const FIRST_SYNTAX_ROLE = ROLE.SEPARATOR;

/** The rule a finding names when an input holds a character of each syntax role. */
export const SYNTAX_RULE: readonly string[] = [
  '',
  '',
  '',
  '',
  '',
  'command-separator',
  'pipe',
  'redirection',
  'substitution',
  'expansion',
  'glob',
  'grouping',
  'comment',
  'control-character',
  'nesting-limit',
];

const ROLES = new Scratch(uint8);
const DEPTHS = new Scratch(int32);
const WORD_STARTS = new Scratch(uint8);
const LAST_AT = new Scratch(int32);
const LAST_OVER = new Scratch(int32);

/** Deepest nesting of quotes and substitutions read; a deeper command is UNREAD from there on. */
export const MAX_NESTING = 32;

/** Which shell reads a command line. */
export type ShellKind = 'sh' | 'cmd';

/**
 * A command line as a shell reads it. Arrays are indexed by position in the command (they may be
 * longer than the command: reused buffers); `depth` has one more entry (the nesting left open at the
 * end). Only one reading is in use at a time: a new one reuses the arrays.
 */
export class CommandReading {
  readonly role: Uint8Array;
  /**
   * Nesting depth of quotes and substitutions in effect before each position (after the last
   * character: what is left open at the end).
   */
  readonly depth: Int32Array;
  /** 1 where a word starts. */
  readonly wordStart: Uint8Array;
  /**
   * For each simple command: at the first literal character of the word naming the program (quotes
   * and escapes aside), one past the last literal character of the simple command.
   */
  readonly commandLastAt: Int32Array;
  /** For each position inside a program name: one past the last literal character of its simple command. */
  readonly commandLastOver: Int32Array;
  /**
   * Stretches `[start, end)` that a nested shell reads again as a script (`sh -c '...'`,
   * `cmd /c ...`), with the shell that reads them, as flat triples.
   */
  readonly scripts: number[] = [];

  constructor(readonly text: string) {
    const n = text.length;
    this.role = ROLES.take(n);
    this.depth = DEPTHS.take(n + 1);
    this.wordStart = WORD_STARTS.take(n);
    this.commandLastAt = LAST_AT.take(n);
    this.commandLastOver = LAST_OVER.take(n);
  }

  /**
   * Records a simple command whose program is named by the word `[start, end)` and whose last
   * literal character is before `last` (roles already read).
   */
  simpleCommand(start: number, end: number, last: number): void {
    let first = start;
    while (first < end && !isLiteral(this.role[first]!)) first++;
    if (first === end) return;
    this.commandLastAt[first] = last;
    const over = this.commandLastOver;
    // Names inside a substitution in this word were recorded first and are kept.
    for (let i = start; i < end; i++) if (over[i] === 0) over[i] = last;
  }

  /** One past the last literal character of the word `[start, end)` (its closing quotes aside). */
  literalEnd(start: number, end: number): number {
    let last = end;
    while (last > start && !isLiteral(this.role[last - 1]!)) last--;
    return last;
  }

  /** Records that a nested shell of `kind` reads `[start, end)` as its script. */
  script(start: number, end: number, kind: ShellKind): void {
    if (end > start) this.scripts.push(start, end, kind === 'sh' ? 0 : 1);
  }
}
