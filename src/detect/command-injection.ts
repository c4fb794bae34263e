import { CMD, commandFlagsText } from './command-words.js';
import { decodeForInspection } from './decode.js';
import { type Finding, finding } from './finding.js';
import { evaluateCommand, hit, POSITION } from './shell-command.js';
import { isSpace, READ, resetVariables } from './shell-words.js';
import { hashText, WordTable } from './word-table.js';

// Characters where a command can start or shell-only syntax begins.
const TRIGGER = new Uint8Array(128);
for (const c of ';|&\n\r`$<>({') TRIGGER[c.charCodeAt(0)] = 1;
// Separators (1) and spaces (2), which together make one command position.
const RUN = new Uint8Array(128);
for (const c of ';|&\n\r') RUN[c.charCodeAt(0)] = 1;
for (const c of ' \t+\v\f') RUN[c.charCodeAt(0)] = 2;
// The same set, to jump over long stretches of ordinary text with a native scan.
const TRIGGERS = /[;|&\n\r`$<>({]/g;
// Shell-only constructs found with one native scan (bounded repetitions, no nesting: linear time):
// process-spawning calls in code that reaches an interpreter (`system('id')`, `os.popen("...")`,
// `__import__('os')`, `Runtime.getRuntime().exec(`, `require('child_process')`), bash's network
// redirection `/dev/tcp/host/port`, and cmd's `%COMSPEC:~-7,1%` substring expansion, used to build
// command names letter by letter.
const CONSTRUCTS =
  /(?:shell_exec|proc_open|pcntl_exec|passthru|system|execsync|spawnsync|exec|popen)\s*\(\s*['"`$[]|(?:__import__|getruntime|processbuilder)\s*\(|(?:child_process|subprocess)['".]|\/dev\/(?:tcp|udp)\/|%[a-z0-9_]{1,32}:~/gi;
// Full command evaluations per input; past them every position still gets a cheap check (see
// position()), so an input with thousands of separators costs linear time with a small constant.
const MAX_EVALUATIONS = 256;
// Positions looked at closely (mayBeCommand) per input before only the cheap check is left.
const MAX_CHECKS = 4096;

/**
 * Detects a command injection attempt in one input value (a query or form value, a header, a JSON
 * string). The input is decoded first (see `decodeForInspection`), then read the way a shell would:
 * every place a command can start — the start of the input, after `;`, `|`, `||`, `&`, `&&` or a
 * newline, inside `$(...)`, backticks, `<(...)` or `{a,b}` — is checked for a command word (Unix and
 * Windows, also when disguised with quotes, backslashes, `$@`, `${IFS}`, carets or variables) and how its
 * arguments look; shell-only syntax is caught wherever it appears (`$((...))`, `${IFS}`, `${PATH:0:1}`,
 * `/dev/tcp/`, here-strings, Shellshock `() {`, fork bombs, cmd `FOR ... IN` / `IF EXIST`, SSI `#exec`,
 * `system('...')`-style calls). Ordinary prose with `&`, `|`, `;` and quotes passes. Returns a
 * {@link Finding} naming the rule, or null. Never throws; linear time in the input length.
 */
export function detectCommandInjection(input: string): Finding | null {
  if (typeof input !== 'string' || input.length === 0) return null;
  const text = decodeForInspection(input);
  resetVariables();
  evaluations = 0;
  checks = 0;
  if (scan(text)) return finding('command_injection', hit.rule, text, hit.start, hit.end);
  return null;
}

function report(rule: string, start: number, end: number): true {
  hit.rule = rule;
  hit.start = start;
  hit.end = end;
  return true;
}

function isBlank(c: number): boolean {
  return !(c > 0x20) || isSpace(c); // also NaN: past the end
}

function isNameChar(c: number): boolean {
  const l = c | 0x20;
  return (l >= 0x61 && l <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

let evaluations = 0;
let checks = 0;

// Evaluates a command position: fully within the budget (for positions mayBeCommand() finds worth
// it), then with a cheap check that still catches a distinct command word (`;wget`, `| whoami`) or an
// ordinary one with a shell-like first argument (`; cat /etc/passwd`, `&& ls -la`).
function position(text: string, p: number, strength: number, separator: number): boolean {
  const end = text.length;
  while (p < end && isSpace(text.charCodeAt(p))) p++;
  if (p >= end) return false;
  const first = text.charCodeAt(p);
  // A separator, backtick or `$(` here opens a position of its own, evaluated when the scan gets there.
  if (first < 128 && OWN_POSITION[first] === 1) return false;
  if (first === 0x24 && text.charCodeAt(p + 1) === 0x28) return false;
  if (evaluations < MAX_EVALUATIONS && checks < MAX_CHECKS) {
    checks++;
    if (!mayBeCommand(text, p, strength)) return false;
    evaluations++;
    return evaluateCommand(text, end, p, strength, 0, separator);
  }
  let q = p;
  while (q < end && q - p <= 40) {
    const c = text.charCodeAt(q);
    if (!(isNameChar(c) || c === 0x2d)) break;
    q++;
  }
  if (q - p < 2 || (first >= 65 && first <= 90)) return false;
  const flags = commandFlagsText(text, p, q);
  if (flags === 0) return false;
  if (flags & CMD.DISTINCT) return report('shell-separator-command', p, q);
  if (flags & CMD.ENGLISH) {
    let r = q;
    while (r < end && isSpace(text.charCodeAt(r))) r++;
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
// Distinct commands, paths to binaries, wrappers followed by a command and cmd tools are always
// evaluated.
function knownWordMayRun(
  text: string,
  p: number,
  base: number,
  q: number,
  flags: number,
  strength: number,
): boolean {
  if (strength === POSITION.STRONG || flags & CMD.DISTINCT || base > p) return true;
  const first = text.charCodeAt(p);
  // `Time & Date`: a capitalised ordinary word after a spaced separator is never judged a command.
  if (strength === POSITION.MEDIUM && first >= 65 && first <= 90 && !allUpper(text, p, q)) return false;
  if (flags & CMD.WRAPPER && nextWordIsCommand(text, q)) return true;
  if (isWindowsTool(text, base, q)) return true;
  const end = text.length;
  let k = q;
  while (k < end && isSpace(text.charCodeAt(k))) k++;
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
  return true; // a long command line: read it
}

// Characters an argument needs to count as evidence: options, paths, variables, substitutions,
// globs, redirections, cmd variables, Windows paths, history escapes (`!whoami`).
const ARGUMENT_CHAR = new Uint8Array(128);
for (const c of '-/\\~$`%<>*?[=!:') ARGUMENT_CHAR[c.charCodeAt(0)] = 1;

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
    while (k < end && isSpace(text.charCodeAt(k))) k++;
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

function isWindowsTool(text: string, start: number, end: number): boolean {
  const length = end - start;
  if (length === 2) return startsWith(text, start, 'sc');
  return length === 3 && (startsWith(text, start, 'net') || startsWith(text, start, 'reg'));
}

// `for`, `if`, `alias` at a command position: worth reading only with the syntax of their cmd or
// shell forms (`for %i in`, `if exist`, `if "%1"==`, `alias x=`), not in prose ("For example...").
function keywordMayRun(text: string, start: number, end: number): boolean {
  const limit = Math.min(text.length, end + 96);
  const alias = end - start === 5;
  for (let k = end; k < limit; k++) {
    const c = text.charCodeAt(k);
    if (c < 128 && RUN[c] === 1) return false;
    if (alias ? c === 0x3d : c === 0x25 || c === 0x3d || c === 0x28 || c === 0x5b) return true;
    if (!alias && (c | 0x20) === 0x65 && (startsWith(text, k, 'exist') || startsWith(text, k, 'errorlevel')))
      return true;
    if (!alias && (c | 0x20) === 0x64 && startsWith(text, k, 'defined')) return true;
    if (!alias && (c | 0x20) === 0x63 && startsWith(text, k, 'cmdextversion')) return true;
    if (!alias && isBlank(text.charCodeAt(k - 1)) && isComparison(text, k)) return true;
  }
  return false;
}

// cmd's comparison operators, as whole words: `IF 2 GEQ 15 ...`.
function isComparison(text: string, k: number): boolean {
  if (!isBlank(text.charCodeAt(k + 3))) return false;
  for (const op of ['equ', 'neq', 'lss', 'leq', 'gtr', 'geq']) if (startsWith(text, k, op)) return true;
  return false;
}

// Characters that open a command position of their own.
const OWN_POSITION = new Uint8Array(128);
for (const c of ';|&\n\r`') OWN_POSITION[c.charCodeAt(0)] = 1;

function scan(text: string): boolean {
  const end = text.length;
  if (mayBeCommand(text, 0, POSITION.START) && evaluateCommand(text, end, 0, POSITION.START, 0, 0))
    return true;
  if (constructs(text)) return true;
  let inBacktick = false;
  let i = 0;
  let plainRun = 0;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c >= 128 || TRIGGER[c] === 0) {
      i++;
      // A stretch of ordinary text: let a native scan find the next trigger.
      if (++plainRun === 8) {
        plainRun = 0;
        TRIGGERS.lastIndex = i;
        if (!TRIGGERS.test(text)) return false;
        i = TRIGGERS.lastIndex - 1;
      }
      continue;
    }
    plainRun = 0;
    let next = i + 1;
    switch (c) {
      case 0x3b: // ;
      case 0x7c: // |
      case 0x26: // &
      case 0x0a:
      case 0x0d: {
        if (c === 0x26) {
          const before = i > 0 ? text.charCodeAt(i - 1) : 0;
          if (before === 0x3e || before === 0x3c || text.charCodeAt(i + 1) === 0x3e) break; // `2>&1`, `&>f`
        }
        // A run of separators and spaces is one position: `;;id`, `| |id`, `&& id`.
        let j = i;
        let doubled = false;
        let newline = false;
        let last: number = c;
        let previous = 0;
        while (j < end) {
          const d = text.charCodeAt(j);
          const kind = d < 128 ? RUN[d]! : 0;
          if (kind === 0) break;
          if (kind === 1) {
            if (d === previous && (d === 0x7c || d === 0x26)) doubled = true;
            else if (d === 0x0a || d === 0x0d) newline = true;
            last = d;
          }
          previous = d;
          j++;
        }
        next = j;
        if (j >= end) break;
        let strength: number;
        if (doubled) strength = POSITION.STRONG;
        else if (newline) strength = onlyBlankBefore(text, i) ? POSITION.STRONG : POSITION.MEDIUM;
        else strength = isBlank(text.charCodeAt(j - 1)) ? POSITION.MEDIUM : POSITION.STRONG;
        if (position(text, j, strength, last)) return true;
        break;
      }
      case 0x60: // `
        if (text.charCodeAt(i + 1) === 0x60) {
          next = i + 2; // empty backticks: expand to nothing
          break;
        }
        if (!inBacktick) {
          const strength = i === 0 || !isBlank(text.charCodeAt(i - 1)) ? POSITION.STRONG : POSITION.MEDIUM;
          if (position(text, i + 1, strength, c)) return true;
        }
        inBacktick = !inBacktick;
        break;
      case 0x24: {
        // $
        const after = text.charCodeAt(i + 1);
        if (after === 0x28) {
          const inner = text.charCodeAt(i + 2);
          if (inner === 0x28) return report('arithmetic-expansion', i, i + 3);
          next = inner === 0x29 ? i + 3 : i + 2; // `$()` is empty; the `(` is not a subshell
          // `$($(...`: the innermost substitution is the one to read.
          const nested = inner === 0x24 && text.charCodeAt(i + 3) === 0x28;
          if (inner !== 0x29 && !nested && position(text, i + 2, POSITION.STRONG, c)) return true;
        } else if ((after === 0x5b || after === 0x7b || after === 0x49) && dollar(text, i)) return true;
        break;
      }
      case 0x3c: // <
        if (text.charCodeAt(i + 1) === 0x28) {
          next = i + 2;
          if (
            text.charCodeAt(i + 2) !== 0x29 &&
            evaluations < MAX_EVALUATIONS &&
            processSubstitution(text, i)
          )
            return true;
        } else if (text.charCodeAt(i + 1) === 0x3c && text.charCodeAt(i + 2) === 0x3c) {
          if (hereString(text, i)) return true;
          next = i + 3;
        } else if (startsWith(text, i, '<!--#exec')) return report('ssi-exec', i, i + 9);
        break;
      case 0x3e: // >
        if (text.charCodeAt(i + 1) === 0x28) {
          next = i + 2;
          if (
            text.charCodeAt(i + 2) !== 0x29 &&
            evaluations < MAX_EVALUATIONS &&
            processSubstitution(text, i)
          )
            return true;
        }
        break;
      case 0x28: {
        // (
        if (text.charCodeAt(i + 1) === 0x29) {
          if (functionDefinition(text, i)) return true;
          break;
        }
        let j = i + 1;
        while (j < end && text.charCodeAt(j) === 0x28) j++;
        next = j;
        if (position(text, j, POSITION.MEDIUM, c)) return true;
        break;
      }
      case 0x7b: // {
        if ((text.charCodeAt(i + 1) | 0x20) === 0x6a && startsWith(text, i + 1, 'jndi:')) {
          return report('jndi-lookup', i, i + 6);
        }
        if (evaluations < MAX_EVALUATIONS && braceExpansion(text, i)) return true;
        if (isBlank(text.charCodeAt(i + 1)) && position(text, i + 1, POSITION.MEDIUM, c)) return true;
        break;
    }
    i = next;
  }
  return false;
}

function onlyBlankBefore(text: string, i: number): boolean {
  for (let k = 0; k < i; k++) if (!isBlank(text.charCodeAt(k))) return false;
  return true;
}

function startsWith(text: string, p: number, word: string): boolean {
  if (p + word.length > text.length) return false;
  for (let k = 0; k < word.length; k++) {
    const c = text.charCodeAt(p + k);
    if ((c >= 65 && c <= 90 ? c | 0x20 : c) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** `$[`, `${...}` tricks and `$IFS` at `i`. */
function dollar(text: string, i: number): boolean {
  const next = text.charCodeAt(i + 1);
  if (next === 0x5b) {
    const after = text.charCodeAt(i + 2);
    if ((after >= 0x30 && after <= 0x39) || after === 0x24 || after === 0x5d || after === 0x28) {
      return report('arithmetic-expansion', i, i + 2);
    }
    return false;
  }
  if (next === 0x7b) return parameterExpansion(text, i);
  if (
    next === 0x49 &&
    text.charCodeAt(i + 2) === 0x46 &&
    text.charCodeAt(i + 3) === 0x53 &&
    !isNameChar(text.charCodeAt(i + 4))
  ) {
    return report('ifs-evasion', i, i + 4);
  }
  return false;
}

// `${IFS}`, `${PATH:0:1}`, `${x#pattern}`, `${!x}`, `${:...}`: parameter expansion beyond a plain
// `${NAME}` or `${NAME:-default}` (which templates and compose files use) is shell-only.
function parameterExpansion(text: string, i: number): boolean {
  const end = text.length;
  let k = i + 2;
  const limit = Math.min(end, i + 40);
  while (k < limit && isNameChar(text.charCodeAt(k))) k++;
  const nameLength = k - (i + 2);
  if (nameLength === 3 && startsWithExact(text, i + 2, 'IFS')) return report('ifs-evasion', i, k);
  if (k >= end) return false;
  const op = text.charCodeAt(k);
  if (nameLength === 0) {
    if (op === 0x7d || op <= 0x20) return false; // `${}`: nothing
    return report('parameter-expansion', i, k + 1);
  }
  if (op === 0x7d) return false;
  if (op === 0x3a) {
    const after = text.charCodeAt(k + 1);
    if (after >= 0x30 && after <= 0x39) return report('parameter-expansion', i, k + 2);
    return false;
  }
  if (op === 0x23 || op === 0x25 || op === 0x2f || op === 0x5e || op === 0x2c || op === 0x40) {
    return report('parameter-expansion', i, k + 1);
  }
  return false;
}

function startsWithExact(text: string, p: number, word: string): boolean {
  return text.startsWith(word, p);
}

// `<(cat file)`, `>(tee log)`: process substitution running a known command (or anything a command
// position accepts).
function processSubstitution(text: string, i: number): boolean {
  let k = i + 2;
  const limit = Math.min(text.length, k + 32);
  while (k < limit && (isNameChar(text.charCodeAt(k)) || text.charCodeAt(k) === 0x2d)) k++;
  if (commandFlagsText(text, i + 2, k) !== 0) return report('process-substitution', i, k);
  return position(text, i + 2, POSITION.STRONG, text.charCodeAt(i));
}

// `cat<<<$(id)`, `bash<<<'id'`: a here-string feeding a command.
function hereString(text: string, i: number): boolean {
  let k = i - 1;
  while (k >= 0 && isSpace(text.charCodeAt(k))) k--;
  let start = k;
  while (
    start >= 0 &&
    start > k - 32 &&
    (isNameChar(text.charCodeAt(start)) || text.charCodeAt(start) === 0x2d)
  )
    start--;
  start++;
  if (start <= k && commandFlagsText(text, start, k + 1) !== 0) return report('here-string', start, i + 3);
  if (k === i - 1 && start <= k && !isBlank(text.charCodeAt(i + 3)))
    return report('here-string', start, i + 3);
  return false;
}

// `() { :; };` (Shellshock) and `f(){ f|f& };f` (a fork bomb): function definitions in input.
function functionDefinition(text: string, i: number): boolean {
  const end = text.length;
  let k = i + 2;
  while (k < end && isSpace(text.charCodeAt(k))) k++;
  if (text.charCodeAt(k) !== 0x7b) return false;
  let left = i - 1;
  while (left >= 0 && isSpace(text.charCodeAt(left))) left--;
  const before = left >= 0 ? text.charCodeAt(left) : -1;
  if (before === -1 || before === 0x3d || before === 0x27 || before === 0x22 || before === 0x3b) {
    return report('shellshock', i, k + 1);
  }
  // A named function whose body starts by calling itself.
  let nameStart = left;
  while (nameStart >= 0 && nameStart > left - 32 && isFunctionNameChar(text.charCodeAt(nameStart)))
    nameStart--;
  nameStart++;
  if (nameStart > left) return false;
  let body = k + 1;
  while (body < end && isSpace(text.charCodeAt(body))) body++;
  const nameLength = left + 1 - nameStart;
  if (body + nameLength > end) return false;
  for (let n = 0; n < nameLength; n++)
    if (text.charCodeAt(body + n) !== text.charCodeAt(nameStart + n)) return false;
  const after = text.charCodeAt(body + nameLength);
  if (isBlank(after) || after === 0x7c || after === 0x26 || after === 0x28 || after === 0x3b) {
    return report('fork-bomb', nameStart, body + nameLength);
  }
  return false;
}

function isFunctionNameChar(c: number): boolean {
  return isNameChar(c) || c === 0x3a || c === 0x2e || c === 0x2d;
}

// `{cat,/etc/passwd}`, `{,ifconfig}`: brace expansion turns a comma list into a command line.
function braceExpansion(text: string, i: number): boolean {
  const limit = Math.min(text.length, i + 128);
  let comma = false;
  let close = -1;
  for (let k = i + 1; k < limit; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x7d) {
      close = k;
      break;
    }
    if (c === 0x2c) comma = true;
    else if (c <= 0x20 || c === 0x7b) return false;
  }
  if (close < 0 || !comma) return false;
  evaluations++;
  const words = text.slice(i + 1, close).replaceAll(',', ' ');
  const matched = evaluateCommand(words, words.length, 0, POSITION.STRONG, READ.BRACE, 0x7b);
  return matched && report('brace-expansion-command', i, close + 1);
}

// The names CONSTRUCTS looks for, to confirm a match is the whole name.
const codeCalls = new WordTable<true>(
  'shell_exec proc_open pcntl_exec passthru system execsync spawnsync exec popen __import__ getruntime processbuilder child_process subprocess'
    .split(' ')
    .map((name) => [name, true] as const),
);

/** `system('id')`-style calls, `/dev/tcp/`, `%VAR:~n,m%` (see CONSTRUCTS). */
function constructs(text: string): boolean {
  const pattern = CONSTRUCTS;
  pattern.lastIndex = 0;
  for (let found = pattern.exec(text); found !== null; found = pattern.exec(text)) {
    const at = found.index;
    const matchEnd = at + found[0].length;
    const first = text.charCodeAt(at);
    if (first === 0x2f) return report('dev-tcp-redirection', at, matchEnd);
    if (first === 0x25) return report('cmd-variable-substring', at, matchEnd);
    // The whole name around the match: `myexec(` or `ecosystem(` are other functions.
    let start = at;
    while (start > 0 && isNameChar(text.charCodeAt(start - 1))) start--;
    let nameEnd = at;
    while (nameEnd < matchEnd && isNameChar(text.charCodeAt(nameEnd))) nameEnd++;
    if (codeCalls.getText(hashText(text, start, nameEnd), text, start, nameEnd) === undefined) continue;
    // A method of some other object (`regex.exec(s)`) is not a process call, except `os.system(` and
    // `Runtime.getRuntime().exec(`; `x.subprocess.run` is the module.
    if (start > 0 && text.charCodeAt(start - 1) === 0x2e) {
      const owner = text.charCodeAt(start - 2);
      const os =
        start >= 3 &&
        (text.charCodeAt(start - 3) | 0x20) === 0x6f &&
        (text.charCodeAt(start - 2) | 0x20) === 0x73;
      const isModule = nameEnd - start >= 10;
      if (!(owner === 0x29 || os || isModule)) continue;
    }
    return report('code-execution-call', start, matchEnd);
  }
  return false;
}

// Whether the command position at `p` is worth a full evaluation, judged from its first word without
// a full read: a word with quotes, backslashes, `$`, carets or brackets may be disguised and is always
// evaluated; a plain word only when it names a command (`cat`, `/usr/bin/id`, `powershell.exe`,
// `python3.10`) or a cmd keyword, or — after a separator — when an option follows (`; foo -x`). Most
// positions in ordinary text start with an ordinary word and are skipped.
function mayBeCommand(text: string, p: number, strength: number): boolean {
  const end = text.length;
  while (p < end && isSpace(text.charCodeAt(p))) p++;
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
    if (!(isBlank(stop) || (stop < 128 && WORD_END[stop] === 1))) return true;
    // `(sh)`, `{ id; }` after a separator: the subshell or group is read by the evaluation.
    if (q === p) return strength !== POSITION.START && !isBlank(stop) && RUN[stop] !== 1;
    // `/bin/ca?`, `/???/`: a glob, not a question mark ending a sentence.
    if (stop === 0x3f && (base > p || !isBlank(text.charCodeAt(q + 1)))) return true;
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

// Characters of a plain first word (letters, digits, `.`, `_`, `-`, `/`, `:`, non-ASCII).
const PLAIN_WORD = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) PLAIN_WORD[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) PLAIN_WORD[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) PLAIN_WORD[c] = 1;
for (const c of '._-/:') PLAIN_WORD[c.charCodeAt(0)] = 1;
// Characters that end a plain first word without making it suspicious.
const WORD_END = new Uint8Array(128);
for (const c of ',.!?;|&()<>#') WORD_END[c.charCodeAt(0)] = 1;
