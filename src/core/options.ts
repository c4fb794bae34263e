import {
  DETECTOR_DEFAULTS,
  type DetectorOptions,
  type ResolvedDetectors,
  resolveDetectors,
} from './detector-options.js';
import { badOptionError, integerIn, rejectUnknownKeys } from './errors.js';
import { memoryStore } from './memory-store.js';
import { MAX_DURATION_MS, MAX_THRESHOLD, MAX_TRACKED, optionBlock } from './option-readers.js';
import type { WindowSettings, WindowStoreFactory } from './store.js';

/** Brute-force detection settings. */
export interface BruteForceOptions {
  /** Failed logins from one client address that raise an alert. Integer 1..10,000; default 10. */
  threshold?: number;
  /**
   * Sliding window the failures are counted in, in milliseconds. Default 300,000 (5 minutes). Also
   * the default window of every other login detector.
   */
  windowMs?: number;
  /**
   * While an address stays at or over the threshold, at most one further alert per this many
   * milliseconds; attempts in between are counted as suppressed. Default: `windowMs`. Also the
   * default of every other login detector.
   */
  realertIntervalMs?: number;
}

/** How alerts end (see the README's "Alert lifecycle"). */
export interface LifecycleOptions {
  /**
   * A one-shot attack (path traversal, command injection, container requests, rate-limited clients,
   * a suspected compromise) is resolved after this many milliseconds without another event of its
   * type from the same client or account. Default: `bruteForce.windowMs`.
   */
  quietPeriodMs?: number;
  /**
   * A threshold attack (brute force and the other login detectors) is resolved only once its subject
   * has stayed below the threshold this many milliseconds; coming back over within it continues the
   * same attack (like Prometheus's `keep_firing_for`). Keeps an attacker who hovers at the threshold
   * from raising a new alert at every crossing. The resolved alert's `timestamp` is still the moment it
   * fell below. Default 60,000.
   */
  keepFiringForMs?: number;
  /**
   * Most attacks followed at once for resolution and `offenders()`. Past it the one that started
   * first is resolved early (`metadata.reason: 'capacity'`). Integer 1..1,000,000; default 10,000.
   */
  maxActiveAlerts?: number;
  /**
   * How often, in milliseconds, an unreferenced timer delivers due resolutions when no event comes.
   * 0 turns the timer off: resolutions then arrive with the next `record*`, `getStats()` or
   * `offenders()`. Default 5,000.
   */
  sweepIntervalMs?: number;
}

/** Privacy mode: pseudonyms instead of account names and client addresses in everything secmon emits. */
export interface PrivacyOptions {
  /**
   * Secret key (at least 16 characters) of the HMAC-SHA-256 that turns every user id and client
   * address in alerts, logs, OpenTelemetry events and the offenders list into a stable pseudonym
   * (`anon:` and 16 hex digits). The same key on every replica gives the same pseudonyms.
   */
  hmacKey: string;
}

/** Options of {@link AnomalyMonitor}. Every field is optional; defaults are in {@link DEFAULT_OPTIONS}. */
export interface AnomalyMonitorOptions extends DetectorOptions {
  bruteForce?: BruteForceOptions;
  /** At most one privilege-escalation alert per this many milliseconds. Default 60,000. */
  privilegedAlertIntervalMs?: number;
  /**
   * Most client addresses tracked at once; past it the least recently active one is evicted
   * (counted in `evictedIps`). Integer 1..16,777,216; default 100,000. Memory is about
   * `threshold * 8 + 80` bytes per tracked address.
   */
  maxTrackedIps?: number;
  /**
   * Most accounts tracked at once by `accountBruteForce`; past it the least recently active one is
   * evicted (counted in `evictedAccounts`). Integer 1..16,777,216; default 100,000.
   */
  maxTrackedAccounts?: number;
  /** IPv6 clients are grouped by this prefix length (one attacker usually owns a /64). 1..128; default 64. */
  ipv6PrefixLength?: number;
  lifecycle?: LifecycleOptions;
  privacy?: PrivacyOptions;
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
export interface ResolvedOptions extends ResolvedDetectors {
  bruteForce: Required<BruteForceOptions>;
  privilegedAlertIntervalMs: number;
  maxTrackedIps: number;
  maxTrackedAccounts: number;
  ipv6PrefixLength: number;
  lifecycle: Required<LifecycleOptions>;
  privacy: PrivacyOptions | undefined;
  now: () => number;
  store: WindowStoreFactory;
}

/** The defaults, in one place. Detector defaults that follow `bruteForce` are documented per option. */
export const DEFAULT_OPTIONS = Object.freeze({
  bruteForce: Object.freeze({ threshold: 10, windowMs: 300_000 }),
  ...DETECTOR_DEFAULTS,
  privilegedAlertIntervalMs: 60_000,
  maxTrackedIps: 100_000,
  maxTrackedAccounts: 100_000,
  ipv6PrefixLength: 64,
  lifecycle: Object.freeze({ keepFiringForMs: 60_000, maxActiveAlerts: 10_000, sweepIntervalMs: 5_000 }),
});

const MIN_HMAC_KEY_LENGTH = 16;

const TOP_LEVEL_KEYS = [
  'bruteForce',
  'credentialStuffing',
  'accountBruteForce',
  'networkBruteForce',
  'failedLoginSurge',
  'accountCompromise',
  'privilegedAlertIntervalMs',
  'maxTrackedIps',
  'maxTrackedAccounts',
  'ipv6PrefixLength',
  'lifecycle',
  'privacy',
  'now',
  'store',
];
const BRUTE_FORCE_KEYS = ['threshold', 'windowMs', 'realertIntervalMs'];
const LIFECYCLE_KEYS = ['quietPeriodMs', 'keepFiringForMs', 'maxActiveAlerts', 'sweepIntervalMs'];
const PRIVACY_KEYS = ['hmacKey'];

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
  const bf = optionBlock('bruteForce', given.bruteForce, BRUTE_FORCE_KEYS);

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
    MAX_TRACKED,
  );
  const maxTrackedAccounts = integerIn(
    'maxTrackedAccounts',
    given.maxTrackedAccounts,
    DEFAULT_OPTIONS.maxTrackedAccounts,
    1,
    MAX_TRACKED,
  );
  const ipv6PrefixLength = integerIn(
    'ipv6PrefixLength',
    given.ipv6PrefixLength,
    DEFAULT_OPTIONS.ipv6PrefixLength,
    1,
    128,
  );
  const lc = optionBlock('lifecycle', given.lifecycle, LIFECYCLE_KEYS);
  const lifecycle = {
    quietPeriodMs: integerIn('lifecycle.quietPeriodMs', lc.quietPeriodMs, windowMs, 1, MAX_DURATION_MS),
    keepFiringForMs: integerIn(
      'lifecycle.keepFiringForMs',
      lc.keepFiringForMs,
      DEFAULT_OPTIONS.lifecycle.keepFiringForMs,
      0,
      MAX_DURATION_MS,
    ),
    maxActiveAlerts: integerIn(
      'lifecycle.maxActiveAlerts',
      lc.maxActiveAlerts,
      DEFAULT_OPTIONS.lifecycle.maxActiveAlerts,
      1,
      1_000_000,
    ),
    sweepIntervalMs: integerIn(
      'lifecycle.sweepIntervalMs',
      lc.sweepIntervalMs,
      DEFAULT_OPTIONS.lifecycle.sweepIntervalMs,
      0,
      MAX_DURATION_MS,
    ),
  };
  const privacy = resolvePrivacy(given.privacy);
  const now = given.now ?? Date.now;
  if (typeof now !== 'function') throw badOptionError('now', 'a function returning epoch milliseconds', now);
  const store = given.store ?? memoryStore();
  if (typeof store !== 'function') {
    throw badOptionError('store', 'a store factory such as memoryStore() or redisStore({ url })', store);
  }

  return {
    bruteForce: { threshold, windowMs, realertIntervalMs },
    ...resolveDetectors(given, { threshold, windowMs, realertIntervalMs, ipv6PrefixLength }),
    privilegedAlertIntervalMs,
    maxTrackedIps,
    maxTrackedAccounts,
    ipv6PrefixLength,
    lifecycle,
    privacy,
    now,
    store,
  };
}

/**
 * The settings a store is opened with, from monitor options (validated and defaulted as the monitor
 * does it) and a clock: for store authors and tests that open a store without a monitor.
 */
export function windowSettings(
  options: AnomalyMonitorOptions | undefined,
  now: () => number,
): WindowSettings {
  return settingsOf(resolveOptions(options), now);
}

/** The store settings of resolved options. */
export function settingsOf(o: ResolvedOptions, now: () => number): WindowSettings {
  return {
    ...o.bruteForce,
    credentialStuffing: o.credentialStuffing,
    accountBruteForce: o.accountBruteForce,
    networkBruteForce: o.networkBruteForce,
    failedLoginSurge: o.failedLoginSurge,
    accountCompromise: o.accountCompromise,
    privilegedAlertIntervalMs: o.privilegedAlertIntervalMs,
    maxTrackedIps: o.maxTrackedIps,
    maxTrackedAccounts: o.maxTrackedAccounts,
    keepFiringForMs: o.lifecycle.keepFiringForMs,
    now,
    privacyKey: o.privacy?.hmacKey,
  };
}

function resolvePrivacy(value: PrivacyOptions | undefined): PrivacyOptions | undefined {
  if (value === undefined) return undefined;
  const block = optionBlock('privacy', value, PRIVACY_KEYS);
  const key = block.hmacKey;
  if (typeof key !== 'string' || key.trim().length < MIN_HMAC_KEY_LENGTH) {
    const error = badOptionError(
      'privacy.hmacKey',
      `a secret of at least ${MIN_HMAC_KEY_LENGTH} characters`,
      typeof key === 'string' ? `a string of ${key.length} characters` : key,
    );
    throw error;
  }
  return { hmacKey: key };
}
