// A command that starts another shell on a script of its own: `sh -c 'ping $host'`,
// `bash -lc "..."`, `cmd /c ping ...`. The outer shell reads the script as one quoted argument; the
// inner one reads it again, so an input that is safely quoted for the outer shell may still inject
// into the inner one. Both readers follow the words of each simple command through this small state
// machine and record where such a script lies.

import { lowerCode, WordTable, wordEntries } from '../text/index.js';
import type { ShellKind } from './command-reading.js';

/** Where the words of a simple command are, as far as nested shells go. */
export const NESTED = {
  NONE: 0,
  /** After `sh`/`bash`/...: options follow, `-c` makes the next word the script. */
  SH_OPTIONS: 1,
  /** The next word is an `sh -c` script. */
  SH_SCRIPT: 2,
  /** After `cmd`: switches follow, `/c` or `/k` makes the rest of the command the script. */
  CMD_SWITCHES: 3,
  /** The rest of this simple command is a `cmd /c` script. */
  CMD_SCRIPT: 4,
} as const;

const SHELLS = new WordTable<ShellKind>([
  ...wordEntries<ShellKind>('sh bash dash zsh ksh mksh ash yash posh', 'sh'),
  ...wordEntries<ShellKind>('cmd', 'cmd'),
]);

/** Longest word looked at (a shell name or an option is short). */
const MAX_WORD = 64;

/**
 * The nested-shell state after a command name `text[start..end)`: the shell it starts, if any.
 * The name may carry a directory (`/bin/sh`, `C:\Windows\System32\cmd.exe`) and quotes.
 */
export function afterCommandName(text: string, start: number, end: number): number {
  const word = plainWord(text, start, end);
  let from = Math.max(word.lastIndexOf('/'), word.lastIndexOf('\\')) + 1;
  let to = word.length;
  if (to - from > 4 && word.slice(to - 4).toLowerCase() === '.exe') to -= 4;
  if (from >= to) from = to;
  const kind = SHELLS.lookupText(word, from, to);
  if (kind === 'sh') return NESTED.SH_OPTIONS;
  if (kind === 'cmd') return NESTED.CMD_SWITCHES;
  return NESTED.NONE;
}

/** The nested-shell state after an argument word `text[start..end)` in `state`. */
export function afterArgument(state: number, text: string, start: number, end: number): number {
  if (state === NESTED.SH_OPTIONS) {
    const word = plainWord(text, start, end);
    if (word.length < 2 || word.charCodeAt(0) !== 0x2d) return NESTED.NONE; // a script file
    if (word.charCodeAt(1) === 0x2d) return NESTED.SH_OPTIONS; // --login, --norc
    for (let i = 1; i < word.length; i++) if (word.charCodeAt(i) === 0x63) return NESTED.SH_SCRIPT; // -c, -lc, -ec
    return NESTED.SH_OPTIONS;
  }
  if (state === NESTED.CMD_SWITCHES) {
    const word = plainWord(text, start, end);
    if (word.length !== 2 || word.charCodeAt(0) !== 0x2f) return NESTED.NONE;
    const letter = lowerCode(word.charCodeAt(1));
    return letter === 0x63 || letter === 0x6b ? NESTED.CMD_SCRIPT : NESTED.CMD_SWITCHES;
  }
  return state === NESTED.CMD_SCRIPT ? NESTED.CMD_SCRIPT : NESTED.NONE;
}

// A short word without its quote characters and carets ('' for a long one): enough to recognise a
// shell name or an option however it is quoted. Backslashes stay: they separate Windows directories.
function plainWord(text: string, start: number, end: number): string {
  if (end - start > MAX_WORD) return '';
  let word = '';
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x22 && c !== 0x27 && c !== 0x5e) word += text[i];
  }
  return word;
}
