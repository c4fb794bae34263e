// Decides whether the text at a command position (start of input, after `;`, `|`, `&&`, a newline,
// inside `$(...)` or backticks) is a command a shell would run, from the command word and the shape of
// its arguments. How much evidence is needed depends on the position: `;id` needs none, `a | b` in prose
// must not fire, and a sentence that starts with "Time" or "Find" must read as a sentence.

import { report } from '../text/index.js';
import {
  aliasDefinition,
  forLoop,
  ifStatement,
  isWindowsVerb,
  setSwitch,
  windowsToolVerbs,
} from './cmd-syntax.js';
import { identify, name } from './command-name.js';
import { CMD } from './command-words.js';
import {
  classifyArgument,
  evidence,
  globPath,
  isNumberWord,
  noSystemEvidence,
  resetEvidence,
} from './shell-arguments.js';
import { isBlank, isLetter, skipSpaces } from './shell-chars.js';
import {
  assignedName,
  isCommandEnd,
  READ,
  readWord,
  recordAssignment,
  state,
  W,
  word,
  wordIs,
} from './shell-words.js';

/** How strongly the position says "a command follows". */
export const POSITION = {
  /** The start of the input: prose starts here too. */
  START: 0,
  /** After a separator followed by a space (`a | b`, `x; y`), a newline, an opening parenthesis. */
  MEDIUM: 1,
  /** Glued to a separator (`;id`, `|id`), after `&&`/`||`, inside `$(...)`, backticks or `{a,b}`. */
  STRONG: 2,
} as const;

const MAX_ARGUMENTS = 8;

// Whether only a trailing separator, quotes, spaces or a `#` comment remain from `p`: the command was
// the last thing in the input (`;id;`, `|id'`, `;id #`).
function onlyTrailerFrom(text: string, end: number, p: number): boolean {
  while (p < end) {
    const c = text.charCodeAt(p);
    if (c === 0x23) return true;
    if (!(isBlank(c) || c === 0x3b || c === 0x26 || c === 0x27 || c === 0x22 || c === 0x60)) return false;
    p++;
  }
  return true;
}

function onlyQuotes(text: string, p: number, end: number): boolean {
  for (let k = p; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c !== 0x27 && c !== 0x22) return false;
  }
  return true;
}

/**
 * Evaluates the command at `p`. `options` are {@link READ} options (brace expansion), `separator` the
 * character code that opened the position (0 for none). Returns true and fills {@link hit} on a match.
 */
export function evaluateCommand(
  text: string,
  end: number,
  p: number,
  strength: number,
  options: number,
  separator: number,
): boolean {
  const start0 = p;
  p = skipSpaces(text, end, p);
  const commandStart = p;
  // Assignments before the command (`a=/etc b=cat $b $a/passwd`), and words that expand to nothing.
  let cmd = 0;
  let wordFlags = 0;
  let wasWrapped = false;
  for (let k = 0; k < 4 && p < end && text.charCodeAt(p) === 0x28; k++) p = skipSpaces(text, end, p + 1); // a subshell: `(sh)`
  // A nested substitution is a position of its own: `$($($(` must not be read again from each level.
  if (text.charCodeAt(p) === 0x24 && text.charCodeAt(p + 1) === 0x28) return false;
  for (let guard = 0; ; guard++) {
    if (p >= end || guard > 8) return false;
    const c = text.charCodeAt(p);
    if (isCommandEnd(c) || c === 0x60 || c === 0x3c || c === 0x3e) return false;
    const next = readWord(text, end, p, READ.ASSIGN | options);
    if (state.flags & W.IFS) return report('ifs-evasion', p, next);
    if (state.flags & W.ASSIGN) {
      if (assignedName('ifs')) return report('ifs-evasion', p, next);
      recordAssignment();
      p = skipSpaces(text, end, next);
      continue;
    }
    if (state.length === 0) {
      // Words that expand to nothing, and stray quotes that close the value's quoted context (`' whoami`).
      if (next > p && (state.flags & (W.NOISE | W.VARIABLE) || onlyQuotes(text, p, next))) {
        p = skipSpaces(text, end, next);
        continue;
      }
      return false;
    }
    wordFlags = state.flags;
    cmd = identify();
    const wordStart = p;
    p = next;
    // Wrappers run the next word: `time whoami`, `nohup sh -c ...`, `sudo -u root id`, `. script`.
    if ((cmd & CMD.WRAPPER || wordIs(0, state.length, '.')) && guard < 6) {
      const after = wrapped(text, end, p, options);
      if (after > 0) {
        cmd = identify();
        wordFlags = state.flags;
        strength = Math.max(strength, POSITION.MEDIUM);
        wasWrapped = true;
        p = after;
      } else {
        // Not followed by a command: judge the wrapper itself (`time warner` is prose). The
        // wrapped() probe overwrote the word; read the wrapper again.
        readWord(text, end, wordStart, options);
        cmd = identify();
      }
    }
    break;
  }

  const textStart = commandStart;
  if (wordFlags & W.GLOB && globPath()) return report('glob-obfuscated-path', textStart, p);
  // Windows cmd constructs and shell built-ins with a grammar of their own.
  if (wordIs(name.start, name.end, 'for')) return forLoop(text, end, p, textStart);
  if (wordIs(name.start, name.end, 'if')) return ifStatement(text, end, p, textStart);
  if (wordIs(name.start, name.end, 'alias')) return aliasDefinition(text, end, p, textStart);
  if (wordIs(name.start, name.end, 'set') && setSwitch(text, end, p, textStart)) return true;
  if (cmd === 0) return unknownCommand(text, end, p, strength, options, commandStart);
  // The word was disguised and still names a command: nothing innocent looks like that.
  if (wordFlags & (W.QUOTE_SPLIT | W.BACKSLASH | W.NOISE | W.BRACKET_CHAR) && name.end - name.start >= 2) {
    return report('obfuscated-command', textStart, p);
  }
  if (wordFlags & W.EXPANDED) return report('variable-command', textStart, p);
  const windowsVerbs = windowsToolVerbs(name.start, name.end);

  const capitalized = (wordFlags & W.CAPITALIZED) !== 0 && name.start === 0 && !wasWrapped;
  // `Nice to meet you!`: prose settled before its words are read.
  if (
    strength === POSITION.START &&
    capitalized &&
    windowsVerbs === undefined &&
    proseStart(cmd, text, p, end)
  )
    return false;
  const isQualified = name.qualified;
  // Read the arguments.
  resetEvidence();
  let count = 0;
  let atEnd = false;
  let atSeparator = false;
  let gluedStop = false;
  let windowsVerb = false;
  while (count < MAX_ARGUMENTS) {
    p = skipSpaces(text, end, p);
    if (p >= end) {
      atEnd = true;
      break;
    }
    const c = text.charCodeAt(p);
    if (c === 0x3c || c === 0x3e) {
      if (text.charCodeAt(p + 1) === 0x28) break; // process substitution: its own position
      if (text.charCodeAt(p + 1) === 0x3d) {
        // `>=3.8`, `<=2`: a comparison (version ranges), not a redirection
        p = readWord(text, end, p + 2, options);
        count++;
        continue;
      }
      let q = p;
      let duplicate = false; // `2>&1`, `>&/dev/tcp/...`
      while (
        q < end &&
        q - p < 4 &&
        (text.charCodeAt(q) === 0x3c || text.charCodeAt(q) === 0x3e || text.charCodeAt(q) === 0x26)
      ) {
        if (text.charCodeAt(q) === 0x26) duplicate = true;
        q++;
      }
      q = skipSpaces(text, end, q);
      let target = false;
      if (q < end && !isCommandEnd(text.charCodeAt(q))) {
        q = readWord(text, end, q, options);
        target = state.length > 0 && !isNumberWord();
      }
      // A redirection to a file; `<4` in a version range is not one.
      if (duplicate || target) {
        evidence.strong++;
        evidence.system++;
      }
      count++;
      p = q;
      continue;
    }
    if (c === 0x23) {
      atEnd = true;
      break;
    }
    if (isCommandEnd(c) || c === 0x60) {
      atEnd = onlyTrailerFrom(text, end, p);
      atSeparator = c !== 0x28 && c !== 0x29;
      gluedStop = atSeparator && count === 0 && p > 0 && !isBlank(text.charCodeAt(p - 1));
      break;
    }
    if (c === 0x24 && text.charCodeAt(p + 1) === 0x28) {
      evidence.strong++;
      evidence.system++;
      count++;
      break;
    }
    const next = readWord(text, end, p, options);
    if (next === p) {
      if (c === 0x22 || c === 0x27 || (options & READ.BRACE && text.charCodeAt(p) === 0x2c)) {
        p++;
        continue;
      }
      break;
    }
    if (state.length > 0 || state.flags & (W.SUBST | W.VARIABLE | W.ARITHMETIC)) {
      if (windowsVerbs !== undefined && count === 0 && isWindowsVerb(windowsVerbs)) windowsVerb = true;
      classifyArgument(cmd);
      count++;
    }
    p = next;
    if (state.flags & (W.SUBST | W.ARITHMETIC)) break;
  }
  if (count === 0 && p >= end) atEnd = true;

  if (isQualified && (strength > POSITION.START || count > 0)) {
    return report('qualified-command', textStart, p);
  }
  // At the start of the input the verb alone may be prose (`net user growth`); a cmd switch (`/add`),
  // a registry path or a tool that is never an ordinary word (`netsh`) settles it.
  if (
    windowsVerb &&
    (strength > POSITION.START ||
      evidence.plain <= 1 ||
      evidence.switches >= 1 ||
      evidence.system >= 1 ||
      (cmd & CMD.DISTINCT && !capitalized))
  ) {
    return report('windows-admin-command', textStart, p);
  }
  const tight = commandStart === start0 && separator !== 0 && separator !== 0x26;
  if (
    decide(
      cmd,
      strength,
      count,
      atEnd || (strength === POSITION.START && atSeparator),
      capitalized,
      separator,
      wordFlags,
      tight,
      gluedStop,
    )
  ) {
    return report(strength === POSITION.START ? 'command-line' : 'shell-separator-command', textStart, p);
  }
  return false;
}

/**
 * Whether a capitalised command word at the start of the input (`Nice to meet you!`, `Top tips for
 * new parents: ...`), not a Windows tool taking a verb, is settled as prose without reading its
 * arguments from `p`. decide() judges such a word a command only with system evidence among its
 * arguments (unless it is a distinct Windows command); noSystemEvidence() tells when the text has
 * none of the characters that evidence needs.
 */
export function proseStart(cmd: number, text: string, p: number, end: number): boolean {
  if (cmd & (CMD.NUMERIC | CMD.NETWORK | CMD.ECHO)) return false;
  if (cmd & CMD.WINDOWS && cmd & CMD.DISTINCT) return false;
  return noSystemEvidence(text, p, end);
}

function decide(
  cmd: number,
  strength: number,
  count: number,
  atEnd: boolean,
  capitalized: boolean,
  separator: number,
  wordFlags: number,
  tight: boolean,
  gluedSeparator: boolean,
): boolean {
  const windowsDistinct = (cmd & CMD.WINDOWS) !== 0 && (cmd & CMD.DISTINCT) !== 0;
  // Commands are typed in lower case; a capitalised word after `a | ` or `. ` is a name or a sentence.
  if (capitalized && strength === POSITION.MEDIUM && !windowsDistinct) return false;
  const distinct = (cmd & CMD.DISTINCT) !== 0 && !(capitalized && !windowsDistinct);
  const bare = count === 0;
  if (strength === POSITION.STRONG) {
    if (distinct) return true;
    // `;cat flag`: glued to `;` or `|`, even ordinary words run as a command.
    return bare || evidence.strong >= 1 || evidence.distinct || tight;
  }
  if (strength === POSITION.MEDIUM) {
    if (distinct) {
      if (bare) return atEnd || ((cmd & CMD.INTERPRETER) !== 0 && separator === 0x7c);
      // Windows tools are never ordinary words; a Unix tool name followed by a sentence may be prose.
      return windowsDistinct || !(evidence.strong === 0 && evidence.plain >= 2);
    }
    if (bare) return (cmd & CMD.BARE) !== 0 && atEnd;
    return evidence.strong >= 1 && evidence.plain <= evidence.strong;
  }
  // START: the input itself begins with the command word.
  if ((wordFlags & W.WHOLE_QUOTED) !== 0 && bare) return false;
  // `id;`, `ls|`: a probe word glued to a separator.
  if (bare && gluedSeparator && cmd & CMD.BARE && !capitalized) return true;
  // `which nc`, `type wget curl`: looking up where tools are installed, every argument a command name.
  if (cmd & CMD.LOOKUP && !capitalized && !bare && atEnd && evidence.distinct && evidence.commands === count)
    return true;
  if (distinct && bare) return (cmd & CMD.START_BARE) !== 0 && atEnd;
  // `powershell whoami`, `cmd /c ...`: a Windows interpreter told to run a command.
  if (cmd & CMD.INTERPRETER && cmd & CMD.WINDOWS && !capitalized && evidence.distinct) return true;
  if (
    distinct &&
    (evidence.system >= 1 || (cmd & CMD.NETWORK && evidence.strong >= 1 && evidence.plain <= evidence.strong))
  )
    return true;
  return evidence.system >= 1 && evidence.plain <= evidence.strong;
}

/** With an unknown command word: an option or two command-line arguments right after `;`/`&&`. */
function unknownCommand(
  text: string,
  end: number,
  p: number,
  strength: number,
  options: number,
  commandStart: number,
): boolean {
  if (strength === POSITION.START) return false;
  resetEvidence();
  let option = false;
  for (let count = 0; count < 3; count++) {
    p = skipSpaces(text, end, p);
    if (p >= end) break;
    const c = text.charCodeAt(p);
    if (isCommandEnd(c) || c === 0x60 || c === 0x3c || c === 0x3e || c === 0x23) break;
    const next = readWord(text, end, p, options);
    if (next === p) break;
    if (state.length > 0) {
      if (
        word[0] === 0x2d &&
        state.length >= 2 &&
        isLetter(word[state.length > 2 && word[1] === 0x2d ? 2 : 1]!)
      )
        option = true;
      classifyArgument(0);
    }
    p = next;
  }
  if (strength === POSITION.STRONG && (option || evidence.strong >= 2 || evidence.distinct)) {
    return report('shell-separator-command', commandStart, p);
  }
  if (strength === POSITION.MEDIUM && option && evidence.strong >= 2 && evidence.plain <= 1) {
    return report('shell-separator-command', commandStart, p);
  }
  return false;
}

// After a wrapper word: skip its options (`-u root`, `-n 10`, `VAR=x`) and read the wrapped word.
// Returns the position after the wrapped command word when it is a known command, else 0.
function wrapped(text: string, end: number, p: number, options: number): number {
  for (let guard = 0; guard < 4; guard++) {
    p = skipSpaces(text, end, p);
    if (p >= end) return 0;
    const c = text.charCodeAt(p);
    if (isCommandEnd(c) || c === 0x60 || c === 0x3c || c === 0x3e) return 0;
    const next = readWord(text, end, p, READ.ASSIGN | options);
    if (state.length === 0) return 0;
    const isOption = word[0] === 0x2d;
    const isNumber = word[0]! >= 0x30 && word[0]! <= 0x39;
    if (isOption || isNumber || state.flags & W.ASSIGN) {
      p = next;
      continue;
    }
    return identify() !== 0 ? next : 0;
  }
  return 0;
}
