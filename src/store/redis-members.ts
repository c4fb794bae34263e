import { createHash } from 'node:crypto';
import { type ClientKey, formatClientKey, formatNetwork } from '../core/client-address.js';
import type { WindowSettings } from '../core/store.js';
import { SURGE_BIN_MS } from '../core/surge-meter.js';

// How the Redis store names subjects in keys, and the detectors' settings as its scripts read them.

/** A client's name in Redis keys: the address or IPv6 prefix as text, or `unparseable`. */
export function clientMember(key: ClientKey): string {
  return typeof key === 'number' ? formatClientKey(key)! : key;
}

/**
 * An account's name in Redis keys: the first 128 bits of its id's SHA-256, base64url (22
 * characters). Every replica derives the same name, and Redis never holds an account id.
 */
export function accountMember(account: string): string {
  return createHash('sha256').update(account).digest('base64url').slice(0, 22);
}

/** A client's network in Redis keys (`203.0.113.0/24`, `2001:db8:1::/48`); '' for the unparseable key. */
export function networkMember(key: ClientKey, settings: WindowSettings): string {
  const { ipv4PrefixLength, ipv6PrefixLength } = settings.networkBruteForce;
  return formatNetwork(key, ipv4PrefixLength, ipv6PrefixLength) ?? '';
}

/** The Lua scripts' settings of each detector: comma-separated, '' when the detector is off. */
export interface DetectorArgs {
  stuffing: string;
  accounts: string;
  networks: string;
  surge: string;
  /** The account window, for the active-account count ('' when off). */
  accountWindow: string;
}

/** Settings as the scripts take them; `minKeyTtlMs` is the least TTL of any key. */
export function detectorArgs(settings: WindowSettings, minKeyTtlMs: number): DetectorArgs {
  const keep = settings.keepFiringForMs;
  const ttl = (windowMs: number) => Math.max(windowMs + keep, minKeyTtlMs);
  const {
    credentialStuffing: cs,
    accountBruteForce: ab,
    networkBruteForce: nb,
    failedLoginSurge: fs,
  } = settings;
  const table = (
    tag: string,
    threshold: number,
    distinct: number,
    windowMs: number,
    realert: number,
    cap: number,
  ) => [tag, threshold, distinct, windowMs, realert, keep, cap, ttl(windowMs)].join(',');
  // The surge keeps its baseline across quiet spells: its key lives 8 half-lives (the baseline's
  // weight is then under 0.4%), or the window and keep-firing time if longer.
  const surge = [
    fs.minPerMinute,
    fs.factor,
    1 - 2 ** (-60_000 / fs.halfLifeMs),
    Math.ceil(fs.windowMs / SURGE_BIN_MS),
    Math.ceil(fs.windowMs / 60_000),
    settings.realertIntervalMs,
    keep,
    Math.max(ttl(fs.windowMs), 8 * fs.halfLifeMs),
  ].join(',');
  return {
    stuffing: cs.enabled
      ? table('s', 0, cs.accounts, cs.windowMs, cs.realertIntervalMs, settings.maxTrackedIps)
      : '',
    accounts: ab.enabled
      ? table(
          'a',
          ab.threshold,
          ab.minClients,
          ab.windowMs,
          ab.realertIntervalMs,
          settings.maxTrackedAccounts,
        )
      : '',
    networks: nb.enabled
      ? table('n', nb.threshold, nb.minClients, nb.windowMs, nb.realertIntervalMs, nb.maxTracked)
      : '',
    surge: fs.enabled ? surge : '',
    accountWindow: ab.enabled ? String(ab.windowMs) : '',
  };
}
