// Names the command in the current word of shell-words.ts: a path's last segment (noting when the
// directory holds programs), without a Windows extension or a version suffix.
import { commandFlags, commandFlagsText, isBinDirectory } from './command-words.js';
import { state, word, wordIs } from './shell-words.js';

// `%COMSPEC%` holds the path of cmd.exe: it names `cmd`, with its flags.
const COMSPEC_FLAGS = commandFlagsText('cmd', 0, 3);

/** Where the command name sits in `word` after {@link identify}, and whether it came with a bin path. */
export const name = { start: 0, end: 0, qualified: false };

/**
 * The flags ({@link CMD}) of the command named by the current word, or 0. Understands paths
 * (`/usr/bin/id`: `qualified` is set when the directory holds programs), Windows extensions
 * (`powershell.exe`) and version suffixes (`python3.10`, `gcc7.4`).
 */
export function identify(): number {
  let end = state.length;
  for (let k = 0; k < end; k++) {
    if (word[k]! <= 0x20) {
      end = k; // an expanded variable can hold several words: the first is the command
      break;
    }
  }
  let start = 0;
  name.qualified = false;
  let slash = -1;
  for (let k = end - 1; k >= 0; k--) {
    if (word[k] === 0x2f) {
      slash = k;
      break;
    }
  }
  if (slash >= 0) {
    start = slash + 1;
    let dir = slash - 1;
    while (dir >= 0 && word[dir] !== 0x2f) dir--;
    name.qualified = isBinDirectory(word, dir + 1, slash);
  }
  name.start = start;
  name.end = end;
  if (end <= start) return 0;
  let flags = commandFlags(word, start, end);
  if (flags !== 0) return flags;
  // `%COMSPEC%`: cmd's own variable for the path of cmd.exe.
  if (word[start] === 0x25 && wordIs(start, end, '%comspec%')) return COMSPEC_FLAGS;
  const dot = lastDot(start, end);
  if (dot > start && isExecutableExtension(dot + 1, end)) {
    name.end = dot;
    flags = commandFlags(word, start, dot);
    if (flags !== 0) return flags;
  }
  let trimmed = name.end;
  while (
    trimmed > start + 1 &&
    ((word[trimmed - 1]! >= 0x30 && word[trimmed - 1]! <= 0x39) || word[trimmed - 1] === 0x2e)
  )
    trimmed--;
  if (trimmed < name.end && trimmed - start >= 2) {
    flags = commandFlags(word, start, trimmed);
    if (flags !== 0) name.end = trimmed;
  }
  return flags;
}

function lastDot(start: number, end: number): number {
  for (let k = end - 1; k > start; k--) if (word[k] === 0x2e) return k;
  return -1;
}

function isExecutableExtension(start: number, end: number): boolean {
  return (
    wordIs(start, end, 'exe') ||
    wordIs(start, end, 'com') ||
    wordIs(start, end, 'bat') ||
    wordIs(start, end, 'cmd') ||
    wordIs(start, end, 'ps1')
  );
}
