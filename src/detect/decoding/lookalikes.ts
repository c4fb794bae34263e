// Unicode characters that some server, framework or file system turns into ASCII punctuation (Unicode
// compatibility normalisation, "best fit" code-page mapping), so a filter that only knows ASCII misses
// them: full-width and small forms, dot leaders, division and fraction slashes, set minus.

// U+FE50..U+FE6B SMALL FORM VARIANTS mapped to ASCII (0: no ASCII equivalent).
const SMALL_FORMS = [
  0x2c, 0, 0x2e, 0, 0x3b, 0x3a, 0x3f, 0x21, 0, 0x28, 0x29, 0x7b, 0x7d, 0, 0, 0x23, 0x26, 0x2a, 0x2b, 0x2d,
  0x3c, 0x3e, 0x3d, 0, 0x5c, 0x24, 0x25, 0x40,
];

/** {@link FOLD_TABLE} entry: the character decodes to two full stops (U+2025 TWO DOT LEADER). */
export const TWO_DOTS = 0xffff;
/** {@link FOLD_TABLE} entry: the character is invisible (zero-width) and is dropped. */
export const ZERO_WIDTH = 0xfffe;

/**
 * What every UTF-16 unit folds to: 0 when it is no look-alike, the ASCII character it stands for,
 * {@link TWO_DOTS} or {@link ZERO_WIDTH}. (Neither code unit is a look-alike itself.)
 */
export const FOLD_TABLE = new Uint16Array(0x10000);
for (let code = 0x80; code < 0x10000; code++) {
  const folded = fold(code);
  if (folded !== code) FOLD_TABLE[code] = folded;
}

// The ASCII character `code` stands for, TWO_DOTS, ZERO_WIDTH, or `code` itself.
function fold(code: number): number {
  if (code >= 0xff01 && code <= 0xff5e) return code - 0xfee0; // full-width ASCII
  if (code >= 0xfe50 && code <= 0xfe6b) return SMALL_FORMS[code - 0xfe50] || code;
  switch (code) {
    case 0x3000: // ideographic space
      return 0x20;
    case 0x2024: // one dot leader
      return 0x2e;
    case 0x2025: // two dot leader
      return TWO_DOTS;
    case 0x2215: // division slash
    case 0x2044: // fraction slash
    case 0x29f8: // big solidus
    case 0x2571: // box drawings light diagonal upper right to lower left
      return 0x2f;
    case 0x2216: // set minus
    case 0x29f5: // reverse solidus operator
    case 0x29f9: // big reverse solidus
    case 0x2572: // box drawings light diagonal upper left to lower right
      return 0x5c;
    case 0x00ad: // soft hyphen
    case 0x200b: // zero width space
    case 0x200c: // zero width non-joiner
    case 0x200d: // zero width joiner
    case 0x2060: // word joiner
    case 0xfeff: // zero width no-break space
      return ZERO_WIDTH;
    default:
      return code;
  }
}
