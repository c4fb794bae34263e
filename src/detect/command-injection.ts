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
// Process-spawning calls in code that reaches an interpreter: `system('id')`, `os.popen("...")`,
// `__import__('os')`, `Runtime.getRuntime().exec(`, `require('child_process')`. No nested or unbounded
// overlapping repetition: linear time.
const CODE_EXECUTION =
  /(?:shell_exec|proc_open|pcntl_exec|passthru|system|execsync|spawnsync|exec|popen)\s*\(\s*['"`$[]|(?:__import__|getruntime|processbuilder)\s*\(|(?:child_process|subprocess)['".]/gi;
const DEV_TCP = /\/dev\/(?:tcp|udp)\//i;
// cmd's `%COMSPEC:~-7,1%` substring expansion, used to build command names letter by letter.
const CMD_SUBSTRING = /%[A-Za-z0-9_]{1,32}:~/;
// Full command evaluations per input, then cheap checks (see position()), then none: an input with
// thousands of separators costs linear time with a small constant, whatever it holds.
const MAX_EVALUATIONS = 512;
const MAX_LIGHT_CHECKS = 4096;
const BUDGET = MAX_EVALUATIONS + MAX_LIGHT_CHECKS;

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

// Evaluates a command position within the budget. Past it (an input with thousands of separators),
// a position is only checked for a distinct command word (`;wget`, `| whoami`), which stays linear.
function position(text: string, p: number, strength: number, separator: number): boolean {
  evaluations++;
  if (evaluations <= MAX_EVALUATIONS) return evaluateCommand(text, text.length, p, strength, 0, separator);
  if (evaluations > BUDGET) return false;
  const end = text.length;
  while (p < end && isSpace(text.charCodeAt(p))) p++;
  let q = p;
  while (q < end && q - p <= 40 && (isNameChar(text.charCodeAt(q)) || text.charCodeAt(q) === 0x2d)) q++;
  const first = text.charCodeAt(p);
  if (q > p && !(first >= 65 && first <= 90) && commandFlagsText(text, p, q) & CMD.DISTINCT) {
    return report('shell-separator-command', p, q);
  }
  return false;
}

function scan(text: string): boolean {
  const end = text.length;
  if (evaluateCommand(text, end, 0, POSITION.START, 0, 0)) return true;
  if (codeExecution(text) || devTcp(text) || cmdSubstring(text)) return true;
  let inBacktick = false;
  let i = 0;
  let plainRun = 0;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c >= 128 || TRIGGER[c] === 0) {
      i++;
      // A long stretch of ordinary text: let a native scan find the next trigger.
      if (++plainRun === 64) {
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
        if (evaluations >= BUDGET) break; // budget spent (see position())
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
        if (!inBacktick && evaluations < BUDGET) {
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
          if (inner !== 0x29 && evaluations < BUDGET && position(text, i + 2, POSITION.STRONG, c))
            return true;
        } else if ((after === 0x5b || after === 0x7b || after === 0x49) && dollar(text, i)) return true;
        break;
      }
      case 0x3c: // <
        if (text.charCodeAt(i + 1) === 0x28) {
          next = i + 2;
          if (text.charCodeAt(i + 2) !== 0x29 && evaluations < BUDGET && processSubstitution(text, i))
            return true;
        } else if (text.charCodeAt(i + 1) === 0x3c && text.charCodeAt(i + 2) === 0x3c) {
          if (hereString(text, i)) return true;
          next = i + 3;
        } else if (startsWith(text, i, '<!--#exec')) return report('ssi-exec', i, i + 9);
        break;
      case 0x3e: // >
        if (text.charCodeAt(i + 1) === 0x28) {
          next = i + 2;
          if (text.charCodeAt(i + 2) !== 0x29 && evaluations < BUDGET && processSubstitution(text, i))
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
        if (evaluations < BUDGET && position(text, j, POSITION.MEDIUM, c)) return true;
        break;
      }
      case 0x7b: // {
        if ((text.charCodeAt(i + 1) | 0x20) === 0x6a && startsWith(text, i + 1, 'jndi:')) {
          return report('jndi-lookup', i, i + 6);
        }
        if (evaluations >= BUDGET) break;
        if (braceExpansion(text, i)) return true;
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

// `/dev/tcp/host/port`: bash's network redirection, the core of most reverse shells.
function devTcp(text: string): boolean {
  const at = text.search(DEV_TCP);
  return at >= 0 && report('dev-tcp-redirection', at, at + 9);
}

function cmdSubstring(text: string): boolean {
  const at = text.search(CMD_SUBSTRING);
  return at >= 0 && report('cmd-variable-substring', at, text.indexOf(':~', at) + 2);
}

// The names CODE_EXECUTION looks for, to confirm a match is the whole name.
const codeCalls = new WordTable<true>(
  'shell_exec proc_open pcntl_exec passthru system execsync spawnsync exec popen __import__ getruntime processbuilder child_process subprocess'
    .split(' ')
    .map((name) => [name, true] as const),
);

/** Process-spawning calls: `system('id')`, `os.popen(`, `Runtime.getRuntime().exec(`, `child_process`. */
function codeExecution(text: string): boolean {
  const pattern = CODE_EXECUTION;
  pattern.lastIndex = 0;
  while (pattern.test(text)) {
    const matchEnd = pattern.lastIndex;
    // Back to the start of the name (the match ends past it, at a quote, a dot or a parenthesis).
    let k = matchEnd - 1;
    while (k > 0 && !isNameChar(text.charCodeAt(k))) k--;
    let start = k;
    while (start > 0 && isNameChar(text.charCodeAt(start - 1))) start--;
    // A longer name (`myexec`, `ecosystem`) is something else.
    if (codeCalls.getText(hashText(text, start, k + 1), text, start, k + 1) === undefined) continue;
    // A method of some other object (`regex.exec(s)`) is not a process call, except `os.system(` and
    // `Runtime.getRuntime().exec(`.
    if (start > 0 && text.charCodeAt(start - 1) === 0x2e) {
      const owner = text.charCodeAt(start - 2);
      const os =
        start >= 3 &&
        (text.charCodeAt(start - 3) | 0x20) === 0x6f &&
        (text.charCodeAt(start - 2) | 0x20) === 0x73;
      const isModule = (text.charCodeAt(k) | 0x20) === 0x73 && k - start >= 9; // subprocess, child_process
      if (!(owner === 0x29 || os || isModule)) continue;
    }
    return report('code-execution-call', start, matchEnd);
  }
  return false;
}
