import { badOptionError, integerIn, rejectUnknownKeys } from './errors.js';
import { memoryStore } from './memory-store.js';
import type { WindowStoreFactory } from './store.js';

/** Brute-force detection settings. */
export interface BruteForceOptions {
  /** Failed logins from one client address that raise an alert. Integer 1..10,000; default 10. */
  threshold?: number;
  /** Sliding window the failures are counted in, in milliseconds. Default 300,000 (5 minutes). */
  windowMs?: number;
  /**
   * While an address stays at or over the threshold, at most one further alert per this many
   * milliseconds; attempts in between are counted as suppressed. Default: `windowMs`.
   */
  realertIntervalMs?: number;
}

/** Options of {@link AnomalyMonitor}. Every field is optional; defaults are in {@link DEFAULT_OPTIONS}. */
export interface AnomalyMonitorOptions {
  bruteForce?: BruteForceOptions;
  /** At most one privilege-escalation alert per this many milliseconds. Default 60,000. */
  privilegedAlertIntervalMs?: number;
  /**
   * Most client addresses tracked at once; past it the least recently active one is evicted
   * (counted in `evictedIps`). Integer 1..16,777,216; default 100,000. Memory is about
   * `threshold * 8 + 80` bytes per tracked address.
   */
  maxTrackedIps?: number;
  /** IPv6 clients are grouped by this prefix length (one attacker usually owns a /64). 1..128; default 64. */
  ipv6PrefixLength?: number;
  /** The clock, in epoch milliseconds. Default `Date.now`. Tests inject their own. */
  now?: () => number;
  /**
   * Where window state and alert intervals live. Default: this process's memory (`memoryStore()`).
   * `redisStore({ url })` shares them between replicas, so an attack spread across them is counted
   * once and alerted by exactly one of them.
   */
  store?: WindowStoreFactory;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  bruteForce: Required<BruteForceOptions>;
  privilegedAlertIntervalMs: number;
  maxTrackedIps: number;
  ipv6PrefixLength: number;
  now: () => number;
  store: WindowStoreFactory;
}

/** The defaults, in one place. */
export const DEFAULT_OPTIONS = Object.freeze({
  bruteForce: Object.freeze({ threshold: 10, windowMs: 300_000 }),
  privilegedAlertIntervalMs: 60_000,
  maxTrackedIps: 100_000,
  ipv6PrefixLength: 64,
});

const MAX_THRESHOLD = 10_000;
const MAX_TRACKED_IPS = 2 ** 24;
// 2^31 ms is about 24.8 days: longer windows are almost certainly a unit mistake (seconds vs ms).
const MAX_DURATION_MS = 2 ** 31;

const TOP_LEVEL_KEYS = [
  'bruteForce',
  'privilegedAlertIntervalMs',
  'maxTrackedIps',
  'ipv6PrefixLength',
  'now',
  'store',
];
const BRUTE_FORCE_KEYS = ['threshold', 'windowMs', 'realertIntervalMs'];

/**
 * Validates options and fills in defaults. Throws a `TypeError` (code `SECMON_ERR_BAD_OPTION` or
 * `SECMON_ERR_UNKNOWN_OPTION`) naming the first bad option, the value received and what is accepted.
 */
export function resolveOptions(options: AnomalyMonitorOptions | undefined): ResolvedOptions {
  const given = options ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw badOptionError('options', 'an object', given);
  }
  rejectUnknownKeys('', given, TOP_LEVEL_KEYS);
  const bf = given.bruteForce ?? {};
  if (typeof bf !== 'object' || bf === null || Array.isArray(bf)) {
    throw badOptionError('bruteForce', 'an object', bf);
  }
  rejectUnknownKeys('bruteForce.', bf, BRUTE_FORCE_KEYS);

  const threshold = integerIn(
    'bruteForce.threshold',
    bf.threshold,
    DEFAULT_OPTIONS.bruteForce.threshold,
    1,
    MAX_THRESHOLD,
  );
  const windowMs = integerIn(
    'bruteForce.windowMs',
    bf.windowMs,
    DEFAULT_OPTIONS.bruteForce.windowMs,
    1,
    MAX_DURATION_MS,
  );
  const realertIntervalMs = integerIn(
    'bruteForce.realertIntervalMs',
    bf.realertIntervalMs,
    windowMs,
    0,
    MAX_DURATION_MS,
  );
  const privilegedAlertIntervalMs = integerIn(
    'privilegedAlertIntervalMs',
    given.privilegedAlertIntervalMs,
    DEFAULT_OPTIONS.privilegedAlertIntervalMs,
    0,
    MAX_DURATION_MS,
  );
  const maxTrackedIps = integerIn(
    'maxTrackedIps',
    given.maxTrackedIps,
    DEFAULT_OPTIONS.maxTrackedIps,
    1,
    MAX_TRACKED_IPS,
  );
  const ipv6PrefixLength = integerIn(
    'ipv6PrefixLength',
    given.ipv6PrefixLength,
    DEFAULT_OPTIONS.ipv6PrefixLength,
    1,
    128,
  );
  const now = given.now ?? Date.now;
  if (typeof now !== 'function') throw badOptionError('now', 'a function returning epoch milliseconds', now);
  const store = given.store ?? memoryStore();
  if (typeof store !== 'function') {
    throw badOptionError('store', 'a store factory such as memoryStore() or redisStore({ url })', store);
  }

  return {
    bruteForce: { threshold, windowMs, realertIntervalMs },
    privilegedAlertIntervalMs,
    maxTrackedIps,
    ipv6PrefixLength,
    now,
    store,
  };
}
