import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { quote } from 'shell-quote';
import { afterAll, describe, expect, it } from 'vitest';
import { detectInjectedCommand, detectTraversedPath, type Finding } from '../../../src/index.js';

const utf16Unit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
const SHELL_FRAGMENTS = [
  ';',
  '|',
  '||',
  '&',
  '&&',
  '$(',
  ')',
  '(',
  '`',
  '${',
  '}',
  '{',
  ',',
  '$x',
  '$1',
  '"',
  "'",
  '\\',
  '<',
  '>',
  '>>',
  '\n',
  '\r',
  '\f',
  ' ',
  '\t',
  '*',
  '?',
  '[',
  ']',
  '~',
  '#',
  '%',
  '^',
  '!',
  '=',
  '-',
  '.',
  '/',
  'a',
  'b',
  'id',
  'echo',
  'true',
  'sh -c ',
  'cmd /c ',
  '..',
];
const fragmentString = (max: number) =>
  fc.array(fc.constantFrom(...SHELL_FRAGMENTS), { maxLength: max }).map((parts) => parts.join(''));
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.string({ unit: utf16Unit, maxLength: 120 }),
  fragmentString(30),
);

function wellFormed(found: Finding | null, kind: Finding['kind']): void {
  if (found === null) return;
  expect(Object.keys(found).sort()).toEqual(['excerpt', 'kind', 'rule']);
  expect(found.kind).toBe(kind);
  expect(found.rule).toMatch(/^[a-z][a-z-]*[a-z]$/);
  expect(found.excerpt.length).toBeLessThanOrEqual(80);
  expect(found.excerpt).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028-\u202e\u2066-\u2069]/);
}

// Every occurrence of `input` in `command` lies inside [from, to): it cannot also be a coincidental
// match of the command's constant text.
function onlyInside(command: string, input: string, from: number, to: number): boolean {
  for (let at = command.indexOf(input); at >= 0; at = command.indexOf(input, at + 1)) {
    if (at < from || at + input.length > to) return false;
  }
  return true;
}

describe('sink detectors on arbitrary strings', () => {
  it('detectInjectedCommand never throws and returns null or a well-formed finding (sh and cmd)', () => {
    fc.assert(
      fc.property(anyString, anyString, fc.boolean(), (command, input, windows) => {
        wellFormed(
          detectInjectedCommand(command, input, { shell: windows ? 'cmd' : 'sh' }),
          'command_injection',
        );
        // The input placed in the command, so the reading is exercised where it matters.
        wellFormed(detectInjectedCommand(`x ${input} ${command}`, input), 'command_injection');
      }),
      { numRuns: 3000 },
    );
  });

  it('detectTraversedPath never throws and returns null or a well-formed finding', () => {
    const pathy = fc
      .array(
        fc.constantFrom('..', '.', '', 'a', 'etc', 'passwd', 'C:', '~', 'file:', '%2e', '\\\\', 'Windows'),
        {
          maxLength: 12,
        },
      )
      .map((parts) => parts.join(fc.sample(fc.constantFrom('/', '\\'), 1)[0]));
    fc.assert(
      fc.property(fc.oneof(anyString, pathy), fc.oneof(anyString, pathy), (target, input) => {
        wellFormed(detectTraversedPath(target, input), 'path_traversal');
        wellFormed(detectTraversedPath(`/srv/${input}`, input), 'path_traversal');
      }),
      { numRuns: 3000 },
    );
  });

  it('hostile shapes cost linear work: a megabyte of each is judged (a quadratic scan would time out)', () => {
    const big = 1 << 20;
    const shapes: [string, string][] = [
      ['a'.repeat(big), `${'a'.repeat(1000)}b`],
      [`x ${'a'.repeat(big)}`, 'a'.repeat(5000)],
      ['$('.repeat(big / 2), '$($('],
      ["'a' ".repeat(big / 4), "'a' 'a'"],
      ['"$x" '.repeat(big / 5), '$x"'],
      ['%a'.repeat(big / 2), '%a%a'],
      [`sh -c '${'sh -c x;'.repeat(big / 8)}'`, 'x;sh'],
    ];
    for (const [command, input] of shapes) {
      expect(detectInjectedCommand(command, input)).not.toBeUndefined();
      expect(detectInjectedCommand(command, input, { shell: 'cmd' })).not.toBeUndefined();
    }
    const paths: [string, string][] = [
      ['/a'.repeat(big / 2), '/a'.repeat(100)],
      ['/..'.repeat(big / 3), '/..'.repeat(50)],
      [`/srv${'/x/..'.repeat(big / 5)}`, '/x/..'.repeat(20)],
      ['a/'.repeat(big / 2), '../'.repeat(40)],
    ];
    for (const [target, input] of paths) expect(detectTraversedPath(target, input)).not.toBeUndefined();
  });
});

describe('detectInjectedCommand against quoting that is right by construction', () => {
  it('an input quoted by shell-quote is never a finding', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, fragmentString(12)), (input) => {
        const quoted = quote([input]);
        const command = `grep -r -- ${quoted} docs`;
        fc.pre(onlyInside(command, input, 11, 11 + quoted.length));
        expect(detectInjectedCommand(command, input)).toBeNull();
      }),
      { numRuns: 3000 },
    );
  });

  it("an input in single quotes with each ' written as '\\'' is never a finding", () => {
    fc.assert(
      fc.property(fc.oneof(anyString, fragmentString(12)), (input) => {
        const quoted = `'${input.replaceAll("'", "'\\''")}'`;
        const command = `echo ${quoted} | tr a b`;
        fc.pre(onlyInside(command, input, 5, 5 + quoted.length));
        expect(detectInjectedCommand(command, input)).toBeNull();
      }),
      { numRuns: 3000 },
    );
  });

  const plainWord = fc.stringMatching(/^[a-z0-9][a-z0-9._:@%+,=/-]{1,20}$/);
  it('a plain word in argument position is never a finding; with a separator after it, always', () => {
    fc.assert(
      fc.property(
        plainWord,
        fc.constantFrom(';', '|', '&', '&&', '||', '\n', '>', '<', '`', '$(', ')', '('),
        plainWord,
        (word, operator, next) => {
          expect(detectInjectedCommand(`ping -c 1 ${word}`, word)).toBeNull();
          const input = `${word}${operator}${next}`;
          expect(detectInjectedCommand(`ping -c 1 ${input}`, input)).not.toBeNull();
        },
      ),
      { numRuns: 2000 },
    );
  });
});

// An unquoted input's own complete quoting and escapes, removed: `'a b'` -> `a b`, `\;` -> `;`. Only
// quote pairs with nothing the shell expands inside; anything else is left as it is.
function withoutOwnQuoting(input: string): string {
  if (!/^(?:[^'"\\]|'[^']*'|"[^"$`\\]*"|\\[\s\S])*$/.test(input)) return input;
  return input.replace(
    /'([^']*)'|"([^"]*)"|\\\n|\\([\s\S])/g,
    (_, single, double, escaped) => single ?? double ?? escaped ?? '',
  );
}

describe('detectInjectedCommand against /bin/sh itself', () => {
  // Each command prints its arguments; whenever the shell prints anything but the input as one
  // argument (or fails), the input changed what the command does, and the detector must say so.
  const work = mkdtempSync(path.join(tmpdir(), 'secmon-sh-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const SAFE_FRAGMENTS = SHELL_FRAGMENTS.filter((f) => !['sh -c ', 'cmd /c '].includes(f));

  it('every input the shell does not pass through as one argument is a finding', () => {
    let changed = 0;
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...SAFE_FRAGMENTS), { minLength: 1, maxLength: 6 }).map((p) => p.join('')),
        fc.constantFrom('plain', 'double', 'single'),
        (input, placing) => {
          fc.pre(input.length >= 2 && /\S/.test(input));
          const slot = placing === 'plain' ? input : placing === 'double' ? `"${input}"` : `'${input}'`;
          const command = `printf '[%s]' ${slot}`;
          fc.pre(onlyInside(command, input, 14, 14 + slot.length));
          const run = spawnSync('/bin/sh', ['-c', command], {
            cwd: work,
            env: { PATH: '/usr/bin:/bin' },
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
            timeout: 5000,
          });
          // Unquoted, blanks around the input only separate it from the rest, and its own backslashes
          // only make the next character literal.
          const values = [input];
          if (placing === 'plain') {
            const trimmed = input.replace(/^[ \t]+/, '').replace(/(?<!\\)[ \t]+$/, '');
            values.push(trimmed, withoutOwnQuoting(trimmed));
          } else if (placing === 'double') {
            values.push(input.replace(/\\\n/g, '').replace(/\\([$`"\\])/g, '$1'));
          }
          if (run.status === 0 && values.some((value) => run.stdout === `[${value}]`)) return;
          changed++;
          expect(
            detectInjectedCommand(command, input),
            `${JSON.stringify(command)} printed ${JSON.stringify(run.stdout)}`,
          ).not.toBeNull();
        },
      ),
      { numRuns: 400, seed: 1 },
    );
    expect(changed).toBeGreaterThan(50); // the generator does reach inputs the shell changes
  }, 120_000);
});

describe('detectTraversedPath against path resolution', () => {
  const name = fc.constantFrom('a', 'b', 'files', 'srv', 'x', '..', '.', '');
  const base = fc
    .array(fc.constantFrom('a', 'b', 'files', 'srv'), { minLength: 1, maxLength: 4 })
    .map((s) => `/${s.join('/')}`);
  const relative = fc
    .array(name, { minLength: 1, maxLength: 8 })
    .map((s) => s.join('/'))
    .filter((s) => !s.startsWith('/'));

  it('an input written into the path is a finding exactly when the resolved path leaves its directory', () => {
    let escapes = 0;
    fc.assert(
      fc.property(base, relative, (dir, input) => {
        const target = `${dir}/${input}`;
        const resolved = path.posix.resolve(target);
        const leaves = resolved !== dir && !resolved.startsWith(`${dir}/`);
        if (leaves) escapes++;
        expect(detectTraversedPath(target, input) !== null, `${target} with input ${input}`).toBe(leaves);
      }),
      { numRuns: 5000 },
    );
    expect(escapes).toBeGreaterThan(500);
  });

  it('joined with path.join, an input that leaves with a tail of two segments or more is a finding', () => {
    fc.assert(
      fc.property(
        base,
        relative,
        fc.array(fc.constantFrom('etc', 'passwd', 'c'), { minLength: 2, maxLength: 3 }),
        (dir, climb, tail) => {
          const input = `${climb}/${tail.join('/')}`;
          const joined = path.posix.join(dir, input);
          const leaves = joined !== dir && !joined.startsWith(`${dir}/`);
          const normalisedInput = path.posix.normalize(input);
          fc.pre(leaves && normalisedInput.startsWith('../'));
          expect(detectTraversedPath(joined, input)).not.toBeNull();
        },
      ),
      { numRuns: 2000 },
    );
  });
});
