import { badOptionError, integerIn } from './errors.js';
import { booleanOption, MAX_DURATION_MS, MAX_THRESHOLD, MAX_TRACKED, optionBlock } from './option-readers.js';

/** `credential_stuffing`: one client fails logins for many distinct accounts. */
export interface CredentialStuffingOptions {
  /** Default true. */
  enabled?: boolean;
  /** Distinct accounts one client key fails for inside the window that raise the alert. 2..1,000; default 10. */
  accounts?: number;
  /** Window, ms. Default `bruteForce.windowMs`. */
  windowMs?: number;
  /** Re-alert interval while over, ms. Default `bruteForce.realertIntervalMs`. */
  realertIntervalMs?: number;
}

/** `account_brute_force`: one account fails from several clients (a distributed attack). */
export interface AccountBruteForceOptions {
  /** Default true. */
  enabled?: boolean;
  /** Failed logins for one account inside the window that raise the alert. 1..10,000; default 20. */
  threshold?: number;
  /** ... from at least this many distinct client keys. 2..100; default 2. */
  minClients?: number;
  /** Window, ms. Default `bruteForce.windowMs`. */
  windowMs?: number;
  /** Re-alert interval while over, ms. Default `bruteForce.realertIntervalMs`. */
  realertIntervalMs?: number;
}

/** `network_brute_force`: addresses rotated inside one network. */
export interface NetworkBruteForceOptions {
  /** Default true. */
  enabled?: boolean;
  /** Failed logins from one network inside the window that raise the alert. 1..10,000; default 3 × `bruteForce.threshold`. */
  threshold?: number;
  /** ... from at least this many distinct client keys. 2..100; default 2. */
  minClients?: number;
  /** IPv4 network size. 1..31; default 24. */
  ipv4PrefixLength?: number;
  /** IPv6 network size; shorter than `ipv6PrefixLength` (the client key). Default 48. */
  ipv6PrefixLength?: number;
  /**
   * Most networks tracked at once; past it the least recently active is evicted (counted in
   * `evictedNetworks`). 1..16,777,216; default 25,000. Each costs about `8 × threshold + 80` bytes.
   */
  maxTracked?: number;
  /** Window, ms. Default `bruteForce.windowMs`. */
  windowMs?: number;
  /** Re-alert interval while over, ms. Default `bruteForce.realertIntervalMs`. */
  realertIntervalMs?: number;
}

/**
 * `failed_login_surge`: the failed-login rate across all clients rises far above its learned
 * baseline. The rate is the failures of the last `windowMs` per minute; the baseline is an
 * exponentially weighted moving average of whole minutes, with the given half-life, frozen while the
 * surge lasts. It fires when rate >= max(`minPerMinute`, `factor` × baseline).
 */
export interface FailedLoginSurgeOptions {
  /** Default true. */
  enabled?: boolean;
  /** The rate never needs to be lower than this to fire, failures per minute. 1..10,000,000; default 50. */
  minPerMinute?: number;
  /** How many times the baseline the rate must reach. 1.5..1000; default 3. */
  factor?: number;
  /** Half-life of the baseline's moving average, ms. 60,000..MAX; default 3,600,000 (1 hour). */
  halfLifeMs?: number;
  /** Window of the current rate, ms (a multiple of 10 s is exact). Default `bruteForce.windowMs`. */
  windowMs?: number;
}

/** `account_compromise_suspected`: a successful login for an account or from a client key under attack. */
export interface AccountCompromiseOptions {
  /** Default true. */
  enabled?: boolean;
}

/** The account-takeover detectors' option blocks, beside `bruteForce`. */
export interface DetectorOptions {
  credentialStuffing?: CredentialStuffingOptions;
  accountBruteForce?: AccountBruteForceOptions;
  networkBruteForce?: NetworkBruteForceOptions;
  failedLoginSurge?: FailedLoginSurgeOptions;
  accountCompromise?: AccountCompromiseOptions;
}

/** The detectors' settings with every default filled in. */
export interface ResolvedDetectors {
  credentialStuffing: Required<CredentialStuffingOptions>;
  accountBruteForce: Required<AccountBruteForceOptions>;
  networkBruteForce: Required<NetworkBruteForceOptions>;
  failedLoginSurge: Required<FailedLoginSurgeOptions>;
  accountCompromise: Required<AccountCompromiseOptions>;
}

interface Base {
  threshold: number;
  windowMs: number;
  realertIntervalMs: number;
  ipv6PrefixLength: number;
}

/** The detectors' defaults (windows and re-alert intervals follow `bruteForce`). */
export const DETECTOR_DEFAULTS = Object.freeze({
  credentialStuffing: Object.freeze({ enabled: true, accounts: 10 }),
  accountBruteForce: Object.freeze({ enabled: true, threshold: 20, minClients: 2 }),
  networkBruteForce: Object.freeze({
    enabled: true,
    minClients: 2,
    ipv4PrefixLength: 24,
    ipv6PrefixLength: 48,
    maxTracked: 25_000,
  }),
  failedLoginSurge: Object.freeze({ enabled: true, minPerMinute: 50, factor: 3, halfLifeMs: 3_600_000 }),
  accountCompromise: Object.freeze({ enabled: true }),
});

/** Validates the detectors' blocks, filling defaults from the brute-force settings `base`. */
export function resolveDetectors(given: DetectorOptions, base: Base): ResolvedDetectors {
  const defaults = DETECTOR_DEFAULTS;
  const window = (name: string, value: number | undefined) =>
    integerIn(name, value, base.windowMs, 1, MAX_DURATION_MS);
  const realert = (name: string, value: number | undefined) =>
    integerIn(name, value, base.realertIntervalMs, 0, MAX_DURATION_MS);

  const cs = optionBlock('credentialStuffing', given.credentialStuffing, [
    'enabled',
    'accounts',
    'windowMs',
    'realertIntervalMs',
  ]);
  const ab = optionBlock('accountBruteForce', given.accountBruteForce, [
    'enabled',
    'threshold',
    'minClients',
    'windowMs',
    'realertIntervalMs',
  ]);
  const nb = optionBlock('networkBruteForce', given.networkBruteForce, [
    'enabled',
    'threshold',
    'minClients',
    'ipv4PrefixLength',
    'ipv6PrefixLength',
    'maxTracked',
    'windowMs',
    'realertIntervalMs',
  ]);
  const fs = optionBlock('failedLoginSurge', given.failedLoginSurge, [
    'enabled',
    'minPerMinute',
    'factor',
    'halfLifeMs',
    'windowMs',
  ]);
  const ac = optionBlock('accountCompromise', given.accountCompromise, ['enabled']);

  const networkIpv6 = integerIn(
    'networkBruteForce.ipv6PrefixLength',
    nb.ipv6PrefixLength,
    Math.min(defaults.networkBruteForce.ipv6PrefixLength, base.ipv6PrefixLength - 1),
    0,
    base.ipv6PrefixLength - 1,
  );
  const factor = fs.factor ?? defaults.failedLoginSurge.factor;
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1.5 || factor > 1000) {
    throw badOptionError('failedLoginSurge.factor', 'a number from 1.5 to 1000', factor);
  }

  return {
    credentialStuffing: {
      enabled: booleanOption('credentialStuffing.enabled', cs.enabled, true),
      accounts: integerIn(
        'credentialStuffing.accounts',
        cs.accounts,
        defaults.credentialStuffing.accounts,
        2,
        1000,
      ),
      windowMs: window('credentialStuffing.windowMs', cs.windowMs),
      realertIntervalMs: realert('credentialStuffing.realertIntervalMs', cs.realertIntervalMs),
    },
    accountBruteForce: {
      enabled: booleanOption('accountBruteForce.enabled', ab.enabled, true),
      threshold: integerIn(
        'accountBruteForce.threshold',
        ab.threshold,
        defaults.accountBruteForce.threshold,
        1,
        MAX_THRESHOLD,
      ),
      minClients: integerIn(
        'accountBruteForce.minClients',
        ab.minClients,
        defaults.accountBruteForce.minClients,
        2,
        100,
      ),
      windowMs: window('accountBruteForce.windowMs', ab.windowMs),
      realertIntervalMs: realert('accountBruteForce.realertIntervalMs', ab.realertIntervalMs),
    },
    networkBruteForce: {
      enabled: booleanOption('networkBruteForce.enabled', nb.enabled, true),
      threshold: integerIn(
        'networkBruteForce.threshold',
        nb.threshold,
        Math.min(MAX_THRESHOLD, 3 * base.threshold),
        1,
        MAX_THRESHOLD,
      ),
      minClients: integerIn(
        'networkBruteForce.minClients',
        nb.minClients,
        defaults.networkBruteForce.minClients,
        2,
        100,
      ),
      ipv4PrefixLength: integerIn(
        'networkBruteForce.ipv4PrefixLength',
        nb.ipv4PrefixLength,
        defaults.networkBruteForce.ipv4PrefixLength,
        1,
        31,
      ),
      ipv6PrefixLength: networkIpv6,
      maxTracked: integerIn(
        'networkBruteForce.maxTracked',
        nb.maxTracked,
        defaults.networkBruteForce.maxTracked,
        1,
        MAX_TRACKED,
      ),
      windowMs: window('networkBruteForce.windowMs', nb.windowMs),
      realertIntervalMs: realert('networkBruteForce.realertIntervalMs', nb.realertIntervalMs),
    },
    failedLoginSurge: {
      enabled: booleanOption('failedLoginSurge.enabled', fs.enabled, true),
      minPerMinute: integerIn(
        'failedLoginSurge.minPerMinute',
        fs.minPerMinute,
        defaults.failedLoginSurge.minPerMinute,
        1,
        10_000_000,
      ),
      factor,
      halfLifeMs: integerIn(
        'failedLoginSurge.halfLifeMs',
        fs.halfLifeMs,
        defaults.failedLoginSurge.halfLifeMs,
        60_000,
        MAX_DURATION_MS,
      ),
      windowMs: integerIn('failedLoginSurge.windowMs', fs.windowMs, base.windowMs, 10_000, MAX_DURATION_MS),
    },
    accountCompromise: { enabled: booleanOption('accountCompromise.enabled', ac.enabled, true) },
  };
}
