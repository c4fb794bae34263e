import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key a client's window is stored under. An IPv4 address is its 32-bit value as a signed
 * integer (a small integer in V8: no string is kept per address); an IPv6 client is its prefix in
 * canonical text form (`2001:db8:1:2::/64`); anything unparseable shares {@link UNPARSEABLE}.
 */
export type ClientKey = number | string;

/** The one key every unparseable address shares, so garbage cannot create more than one window. */
export const UNPARSEABLE = 'unparseable';

// Longest useful form: "[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255%zone-name]:65535". Bounding
// the length bounds the work an attacker-supplied string can cause.
const MAX_ADDRESS_LENGTH = 100;

/**
 * Normalises a client address into the key its window is stored under: strips a port
 * (`1.2.3.4:5678`, `[2001:db8::1]:443`) and an IPv6 zone (`fe80::1%eth0`), unwraps IPv4-mapped IPv6
 * (`::ffff:1.2.3.4`), and groups IPv6 addresses by their first `ipv6PrefixLength` bits. Validation
 * is Node's own (`node:net`) and canonical IPv6 text comes from the WHATWG URL parser, so no address
 * grammar is hand-written here. Never throws: a non-string or unparseable input yields {@link UNPARSEABLE}.
 */
export function clientKey(address: unknown, ipv6PrefixLength: number): ClientKey {
  if (typeof address !== 'string' || address.length === 0 || address.length > MAX_ADDRESS_LENGTH) {
    return UNPARSEABLE;
  }
  if (isIPv4(address)) return ipv4Key(address);
  if (address.charCodeAt(0) === 0x5b /* [ */) {
    const close = address.indexOf(']');
    if (close < 0 || !isPortSuffix(address, close + 1)) return UNPARSEABLE;
    return ipv6Key(address.slice(1, close), ipv6PrefixLength);
  }
  const colon = address.indexOf(':');
  if (colon > 0 && address.indexOf(':', colon + 1) < 0) {
    // Exactly one colon: "host:port". Only an IPv4 host is meaningful.
    const host = address.slice(0, colon);
    return isIPv4(host) && isPortSuffix(address, colon) ? ipv4Key(host) : UNPARSEABLE;
  }
  return ipv6Key(address, ipv6PrefixLength);
}

/** The text form of a key, as alerts show it in `sourceIp`; `undefined` for {@link UNPARSEABLE}. */
export function formatClientKey(key: ClientKey): string | undefined {
  if (typeof key === 'number') {
    return `${key >>> 24}.${(key >>> 16) & 255}.${(key >>> 8) & 255}.${key & 255}`;
  }
  return key === UNPARSEABLE ? undefined : key;
}

// Only called on strings `isIPv4` accepted, so every character is a digit or a dot.
function ipv4Key(address: string): number {
  let value = 0;
  let octet = 0;
  for (let i = 0; i < address.length; i++) {
    const code = address.charCodeAt(i);
    if (code === 0x2e) {
      value = value * 256 + octet;
      octet = 0;
    } else {
      octet = octet * 10 + (code - 0x30);
    }
  }
  return (value * 256 + octet) | 0;
}

function isPortSuffix(address: string, from: number): boolean {
  if (from === address.length) return true;
  if (address.charCodeAt(from) !== 0x3a || from + 1 === address.length || address.length - from > 6)
    return false;
  for (let i = from + 1; i < address.length; i++) {
    const code = address.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return Number(address.slice(from + 1)) <= 65535;
}

function ipv6Key(address: string, prefixLength: number): ClientKey {
  const percent = address.indexOf('%');
  const host = percent < 0 ? address : address.slice(0, percent);
  if (!isIPv6(host)) return UNPARSEABLE;
  const groups = ipv6Groups(canonicalIpv6(host));
  if (groups === undefined) return UNPARSEABLE;
  if (isIpv4Mapped(groups)) return (groups[6]! << 16) | groups[7]! | 0;
  for (let i = 0; i < 8; i++) {
    const keepBits = Math.min(16, Math.max(0, prefixLength - i * 16));
    groups[i] = keepBits === 16 ? groups[i]! : groups[i]! & ~(0xffff >>> keepBits) & 0xffff;
  }
  const prefix = canonicalIpv6(groups.map((group) => group.toString(16)).join(':'));
  return prefixLength === 128 ? prefix : `${prefix}/${prefixLength}`;
}

// The WHATWG URL parser gives RFC 5952 text: lower case, longest zero run compressed, embedded
// IPv4 rewritten as hex groups.
function canonicalIpv6(address: string): string {
  const hostname = new URL(`http://[${address}]/`).hostname;
  return hostname.slice(1, -1);
}

// Splits canonical text (at most one "::", hex groups only) into eight numbers.
function ipv6Groups(canonical: string): number[] | undefined {
  const [head = '', tail] = canonical.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  const groups: number[] = [];
  for (const part of left) groups.push(Number.parseInt(part, 16));
  for (let i = 0; i < missing; i++) groups.push(0);
  for (const part of right) groups.push(Number.parseInt(part, 16));
  return groups;
}

function isIpv4Mapped(groups: readonly number[]): boolean {
  return (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  );
}
