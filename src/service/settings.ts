import { z } from 'zod';
import { isValidSecret, SECRET_RULE, type SecretKind } from '../http/secrets.js';
import {
  COMMAND_TIMEOUT_RANGE,
  isRedisUrl,
  KEY_PREFIX_PATTERN,
  KEY_PREFIX_RULE,
  MAX_PENDING_RANGE,
  OUTAGE_POLICIES,
  REDIS_DEFAULTS,
  redactedUrl,
} from '../store/redis-options.js';
import { DETECTOR_SETTINGS, LOGIN } from './detector-settings.js';
import { anyInteger, integer } from './setting-schemas.js';
import { SOURCE_SETTINGS } from './source-settings.js';

/**
 * Every setting of `secmon serve`, in one table: its environment variable, its CLI flag, its
 * description and how its text is parsed. Environment variables and flags map onto this one schema
 * (flags win over the environment); `--help` and the README's table are generated from it. Ranges
 * of monitor settings are checked by the monitor itself (one source of truth), and its error is
 * reported under the setting's env/flag names.
 */
export interface Setting {
  key: SettingKey;
  env: string;
  flag: string;
  description: string;
  /** Human-readable default, for --help. */
  defaultText: string;
  schema: z.ZodType;
  /** How a bad value is shown in an error (e.g. without the password of a URL). Default: as given. */
  redact?: (raw: string) => string;
  /**
   * The monitor option it sets (`bruteForce.threshold`): the monitor checks its range, and its error
   * is reported under this setting's names.
   */
  option?: string;
  /**
   * Holds secrets: a bad value is never shown in an error, and an empty value is an error rather
   * than "unset" (a protection the user asked for must not silently vanish).
   */
  secret?: boolean;
  /** Heading it is listed under in `--help`. Default {@link SERVICE_GROUP}. */
  group?: string;
  /** The flag may be given several times; its values reach the schema as an array. */
  repeatable?: boolean;
  /** The flag takes no value (`--from-start` means true); the variable is `true` or `false`. */
  switch?: boolean;
}

/** The `--help` heading of settings without a group of their own. */
export const SERVICE_GROUP = 'Service:';
const REDIS = 'Shared state (Redis):';

// Comma-separated secrets. Every item must be usable: an empty or blank item, or a token that could
// never be presented in a header, stops the service instead of quietly protecting less.
const secretList = (kind: SecretKind) =>
  z.string().transform((text, ctx) => {
    const items = text.split(',').map((item) => item.trim());
    const bad = items.findIndex((item) => !isValidSecret(kind, item));
    if (bad === -1) return items;
    const item = items[bad]!;
    const what =
      item === ''
        ? 'is empty (to turn this protection off, unset the variable)'
        : kind === 'bearer token'
          ? 'has a space or a character other than visible ASCII'
          : 'is not a usable user:password pair';
    ctx.addIssue({
      code: 'custom',
      message: `must be comma-separated ${kind}s, each ${SECRET_RULE[kind]}, but item ${bad + 1} of ${items.length} ${what}`,
    });
    return z.NEVER;
  });

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export const SETTINGS = [
  {
    key: 'host',
    env: 'SECMON_HOST',
    flag: '--host',
    description: 'address to listen on (0.0.0.0 in a container)',
    defaultText: '127.0.0.1',
    schema: z.string().trim().min(1, 'must be an IP address or host name').max(253),
  },
  {
    key: 'port',
    env: 'SECMON_PORT',
    flag: '--port',
    description: 'TCP port to listen on (0 picks a free one)',
    defaultText: '9870',
    schema: integer(0, 65535),
  },
  {
    key: 'ingestTokens',
    env: 'SECMON_INGEST_TOKENS',
    flag: '--ingest-tokens',
    description: 'comma-separated bearer tokens allowed to POST /v1/events (none: the endpoint answers 503)',
    defaultText: 'none',
    schema: secretList('bearer token'),
    secret: true,
  },
  {
    key: 'offendersTokens',
    env: 'SECMON_OFFENDERS_TOKENS',
    flag: '--offenders-tokens',
    description:
      'comma-separated bearer tokens allowed to GET /v1/offenders (none: the endpoint answers 503)',
    defaultText: 'none',
    schema: secretList('bearer token'),
    secret: true,
  },
  {
    key: 'metricsTokens',
    env: 'SECMON_METRICS_TOKEN',
    flag: '--metrics-token',
    description: 'comma-separated bearer tokens required on /metrics (none: open)',
    defaultText: 'none',
    schema: secretList('bearer token'),
    secret: true,
  },
  {
    key: 'metricsBasicAuth',
    env: 'SECMON_METRICS_BASIC_AUTH',
    flag: '--metrics-basic-auth',
    description: 'comma-separated user:password pairs accepted as basic auth on /metrics',
    defaultText: 'none',
    schema: secretList('basic-auth pair'),
    secret: true,
  },
  {
    key: 'bruteForceThreshold',
    env: 'SECMON_BRUTE_FORCE_THRESHOLD',
    flag: '--brute-force-threshold',
    description: 'failed logins from one address that raise a brute_force alert',
    defaultText: '10',
    schema: anyInteger,
    option: 'bruteForce.threshold',
    group: LOGIN,
  },
  {
    key: 'bruteForceWindowMs',
    env: 'SECMON_BRUTE_FORCE_WINDOW_MS',
    flag: '--brute-force-window-ms',
    description: 'sliding window for failed logins, ms (also the default window of every login detector)',
    defaultText: '300000',
    schema: anyInteger,
    option: 'bruteForce.windowMs',
    group: LOGIN,
  },
  {
    key: 'bruteForceRealertMs',
    env: 'SECMON_BRUTE_FORCE_REALERT_MS',
    flag: '--brute-force-realert-ms',
    description: 'at most one more alert per address per this many ms while it stays over',
    defaultText: 'the window',
    schema: anyInteger,
    option: 'bruteForce.realertIntervalMs',
    group: LOGIN,
  },
  {
    key: 'privilegedAlertIntervalMs',
    env: 'SECMON_PRIVILEGED_ALERT_INTERVAL_MS',
    flag: '--privileged-alert-interval-ms',
    description: 'at most one privilege_escalation alert per this many ms',
    defaultText: '60000',
    schema: anyInteger,
    option: 'privilegedAlertIntervalMs',
  },
  {
    key: 'maxTrackedIps',
    env: 'SECMON_MAX_TRACKED_IPS',
    flag: '--max-tracked-ips',
    description: 'most client addresses tracked at once (least recently active evicted)',
    defaultText: '100000',
    schema: anyInteger,
    option: 'maxTrackedIps',
    group: LOGIN,
  },
  {
    key: 'ipv6PrefixLength',
    env: 'SECMON_IPV6_PREFIX_LENGTH',
    flag: '--ipv6-prefix-length',
    description: 'IPv6 clients are grouped by this prefix length',
    defaultText: '64',
    schema: anyInteger,
    option: 'ipv6PrefixLength',
    group: LOGIN,
  },
  ...DETECTOR_SETTINGS,
  {
    key: 'metricPrefix',
    env: 'SECMON_METRIC_PREFIX',
    flag: '--metric-prefix',
    description: 'prefix of every secmon metric name',
    defaultText: 'secmon_',
    schema: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must match [a-zA-Z_:][a-zA-Z0-9_:]*'),
  },
  {
    key: 'bodyLimitBytes',
    env: 'SECMON_BODY_LIMIT_BYTES',
    flag: '--body-limit-bytes',
    description: 'largest accepted POST /v1/events body, bytes',
    defaultText: '262144',
    schema: integer(1024, 16 * 1024 * 1024),
  },
  {
    key: 'maxConnections',
    env: 'SECMON_MAX_CONNECTIONS',
    flag: '--max-connections',
    description:
      'most open HTTP connections; past it the least recently active idle one is closed, or a new one refused (503) when all are busy',
    defaultText: '512',
    schema: integer(1, 1_000_000),
  },
  {
    key: 'headersTimeoutMs',
    env: 'SECMON_HEADERS_TIMEOUT_MS',
    flag: '--headers-timeout-ms',
    description: "a request's headers must arrive within this many ms (else 408), checked every second",
    defaultText: '10000',
    schema: integer(100, 600_000),
  },
  {
    key: 'requestTimeoutMs',
    env: 'SECMON_REQUEST_TIMEOUT_MS',
    flag: '--request-timeout-ms',
    description:
      'a whole request (headers and body) must arrive within this many ms (else 408); at least the headers timeout',
    defaultText: '30000',
    schema: integer(100, 3_600_000),
  },
  {
    key: 'trustProxy',
    env: 'SECMON_TRUST_PROXY',
    flag: '--trust-proxy',
    description:
      "Express 'trust proxy': false, true, a hop count, or comma-separated addresses/CIDRs/loopback",
    defaultText: 'false',
    schema: z
      .string()
      .trim()
      .min(1)
      .transform((text): boolean | number | string[] => {
        if (text === 'true' || text === 'false') return text === 'true';
        if (/^\d+$/.test(text)) return Number(text);
        return text.split(',').map((item) => item.trim());
      }),
  },
  ...SOURCE_SETTINGS,
  {
    key: 'redisUrl',
    env: 'SECMON_REDIS_URL',
    flag: '--redis-url',
    description:
      'share window state between replicas in this Redis, a redis:// or rediss:// URL (none: state stays in the process)',
    defaultText: 'none',
    schema: z.string().trim().refine(isRedisUrl, 'must be a redis:// or rediss:// URL with a host'),
    redact: redactedUrl,
    group: REDIS,
  },
  {
    key: 'redisKeyPrefix',
    env: 'SECMON_REDIS_KEY_PREFIX',
    flag: '--redis-key-prefix',
    description: 'prefix of every Redis key (deployments sharing one Redis need different prefixes)',
    defaultText: REDIS_DEFAULTS.keyPrefix,
    schema: z.string().regex(KEY_PREFIX_PATTERN, `must be ${KEY_PREFIX_RULE}`),
    group: REDIS,
  },
  {
    key: 'redisOutagePolicy',
    env: 'SECMON_REDIS_OUTAGE_POLICY',
    flag: '--redis-outage-policy',
    description:
      "while Redis is unreachable: fallback (count in this replica's memory) or fail-closed (every failed login counts as over the threshold)",
    defaultText: REDIS_DEFAULTS.outagePolicy,
    schema: z.enum(OUTAGE_POLICIES as ['fallback', 'fail-closed'], {
      message: `must be one of ${OUTAGE_POLICIES.join(', ')}`,
    }),
    group: REDIS,
  },
  {
    key: 'redisTimeoutMs',
    env: 'SECMON_REDIS_TIMEOUT_MS',
    flag: '--redis-timeout-ms',
    description: 'a Redis command not answered within this many ms is decided under the outage policy',
    defaultText: String(REDIS_DEFAULTS.commandTimeoutMs),
    schema: integer(...COMMAND_TIMEOUT_RANGE),
    group: REDIS,
  },
  {
    key: 'redisMaxPending',
    env: 'SECMON_REDIS_MAX_PENDING',
    flag: '--redis-max-pending',
    description: 'most Redis operations in flight; past it events are decided locally and counted',
    defaultText: String(REDIS_DEFAULTS.maxPending),
    schema: integer(...MAX_PENDING_RANGE),
    group: REDIS,
  },
  {
    key: 'logLevel',
    env: 'SECMON_LOG_LEVEL',
    flag: '--log-level',
    description: `log level: ${LOG_LEVELS.join(', ')}`,
    defaultText: 'info',
    schema: z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` }),
  },
] as const satisfies ReadonlyArray<Omit<Setting, 'key'> & { key: string }>;

export type SettingKey = (typeof SETTINGS)[number]['key'];

/** The settings that set a monitor option: what `secmon replay` accepts, under the names of `secmon serve`. */
export const MONITOR_SETTINGS: readonly Setting[] = (SETTINGS as readonly Setting[]).filter(
  (setting) => setting.option !== undefined,
);
