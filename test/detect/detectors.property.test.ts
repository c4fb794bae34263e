import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  detectCommandInjection,
  detectPathTraversal,
  type Finding,
  inspectContainerConfig,
} from '../../src/index.js';

// Raw lone surrogates too: strings from a request can hold any UTF-16 units.
const utf16Unit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.string({ unit: utf16Unit, maxLength: 200 }),
  // Fragments of path and shell syntax and their encodings, so the scanners' deeper paths run too.
  fc
    .array(
      fc.constantFrom(
        '..',
        '../',
        '..\\',
        '/',
        '\\',
        '.',
        '%2e',
        '%2f',
        '%25',
        '%c0%ae',
        '%u2215',
        '&#46;',
        '0x2e',
        '\u0000',
        '．',
        '‥',
        ';',
        '|',
        '||',
        '&',
        '&&',
        '$(',
        ')',
        '`',
        '${',
        '}',
        '$IFS',
        '{',
        ',',
        '(',
        '"',
        "'",
        '<',
        '>',
        '<<<',
        '\n',
        ' ',
        '+',
        'cat',
        'id',
        'etc',
        'passwd',
        'proc',
        'self',
        'whoami',
        'if',
        'for',
        '%i',
        'in',
        'alias',
        'a=',
        '$a',
        '^',
        '[',
        ']',
        '*',
        '?',
        '#',
        '~',
        'C:',
        '.git',
        '.env',
        'php',
        '://',
        'sh',
        '-c',
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join('')),
);

function wellFormed(found: Finding | null, kind: Finding['kind']): void {
  if (found === null) return;
  expect(Object.keys(found).sort()).toEqual(['excerpt', 'kind', 'rule']);
  expect(found.kind).toBe(kind);
  expect(found.rule).toMatch(/^[a-z][a-z-]*[a-z]$/);
  expect(typeof found.excerpt).toBe('string');
  expect(found.excerpt.length).toBeLessThanOrEqual(80);
  // Control characters, line separators and bidi overrides arrive escaped.
  expect(found.excerpt).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028-\u202e\u2066-\u2069]/);
}

describe('detectors on arbitrary strings', () => {
  it('detectPathTraversal never throws and returns null or a well-formed finding', () => {
    fc.assert(
      fc.property(anyString, (input) => {
        wellFormed(detectPathTraversal(input), 'path_traversal');
      }),
      { numRuns: 2000 },
    );
  });

  it('detectCommandInjection never throws and returns null or a well-formed finding', () => {
    fc.assert(
      fc.property(anyString, (input) => {
        wellFormed(detectCommandInjection(input), 'command_injection');
      }),
      { numRuns: 2000 },
    );
  });

  it('both give the same answer when asked twice (no state leaks between calls)', () => {
    fc.assert(
      fc.property(anyString, anyString, (first, second) => {
        const before = [detectPathTraversal(second), detectCommandInjection(second)];
        detectPathTraversal(first);
        detectCommandInjection(first);
        expect([detectPathTraversal(second), detectCommandInjection(second)]).toEqual(before);
      }),
      { numRuns: 500 },
    );
  });
});

describe('inspectContainerConfig on arbitrary values', () => {
  it('never throws and returns well-formed findings', () => {
    fc.assert(
      fc.property(fc.anything({ withMap: true, withSet: true, withNullPrototype: true }), (value) => {
        const findings = inspectContainerConfig(value);
        expect(Array.isArray(findings)).toBe(true);
        for (const finding of findings) {
          expect(['privilege_escalation', 'suspicious_container']).toContain(finding.type);
          expect(finding.reason.length).toBeGreaterThan(0);
          expect(finding.reason).not.toMatch(/[\u0000-\u001f]/);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
