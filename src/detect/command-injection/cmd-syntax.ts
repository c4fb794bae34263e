// Windows cmd syntax and shell built-ins with a grammar of their own: `FOR ... IN`, `IF EXIST`,
// `IF "%1"==`, `alias x=...`, and administration tools whose first argument is a verb (`net user`).

import { report, WordTable } from '../text/index.js';
import { commandFlags } from './command-words.js';
import { isBlank, skipSpaces, startsWith } from './shell-chars.js';
import { READ, readWord, state, W, word, wordIs } from './shell-words.js';

// Administration tools whose first argument is a verb or a context: `net user`, `reg query`, `sc qc`,
// `netsh firewall`.
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
  netsh: [
    'advfirewall',
    'firewall',
    'interface',
    'int',
    'wlan',
    'http',
    'winhttp',
    'ipsec',
    'wfp',
    'trace',
    'lan',
    'ras',
    'routing',
    'dhcp',
    'bridge',
    'add',
    'set',
    'show',
    'delete',
    'dump',
    'exec',
  ],
};

// The tools of WINDOWS_VERBS, each with its verbs.
const windowsTools = new WordTable<readonly string[]>(Object.entries(WINDOWS_VERBS));

/** The verbs of the tool named by `word[start..end)` when it takes one, else undefined. */
export function windowsToolVerbs(start: number, end: number): readonly string[] | undefined {
  return windowsTools.lookupCodes(word, start, end);
}

/** Whether `text[start..end)` names a tool that takes a verb (`net`, `reg`, `sc`, `netsh`). */
export function isWindowsTool(text: string, start: number, end: number): boolean {
  return end - start <= 5 && windowsTools.lookupText(text, start, end) !== undefined;
}

/** Whether the current word is one of `verbs` (see {@link windowsToolVerbs}). */
export function isWindowsVerb(verbs: readonly string[]): boolean {
  return wordIsOneOf(verbs);
}

// Whether the current word is one of `words` (lower case).
function wordIsOneOf(words: readonly string[]): boolean {
  const n = state.length;
  for (let k = 0; k < words.length; k++) if (wordIs(0, n, words[k]!)) return true;
  return false;
}

// cmd: `FOR /F "tokens=*" %i IN ('whoami') DO ...` — a loop variable followed by IN.
export function forLoop(text: string, end: number, p: number, start: number): boolean {
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

/** The keywords of cmd's `IF` that take one operand: `IF EXIST file`, `IF DEFINED var`... */
export const IF_KEYWORDS: readonly string[] = ['exist', 'defined', 'errorlevel', 'cmdextversion'];
/** cmd's comparison operators written as words (`IF %A% GEQ 2`); `==` is the other one. */
export const IF_COMPARISONS: readonly string[] = ['equ', 'neq', 'lss', 'leq', 'gtr', 'geq'];

/** Whether `text` has one of `words` (lower case) at `p`, compared case-insensitively. */
export function startsWithOneOf(text: string, p: number, words: readonly string[]): boolean {
  for (let k = 0; k < words.length; k++) if (startsWith(text, p, words[k]!)) return true;
  return false;
}

// cmd: `IF [/I] [NOT] EXIST file command`, `IF "%1"=="x" command`, `IF %A% GEQ 2 command`.
export function ifStatement(text: string, end: number, p: number, start: number): boolean {
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
      if (wordIsOneOf(IF_KEYWORDS)) stage = 1;
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
      if (!(wordIs(0, n, '==') || wordIsOneOf(IF_COMPARISONS))) return false;
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

// cmd `SET /A 97531+33806` (arithmetic, a blind-injection probe) and `SET /P x=<file` (reads a line):
// switches only cmd's SET takes.
export function setSwitch(text: string, end: number, p: number, start: number): boolean {
  p = skipSpaces(text, end, p);
  if (text.charCodeAt(p) !== 0x2f) return false;
  const letter = text.charCodeAt(p + 1) | 0x20;
  if ((letter !== 0x61 && letter !== 0x70) || !isBlank(text.charCodeAt(p + 2))) return false;
  const argument = skipSpaces(text, end, p + 2);
  return argument < end && report('cmd-set-switch', start, p + 2);
}

// `alias ls='rm -rf ~'`, `alias -p x=id`: defining an alias is only ever shell input.
export function aliasDefinition(text: string, end: number, p: number, start: number): boolean {
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
