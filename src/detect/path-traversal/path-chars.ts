// Character classes of the path-traversal scanners (the plain ASCII tests are in text/ascii.ts, case
// folding in text/word-table.ts).

export const SLASH = 0x2f;
export const BACKSLASH = 0x5c;
export const DOT = 0x2e;
export const COLON = 0x3a;

/**
 * The characters that end a path-like token, as the body of a regular expression character class
 * (`[${BOUNDARIES}]`): control characters, space, DEL and the punctuation that surrounds a path in a
 * query string, a JSON document, a shell command or prose.
 */
export const BOUNDARIES = '\\x00-\\x20\\x7f"\'`<>()[\\]{}|&;,=?#:+';

/**
 * What each UTF-16 unit is to the scanners, read in their inner loops (no range check): 1 for a token
 * boundary ({@link BOUNDARIES}), 2 for a slash, 3 for the characters that mark a segment as worth a
 * look up ('.' and '_'), 4 for '@', 0 for the rest.
 */
export const KIND = new Uint8Array(0x10000);
const boundary = new RegExp(`[${BOUNDARIES}]`);
for (let c = 0; c < 0x80; c++) if (boundary.test(String.fromCharCode(c))) KIND[c] = 1;
KIND[SLASH] = 2;
KIND[BACKSLASH] = 2;
KIND[DOT] = 3;
KIND[0x5f] = 3;
KIND[0x40] = 4;

/** Whether `c` ends a path-like token. */
export function isBoundary(c: number): boolean {
  return KIND[c] === 1;
}

/** `/` or `\`. */
export function isSlash(c: number): boolean {
  return c === SLASH || c === BACKSLASH;
}
