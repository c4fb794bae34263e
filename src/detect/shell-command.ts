// Decides whether the text at a command position (start of input, after `;`, `|`, `&&`, a newline,
// inside `$(...)` or backticks) is a command a shell would run, from the command word and the shape of
// its arguments. How much evidence is needed depends on the position: `;id` needs none, `a | b` in prose
// must not fire, and a sentence that starts with "Time" or "Find" must read as a sentence.
import { CMD, commandFlags, isBinDirectory, isSystemRoot, SYSTEM_ROOT_NAMES } from './command-words.js';
import {
  assignedName,
  isCommandEnd,
  isSpace,
  READ,
  readWord,
  recordAssignment,
  state,
  W,
  word,
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

/** The last match (shared record: evaluation allocates nothing). */
export const hit = { rule: '', start: 0, end: 0 };

function report(rule: string, start: number, end: number): true {
  hit.rule = rule;
  hit.start = start;
  hit.end = end;
  return true;
}

const MAX_ARGUMENTS = 8;

// Where the command word sits in `word` after identification (basename, extension stripped).
let nameStart = 0;
let nameEnd = 0;
let qualified = false;

/**
 * The flags ({@link CMD}) of the command named by the current word, or 0. Understands paths
 * (`/usr/bin/id`: `qualified` is set when the directory holds programs), Windows extensions
 * (`powershell.exe`) and version suffixes (`python3.10`, `gcc7.4`).
 */
function identify(): number {
  let end = state.length;
  for (let k = 0; k < end; k++) {
    if (word[k]! <= 0x20) {
      end = k; // an expanded variable can hold several words: the first is the command
      break;
    }
  }
  let start = 0;
  qualified = false;
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
    qualified = isBinDirectory(word, dir + 1, slash);
  }
  nameStart = start;
  nameEnd = end;
  if (end <= start) return 0;
  let flags = commandFlags(word, start, end);
  if (flags !== 0) return flags;
  const dot = lastDot(start, end);
  if (dot > start && isExecutableExtension(dot + 1, end)) {
    nameEnd = dot;
    flags = commandFlags(word, start, dot);
    if (flags !== 0) return flags;
  }
  let trimmed = nameEnd;
  while (
    trimmed > start + 1 &&
    ((word[trimmed - 1]! >= 0x30 && word[trimmed - 1]! <= 0x39) || word[trimmed - 1] === 0x2e)
  )
    trimmed--;
  if (trimmed < nameEnd && trimmed - start >= 2) {
    flags = commandFlags(word, start, trimmed);
    if (flags !== 0) nameEnd = trimmed;
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

function wordIs(start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (word[start + k] !== text.charCodeAt(k)) return false;
  return true;
}

function wholeWordIs(text: string): boolean {
  return wordIs(0, state.length, text);
}

/** Skips spaces (not newlines: a newline ends a command). */
export function skipSpaces(text: string, end: number, p: number): number {
  while (p < end && isSpace(text.charCodeAt(p))) p++;
  return p;
}

// Whether only a trailing separator, quotes, spaces or a `#` comment remain from `p`: the command was
// the last thing in the input (`;id;`, `|id'`, `;id #`).
function onlyTrailerFrom(text: string, end: number, p: number): boolean {
  while (p < end) {
    const c = text.charCodeAt(p);
    if (c === 0x23) return true;
    if (!(isSpace(c) || c === 0x3b || c === 0x26 || c === 0x27 || c === 0x22 || c === 0x60 || c <= 0x20))
      return false;
    p++;
  }
  return true;
}

// Argument evidence gathered while reading the arguments of one command.
let strong = 0; // arguments only a command line has: options, system paths, variables, addresses...
let system = 0; // the subset of those that point into the system (`/etc`, `-la`, `$HOME`, redirections)
let plain = 0; // ordinary words
let distinctArgument = false; // an argument is itself a distinct command word (`x whoami`)

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
      if (next > p && state.flags & (W.NOISE | W.VARIABLE)) {
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
    if ((cmd & CMD.WRAPPER || wholeWordIs('.')) && guard < 6) {
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
  if (wordIs(nameStart, nameEnd, 'for')) return forLoop(text, end, p, textStart);
  if (wordIs(nameStart, nameEnd, 'if')) return ifStatement(text, end, p, textStart);
  if (wordIs(nameStart, nameEnd, 'alias')) return aliasDefinition(text, end, p, textStart);
  if (cmd === 0) return unknownCommand(text, end, p, strength, options, commandStart);
  // The word was disguised and still names a command: nothing innocent looks like that.
  if (wordFlags & (W.QUOTE_SPLIT | W.BACKSLASH | W.NOISE | W.BRACKET_CHAR) && nameEnd - nameStart >= 2) {
    return report('obfuscated-command', textStart, p);
  }
  if (wordFlags & W.EXPANDED) return report('variable-command', textStart, p);
  const windowsTool = windowsToolName();

  const capitalized = (wordFlags & W.CAPITALIZED) !== 0 && nameStart === 0 && !wasWrapped;
  const isQualified = qualified;
  // Read the arguments.
  strong = 0;
  system = 0;
  plain = 0;
  distinctArgument = false;
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
        strong++;
        system++;
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
      gluedStop =
        atSeparator &&
        count === 0 &&
        p > 0 &&
        !isSpace(text.charCodeAt(p - 1)) &&
        text.charCodeAt(p - 1) > 0x20;
      break;
    }
    if (c === 0x24 && text.charCodeAt(p + 1) === 0x28) {
      strong++;
      system++;
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
      if (windowsTool !== undefined && count === 0 && isWindowsVerb(windowsTool)) windowsVerb = true;
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
  if (windowsVerb && (strength > POSITION.START || plain <= 1)) {
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
    return bare || strong >= 1 || distinctArgument || tight;
  }
  if (strength === POSITION.MEDIUM) {
    if (distinct) {
      if (bare) return atEnd || ((cmd & CMD.INTERPRETER) !== 0 && separator === 0x7c);
      // Windows tools are never ordinary words; a Unix tool name followed by a sentence may be prose.
      return windowsDistinct || !(strong === 0 && plain >= 2);
    }
    if (bare) return (cmd & CMD.BARE) !== 0 && atEnd;
    return strong >= 1 && plain <= strong;
  }
  // START: the input itself begins with the command word.
  if ((wordFlags & W.WHOLE_QUOTED) !== 0 && bare) return false;
  // `id;`, `ls|`: a probe word glued to a separator.
  if (bare && gluedSeparator && cmd & CMD.BARE && !capitalized) return true;
  if (distinct && bare) return (cmd & CMD.START_BARE) !== 0 && atEnd;
  if (distinct && (system >= 1 || (cmd & CMD.NETWORK && strong >= 1 && plain <= strong))) return true;
  return system >= 1 && plain <= strong;
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
  strong = 0;
  system = 0;
  plain = 0;
  distinctArgument = false;
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
        isLetterCode(word[state.length > 2 && word[1] === 0x2d ? 2 : 1]!)
      )
        option = true;
      classifyArgument(0);
    }
    p = next;
  }
  if (strength === POSITION.STRONG && (option || strong >= 2 || distinctArgument)) {
    return report('shell-separator-command', commandStart, p);
  }
  if (strength === POSITION.MEDIUM && option && strong >= 2 && plain <= 1) {
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

function isLetterCode(c: number): boolean {
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x7a;
}

function isDigitCode(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

// Administration tools whose first argument is a verb: `net user`, `reg query`, `sc qc`.
const WINDOWS_VERBS: Record<string, readonly string[]> = {
  net: [
    'user',
    'users',
    'localgroup',
    'group',
    'share',
    'use',
    'view',
    'session',
    'start',
    'stop',
    'accounts',
    'config',
  ],
  reg: ['query', 'add', 'delete', 'save', 'export', 'import', 'load', 'unload', 'copy', 'restore'],
  sc: ['query', 'queryex', 'qc', 'create', 'config', 'start', 'stop', 'delete', 'sdshow'],
};

function windowsToolName(): string | undefined {
  for (const tool in WINDOWS_VERBS) if (wordIs(nameStart, nameEnd, tool)) return tool;
  return undefined;
}

function isWindowsVerb(tool: string): boolean {
  const n = state.length;
  return WINDOWS_VERBS[tool]!.some((verb) => wordIs(0, n, verb));
}

function isNumberWord(): boolean {
  for (let k = 0; k < state.length; k++) {
    const c = word[k]!;
    if (!(isDigitCode(c) || c === 0x2e || c === 0x2c)) return false;
  }
  return true;
}

/** Counts the current word as evidence: an option, a system path, an address, or a plain word. */
function classifyArgument(cmd: number): void {
  const f = state.flags;
  const n = state.length;
  if (f & (W.SUBST | W.ARITHMETIC | W.PERCENT_VAR | W.IFS | W.NAMED_VARIABLE)) {
    strong++;
    system++;
    return;
  }
  if (n === 0) return;
  if (commandFlags(word, 0, n) & CMD.DISTINCT && (f & W.CAPITALIZED) === 0) distinctArgument = true;
  const c0 = word[0]!;
  if (c0 === 0x2d) {
    if (n >= 2 && (isLetterCode(word[1]!) || (word[1] === 0x2d && n >= 3 && isLetterCode(word[2]!)))) {
      strong++;
      system++;
    } else if (n >= 2 && isDigitCode(word[1]!) && cmd & CMD.NUMERIC) {
      strong++;
      system++;
    }
    return;
  }
  if (c0 === 0x2f) {
    let segEnd = 1;
    while (segEnd < n && word[segEnd] !== 0x2f) segEnd++;
    if (
      n === 1 ||
      isSystemRoot(word, 1, segEnd) ||
      (f & W.GLOB && (globMatchesRoot(1, segEnd) || hasGlobCharacter(n))) ||
      (cmd & CMD.WINDOWS && n <= 6 && segEnd === n)
    ) {
      strong++;
      system++;
    } else strong++;
    return;
  }
  if (
    c0 === 0x7e ||
    (c0 === 0x2e && (word[1] === 0x2f || (word[1] === 0x2e && word[2] === 0x2f))) ||
    f & W.SLASH_SWITCH ||
    (isLetterCode(c0) && word[1] === 0x3a && word[2] === 0x2f)
  ) {
    strong++;
    system++;
    return;
  }
  if (c0 === 0x21 && n >= 2 && commandFlags(word, 1, n) !== 0) {
    strong++;
    system++;
    return;
  }
  let digits = 0;
  let dots = 0;
  let letters = 0;
  let innerDot = false;
  let colon = -1;
  let equals = -1;
  let plainWord = true;
  for (let k = 0; k < n; k++) {
    const c = word[k]!;
    if (isDigitCode(c)) digits++;
    else if (isLetterCode(c)) letters++;
    else if (c === 0x2e) {
      dots++;
      if (k > 0 && k < n - 1) innerDot = true;
    } else if (c === 0x3a) {
      if (colon < 0) colon = k;
      if (word[k + 1] === 0x2f && word[k + 2] === 0x2f) {
        strong++; // a URL
        system++;
        return;
      }
    } else if (c === 0x3d && equals < 0) equals = k;
    if (!(isLetterCode(c) || isDigitCode(c) || c === 0x2d || c === 0x27 || c === 0x5f || c > 0x7f)) {
      const trailing =
        k === n - 1 && (c === 0x2e || c === 0x2c || c === 0x21 || c === 0x3f || c === 0x3a || c === 0x3b);
      if (!trailing) plainWord = false;
    }
  }
  if (letters === 0 && digits > 0 && dots === 3) {
    strong++; // an IPv4 address (with or without a port)
    system++;
    return;
  }
  if (digits === n) {
    if (cmd & CMD.NUMERIC) {
      strong++;
      system++;
    } else plain++;
    return;
  }
  if (f & W.GLOB) {
    for (let k = 0; k < n; k++) {
      if (word[k] === 0x2a || (word[k] === 0x3f && k < n - 1)) {
        strong++;
        system++;
        return;
      }
    }
  }
  if (equals > 0) {
    if (word[equals + 1] === 0x2f) {
      strong++;
      system++;
    }
    return;
  }
  if (innerDot && letters > 0) {
    strong++;
    if (cmd & CMD.NETWORK) system++;
    return;
  }
  if (f & W.WHOLE_QUOTED) {
    if (cmd & CMD.ECHO) {
      strong++;
      system++;
    }
    return;
  }
  if (plainWord && letters > 0) plain++;
}

// An absolute path with glob characters whose first directory can only be a system directory:
// `/???/??t`, `/e??/p?ss??`, `/bin/ca?`.
function globPath(): boolean {
  if (word[0] !== 0x2f) return false;
  let segEnd = 1;
  while (segEnd < state.length && word[segEnd] !== 0x2f) segEnd++;
  if (isSystemRoot(word, 1, segEnd)) return segEnd < state.length;
  return globMatchesRoot(1, segEnd);
}

function hasGlobCharacter(n: number): boolean {
  for (let k = 0; k < n; k++) if (word[k] === 0x2a || (word[k] === 0x3f && k < n - 1)) return true;
  return (state.flags & W.BRACKET_CHAR) !== 0;
}

function globMatchesRoot(start: number, end: number): boolean {
  // A lone `*` matches anything and says nothing.
  if (end - start === 1 && word[start] === 0x2a) return false;
  if (end - start === 2 && word[start] === 0x2a && word[start + 1] === 0x2a) return false;
  for (const name of SYSTEM_ROOT_NAMES) if (globMatch(start, end, name, 0)) return true;
  return false;
}

function globMatch(p: number, end: number, name: string, q: number): boolean {
  while (p < end) {
    const c = word[p]!;
    if (c === 0x2a) {
      for (let k = q; k <= name.length; k++) if (globMatch(p + 1, end, name, k)) return true;
      return false;
    }
    if (q >= name.length) return false;
    if (c !== 0x3f && c !== name.charCodeAt(q)) return false;
    p++;
    q++;
  }
  return q === name.length;
}

// cmd: `FOR /F "tokens=*" %i IN ('whoami') DO ...` — a loop variable followed by IN.
function forLoop(text: string, end: number, p: number, start: number): boolean {
  let sawLoopVariable = false;
  for (let count = 0; count < 8; count++) {
    p = skipSpaces(text, end, p);
    if (p >= end) return false;
    const next = readWord(text, end, p, READ.PARENS);
    if (next === p) return false;
    const n = state.length;
    if (sawLoopVariable && wordIs(0, n, 'in')) return report('windows-for-loop', start, next);
    sawLoopVariable = word[0] === 0x25 && n >= 2 && n <= 17;
    p = next;
  }
  return false;
}

const IF_KEYWORDS = ['exist', 'defined', 'errorlevel', 'cmdextversion'];
const IF_OPERATORS = ['==', 'equ', 'neq', 'lss', 'leq', 'gtr', 'geq'];

// cmd: `IF [/I] [NOT] EXIST file command`, `IF "%1"=="x" command`, `IF %A% GEQ 2 command`.
function ifStatement(text: string, end: number, p: number, start: number): boolean {
  let percent = false;
  let stage = 0; // 0: options, 1: keyword operand, 2: comparison operator, 3: right operand, 4: command
  for (let count = 0; count < 10; count++) {
    p = skipSpaces(text, end, p);
    if (p >= end) return stage === 4 && percent && report('windows-if-statement', start, p);
    const next = readWord(text, end, p, READ.PARENS);
    if (next === p) return stage === 4 && percent && report('windows-if-statement', start, p);
    const n = state.length;
    if (state.flags & W.PERCENT_VAR) percent = true;
    if (stage === 0) {
      if (wordIs(0, n, '/i') || wordIs(0, n, 'not')) {
        p = next;
        continue;
      }
      if (IF_KEYWORDS.some((k) => wordIs(0, n, k))) stage = 1;
      else if (state.flags & W.DOUBLE_EQ) stage = 3;
      else stage = 2;
      p = next;
      if (stage === 3) stage = 4;
      else if (stage === 1) {
        // the operand of EXIST / DEFINED / ERRORLEVEL
        p = skipSpaces(text, end, p);
        if (p >= end) return false;
        const operandEnd = readWord(text, end, p, READ.PARENS);
        if (operandEnd === p) return false;
        if (state.flags & W.PERCENT_VAR) percent = true;
        p = operandEnd;
        stage = 4;
      }
      continue;
    }
    if (stage === 2) {
      if (!IF_OPERATORS.some((k) => wordIs(0, n, k))) return false;
      stage = 3;
      p = next;
      continue;
    }
    if (stage === 3) {
      stage = 4;
      p = next;
      continue;
    }
    // stage 4: what runs when the condition holds.
    if (
      percent ||
      word[0] === 0x28 ||
      commandFlags(word, 0, n) !== 0 ||
      wordIs(0, n, '...') ||
      wordIs(0, n, 'if') ||
      wordIs(0, n, 'for')
    ) {
      return report('windows-if-statement', start, next);
    }
    return false;
  }
  return false;
}

// `alias ls='rm -rf ~'`, `alias -p x=id`: defining an alias is only ever shell input.
function aliasDefinition(text: string, end: number, p: number, start: number): boolean {
  for (let count = 0; count < 4; count++) {
    p = skipSpaces(text, end, p);
    if (p >= end) return false;
    const next = readWord(text, end, p, 0);
    if (next === p) return false;
    for (let k = 1; k < state.length; k++) {
      if (word[k] === 0x3d) return report('alias-definition', start, next);
    }
    if (!(state.length <= 3 || word[0] === 0x2d)) return false;
    p = next;
  }
  return false;
}
