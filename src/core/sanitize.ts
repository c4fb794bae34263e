/** Most characters of a hostile string kept in an alert; the rest is cut and the cut is marked. */
export const MAX_TEXT_LENGTH = 256;

/**
 * Makes a string that came from a request safe to put into an alert, a log line or an event:
 * keeps at most `maxLength` characters (UTF-16 code units, never splitting a surrogate pair) and
 * appends `…[+N chars]` when it cut, then escapes control characters (C0, DEL, C1), Unicode line
 * and paragraph separators, bidirectional overrides and lone surrogates as `\n`, `\xNN` or `\uNNNN`.
 * Non-strings (from untyped callers) become their `String()` form first. Never throws.
 */
export function sanitizeText(value: unknown, maxLength: number = MAX_TEXT_LENGTH): string {
  const text = typeof value === 'string' ? value : String(value);
  let keep = text.length;
  if (keep > maxLength) {
    keep = maxLength;
    const last = text.charCodeAt(keep - 1);
    if (last >= 0xd800 && last <= 0xdbff) keep--; // do not split a surrogate pair
  }
  // Fast path: most inputs need nothing, and then nothing is allocated.
  let firstUnsafe = -1;
  for (let i = 0; i < keep; i++) {
    if (needsEscape(text, i)) {
      firstUnsafe = i;
      break;
    }
  }
  if (firstUnsafe < 0)
    return keep === text.length ? text : `${text.slice(0, keep)}…[+${text.length - keep} chars]`;

  let out = text.slice(0, firstUnsafe);
  let runStart = firstUnsafe;
  for (let i = firstUnsafe; i < keep; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < keep && isLowSurrogate(text.charCodeAt(i + 1))) {
      i++; // a well-formed pair is kept as it is
      continue;
    }
    if (!needsEscape(text, i)) continue;
    out += text.slice(runStart, i) + escapeCode(code);
    runStart = i + 1;
  }
  out += text.slice(runStart, keep);
  return keep === text.length ? out : `${out}…[+${text.length - keep} chars]`;
}

function needsEscape(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  if (code < 0x2028) return code === 0x200e || code === 0x200f; // LRM, RLM
  if (code <= 0x202e) return true; // line/paragraph separators, bidi embeddings and overrides
  if (code >= 0x2066 && code <= 0x2069) return true; // bidi isolates
  if (code >= 0xd800 && code <= 0xdbff) return !isLowSurrogate(text.charCodeAt(i + 1));
  if (code >= 0xdc00 && code <= 0xdfff) {
    const before = text.charCodeAt(i - 1);
    return !(before >= 0xd800 && before <= 0xdbff);
  }
  return false;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function escapeCode(code: number): string {
  switch (code) {
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    default:
      return code < 0x100
        ? `\\x${code.toString(16).padStart(2, '0')}`
        : `\\u${code.toString(16).padStart(4, '0')}`;
  }
}

/**
 * A short name or message from a request, fit to echo in an error: at most `max` characters,
 * followed by `cutMark` when it was longer, with every character outside printable ASCII as `?`.
 */
export function printable(text: string, max = 100, cutMark = '…'): string {
  const short = text.slice(0, max).replace(/[^\x20-\x7e]/g, '?');
  return text.length > max ? `${short}${cutMark}` : short;
}
