// Follows the words of the simple command being read at one nesting level, for both shell readers:
// where each word starts, which one names the program (and the last literal character of the
// command, for the reading's command-name facts), which are redirection targets, and where a nested
// shell's script lies (`sh -c '...'`, `cmd /c ...`).

import type { CommandReading } from './command-reading.js';
import { afterArgument, afterCommandName, NESTED } from './nested-shells.js';

/** Whether the word `text[from..end)` leaves the next word naming the program (`if`, `LANG=C`). */
export type KeepsCommandPosition = (text: string, from: number, end: number) => boolean;

/** The words of one simple command at one nesting level. Reused: {@link reset} starts afresh. */
export class SimpleCommand {
  inWord = false;
  /** The next word names the program to run. */
  atCommand = true;
  /** The next word is the file of a redirection. */
  redirectTarget = false;
  private wordFrom = 0;
  private nested: number = NESTED.NONE;
  private scriptFrom = -1;
  private lastWordEnd = 0;
  private nameFrom = -1;
  private nameEnd = 0;
  private lastLiteral = 0;

  constructor(
    private reading: CommandReading,
    private readonly keepsCommandPosition: KeepsCommandPosition,
  ) {}

  /** Starts afresh, for `reading`, at the start of a command context. */
  reset(reading: CommandReading): void {
    this.reading = reading;
    this.inWord = false;
    this.atCommand = true;
    this.redirectTarget = false;
    this.nested = NESTED.NONE;
    this.scriptFrom = -1;
    this.nameFrom = -1;
  }

  /** A word character at `i`: starts a word unless one is being read. Returns whether it started one. */
  startWord(i: number): boolean {
    if (this.inWord) return false;
    this.inWord = true;
    this.wordFrom = i;
    this.reading.wordStart[i] = 1;
    return true;
  }

  /** The word being read (if any) ends before `end`. */
  endWord(end: number): void {
    if (!this.inWord) return;
    this.inWord = false;
    const { reading } = this;
    const from = this.wordFrom;
    this.lastWordEnd = end;
    this.lastLiteral = reading.literalEnd(from, end);
    if (this.redirectTarget) {
      this.redirectTarget = false; // a redirection's file: the command position stays as it was
      return;
    }
    const state = this.nested;
    if (this.atCommand) {
      this.nameFrom = from;
      this.nameEnd = end;
      const keep = this.keepsCommandPosition(reading.text, from, end);
      this.atCommand = keep;
      this.nested = keep ? NESTED.NONE : afterCommandName(reading.text, from, end);
    } else if (state === NESTED.SH_SCRIPT) {
      reading.script(from, end, 'sh');
      this.nested = NESTED.NONE;
    } else if (state === NESTED.CMD_SCRIPT) {
      if (this.scriptFrom < 0) this.scriptFrom = from;
    } else if (state !== NESTED.NONE) {
      this.nested = afterArgument(state, reading.text, from, end);
    }
  }

  /** The simple command ends before `end` (a separator, a pipe, the end of its context). */
  end(end: number): void {
    this.endWord(end);
    const { reading } = this;
    if (this.nameFrom >= 0) reading.simpleCommand(this.nameFrom, this.nameEnd, this.lastLiteral);
    if (this.nested === NESTED.CMD_SCRIPT && this.scriptFrom >= 0) {
      reading.script(this.scriptFrom, this.lastWordEnd, 'cmd');
    }
    this.nameFrom = -1;
    this.nested = NESTED.NONE;
    this.scriptFrom = -1;
    this.redirectTarget = false;
    this.atCommand = true;
  }
}
