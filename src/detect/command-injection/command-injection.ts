import { decodedNul, decodeForInspection, withoutNul } from '../decoding/index.js';
import { FOUND_DOT_DOT, FOUND_SENSITIVE, scanPaths } from '../path-traversal/index.js';
import { CLOSER, type Finding, finding, hit, proseAround, report } from '../text/index.js';
import { mayBeCommand, position, resetBudget } from './command-positions.js';
import { CMD, commandFlagsText } from './command-words.js';
import { isBlank, isNameChar, RUN, startsWith, TRIGGER } from './shell-chars.js';
import { evaluateCommand, POSITION } from './shell-command.js';
import {
  braceExpansion,
  CALL_NAME_END,
  codeEvaluation,
  constructs,
  dollar,
  functionDefinition,
  hereString,
  phpComplexSyntax,
  processSubstitution,
} from './shell-constructs.js';
import { unescapeOnce } from './shell-string-escapes.js';
import { resetVariables } from './shell-words.js';

// Where the scan stops: the characters of TRIGGER, and `\` to notice escapes (`\n`, `\``) for the
// unescaped second reading. TRIGGERS jumps over long stretches of ordinary text with a native scan.
const STOP = TRIGGER.slice();
STOP[0x5c] = 1;
const TRIGGERS = /[;|&\n\r`$<>({\\]/g;

/**
 * Whether the last scan passed an escape that unescapeOnce() undoes. Derivable (unescapeOnce() returns
 * null without one), but noting it here is free, while asking unescapeOnce() made short benign inputs
 * about 2-3% slower in an A/B run.
 */
let sawEscape = false;

/**
 * Detects a command injection attempt in one input value (a query or form value, a header, a JSON
 * string). The input is decoded first (see `decodeForInspection`), then read the way a shell would:
 * every place a command can start — the start of the input, after `;`, `|`, `||`, `&`, `&&` or a
 * newline, inside `$(...)`, backticks, `<(...)` or `{a,b}` — is checked for a command word (Unix and
 * Windows, also when disguised with quotes, backslashes, `$@`, `${IFS}`, carets or variables) and how its
 * arguments look; shell-only syntax is caught wherever it appears (`$((...))`, `${IFS}`, `${PATH:0:1}`,
 * `/dev/tcp/`, here-strings, Shellshock `() {`, fork bombs, cmd `FOR ... IN` / `IF EXIST`, SSI `#exec`,
 * `system('...')`-style calls). Line breaks written as `\n` / `\r` escapes also separate commands
 * (`;id\n`) and escaped backticks substitute, except in Windows paths. Ordinary prose with `&`, `|`,
 * `;` and quotes passes. Returns a {@link Finding} naming the rule, or null. Never throws; linear time
 * in the input length.
 */
export function detectCommandInjection(input: string): Finding | null {
  if (typeof input !== 'string' || input.length === 0) return null;
  // A NUL cannot be part of a shell command: read the value as a server that strips them sees it.
  let text = decodeForInspection(input);
  if (decodedNul()) text = withoutNul(text);
  if (scan(text)) return finding('command_injection', hit.rule, text, hit.start, hit.end);
  return sawEscape ? scanUnescaped(text) : null;
}

// `;id\n`, `\nid|`, ``\`id\` ``: escaped line breaks and backticks, once a layer unescapes them.
function scanUnescaped(text: string): Finding | null {
  const unescaped = unescapeOnce(text);
  if (unescaped === null || !scan(unescaped)) return null;
  return finding('command_injection', hit.rule, unescaped, hit.start, hit.end);
}

// Reads `text` afresh: no variables assigned, the whole budget, no escape seen yet.
function scan(text: string): boolean {
  const end = text.length;
  resetVariables();
  resetBudget();
  sawEscape = false;
  if (mayBeCommand(text, 0, POSITION.START) && evaluateCommand(text, end, 0, POSITION.START, 0, 0))
    return true;
  if (constructs(text)) return true;
  let inBacktick = false;
  let i = 0;
  let plainRun = 0;
  let leadingBlanks = -1; // measured when first needed
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c >= 128 || STOP[c] === 0) {
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
      case 0x5c: {
        // \ (a run of them at once)
        let j = i + 1;
        while (j < end && text.charCodeAt(j) === 0x5c) j++;
        const escaped = text.charCodeAt(j);
        if (escaped === 0x6e || escaped === 0x72 || escaped === 0x60) sawEscape = true;
        next = j; // the escaped character is read as before (`\;` still ends a command here)
        break;
      }
      case 0x3b: // ;
      case 0x7c: // |
      case 0x26: // &
      case 0x0a:
      case 0x0d: {
        if (c === 0x26) {
          const before = i > 0 ? text.charCodeAt(i - 1) : 0;
          if (before === 0x3e || before === 0x3c || text.charCodeAt(i + 1) === 0x3e) break; // `2>&1`, `&>f`
        }
        // A lone `;`, `|` or `&` glued to what follows (`;id`), the common case, needs no run to read.
        const after = text.charCodeAt(i + 1);
        if (c !== 0x0a && c !== 0x0d && i + 1 < end && (after >= 128 || RUN[after] === 0)) {
          next = i + 1;
          if (position(text, next, POSITION.STRONG, c)) return true;
          break;
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
        else if (newline) {
          // Measured once per input: rescanning the prefix at every newline is quadratic on hostile input.
          if (leadingBlanks < 0) leadingBlanks = blankRunLength(text);
          strength = leadingBlanks >= i ? POSITION.STRONG : POSITION.MEDIUM;
        } else strength = isBlank(text.charCodeAt(j - 1)) ? POSITION.MEDIUM : POSITION.STRONG;
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
          if (
            !(strength === POSITION.MEDIUM && codeSpanInProse(text, i)) &&
            position(text, i + 1, strength, c)
          )
            return true;
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
      case 0x3e: // >
        if (text.charCodeAt(i + 1) === 0x28) {
          // `<(...)`, `>(...)` (`<()` is empty)
          next = i + 2;
          if (text.charCodeAt(i + 2) !== 0x29 && processSubstitution(text, i)) return true;
        } else if (c === 0x3e) break;
        else if (text.charCodeAt(i + 1) === 0x3c && text.charCodeAt(i + 2) === 0x3c) {
          if (hereString(text, i)) return true;
          next = i + 3;
        } else if (startsWith(text, i, '<!--#exec')) return report('ssi-exec', i, i + 9);
        break;
      case 0x28: {
        // (
        if (i > 0 && CALL_NAME_END[text.charCodeAt(i - 1)] === 1 && codeEvaluation(text, i)) return true;
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
        if (text.charCodeAt(i + 1) === 0x24 && phpComplexSyntax(text, i)) return true;
        if (braceExpansion(text, i)) return true;
        if (isBlank(text.charCodeAt(i + 1)) && position(text, i + 1, POSITION.MEDIUM, c)) return true;
        break;
    }
    i = next;
  }
  return false;
}

// Longest Markdown code span looked at as one (`` `npm install -g grunt` ``).
const MAX_CODE_SPAN = 120;

/**
 * ``Create one with `touch ~/.zshrc` and run it again.``: a backtick after a space that opens a
 * Markdown code span in a sentence, naming an ordinary command (not one that is rarely anything but a
 * command, such as `curl`, `sudo` or `whoami`) on no sensitive file. Documentation, chat and issue
 * text quote commands this way; an injection that wraps such a command in a sentence is the price of
 * not flagging them.
 */
function codeSpanInProse(text: string, open: number): boolean {
  const close = text.indexOf('`', open + 1);
  if (close < 0 || close - open > MAX_CODE_SPAN) return false;
  const after = text.charCodeAt(close + 1);
  if (
    !(close + 1 === text.length || isBlank(after) || (after < 128 && CLOSER[after] === 1 && after !== 0x60))
  )
    return false;
  // The first word of the span, as written: a disguised one is left to the evaluation.
  let k = open + 1;
  while (k < close && isNameChar(text.charCodeAt(k))) k++;
  if (k === open + 1 || !(k === close || isBlank(text.charCodeAt(k)))) return false;
  if (commandFlagsText(text, open + 1, k) & CMD.DISTINCT) return false;
  if (!proseAround(text, open, close + 1)) return false;
  // `cat /etc/passwd`, `less ../../.env`: a sensitive file or a way out of a directory is no example.
  return (scanPaths(text.slice(open + 1, close), false) & (FOUND_SENSITIVE | FOUND_DOT_DOT)) === 0;
}

// How many blank characters the input starts with (a newline after only those is a strong position).
function blankRunLength(text: string): number {
  let k = 0;
  while (k < text.length && isBlank(text.charCodeAt(k))) k++;
  return k;
}
