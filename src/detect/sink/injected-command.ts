import { decodeDerived } from '../decoding/index.js';
import { type Finding, finding } from '../text/index.js';
import { readCmd } from './cmd-reading.js';
import { CommandReading, FIRST_SYNTAX_ROLE, ROLE, type ShellKind, SYNTAX_RULE } from './command-reading.js';
import { SlidingMinimum, visitOccurrences } from './occurrences.js';
import { int32, Scratch } from './scratch.js';
import { readSh } from './sh-reading.js';
import { unquote } from './unquote.js';

/** Options of {@link detectInjectedCommand}. */
export interface InjectedCommandOptions {
  /**
   * The shell that runs the command: `sh` (default; what Node's `exec` uses outside Windows) or
   * `cmd` (`cmd.exe`, what it uses on Windows). A nested `sh -c` / `cmd /c` script is read by its own
   * shell either way.
   */
  shell?: ShellKind;
}

// A shorter input cannot both leave its word and add something to run.
const MIN_INPUT_LENGTH = 2;
// Shells started by shells (`sh -c "bash -c '...'"`) followed this deep.
const MAX_NESTED_SHELLS = 2;
// Occurrences whose word is unquoted in full to tell escaped data from a breakout (each costs a pass).
const MAX_VALUE_CHECKS = 16;

/**
 * Whether request input `input` changed what the shell command `command` (about to run) does: it
 * occurs in the command and, read the way `/bin/sh` tokenises it (`cmd.exe` with `shell: 'cmd'`), it
 * holds shell syntax — a separator, pipe, redirection, substitution (`$(...)`, backticks), expansion
 * (`$x`, `${x}`, `~`, brace expansion, `%x%`), glob, grouping, comment or control character — or
 * breaks out of the quoting around it, escapes the character after it, spans more than one word, or
 * names the command to run. An input fully inside proper quoting (what `shell-quote`-style escaping
 * produces) or confined to one argument is no finding. Scripts of nested shells (`sh -c '...'`,
 * `cmd /c ...`) are read again by their shell. The input is also tried decoded (percent, HTML
 * references, look-alikes), for an application that decodes it before use.
 *
 * Returns the first finding, its `rule` (`command-separator`, `pipe`, `redirection`, `substitution`,
 * `expansion`, `glob`, `grouping`, `comment`, `control-character`, `nesting-limit`,
 * `quote-breakout`, `escape-breakout`, `argument-split`, `command-name`) and an escaped excerpt of
 * the command around the offending token; or null. Inputs shorter than 2 characters or made of white
 * space only are never a finding. Time linear in `command.length + input.length`; never throws
 * (non-string arguments give null).
 */
export function detectInjectedCommand(
  command: string,
  input: string,
  options?: InjectedCommandOptions,
): Finding | null {
  if (typeof command !== 'string' || !meaningful(input)) return null;
  const shell: ShellKind = options?.shell === 'cmd' ? 'cmd' : 'sh';
  const found = judge(command, input, shell, 0);
  if (found) return found;
  const decoded = decodeDerived(input);
  return decoded !== input && meaningful(decoded) ? judge(command, decoded, shell, 0) : null;
}

function meaningful(input: unknown): input is string {
  if (typeof input !== 'string' || input.length < MIN_INPUT_LENGTH) return false;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c > 0x20 || (c !== 0x20 && (c < 0x09 || c > 0x0d))) return true;
  }
  return false;
}

function judge(command: string, input: string, shell: ShellKind, level: number): Finding | null {
  // Most inputs of a request are not in the command: a native search answers that.
  if (!command.includes(input)) return null;
  const reading = new CommandReading(command);
  if (shell === 'sh') readSh(reading);
  else readCmd(reading);
  const facts = new Facts(reading, shell, input.length);
  let found: Finding | null = null;
  visitOccurrences(command, input, false, (start) => {
    found = facts.check(start, start + input.length);
    return found !== null;
  });
  if (found || level >= MAX_NESTED_SHELLS) return found;
  // The reading's arrays are reused by the scripts' readings: only its list of scripts is read on.
  const { scripts } = reading;
  for (let k = 0; k < scripts.length; k += 3) {
    const start = scripts[k]!;
    const end = scripts[k + 1]!;
    // An `sh -c` script is one argument, unquoted by the outer shell; a `cmd /c` script is the rest of
    // the command line, which cmd reads with its own quoting.
    const inner = scripts[k + 2] === 0 ? 'sh' : 'cmd';
    const script = inner === 'sh' ? unquote(command, start, end, shell) : cmdScript(command, start, end);
    const found = judge(script, input, inner, level + 1);
    if (found) return found;
  }
  return null;
}

// What `cmd /c` runs: the rest of its command line, without the quotes around all of it (`/s`, and
// what cmd does by default for a quoted command line).
function cmdScript(command: string, start: number, end: number): string {
  const quoted =
    end - start >= 2 && command.charCodeAt(start) === 0x22 && command.charCodeAt(end - 1) === 0x22;
  return quoted ? command.slice(start + 1, end - 1) : command.slice(start, end);
}

function isWordRole(role: number): boolean {
  return role === ROLE.WORD || role === ROLE.QUOTE || role === ROLE.ESCAPER;
}

const NEXT_SYNTAX = new Scratch(int32);
const WORDS_BEFORE = new Scratch(int32);
const NEXT_COMMAND_LAST = new Scratch(int32);

// Per-position summaries of a reading, so each occurrence of the input is judged in O(1).
class Facts {
  private readonly nextSyntax: Int32Array;
  private readonly wordsBefore: Int32Array;
  private readonly nextCommandLast: Int32Array;
  private readonly minDepth: SlidingMinimum;
  private valueChecks = 0;

  constructor(
    private readonly reading: CommandReading,
    private readonly shell: ShellKind,
    width: number,
  ) {
    const { role, wordStart, commandLastAt } = reading;
    const n = reading.text.length;
    this.nextSyntax = NEXT_SYNTAX.take(n + 1);
    this.wordsBefore = WORDS_BEFORE.take(n + 1);
    this.nextCommandLast = NEXT_COMMAND_LAST.take(n + 1);
    this.nextSyntax[n] = n;
    this.nextCommandLast[n] = n + 1;
    for (let i = n - 1; i >= 0; i--) {
      this.nextSyntax[i] = role[i]! >= FIRST_SYNTAX_ROLE ? i : this.nextSyntax[i + 1]!;
      const last = commandLastAt[i]!;
      const later = this.nextCommandLast[i + 1]!;
      this.nextCommandLast[i] = last > 0 && last < later ? last : later;
    }
    for (let i = 0; i < n; i++) this.wordsBefore[i + 1] = this.wordsBefore[i]! + wordStart[i]!;
    this.minDepth = new SlidingMinimum(reading.depth, n + 1, width + 1);
  }

  /** The finding for an input occurring at `[start, end)` of the command, or null. */
  check(start: number, end: number): Finding | null {
    const { text, role, depth, commandLastOver } = this.reading;
    const syntax = this.nextSyntax[start]!;
    if (syntax < end) {
      return finding('command_injection', SYNTAX_RULE[role[syntax]!]!, text, syntax, syntax + 1);
    }
    // Quotes opened or closed by the input pair with quotes outside it (the nesting between its
    // characters dips below, or ends away from, where it started): the command's own quoting no
    // longer means what it did.
    if (depth[end] !== depth[start] || this.minDepth.at(start) < depth[start]!) {
      if (!this.isData(start, end)) return finding('command_injection', 'quote-breakout', text, start, end);
    } else if (end < text.length && role[end - 1] === ROLE.ESCAPER && !this.isData(start, end)) {
      return finding('command_injection', 'escape-breakout', text, end - 1, end + 1);
    }
    const startsInWord =
      role[start] === ROLE.WORD || role[start] === ROLE.ESCAPER || role[start] === ROLE.QUOTE;
    const words = (startsInWord ? 1 : 0) + this.wordsBefore[end]! - this.wordsBefore[start + 1]!;
    if (words > 1) return finding('command_injection', 'argument-split', text, start, end);
    // The input is the whole command the shell runs: its program (all of the name, or its last path
    // segment after a constant directory: `/usr/bin/` + input) and every argument. A program name
    // alone, with the application's own arguments after it, is as likely a coincidence (`file` in
    // `file -b ...`) as an allow-listed choice.
    const over = commandLastOver[start]!;
    const prev = text.charCodeAt(start - 1);
    if (
      this.nextCommandLast[start]! <= end ||
      (over > 0 && over <= end && (prev === 0x2f || prev === 0x5c))
    ) {
      return finding('command_injection', 'command-name', text, start, end);
    }
    return null;
  }

  /**
   * Whether the word holding `[start, end)` has the input in its value: the quote or backslash the
   * input seems to add is the escaping of a quote or backslash in the input itself (`'it'\''s'` for
   * `it's`: the input's `'` lands on the quote that closes `'it'`). Checked a bounded number of times.
   */
  private isData(start: number, end: number): boolean {
    if (this.valueChecks++ >= MAX_VALUE_CHECKS) return false;
    const { text, role } = this.reading;
    let from = start;
    while (from > 0 && isWordRole(role[from - 1]!)) from--;
    let to = end;
    while (to < text.length && isWordRole(role[to]!)) to++;
    return unquote(text, from, to, this.shell).includes(text.slice(start, end));
  }
}
