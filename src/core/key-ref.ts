import { type ClientKey, ipv6KeyWords, UNPARSEABLE } from './client-address.js';
import { INT_KEY, type KeyKind, SHARED_KEY, WIDE_KEY } from './slot-table.js';

/**
 * A key as the tables take it, without allocating: its kind, and the integer (IPv4 addresses and
 * networks) or the four words (IPv6 prefixes, account hashes) it is made of. One mutable instance
 * per use site; the `read*` functions fill it.
 */
export class KeyRef {
  kind: KeyKind = SHARED_KEY;
  int = 0;
  readonly words = new Int32Array(4);
}

const TWO_32 = 2 ** 32;
// Others (see ThresholdTable) are numbers: an IPv4 address is its own integer (below 2^31); IPv6
// prefixes and the shared unparseable key are placed above that range so they can never equal one.
const WIDE_OTHER_BASE = 2 ** 31;
const SHARED_OTHER = -(2 ** 31) - 1;

/** Fills `ref` with a client key (an IPv4 integer, an IPv6 prefix's words, or the shared key). */
export function readClientKey(key: ClientKey, ref: KeyRef): void {
  if (typeof key === 'number') {
    ref.kind = INT_KEY;
    ref.int = key;
  } else if (key !== UNPARSEABLE && ipv6KeyWords(key, ref.words)) {
    ref.kind = WIDE_KEY;
  } else {
    ref.kind = SHARED_KEY;
  }
}

/**
 * Fills `network` with the network of the client in `client`: its first `ipv4PrefixLength` or
 * `ipv6PrefixLength` bits. Returns false for the shared unparseable key, which has no network.
 */
export function readNetworkKey(
  client: KeyRef,
  ipv4PrefixLength: number,
  ipv6PrefixLength: number,
  network: KeyRef,
): boolean {
  if (client.kind === INT_KEY) {
    network.kind = INT_KEY;
    network.int = client.int & (-1 << (32 - ipv4PrefixLength));
    return true;
  }
  if (client.kind !== WIDE_KEY) return false;
  network.kind = WIDE_KEY;
  for (let i = 0; i < 4; i++) {
    const keep = ipv6PrefixLength - i * 32;
    const word = client.words[i]!;
    network.words[i] = keep >= 32 ? word : keep <= 0 ? 0 : word & (-1 << (32 - keep));
  }
  return true;
}

/** The client in `ref` as a distinct "other" of an account or a network: a number no other client has. */
export function clientOther(ref: KeyRef): number {
  if (ref.kind === INT_KEY) return ref.int;
  if (ref.kind === SHARED_KEY) return SHARED_OTHER;
  return WIDE_OTHER_BASE + hash52(ref.words[0]!, ref.words[1]!, ref.words[2]!, ref.words[3]!);
}

/** The account in `ref` (filled by {@link readAccountKey}) as a distinct "other" of a client. */
export function accountOther(ref: KeyRef): number {
  return (ref.words[0]! >>> 0) * 2 ** 21 + (ref.words[1]! >>> 11);
}

// Per-process secret seeds: account names come from requests, and an attacker who could predict the
// hash could fill one probe run of the table with names of his choice.
const seeds = crypto.getRandomValues(new Uint32Array(2));
const SEED_A = seeds[0]! | 0;
const SEED_B = seeds[1]! | 0;

/**
 * Fills `ref` with an account's key: a keyed 64-bit hash of its id (two words; the others are 0).
 * Accounts are never stored by name, so an attacker who sprays account names leaves no strings
 * behind. Two ids with the same 64-bit hash would share one window (about 1 in 10^10 for 100,000
 * accounts).
 */
export function readAccountKey(userId: string, ref: KeyRef): void {
  let a = SEED_A ^ userId.length;
  let b = SEED_B;
  for (let i = 0; i < userId.length; i++) {
    const unit = userId.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    a ^= a >>> 15;
    b = Math.imul(b ^ unit, 0x5bd1e995);
    b = (b << 13) | (b >>> 19);
  }
  ref.kind = WIDE_KEY;
  ref.words[0] = fmix(a ^ Math.imul(b, 0x85ebca6b));
  ref.words[1] = fmix(b ^ Math.imul(a, 0xc2b2ae35));
  ref.words[2] = 0;
  ref.words[3] = 0;
}

function hash52(w0: number, w1: number, w2: number, w3: number): number {
  const high = fmix(w0 ^ fmix(w2 ^ 0x27d4eb2f));
  const low = fmix(w1 ^ fmix(w3 ^ 0x165667b1) ^ high);
  return (high >>> 12) * TWO_32 + (low >>> 0);
}

// MurmurHash3's finaliser: every input bit affects every output bit.
function fmix(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}
