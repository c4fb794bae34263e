// Shell-only syntax, recognised wherever it appears in an input: parameter-expansion tricks, process
// substitution, here-strings, function definitions (Shellshock, fork bombs), brace expansion, and a
// native scan for process-spawning calls, `/dev/tcp/` and cmd's `%VAR:~n,m%`.

import { report, WordTable } from '../text/index.js';
import { budget, MAX_EVALUATIONS, position } from './command-positions.js';
import { commandFlagsText } from './command-words.js';
import { isBlank, isDigit, isNameChar, isSpace, skipSpaces, startsWith } from './shell-chars.js';
import { evaluateCommand, POSITION } from './shell-command.js';
import { READ } from './shell-words.js';

// Shell-only constructs found with one native scan (bounded repetitions, no nesting: linear time):
// process-spawning calls in code that reaches an interpreter (`system('id')`, `os.popen("...")`,
// `__import__('os')`, `Runtime.getRuntime().exec(`, `require('child_process')`), bash's network
// redirection `/dev/tcp/host/port`, and cmd's `%COMSPEC:~-7,1%` substring expansion, used to build
// command names letter by letter.
const CONSTRUCTS =
  /(?:shell_exec|proc_open|pcntl_exec|passthru|system|execsync|spawnsync|exec|popen)\s*\(\s*['"`$[]|(?:__import__|getruntime|processbuilder)\s*\(|(?:child_process|subprocess)['".]|\/dev\/(?:tcp|udp)\/|%[a-z0-9_]{1,32}:~/gi;

// What every match of CONSTRUCTS contains: a `(` (the calls), `process` (`child_process`,
// `subprocess`), `/dev/` or a `%`. Most inputs have none of them, and this simpler scan is cheaper.
const CONSTRUCTS_NEED = /[(%]|\/dev\/|process/i;

/** `$[`, `${...}` tricks and `$IFS` at `i`. */
export function dollar(text: string, i: number): boolean {
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
  if (nameLength === 3 && text.startsWith('IFS', i + 2)) return report('ifs-evasion', i, k);
  if (k >= end) return false;
  const op = text.charCodeAt(k);
  if (nameLength === 0) {
    if (op === 0x7d || op <= 0x20) return false; // `${}`: nothing
    // `${{ github.sha }}`: a GitHub Actions expression in a job or step name; a shell rejects `${{`.
    if (op === 0x7b) return false;
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

// `<(cat file)`, `>(tee log)`: process substitution running a known command (or anything a command
// position accepts). Only within the budget of full evaluations.
export function processSubstitution(text: string, i: number): boolean {
  if (budget.evaluations >= MAX_EVALUATIONS) return false;
  let k = i + 2;
  const limit = Math.min(text.length, k + 32);
  while (k < limit && (isNameChar(text.charCodeAt(k)) || text.charCodeAt(k) === 0x2d)) k++;
  if (commandFlagsText(text, i + 2, k) !== 0) return report('process-substitution', i, k);
  return position(text, i + 2, POSITION.STRONG, text.charCodeAt(i));
}

// `cat<<<$(id)`, `bash<<<'id'`: a here-string feeding a command.
export function hereString(text: string, i: number): boolean {
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
export function functionDefinition(text: string, i: number): boolean {
  const end = text.length;
  const k = skipSpaces(text, end, i + 2);
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
  const body = skipSpaces(text, end, k + 1);
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

// `{cat,/etc/passwd}`, `{,ifconfig}`: brace expansion turns a comma list into a command line. Each
// one read spends a full evaluation of the budget; past it, none is read.
export function braceExpansion(text: string, i: number): boolean {
  if (budget.evaluations >= MAX_EVALUATIONS) return false;
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
  // `{"key":...}`: a JSON object, not a comma list.
  if (text.charCodeAt(i + 1) === 0x22) {
    const quote = text.indexOf('"', i + 2);
    if (quote > 0 && quote < close && text.charCodeAt(quote + 1) === 0x3a) return false;
  }
  budget.evaluations++;
  const words = text.slice(i + 1, close).replaceAll(',', ' ');
  const matched = evaluateCommand(words, words.length, 0, POSITION.STRONG, READ.BRACE, 0x7b);
  return matched && report('brace-expansion-command', i, close + 1);
}

// PHP's complex (curly) syntax at `{$` (`i` is the `{`), in a string PHP interpolates: `{${phpinfo()}}`
// and `{${sleep(20)}}` call a function to name a variable, `{$_GET["cmd"]}` reads request input into
// the string. Plain `{$name}` and template placeholders (`{${x}}`) pass.
export function phpComplexSyntax(text: string, i: number): boolean {
  const end = text.length;
  let k = i + 2;
  if (text.charCodeAt(k) === 0x7b) {
    k++;
    while (k < end && (isSpace(text.charCodeAt(k)) || text.charCodeAt(k) === 0x40)) k++; // `@` silences errors
    const nameStart = k;
    const limit = Math.min(end, k + 64);
    while (k < limit && isNameChar(text.charCodeAt(k))) k++;
    const first = text.charCodeAt(nameStart);
    if (k === nameStart || isDigit(first)) return false;
    k = skipSpaces(text, end, k);
    return text.charCodeAt(k) === 0x28 && report('php-complex-syntax', i, k + 1);
  }
  if (text.charCodeAt(k) !== 0x5f) return false;
  // A superglobal: `$_` and an upper-case name, then an index.
  const nameStart = ++k;
  while (k < end && k - nameStart < 8 && text.charCodeAt(k) >= 0x41 && text.charCodeAt(k) <= 0x5a) k++;
  return k - nameStart >= 3 && text.charCodeAt(k) === 0x5b && report('php-complex-syntax', i, k + 1);
}

/**
 * The last characters of the names {@link codeEvaluation} knows (`eval`, `assert`, `phpinfo`,
 * `phpversion`), and a space: the scanner looks back for a name only where one can end.
 */
export const CALL_NAME_END = new Uint8Array(128);
for (const c of 'ltnoLTNO \t+') CALL_NAME_END[c.charCodeAt(0)] = 1;

// Code evaluation at the `(` at `i`, found from the name before it: `eval('ls')`, `assert($_GET[...])`
// (a string or PHP request input run as code), and PHP's environment probes `phpinfo()` and
// `phpversion()`, the first call an injected PHP payload makes. A method (`obj.eval(`) is not these.
export function codeEvaluation(text: string, i: number): boolean {
  const a = skipSpaces(text, text.length, i + 1);
  const argument = text.charCodeAt(a);
  // A string, or request input (`$_GET[...]`); `assert($x > 0)` is an ordinary assertion.
  const code =
    argument === 0x27 ||
    argument === 0x22 ||
    argument === 0x60 ||
    (argument === 0x24 && text.charCodeAt(a + 1) === 0x5f);
  if (!code && argument !== 0x29) return false;
  let k = i - 1;
  while (k >= 0 && isSpace(text.charCodeAt(k))) k--;
  const nameEnd = k + 1;
  while (k >= 0 && nameEnd - k <= 11 && isNameChar(text.charCodeAt(k))) k--;
  if (k >= 0 && (isNameChar(text.charCodeAt(k)) || text.charCodeAt(k) === 0x2e)) return false;
  const start = k + 1;
  const call = code
    ? nameIs(text, start, nameEnd, 'eval') || nameIs(text, start, nameEnd, 'assert')
    : nameIs(text, start, nameEnd, 'phpinfo') || nameIs(text, start, nameEnd, 'phpversion');
  return call && report('code-execution-call', start, a + 1);
}

function nameIs(text: string, start: number, end: number, name: string): boolean {
  return end - start === name.length && startsWith(text, start, name);
}

// The names CONSTRUCTS looks for, to confirm a match is the whole name.
const codeCalls = new WordTable<true>(
  'shell_exec proc_open pcntl_exec passthru system execsync spawnsync exec popen __import__ getruntime processbuilder child_process subprocess'
    .split(' ')
    .map((name) => [name, true] as const),
);

/** `system('id')`-style calls, `/dev/tcp/`, `%VAR:~n,m%` (see CONSTRUCTS). */
export function constructs(text: string): boolean {
  if (!CONSTRUCTS_NEED.test(text)) return false;
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
    if (codeCalls.lookupText(text, start, nameEnd) === undefined) continue;
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
