import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientKey, formatClientKey, UNPARSEABLE } from '../../src/index.js';

const normalised = (address: unknown, prefix = 64) => formatClientKey(clientKey(address, prefix));

describe('client address normalisation', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['1.2.3.4:5678', '1.2.3.4'],
    ['255.255.255.255', '255.255.255.255'],
    ['0.0.0.0', '0.0.0.0'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['[::ffff:10.0.0.1]:80', '10.0.0.1'],
    ['::ffff:a00:1', '10.0.0.1'],
    ['[2001:db8::1]:443', '2001:db8::/64'],
    ['2001:DB8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80::/64'],
    ['[fe80::1%25eth0]:8080', 'fe80::/64'],
  ])('%s -> %s', (input, expected) => {
    expect(normalised(input)).toBe(expected);
  });

  it('groups IPv6 by the configured prefix length', () => {
    expect(normalised('2001:db8:1234:5678:9abc::1', 48)).toBe('2001:db8:1234::/48');
    expect(normalised('2001:db8:1234:5678:9abc::1', 56)).toBe('2001:db8:1234:5600::/56');
    expect(normalised('2001:db8:1234:5678:9abc::1', 128)).toBe('2001:db8:1234:5678:9abc::1');
  });

  it.each([
    '',
    'garbage',
    '999.1.1.1',
    '01.2.3.4',
    '1.2.3.4:99999',
    '1.2.3.4:',
    '1.2.3.4:abc',
    '[2001:db8::1',
    '[2001:db8::1]x',
    '2001:db8:::1',
    'x'.repeat(10_000),
  ])('%j is unparseable', (input) => {
    expect(clientKey(input, 64)).toBe(UNPARSEABLE);
    expect(normalised(input)).toBeUndefined();
  });

  it('treats non-strings from untyped callers as unparseable', () => {
    for (const value of [undefined, null, 42, {}, ['1.2.3.4']])
      expect(clientKey(value, 64)).toBe(UNPARSEABLE);
  });

  it('never throws and round-trips every IPv4 address', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        clientKey(text, 64);
      }),
    );
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(normalised(ip)).toBe(ip);
        expect(normalised(`${ip}:443`)).toBe(ip);
      }),
    );
  });

  it('maps every IPv6 address to a /64 prefix with its first four groups', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const key = normalised(ip);
        expect(key).toBeDefined();
        if (!key!.includes('/')) return; // IPv4-mapped: unwrapped to IPv4
        expect(key!.endsWith('/64')).toBe(true);
        expect(normalised(`[${ip}]:8443`)).toBe(key);
      }),
    );
  });
});
