import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestMatch } from '../../src/core/did-you-mean.js';

const KNOWN = [
  'bruteForce',
  'privilegedAlertIntervalMs',
  'maxTrackedIps',
  'ipv6PrefixLength',
  'now',
  'store',
];

describe('closestMatch (the "did you mean" of configuration errors)', () => {
  it.each([
    ['bruteforce', 'bruteForce'], // case
    ['bruteFroce', 'bruteForce'], // swapped neighbours
    ['maxTrackedIp', 'maxTrackedIps'], // a letter missing
    ['stores', 'store'], // a letter too many
    ['ipv4PrefixLength', 'ipv6PrefixLength'], // a letter replaced
  ])('suggests %s -> %s', (typo, intended) => {
    expect(closestMatch(typo, KNOWN)).toBe(intended);
  });

  it.each(['colour', 'threshold', 'x', 'logger'])(
    'suggests nothing for %s, which is close to no option',
    (word) => {
      expect(closestMatch(word, KNOWN)).toBeUndefined();
    },
  );

  it('suggests every known name for itself, and for a one-edit typo of a long enough name', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KNOWN.filter((name) => name.length >= 5)),
        fc.nat(),
        fc.constantFrom('x', 'Q', '_'),
        (name, at, letter) => {
          expect(closestMatch(name, KNOWN)).toBe(name);
          const i = at % name.length;
          const replaced = name.slice(0, i) + letter + name.slice(i + 1);
          expect(closestMatch(replaced, KNOWN)).toBe(name);
        },
      ),
    );
  });
});
