import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodedNul, decodeForInspection, encodingAt } from '../../../src/detect/decoding/decode.js';

describe('decodeForInspection', () => {
  it('returns input with nothing to decode as the very same string', () => {
    const input = 'Tom & Jerry: 100% fun, C:\\Users\\Public, café';
    expect(decodeForInspection(input)).toBe(input);
  });

  it.each([
    ['%2e%2e%2f', '../'],
    ['%252e%252e%252f', '../'],
    ['%25252e%25252e%25252f', '../'],
    ['%u002e%U002F', './'],
    ['%c0%ae%c0%af', './'],
    ['%e0%80%ae', '.'],
    ['%f0%80%80%ae', '.'],
    ['%c0%2e', '.'],
    ['%c0%qf%C0%9V%c1%PC', '//\\'],
    ['%c3%a9', 'é'],
    ['%e2%88%95', '/'],
    ['&#46;&#x2F;&sol;&bsol;&period;', './/\\.'],
    ['&amp;lt;', '<'],
    ['\\x2e\\u002f', './'],
    ['0x2e0x2F0x5c', './\\'],
    ['a\u0000b', 'a\u0000b'],
    ['%00', '\u0000'],
    ['\\x00%2500', '\u0000\u0000'],
    ['．／＼；', './\\;'],
    ['‥', '..'],
    ['∕∖⁄﹨', '/\\/\\'],
    ['a\u200bb\ufeffc', 'abc'],
    ['%uff0e%uff0e', '..'],
  ])('%s → %s', (input, expected) => {
    expect(decodeForInspection(input)).toBe(expected);
  });

  it('leaves malformed escapes as they are', () => {
    expect(decodeForInspection('100% sure, %zz, %u12, &#;, &bogus;, \\x9')).toBe(
      '100% sure, %zz, %u12, &#;, &bogus;, \\x9',
    );
  });

  it('stops after four rounds: deeper nesting is not something a server decodes', () => {
    expect(decodeForInspection('%2525252e')).toBe('.');
    expect(decodeForInspection('%252525252e')).toBe('%2e');
  });

  it('keeps a NUL, and says the last value decoded had one', () => {
    expect(decodeForInspection('win.ini%00.php')).toBe('win.ini\u0000.php');
    expect(decodedNul()).toBe(true);
    expect(decodeForInspection('win.ini.php')).toBe('win.ini.php');
    expect(decodedNul()).toBe(false);
    expect(decodeForInspection('a\u0000b')).toBe('a\u0000b');
    expect(decodedNul()).toBe(true);
  });

  it('keeps invalid UTF-8 bytes as Latin-1 characters instead of failing', () => {
    expect(decodeForInspection('%ff%fe')).toBe('\u00ff\u00fe');
  });
});

describe('encodingAt', () => {
  it.each([
    ['%2e', true],
    ['%u002E', true],
    ['&#46;', true],
    ['&sol;', true],
    ['\\x2e', true],
    ['\\u002e', true],
    ['0x2e', true],
    ['\u0000', true],
    ['．', true],
    ['\u200b', true],
    ['%2', false],
    ['%zz', false],
    ['%u12', false],
    ['& ', false],
    ['&a;', false],
    ['&abcdefghi;', false],
    ['\\X', false],
    ['0x', false],
    ['007', false],
  ])('%j at 0: %s', (text, expected) => {
    expect(encodingAt(text, 0)).toBe(expected);
  });

  it('finds a place in every text the decoder changes (a scan relies on it to skip decoding)', () => {
    const fragment = fc.constantFrom(
      '%',
      '%2',
      '%2e',
      '%u',
      '%u00',
      '%u002f',
      '%U002F',
      '%25',
      '%c0%ae',
      '&',
      '&#',
      '&#46;',
      '&am',
      '&amp;',
      '&sol;',
      '&abcdefghi;',
      ';',
      '\\',
      '\\x',
      '\\u',
      '\\X',
      'x',
      'X',
      'u',
      '0',
      '0x',
      '0X2',
      '0x2f',
      'a',
      'f',
      'z',
      '9',
      '/',
      '.',
      ' ',
      '\u0000',
      '．',
      '‥',
      '\u200b',
      '\ufe51',
      'é',
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        let some = false;
        for (let i = 0; i < text.length; i++) some ||= encodingAt(text, i);
        return some || decodeForInspection(text) === text;
      }),
      { numRuns: 2000 },
    );
  });
});
