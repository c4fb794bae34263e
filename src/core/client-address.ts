import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key a client's window is stored under. An IPv4 address (also one carried inside an IPv6
 * address, see {@link clientKey}) is its 32-bit value as a signed integer (a small integer in V8: no
 * string is kept per address); an IPv6 client is its prefix in canonical text form
 * (`2001:db8:1:2::/64`); anything unparseable shares {@link UNPARSEABLE}.
 */
export type ClientKey = number | string;

/** The one key every unparseable address shares, so garbage cannot create more than one window. */
export const UNPARSEABLE = 'unparseable';

// Longest useful form: "[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255%zone-name]:65535". Bounding
// the length bounds the work an attacker-supplied string can cause.
const MAX_ADDRESS_LENGTH = 100;

// The eight 16-bit groups of the IPv6 address being normalised. One buffer for the module: keys are
// computed synchronously, one at a time, and the hot path allocates nothing for them.
const groups = new Uint16Array(8);

// The last IPv6 key made and its words: a table that looks the key up right after (the monitor does)
// takes the words from here instead of reading the text again.
let lastIpv6Key = '';
const lastIpv6Words = new Int32Array(4);

/**
 * Normalises a client address into the key its window is stored under: strips a port
 * (`1.2.3.4:5678`, `[2001:db8::1]:443`) and an IPv6 zone (`fe80::1%eth0`); unwraps every IPv6 form
 * that carries an IPv4 address, so one attacker is one key: IPv4-mapped (`::ffff:1.2.3.4`),
 * IPv4-translated (`::ffff:0:1.2.3.4`), IPv4-compatible (`::1.2.3.4`), NAT64 (`64:ff9b::/96`), 6to4
 * (`2002::/16`) and Teredo (`2001::/32`, the client's public address); and groups other IPv6
 * addresses by their first `ipv6PrefixLength` bits. Validation is Node's own (`node:net`); the text
 * is then only split into groups. Never throws: a non-string or unparseable input yields
 * {@link UNPARSEABLE}.
 */
export function clientKey(address: unknown, ipv6PrefixLength: number): ClientKey {
  if (typeof address !== 'string' || address.length === 0 || address.length > MAX_ADDRESS_LENGTH) {
    return UNPARSEABLE;
  }
  if (isIPv4(address)) return ipv4Value(address, 0, address.length);
  if (address.charCodeAt(0) === 0x5b /* [ */) {
    const close = address.indexOf(']');
    if (close < 0 || !isPortSuffix(address, close + 1)) return UNPARSEABLE;
    return ipv6Key(address.slice(1, close), ipv6PrefixLength);
  }
  const colon = address.indexOf(':');
  if (colon > 0 && address.indexOf(':', colon + 1) < 0) {
    // Exactly one colon: "host:port". Only an IPv4 host is meaningful.
    const host = address.slice(0, colon);
    return isIPv4(host) && isPortSuffix(address, colon) ? ipv4Value(host, 0, host.length) : UNPARSEABLE;
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

/**
 * Writes the 128 bits of an IPv6 key (as {@link clientKey} makes them: canonical text, optionally
 * with `/length`) into `out` as four 32-bit words, most significant first, so a table can hold the
 * key in typed arrays instead of keeping the string. Returns false for any other string.
 */
export function ipv6KeyWords(key: string, out: Int32Array): boolean {
  if (key === lastIpv6Key) {
    out.set(lastIpv6Words);
    return true;
  }
  const slash = key.indexOf('/');
  const end = slash < 0 ? key.length : slash;
  if (!readGroups(key, 0, end)) return false;
  for (let i = 0; i < 4; i++) out[i] = (groups[2 * i]! << 16) | groups[2 * i + 1]!;
  return true;
}

/**
 * The network a client key belongs to, as text: `203.0.113.0/24` for an IPv4 address (its first
 * `ipv4PrefixLength` bits), `2001:db8:1::/48` for an IPv6 prefix (its first `ipv6PrefixLength` bits);
 * `undefined` for {@link UNPARSEABLE}.
 */
export function formatNetwork(
  key: ClientKey,
  ipv4PrefixLength: number,
  ipv6PrefixLength: number,
): string | undefined {
  if (typeof key === 'number') {
    return `${formatClientKey(key & (-1 << (32 - ipv4PrefixLength)))}/${ipv4PrefixLength}`;
  }
  if (key === UNPARSEABLE) return undefined;
  const slash = key.indexOf('/');
  if (!readGroups(key, 0, slash < 0 ? key.length : slash)) return undefined;
  maskGroups(ipv6PrefixLength);
  return `${canonicalText()}/${ipv6PrefixLength}`;
}

// Only called on text `isIPv4` accepted, so every character is a digit or a dot.
function ipv4Value(text: string, from: number, to: number): number {
  let value = 0;
  let octet = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
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
  if (!isIPv6(host) || !readGroups(host, 0, host.length)) return UNPARSEABLE;
  const embedded = embeddedIpv4();
  if (embedded !== undefined) return embedded;
  maskGroups(prefixLength);
  const prefix = canonicalText();
  const key = prefixLength === 128 ? prefix : `${prefix}/${prefixLength}`;
  for (let i = 0; i < 4; i++) lastIpv6Words[i] = (groups[2 * i]! << 16) | groups[2 * i + 1]!;
  lastIpv6Key = key;
  return key;
}

// Clears every bit of {@link groups} past the first `prefixLength`.
function maskGroups(prefixLength: number): void {
  for (let i = 0; i < 8; i++) {
    const keepBits = prefixLength - i * 16;
    if (keepBits <= 0) groups[i] = 0;
    else if (keepBits < 16) groups[i] = groups[i]! & ~(0xffff >>> keepBits);
  }
}

/**
 * Splits IPv6 text into {@link groups}. The text has passed `isIPv6` (or was written by
 * {@link canonicalText}), so this only has to find the groups: hex groups, at most one `::`, and
 * possibly a dotted IPv4 tail.
 */
function readGroups(text: string, from: number, to: number): boolean {
  groups.fill(0);
  let count = 0;
  let gap = -1; // the group index where "::" stands
  let i = from;
  if (text.charCodeAt(i) === 0x3a && text.charCodeAt(i + 1) === 0x3a) {
    gap = 0;
    i += 2;
  }
  while (i < to && count < 8) {
    const dot = indexOfDotBefore(text, i, to);
    if (dot) {
      if (count > 6) return false;
      const v4 = ipv4Value(text, i, to);
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      i = to;
      break;
    }
    let value = 0;
    let digits = 0;
    for (; i < to; i++) {
      const digit = hexDigit(text.charCodeAt(i));
      if (digit < 0) break;
      value = value * 16 + digit;
      digits++;
    }
    if (digits === 0 || digits > 4) return false;
    groups[count++] = value;
    if (i === to) break;
    if (text.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (text.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    }
  }
  if (i !== to) return false;
  if (gap < 0) return count === 8;
  if (count === 8) return false;
  // Move the groups after "::" to the end; zeros fill the gap.
  const moved = count - gap;
  for (let k = moved - 1; k >= 0; k--) {
    groups[8 - moved + k] = groups[gap + k]!;
    groups[gap + k] = 0;
  }
  return true;
}

// True when the group starting at `from` is a dotted IPv4 tail (a dot before the next colon).
function indexOfDotBefore(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x2e) return true;
    if (code === 0x3a) return false;
  }
  return false;
}

function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** The IPv4 address an IPv6 address in {@link groups} carries, as a key; undefined if none. */
function embeddedIpv4(): number | undefined {
  const low = (groups[6]! << 16) | groups[7]! | 0;
  const g0 = groups[0]!;
  const g1 = groups[1]!;
  const g2 = groups[2]!;
  const g3 = groups[3]!;
  const g4 = groups[4]!;
  const g5 = groups[5]!;
  if ((g2 | g3 | g4 | g5) === 0) {
    if (g0 === 0x64 && g1 === 0xff9b) return low; // NAT64 well-known prefix (RFC 6052)
    // IPv4-compatible (deprecated, RFC 4291): ::a.b.c.d. `::` and `::1` and the rest of 0.0.0.0/8
    // are not IPv4 hosts, so they stay IPv6.
    if ((g0 | g1) === 0 && groups[6]! >= 0x0100) return low;
  }
  if ((g0 | g1 | g2 | g3) === 0) {
    if (g4 === 0 && g5 === 0xffff) return low; // IPv4-mapped (RFC 4291)
    if (g4 === 0xffff && g5 === 0) return low; // IPv4-translated (RFC 2765)
  }
  if (g0 === 0x2002) return (g1 << 16) | g2 | 0; // 6to4 (RFC 3056): the site's IPv4 address
  if (g0 === 0x2001 && g1 === 0) return ~low | 0; // Teredo (RFC 4380): the client's public address, inverted
  return undefined;
}

/** RFC 5952 text of {@link groups}: lower-case hex, no leading zeros, the longest zero run as `::`. */
function canonicalText(): string {
  let runStart = -1;
  let runLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > runLength) {
      runStart = i;
      runLength = j - i;
    }
    i = j;
  }
  if (runLength < 2) runStart = -1; // a single zero group is written out (RFC 5952 4.2.2)
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === runStart) {
      text += i === 0 ? '::' : ':';
      i += runLength - 1;
      continue;
    }
    text += groups[i]!.toString(16);
    if (i < 7) text += ':';
  }
  return text;
}
