// ASCII character tests shared by the decoder and both detectors: digits, letters, hex digit values.

/** An ASCII digit. */
export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** An ASCII letter, either case. */
export function isAsciiLetter(c: number): boolean {
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x7a;
}

// The value of every hex digit (either case), 0x80 for every other UTF-16 unit: no range check.
const HEX = new Uint8Array(0x10000).fill(0x80);
for (let d = 0; d < 16; d++) {
  HEX['0123456789abcdef'.charCodeAt(d)] = d;
  HEX['0123456789ABCDEF'.charCodeAt(d)] = d;
}

/**
 * The value of the hex digit `c` (a UTF-16 unit: a charCodeAt within the string), or 0x80 when `c`
 * is no hex digit: so `hexValue(a) * 16 + hexValue(b)` is below 0x80 only for two hex digits
 * spelling an ASCII byte.
 */
export function hexValue(c: number): number {
  return HEX[c]!;
}
