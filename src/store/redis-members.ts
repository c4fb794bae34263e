import { createHash, createHmac } from 'node:crypto';
import { type ClientKey, formatClientKey, formatNetwork } from '../core/client-address.js';
import type { WindowSettings } from '../core/store.js';
import { surgeShape } from '../core/surge-meter.js';
import { type ThresholdSettings, takeoverTables } from '../core/threshold-table.js';

// How the Redis store names subjects in keys, and the detectors' settings as its scripts read them.

/**
 * A client's name in Redis keys: the address or IPv6 prefix as text, or `unparseable`; in privacy
 * mode a keyed hash of it ({@link keyedMember}).
 */
export function clientMember(key: ClientKey, settings: WindowSettings): string {
  const text = typeof key === 'number' ? formatClientKey(key)! : key;
  return settings.privacyKey === undefined ? text : keyedMember(settings.privacyKey, 'c', text);
}

/**
 * An account's name in Redis keys: the first 128 bits of its id's SHA-256, base64url (22
 * characters); in privacy mode of its keyed hash. Every replica derives the same name, and Redis
 * never holds an account id.
 */
export function accountMember(account: string, settings: WindowSettings): string {
  if (settings.privacyKey !== undefined) return keyedMember(settings.privacyKey, 'a', account);
  return createHash('sha256').update(account).digest('base64url').slice(0, 22);
}

/**
 * A client's network in Redis keys (`203.0.113.0/24`, `2001:db8:1::/48`; in privacy mode a keyed
 * hash of it); '' for the unparseable key.
 */
export function networkMember(key: ClientKey, settings: WindowSettings): string {
  const { ipv4PrefixLength, ipv6PrefixLength } = settings.networkBruteForce;
  const network = formatNetwork(key, ipv4PrefixLength, ipv6PrefixLength);
  if (network === undefined) return '';
  return settings.privacyKey === undefined ? network : keyedMember(settings.privacyKey, 'n', network);
}

/**
 * Privacy mode's name of a subject in Redis: the first 128 bits of HMAC-SHA-256(key, kind:value),
 * base64url. The same on every replica with the same key (so state is still shared), and without
 * the key no address, network or account can be recovered from what Redis holds. The kind keeps
 * an account named like an address from sharing its name.
 */
function keyedMember(privacyKey: string, kind: 'c' | 'a' | 'n', value: string): string {
  return createHmac('sha256', privacyKey).update(`${kind}:${value}`).digest('base64url').slice(0, 22);
}

/** The Lua scripts' settings of each detector: little-endian doubles, empty when the detector is off. */
export interface DetectorArgs {
  stuffing: Buffer;
  accounts: Buffer;
  networks: Buffer;
  surge: Buffer;
  /** The account window, for the active-account count ('' when off). */
  accountWindow: string;
}

const OFF = Buffer.alloc(0);

/** Settings as the scripts take them; `minKeyTtlMs` is the least TTL of any key. */
export function detectorArgs(settings: WindowSettings, minKeyTtlMs: number): DetectorArgs {
  const keep = settings.keepFiringForMs;
  const ttl = (windowMs: number) => Math.max(windowMs + keep, minKeyTtlMs);
  const { accountBruteForce: ab, failedLoginSurge: fs } = settings;
  const tables = takeoverTables(settings);
  const table = (t: ThresholdSettings | undefined) =>
    t === undefined
      ? OFF
      : doubles([
          t.threshold,
          t.distinct,
          t.windowMs,
          t.realertIntervalMs,
          keep,
          t.capacity,
          ttl(t.windowMs),
        ]);
  // The surge keeps its baseline across quiet spells: its key lives 8 half-lives (the baseline's
  // weight is then under 0.4%), or the window and keep-firing time if longer.
  const shape = surgeShape(fs);
  const surge = doubles([
    fs.minPerMinute,
    fs.factor,
    shape.alpha,
    shape.bins,
    shape.warmupMinutes,
    settings.realertIntervalMs,
    keep,
    Math.max(ttl(fs.windowMs), 8 * fs.halfLifeMs),
  ]);
  return {
    stuffing: table(tables.stuffing),
    accounts: table(tables.accounts),
    networks: table(tables.networks),
    surge: fs.enabled ? surge : OFF,
    accountWindow: ab.enabled ? String(ab.windowMs) : '',
  };
}

// Numbers as Lua's struct.unpack('<d...') reads them: exact, whatever their digits.
function doubles(values: number[]): Buffer {
  const buffer = Buffer.alloc(8 * values.length);
  for (let i = 0; i < values.length; i++) buffer.writeDoubleLE(values[i]!, 8 * i);
  return buffer;
}
