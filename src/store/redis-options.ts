import type { Redis } from 'ioredis';
import { badOptionError, integerIn, rejectUnknownKeys } from '../core/errors.js';

/** What to do while Redis cannot be reached (see the README's "Several replicas" section). */
export type OutagePolicy = 'fallback' | 'fail-closed';

/** The outage policies, default first. */
export const OUTAGE_POLICIES: readonly OutagePolicy[] = Object.freeze(['fallback', 'fail-closed']);

/** Where the Redis store reports its up/down transitions: pino's `(object, message)` signature. */
export interface StoreLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** Options of {@link redisStore}. Give `url` or `client`, not both; everything else is optional. */
export interface RedisStoreOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]` or `rediss://...` (TLS). The store opens its own
   * connection with settings that never block the caller (no offline queue, no retries of a
   * command, `commandTimeoutMs`), reconnects by itself and closes it on `monitor.close()`.
   */
  url?: string;
  /**
   * An ioredis client you own (the store never closes it). Give it `enableOfflineQueue: false`,
   * `maxRetriesPerRequest: 0` and a `commandTimeout`, or commands wait until `maxPending` turns
   * events away. Its `keyPrefix` is honoured.
   */
  client?: Redis;
  /** Prefix of every key, so several deployments can share one Redis. Default `secmon:`. */
  keyPrefix?: string;
  /**
   * While Redis cannot be reached: `fallback` (default) counts in this process's memory with the
   * usual threshold; `fail-closed` treats every failed login as over the threshold, so each address
   * alerts on its first failure (then once per re-alert interval). Either way `record*` never blocks
   * or throws, alerts say they were decided locally (`metadata.degraded`), and the store recovers
   * by itself when Redis returns.
   */
  outagePolicy?: OutagePolicy;
  /** With `url`: a command not answered within this many ms is decided locally. 1..60,000; default 1,000. */
  commandTimeoutMs?: number;
  /**
   * Most operations in flight (sent, not yet answered). Past it, events are decided locally and
   * counted as `overloaded`, so memory stays bounded when Redis is slow (1.3 to 2.2 KB each, measured).
   * 1..1,000,000; default 5,000.
   */
  maxPending?: number;
  /** `monitor.ready()` waits at most this long for the first connection. 0..60,000; default 3,000. */
  connectWaitMs?: number;
  /** The cluster-wide `monitoredIps` is refreshed this often when no event refreshed it. 100..600,000; default 5,000. */
  activeCountRefreshMs?: number;
  /**
   * Keys live at least this long (their TTL is otherwise the window or the privileged interval).
   * Only for very short windows or clocks that run faster than real time (tests). Default 1,000.
   */
  minKeyTtlMs?: number;
  /** Receives one line per up/down transition. Default: `console`. */
  logger?: StoreLogger;
}

/** {@link RedisStoreOptions} with every default filled in. */
export interface ResolvedRedisStoreOptions {
  url: string | undefined;
  client: Redis | undefined;
  keyPrefix: string;
  outagePolicy: OutagePolicy;
  commandTimeoutMs: number;
  maxPending: number;
  connectWaitMs: number;
  activeCountRefreshMs: number;
  minKeyTtlMs: number;
  logger: StoreLogger;
}

const KNOWN = [
  'url',
  'client',
  'keyPrefix',
  'outagePolicy',
  'commandTimeoutMs',
  'maxPending',
  'connectWaitMs',
  'activeCountRefreshMs',
  'minKeyTtlMs',
  'logger',
];

/** Printable ASCII without spaces, 1..100 characters: safe in key names, logs and `redis-cli`. */
export const KEY_PREFIX_PATTERN = /^[\x21-\x7e]{1,100}$/;
/** What {@link KEY_PREFIX_PATTERN} accepts, in words. */
export const KEY_PREFIX_RULE = '1 to 100 printable ASCII characters without spaces';

/**
 * Defaults and accepted ranges of the options `secmon serve` also takes as settings (its settings
 * table and configuration read them from here).
 */
export const REDIS_DEFAULTS = {
  keyPrefix: 'secmon:',
  outagePolicy: 'fallback',
  commandTimeoutMs: 1000,
  maxPending: 5000,
} as const satisfies Partial<RedisStoreOptions>;
export const COMMAND_TIMEOUT_RANGE = [1, 60_000] as const;
export const MAX_PENDING_RANGE = [1, 1_000_000] as const;

const consoleLogger: StoreLogger = {
  info: (details, message) => console.info(message, details),
  warn: (details, message) => console.warn(message, details),
};

/**
 * Validates the Redis store's options and fills in defaults. Throws a `TypeError` with code
 * `SECMON_ERR_BAD_OPTION` or `SECMON_ERR_UNKNOWN_OPTION` naming the option (`store.keyPrefix ...`).
 */
export function resolveRedisStoreOptions(options: RedisStoreOptions): ResolvedRedisStoreOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw badOptionError('store', 'an object with url or client', options);
  }
  rejectUnknownKeys('store.', options, KNOWN);
  const { url, client } = options;
  if ((url === undefined) === (client === undefined)) {
    const shown = typeof url === 'string' ? redactedUrl(url) : url;
    throw badOptionError('store.url', 'given, or store.client, but not both', shown);
  }
  if (url !== undefined && !isRedisUrl(url)) {
    throw badOptionError('store.url', 'a redis:// or rediss:// URL', redactedUrl(url));
  }
  if (client !== undefined && (typeof client !== 'object' || typeof client.defineCommand !== 'function')) {
    throw badOptionError('store.client', 'an ioredis client', client);
  }
  const keyPrefix = options.keyPrefix ?? REDIS_DEFAULTS.keyPrefix;
  if (typeof keyPrefix !== 'string' || !KEY_PREFIX_PATTERN.test(keyPrefix)) {
    throw badOptionError('store.keyPrefix', KEY_PREFIX_RULE, keyPrefix);
  }
  const outagePolicy = options.outagePolicy ?? REDIS_DEFAULTS.outagePolicy;
  if (!OUTAGE_POLICIES.includes(outagePolicy)) {
    throw badOptionError('store.outagePolicy', `one of ${OUTAGE_POLICIES.join(', ')}`, outagePolicy);
  }
  const logger = options.logger ?? consoleLogger;
  if (typeof logger?.warn !== 'function' || typeof logger.info !== 'function') {
    throw badOptionError('store.logger', 'an object with info and warn methods (e.g. a pino logger)', logger);
  }
  return {
    url,
    client,
    keyPrefix,
    outagePolicy,
    commandTimeoutMs: integerIn(
      'store.commandTimeoutMs',
      options.commandTimeoutMs,
      REDIS_DEFAULTS.commandTimeoutMs,
      ...COMMAND_TIMEOUT_RANGE,
    ),
    maxPending: integerIn(
      'store.maxPending',
      options.maxPending,
      REDIS_DEFAULTS.maxPending,
      ...MAX_PENDING_RANGE,
    ),
    connectWaitMs: integerIn('store.connectWaitMs', options.connectWaitMs, 3000, 0, 60_000),
    activeCountRefreshMs: integerIn(
      'store.activeCountRefreshMs',
      options.activeCountRefreshMs,
      5000,
      100,
      600_000,
    ),
    minKeyTtlMs: integerIn('store.minKeyTtlMs', options.minKeyTtlMs, 1000, 1, 2 ** 31),
    logger,
  };
}

/** True for a URL ioredis can connect to: `redis:` or `rediss:` with a host. */
export function isRedisUrl(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  try {
    const url = new URL(text);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The URL with its password replaced by `***`, for messages and logs. */
export function redactedUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.href;
  } catch {
    return '(not a URL)';
  }
}
