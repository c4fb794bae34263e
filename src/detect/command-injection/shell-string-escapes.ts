// Escapes a layer removes before the shell sees the text: `;id\n`, `\nid\n`, `\n/usr/bin/id|`,
// ``?user=\`whoami\` ``. Payloads meant for a layer that unescapes (`echo -e`, `printf`, a C or JSON
// string, a PHP or shell double-quoted string) write the newline that separates commands as a literal
// backslash and `n` (or `r`), and a substitution as escaped backticks. Read as written, the shell reading
// glues the escape into the word (`idn`); this view undoes the escapes once so the scan finds the command.
// Windows paths keep their backslashes: `C:\new\notes.txt` and `D:\data\nmap` are not read.
import { isLetter } from './shell-chars.js';

/** Longest token read for escapes (a longer one is data, left as it is). */
const TOKEN_MAX = 512;
/** Most escapes undone per input: a payload needs a few; the rest of a hostile input is copied as is. */
const MAX_ESCAPES = 64;

/**
 * The text with each `\n` / `\r` escape outside Windows-path tokens replaced by the line break it
 * stands for and each `\`` by a backtick (the first 64 of them), up to 512 characters past the last
 * one, or null when there is none. A `\\` pair is an escaped backslash and stays. Linear time.
 */
export function unescapeOnce(text: string): string | null {
  const end = text.length;
  let out = '';
  let copied = 0;
  let previous = 0; // where the last token read ended
  let undone = 0;
  let last = 0; // where the last token with an escape undone ends
  for (let k = text.indexOf('\\'); k >= 0 && undone < MAX_ESCAPES; k = text.indexOf('\\', k)) {
    const next = text.charCodeAt(k + 1);
    if (!(next === 0x6e || next === 0x72 || next === 0x60) || k < previous) {
      k += next === 0x5c ? 2 : 1; // `\\` is an escaped backslash: its second one escapes nothing
      continue;
    }
    // The token around the escape, between blanks.
    let start = k;
    while (start > previous && text.charCodeAt(start - 1) > 0x20) start--;
    let stop = k;
    while (stop < end && text.charCodeAt(stop) > 0x20) stop++;
    previous = stop;
    if (stop - start <= TOKEN_MAX && !windowsPathToken(text, start, stop)) {
      for (let j = k; j < stop; j++) {
        if (text.charCodeAt(j) !== 0x5c) continue;
        const c = text.charCodeAt(j + 1);
        if ((c === 0x6e || c === 0x72 || c === 0x60) && undone < MAX_ESCAPES) {
          out += text.slice(copied, j) + (c === 0x6e ? '\n' : c === 0x72 ? '\r' : '`');
          copied = j + 2;
          undone++;
          last = stop;
        }
        j++; // the escaped character, also the second backslash of `\\`
      }
    }
    k = stop;
  }
  // The text well past the last escape undone was read by the first scan already.
  return copied === 0 ? null : out + text.slice(copied, Math.min(end, last + TOKEN_MAX));
}

// Whether `text[start..stop)` is a Windows path: it starts like one (`C:\`, `\\server`, `%VAR%\`, `.\`,
// `..\`), once opening quotes or brackets are skipped, or one of its backslashes escapes a character no
// string escape uses (`\Users`, `\data`: a directory name).
function windowsPathToken(text: string, start: number, stop: number): boolean {
  let p = start;
  while (p < stop && OPENER[text.charCodeAt(p)] === 1) p++;
  const c = text.charCodeAt(p);
  if (isLetter(c) && text.charCodeAt(p + 1) === 0x3a) return true; // `C:`
  if (c === 0x25 || c === 0x2e || c === 0x7e) return true; // `%VAR%\`, `.\`, `..\`, `~\`
  for (let j = p; j < stop; j++) {
    if (text.charCodeAt(j) !== 0x5c) continue;
    const next = text.charCodeAt(j + 1);
    if (j === p && next === 0x5c) return true; // `\\server\share`
    if (j + 1 < stop && !(next < 128 && ESCAPED[next] === 1)) return true;
    j++;
  }
  return false;
}

// Characters before a path in a value: quotes, brackets, `=`.
const OPENER = new Uint8Array(128);
for (const c of `"'([{<=`) OPENER[c.charCodeAt(0)] = 1;

// Characters a string escape uses after the backslash (C, JSON, `echo -e`, shells): anything else
// after a backslash is the first letter of a directory name.
const ESCAPED = new Uint8Array(128);
for (const c of 'nrtabfvex0123u\\\'"`$/') ESCAPED[c.charCodeAt(0)] = 1;
