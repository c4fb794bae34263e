// How the arguments of a command look: options, system paths, addresses, variables and redirections
// are evidence of a command line; ordinary words are evidence of prose. Reads the current word of
// shell-words.ts.
import { CMD, commandFlags, isSystemRoot, SYSTEM_ROOT_NAMES } from './command-words.js';
import { isBlank, isDigit, isLetter, isNameChar } from './shell-chars.js';
import { SCAN_MAX, state, W, word } from './shell-words.js';

/** Evidence gathered while reading the arguments of one command (one shared record). */
export const evidence = {
  /** Arguments only a command line has: options, system paths, variables, addresses... */
  strong: 0,
  /** The subset of those that point into the system (`/etc`, `-la`, `$HOME`, redirections). */
  system: 0,
  /** Ordinary words. */
  plain: 0,
  /** An argument is itself a distinct command word (`x whoami`). */
  distinct: false,
  /** Arguments that are command words (`which nc wget`). */
  commands: 0,
  /** cmd switches (`/add`, `/f`, `/v`). */
  switches: 0,
};

/** Starts the evidence of a new command. */
export function resetEvidence(): void {
  evidence.strong = 0;
  evidence.system = 0;
  evidence.plain = 0;
  evidence.distinct = false;
  evidence.commands = 0;
  evidence.switches = 0;
}

export function isNumberWord(): boolean {
  for (let k = 0; k < state.length; k++) {
    const c = word[k]!;
    if (!(isDigit(c) || c === 0x2e || c === 0x2c)) return false;
  }
  return true;
}

/** Counts the current word as evidence: an option, a system path, an address, or a plain word. */
export function classifyArgument(cmd: number): void {
  const f = state.flags;
  const n = state.length;
  if (f & (W.SUBST | W.ARITHMETIC | W.PERCENT_VAR | W.IFS | W.NAMED_VARIABLE)) {
    evidence.strong++;
    evidence.system++;
    return;
  }
  if (n === 0) return;
  if ((f & W.CAPITALIZED) === 0) {
    const flags = commandFlags(word, 0, n);
    if (flags !== 0) evidence.commands++;
    if (flags & CMD.DISTINCT) evidence.distinct = true;
  }
  const c0 = word[0]!;
  if (c0 === 0x2d) {
    if (n >= 2 && (isLetter(word[1]!) || (word[1] === 0x2d && n >= 3 && isLetter(word[2]!)))) {
      evidence.strong++;
      evidence.system++;
    } else if (n >= 2 && isDigit(word[1]!) && cmd & CMD.NUMERIC) {
      evidence.strong++;
      evidence.system++;
    }
    return;
  }
  if (c0 === 0x2f) {
    let segEnd = 1;
    while (segEnd < n && word[segEnd] !== 0x2f) segEnd++;
    if (segEnd === n && n >= 2 && isLetter(word[1]!)) evidence.switches++;
    if (
      n === 1 ||
      isSystemRoot(word, 1, segEnd) ||
      (f & W.GLOB && (globMatchesRoot(1, segEnd) || hasGlobCharacter(n))) ||
      (cmd & CMD.WINDOWS && n <= 6 && segEnd === n)
    ) {
      evidence.strong++;
      evidence.system++;
    } else evidence.strong++;
    return;
  }
  if (
    c0 === 0x7e ||
    (c0 === 0x2e && (word[1] === 0x2f || (word[1] === 0x2e && word[2] === 0x2f))) ||
    f & W.SLASH_SWITCH ||
    (isLetter(c0) && word[1] === 0x3a && word[2] === 0x2f)
  ) {
    evidence.strong++;
    evidence.system++;
    return;
  }
  if (c0 === 0x21 && n >= 2 && commandFlags(word, 1, n) !== 0) {
    evidence.strong++;
    evidence.system++;
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
    if (isDigit(c)) digits++;
    else if (isLetter(c)) letters++;
    else if (c === 0x2e) {
      dots++;
      if (k > 0 && k < n - 1) innerDot = true;
    } else if (c === 0x3a) {
      if (colon < 0) colon = k;
      if (word[k + 1] === 0x2f && word[k + 2] === 0x2f) {
        evidence.strong++; // a URL
        evidence.system++;
        return;
      }
    } else if (c === 0x3d && equals < 0) equals = k;
    if (!(isLetter(c) || isDigit(c) || c === 0x2d || c === 0x27 || c === 0x5f || c > 0x7f)) {
      const trailing =
        k === n - 1 && (c === 0x2e || c === 0x2c || c === 0x21 || c === 0x3f || c === 0x3a || c === 0x3b);
      if (!trailing) plainWord = false;
    }
  }
  if (letters === 0 && digits > 0 && dots === 3) {
    evidence.strong++; // an IPv4 address (with or without a port)
    evidence.system++;
    return;
  }
  if (digits === n) {
    if (cmd & CMD.NUMERIC) {
      evidence.strong++;
      evidence.system++;
    } else evidence.plain++;
    return;
  }
  if (f & W.GLOB && hasWildcard(n)) {
    evidence.strong++;
    evidence.system++;
    return;
  }
  if (equals > 0) {
    if (word[equals + 1] === 0x2f) {
      evidence.strong++;
      evidence.system++;
    }
    return;
  }
  if (innerDot && letters > 0) {
    evidence.strong++;
    if (cmd & CMD.NETWORK) evidence.system++;
    return;
  }
  if (f & W.WHOLE_QUOTED) {
    if (cmd & CMD.ECHO) {
      evidence.strong++;
      evidence.system++;
    }
    return;
  }
  if (plainWord && letters > 0) evidence.plain++;
}

/**
 * Whether the arguments in `text[from..end)`, read without options, cannot give a command system
 * evidence (`evidence.system`), judged from their characters alone; for a command without the
 * NUMERIC, NETWORK and ECHO flags, whose numbers, addresses and quoted words are not evidence. Each
 * kind of system evidence classifyArgument() and the argument reading know needs one of: `$`, `` ` ``
 * or `%` (substitutions, variables), `<` or `>` (redirections), `/` or `\` (paths, URLs, Windows
 * paths and registry keys, `x=/...`), `~`, `*` or `[` (globs), `-` or `!` starting a word (options,
 * history expansion), a `?` inside a word (a glob) or three dots (an IPv4 address). A word's code
 * units all come from the text when none of `$`, `\` and `[` is in it, so a `-` or `!` right after a
 * letter or a digit is inside a word, and a `?` before a blank ends one (a quoted `?` need not: with
 * quotes, any `?` counts).
 */
export function noSystemEvidence(text: string, from: number, end: number): boolean {
  if (end - from > SCAN_MAX) return false; // a longer word is read in pieces
  let dots = 0;
  let quotes = false;
  let question = false;
  for (let k = from; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c >= 128) continue;
    const kind = EVIDENCE_CHAR[c];
    if (kind === 0) continue;
    if (kind === EVIDENCE.ALWAYS) return false;
    if (kind === EVIDENCE.WORD_START) {
      // Inside a word after a letter or a digit; a `!` also ends one when a blank follows.
      if (!(k > from && isNameChar(text.charCodeAt(k - 1)))) {
        if (c !== 0x21 || !(k + 1 >= end || isBlank(text.charCodeAt(k + 1)))) return false;
      }
    } else if (kind === EVIDENCE.QUESTION) {
      if (!(k + 1 >= end || isBlank(text.charCodeAt(k + 1)))) return false;
      question = true;
    } else if (kind === EVIDENCE.DOT) {
      if (++dots === 3) return false;
    } else quotes = true;
  }
  return !(quotes && question);
}

const EVIDENCE = { ALWAYS: 1, WORD_START: 2, QUESTION: 3, DOT: 4, QUOTE: 5 } as const;
// The characters noSystemEvidence() looks at, by kind.
const EVIDENCE_CHAR = new Uint8Array(128);
for (const c of '$`%<>/\\~*[') EVIDENCE_CHAR[c.charCodeAt(0)] = EVIDENCE.ALWAYS;
EVIDENCE_CHAR[0x2d] = EVIDENCE.WORD_START; // -
EVIDENCE_CHAR[0x21] = EVIDENCE.WORD_START; // !
EVIDENCE_CHAR[0x3f] = EVIDENCE.QUESTION;
EVIDENCE_CHAR[0x2e] = EVIDENCE.DOT;
EVIDENCE_CHAR[0x22] = EVIDENCE.QUOTE;
EVIDENCE_CHAR[0x27] = EVIDENCE.QUOTE;

// An absolute path with glob characters whose first directory can only be a system directory:
// `/???/??t`, `/e??/p?ss??`, `/bin/ca?`.
export function globPath(): boolean {
  if (word[0] !== 0x2f) return false;
  let segEnd = 1;
  while (segEnd < state.length && word[segEnd] !== 0x2f) segEnd++;
  // `/bin/c?t`, `/usr/bin/ca*`: a glob inside a name; `/usr/local/lib/node_modules/*` names a directory.
  if (isSystemRoot(word, 1, segEnd)) {
    return segEnd < state.length && ((state.flags & W.BRACKET_CHAR) !== 0 || partialWildcard(segEnd));
  }
  return globMatchesRoot(1, segEnd);
}

// Whether a segment of the current word after `from` (a slash) mixes a wildcard with other characters.
function partialWildcard(from: number): boolean {
  const n = state.length;
  let segStart = from + 1;
  let wildcard = false;
  let other = false;
  for (let k = segStart; k <= n; k++) {
    const c = k < n ? word[k]! : 0x2f;
    if (c === 0x2f) {
      if (wildcard && other) return true;
      segStart = k + 1;
      wildcard = false;
      other = false;
    } else if (c === 0x2a || c === 0x3f || c === 0x5b) wildcard = true;
    else other = true;
  }
  return false;
}

// Where a trailing run of sentence punctuation (`what?!`, `ok?..`) starts, minus one: a `?` there ends
// a sentence, it is no glob; a trailing `?` alone (`/bin/ca?`) is left to the path checks.
function lastBeforePunctuation(n: number): number {
  let k = n;
  while (k > 0 && SENTENCE_END[word[k - 1]!] === 1) k--;
  return Math.min(k, n - 1);
}

const SENTENCE_END = new Uint8Array(128);
for (const c of '?!.,;:') SENTENCE_END[c.charCodeAt(0)] = 1;

// Whether the current word (`n` code units) has a `*`, or a `?` before its sentence punctuation.
function hasWildcard(n: number): boolean {
  const last = lastBeforePunctuation(n);
  for (let k = 0; k < n; k++) if (word[k] === 0x2a || (word[k] === 0x3f && k < last)) return true;
  return false;
}

function hasGlobCharacter(n: number): boolean {
  return hasWildcard(n) || (state.flags & W.BRACKET_CHAR) !== 0;
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
