// The text a nested shell receives as its script: an argument with the outer shell's quoting
// removed (`'ping '"$h"` -> `ping $h`). Expansions are left as written: the inner shell is the one
// that expands them, and the detector only asks where the input landed.

import type { ShellKind } from './command-reading.js';

/** `text[start..end)` with the quoting of the shell `outer` removed. Linear. */
export function unquote(text: string, start: number, end: number, outer: ShellKind): string {
  return outer === 'sh' ? unquoteSh(text, start, end) : unquoteCmd(text, start, end);
}

function unquoteSh(text: string, start: number, end: number): string {
  let out = '';
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 0x27) {
      let close = i + 1;
      while (close < end && text.charCodeAt(close) !== 0x27) close++;
      out += text.slice(i + 1, close);
      i = close + 1;
    } else if (c === 0x22) {
      i++;
      while (i < end && text.charCodeAt(i) !== 0x22) {
        const d = text.charCodeAt(i);
        if (d === 0x5c && i + 1 < end && '$`"\\\n'.includes(text[i + 1]!)) i++;
        out += text[i];
        i++;
      }
      i++;
    } else if (c === 0x24 && text.charCodeAt(i + 1) === 0x27 && i + 1 < end) {
      i += 2;
      while (i < end && text.charCodeAt(i) !== 0x27) {
        if (text.charCodeAt(i) === 0x5c && i + 1 < end) {
          out += ansiEscape(text.charCodeAt(i + 1));
          i += 2;
        } else out += text[i++];
      }
      i++;
    } else if (c === 0x5c) {
      if (i + 1 < end) out += text[i + 1];
      i += 2;
    } else {
      out += text[i++];
    }
  }
  return out;
}

function unquoteCmd(text: string, start: number, end: number): string {
  let out = '';
  let quoted = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    else if (c === 0x5e && !quoted && i + 1 < end) out += text[++i];
    else out += text[i];
  }
  return out;
}

// The character `$'\x'` stands for (the common escapes; others stand for themselves).
function ansiEscape(c: number): string {
  if (c === 0x6e) return '\n';
  if (c === 0x72) return '\r';
  if (c === 0x74) return '\t';
  if (c === 0x66) return '\f';
  if (c === 0x76) return '\v';
  return String.fromCharCode(c);
}
