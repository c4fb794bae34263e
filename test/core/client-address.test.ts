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

  it.each([
    ['::ffff:0:1.2.3.4', '1.2.3.4'], // IPv4-translated
    ['::1.2.3.4', '1.2.3.4'], // IPv4-compatible
    ['[::1.2.3.4]:22', '1.2.3.4'],
    ['64:ff9b::1.2.3.4', '1.2.3.4'], // NAT64 well-known prefix
    ['64:ff9b::102:304', '1.2.3.4'],
    ['2002:102:304::1', '1.2.3.4'], // 6to4
    ['2002:0102:0304:5:6:7:8:9', '1.2.3.4'],
    ['2001:0:4136:e378:8000:63bf:fefd:fcfb', '1.2.3.4'], // Teredo: the client's address, inverted
  ])('%s carries the IPv4 address %s and is keyed by it', (input, expected) => {
    expect(normalised(input)).toBe(expected);
    expect(clientKey(input, 64)).toBe(clientKey(expected, 64));
  });

  it.each([
    ['::1', '::/64'],
    ['::', '::/64'],
    ['::0.0.0.7', '::/64'],
    ['64:ff9b:1::1.2.3.4', '64:ff9b:1::/64'], // local-use NAT64 prefixes embed the address elsewhere
    ['2001:db8::1.2.3.4', '2001:db8::/64'],
  ])('%s is an IPv6 client (%s), not an IPv4 one', (input, expected) => {
    expect(normalised(input)).toBe(expected);
  });

  it('writes RFC 5952 text for every address and prefix length, as the URL parser does', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 1, max: 128 }), (ip, prefix) => {
        const key = clientKey(ip, prefix);
        if (typeof key === 'number') return; // carried an IPv4 address
        const [text, length] = key.split('/');
        expect(new URL(`http://[${text}]/`).hostname).toBe(`[${text}]`);
        expect(length).toBe(prefix === 128 ? undefined : String(prefix));
        // The prefix is the address with every bit past `prefix` cleared.
        const bits = (address: string) => {
          const [head = '', tail] = new URL(`http://[${address}]/`).hostname.slice(1, -1).split('::');
          const left = head === '' ? [] : head.split(':');
          const right = tail === undefined || tail === '' ? [] : tail.split(':');
          const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
          return groups.map((g) => Number.parseInt(g, 16).toString(2).padStart(16, '0')).join('');
        };
        expect(bits(text!)).toBe(bits(ip).slice(0, prefix).padEnd(128, '0'));
      }),
      { numRuns: 2000 },
    );
  });
});
