import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TEXT_LENGTH, sanitizeText } from '../../src/index.js';

describe('sanitizeText', () => {
  it('returns ordinary text unchanged', () => {
    expect(sanitizeText('../../etc/passwd')).toBe('../../etc/passwd');
    expect(sanitizeText('héllo wörld 👋')).toBe('héllo wörld 👋');
  });

  it('escapes C0, DEL, C1, line separators and bidi overrides', () => {
    expect(sanitizeText('a\nb\rc\td\u0000e\u007ff\u0085g\u2028h\u202ei\u2066j')).toBe(
      'a\\nb\\rc\\td\\x00e\\x7ff\\x85g\\u2028h\\u202ei\\u2066j',
    );
  });

  it('escapes lone surrogates but keeps pairs', () => {
    expect(sanitizeText('a\ud800b')).toBe('a\\ud800b');
    expect(sanitizeText('a\udc00b')).toBe('a\\udc00b');
    expect(sanitizeText('\ud83d\udc4b')).toBe('👋');
  });

  it('keeps at most 256 characters and marks the cut without splitting a surrogate pair', () => {
    expect(sanitizeText('x'.repeat(300))).toBe(`${'x'.repeat(256)}…[+44 chars]`);
    const emojiAtCut = `${'x'.repeat(255)}👋tail`;
    expect(sanitizeText(emojiAtCut)).toBe(`${'x'.repeat(255)}…[+6 chars]`);
  });

  it('never lets a control character through and bounds the output', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 1000 }), (text) => {
        const safe = sanitizeText(text);
        expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
        expect(safe.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH * 6 + 20);
      }),
    );
  });

  it('converts non-strings from untyped callers', () => {
    expect(sanitizeText(42)).toBe('42');
    expect(sanitizeText(undefined)).toBe('undefined');
  });
});
