// Reads a command line the way `cmd.exe` tokenises it: `"` toggles quoting (no escapes inside), `^`
// makes the next character literal outside quotes, `&`, `&&`, `||`, `|`, `<`, `>` and parentheses
// are operators, `%name%` (and `!name!` under delayed expansion) expand inside quotes too, a line feed
// ends the command. Words are separated by spaces and tabs, as the program receiving them splits its
// command line; `\r`, `\f` and `\v` count as syntax. One pass.

import { type CommandReading, ROLE } from './command-reading.js';
import { SimpleCommand } from './simple-commands.js';

const TAB = 0x09;
const LF = 0x0a;
const SPACE = 0x20;
const QUOTE = 0x22;
// Longest `%name%` looked for: variable names are short, and the look-ahead stays bounded.
const MAX_NAME = 64;

/** Fills `target` from its text, read as `cmd.exe` reads it. */
export function readCmd(target: CommandReading): void {
  const text = target.text;
  const { role, depth } = target;
  const n = text.length;
  let quoted = false;
  const command = new SimpleCommand(target, neverKeeps);

  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    depth[i] = quoted ? 1 : 0;
    if (c === LF) {
      // A line feed ends the command, inside quotes too.
      command.end(i);
      quoted = false;
      role[i] = ROLE.SEPARATOR;
      i++;
      continue;
    }
    if (c === 0x25 || c === 0x21) {
      // %name% and !name!: expanded inside quotes too.
      const close = closingMark(text, i, c);
      if (close > 0) {
        command.startWord(i);
        role[i] = ROLE.EXPANSION;
        role[close] = ROLE.EXPANSION;
        depth.fill(depth[i]!, i + 1, close + 1);
        i = close + 1;
        continue;
      }
    }
    if (quoted) {
      if (c === QUOTE) {
        quoted = false;
        role[i] = ROLE.QUOTE;
      } else role[i] = ROLE.WORD;
      i++;
      continue;
    }
    const next = text.charCodeAt(i + 1);
    let length = 1;
    if (c === 0x40 && !command.inWord && command.atCommand) {
      role[i] = ROLE.BLANK; // `@calc`: the @ only turns echoing off
      i++;
      continue;
    }
    switch (c) {
      case SPACE:
      case TAB:
        command.endWord(i);
        role[i] = ROLE.BLANK;
        break;
      case QUOTE:
        command.startWord(i);
        role[i] = ROLE.QUOTE;
        quoted = true;
        break;
      case 0x5e: // ^
        command.startWord(i);
        role[i] = ROLE.ESCAPER;
        if (i + 1 < n) {
          depth[i + 1] = 0;
          length = 2; // the escaped character keeps the role WORD
        }
        break;
      case 0x26: // &
      case 0x7c: // |
        command.end(i);
        length = next === c ? 2 : 1;
        role.fill(c === 0x7c && length === 1 ? ROLE.PIPE : ROLE.SEPARATOR, i, i + length);
        break;
      case 0x3c: // <
      case 0x3e: // >
        command.endWord(i);
        length = next === 0x3e || next === 0x26 ? 2 : 1;
        role.fill(ROLE.REDIRECTION, i, i + length);
        command.redirectTarget = true;
        break;
      case 0x28: // (
      case 0x29: // )
        if (c === 0x29) command.end(i);
        else command.endWord(i);
        role[i] = ROLE.GROUP;
        break;
      default:
        command.startWord(i);
        role[i] = c === 0x0d || c === 0x0c || c === 0x0b ? ROLE.CONTROL : ROLE.WORD;
    }
    if (length === 2) depth[i + 1] = 0;
    i += length;
  }
  depth[n] = quoted ? 1 : 0;
  command.end(n);
}

// The position of the `%` (or `!`) closing a variable reference opened at `i`, or -1: a name of 1 to
// MAX_NAME characters with no space, quote or second mark (`%PATH%`, `%PATH:~0,1%`).
function closingMark(text: string, i: number, mark: number): number {
  const limit = Math.min(text.length, i + 2 + MAX_NAME);
  for (let k = i + 1; k < limit; k++) {
    const c = text.charCodeAt(k);
    if (c === mark) return k > i + 1 ? k : -1;
    if (c <= SPACE || c === QUOTE) return -1;
  }
  return -1;
}

// cmd has no reserved words or assignments before a program name (`@` is read as a prefix above).
function neverKeeps(): boolean {
  return false;
}
