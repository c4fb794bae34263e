import express from 'express';
import type { AnomalyMonitorOptions } from '../core/options.js';
import { resolveOptions } from '../core/options.js';
import { type OutagePolicy, REDIS_DEFAULTS, type RedisStoreOptions } from '../store/redis-options.js';
import { SETTINGS, type Setting, type SettingKey } from './settings.js';

/** Shared state in Redis (`SECMON_REDIS_URL`); absent when state stays in the process. */
export type RedisConfig = Required<
  Pick<RedisStoreOptions, 'url' | 'keyPrefix' | 'outagePolicy' | 'commandTimeoutMs' | 'maxPending'>
>;

/** The validated configuration of `secmon serve`. */
export interface ServiceConfig {
  host: string;
  port: number;
  ingestTokens: string[];
  metricsTokens: string[];
  metricsBasicAuth: string[];
  monitor: AnomalyMonitorOptions;
  metricPrefix: string;
  bodyLimitBytes: number;
  maxConnections: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  trustProxy: boolean | number | string[];
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  redis: RedisConfig | undefined;
}

/** A bad setting. `setting` names it; the message names its env var and flag and what is accepted. */
export class ConfigError extends Error {
  readonly code = 'SECMON_ERR_BAD_SETTING';
  constructor(
    readonly setting: Pick<Setting, 'env' | 'flag'>,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

// Which setting each monitor option comes from, to report the monitor's own range errors under the
// names the user typed.
const MONITOR_OPTION_SETTING: Record<string, SettingKey> = {
  'bruteForce.threshold': 'bruteForceThreshold',
  'bruteForce.windowMs': 'bruteForceWindowMs',
  'bruteForce.realertIntervalMs': 'bruteForceRealertMs',
  privilegedAlertIntervalMs: 'privilegedAlertIntervalMs',
  maxTrackedIps: 'maxTrackedIps',
  ipv6PrefixLength: 'ipv6PrefixLength',
};

/**
 * Builds the service configuration from environment variables and CLI flag values (flags win),
 * falling back to defaults. Throws a {@link ConfigError} for the first bad setting, e.g.
 * `SECMON_PORT (--port) must be an integer from 0 to 65535 (got "http")`.
 */
export function loadConfig(sources: {
  env?: Record<string, string | undefined>;
  flags?: Partial<Record<SettingKey, string | undefined>>;
}): ServiceConfig {
  const env = sources.env ?? {};
  const flags = sources.flags ?? {};
  const values: Partial<Record<SettingKey, unknown>> = {};
  for (const setting of SETTINGS) {
    const raw = flags[setting.key] ?? env[setting.env];
    const { redact, secret } = setting as Setting;
    // An empty variable means "unset", except for secrets: there it is a mistake (fail closed).
    if (raw === undefined || (raw === '' && !secret)) continue;
    const parsed = setting.schema.safeParse(raw);
    if (!parsed.success) {
      const shown = secret ? undefined : redact ? redact(raw) : raw;
      throw badSetting(setting, parsed.error.issues[0]?.message ?? 'is invalid', shown);
    }
    values[setting.key] = parsed.data;
  }

  const monitor: AnomalyMonitorOptions = {
    bruteForce: {
      threshold: values.bruteForceThreshold as number | undefined,
      windowMs: values.bruteForceWindowMs as number | undefined,
      realertIntervalMs: values.bruteForceRealertMs as number | undefined,
    },
    privilegedAlertIntervalMs: values.privilegedAlertIntervalMs as number | undefined,
    maxTrackedIps: values.maxTrackedIps as number | undefined,
    ipv6PrefixLength: values.ipv6PrefixLength as number | undefined,
  };
  dropUndefined(monitor.bruteForce as Record<string, unknown>);
  if (Object.keys(monitor.bruteForce ?? {}).length === 0) delete monitor.bruteForce;
  dropUndefined(monitor as Record<string, unknown>);
  try {
    resolveOptions(monitor);
  } catch (error) {
    throw translateMonitorError(error, values);
  }

  const headersTimeoutMs = (values.headersTimeoutMs as number | undefined) ?? 10_000;
  const requestTimeoutMs = (values.requestTimeoutMs as number | undefined) ?? 30_000;
  if (requestTimeoutMs < headersTimeoutMs) {
    // Node refuses it too: the headers are part of the request.
    const blamed = values.requestTimeoutMs === undefined ? 'headersTimeoutMs' : 'requestTimeoutMs';
    throw badSetting(
      settingOf(blamed),
      blamed === 'requestTimeoutMs'
        ? `must be at least SECMON_HEADERS_TIMEOUT_MS (${headersTimeoutMs})`
        : `must be at most SECMON_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`,
      String(values[blamed]),
    );
  }

  const trustProxy = (values.trustProxy as ServiceConfig['trustProxy'] | undefined) ?? false;
  try {
    express().set('trust proxy', trustProxy); // Express compiles (and so validates) the value here
  } catch (error) {
    throw badSetting(
      settingOf('trustProxy'),
      `must be true, false, a hop count or addresses/CIDRs (${(error as Error).message})`,
      String(flags.trustProxy ?? env.SECMON_TRUST_PROXY),
    );
  }

  const redisUrl = values.redisUrl as string | undefined;
  if (redisUrl === undefined) {
    // Every other Redis setting only means something with a URL.
    for (const { key } of SETTINGS) {
      if (key.startsWith('redis') && key !== 'redisUrl' && values[key] !== undefined) {
        throw badSetting(
          settingOf(key),
          'needs SECMON_REDIS_URL (--redis-url) to be set',
          String(values[key]),
        );
      }
    }
  }
  const redis: RedisConfig | undefined =
    redisUrl === undefined
      ? undefined
      : {
          url: redisUrl,
          keyPrefix: (values.redisKeyPrefix as string | undefined) ?? REDIS_DEFAULTS.keyPrefix,
          outagePolicy: (values.redisOutagePolicy as OutagePolicy | undefined) ?? REDIS_DEFAULTS.outagePolicy,
          commandTimeoutMs: (values.redisTimeoutMs as number | undefined) ?? REDIS_DEFAULTS.commandTimeoutMs,
          maxPending: (values.redisMaxPending as number | undefined) ?? REDIS_DEFAULTS.maxPending,
        };

  return {
    host: (values.host as string | undefined) ?? '127.0.0.1',
    port: (values.port as number | undefined) ?? 9870,
    ingestTokens: (values.ingestTokens as string[] | undefined) ?? [],
    metricsTokens: (values.metricsTokens as string[] | undefined) ?? [],
    metricsBasicAuth: (values.metricsBasicAuth as string[] | undefined) ?? [],
    monitor,
    metricPrefix: (values.metricPrefix as string | undefined) ?? 'secmon_',
    bodyLimitBytes: (values.bodyLimitBytes as number | undefined) ?? 262_144,
    maxConnections: (values.maxConnections as number | undefined) ?? 512,
    headersTimeoutMs,
    requestTimeoutMs,
    trustProxy,
    logLevel: (values.logLevel as ServiceConfig['logLevel'] | undefined) ?? 'info',
    redis,
  };
}

function settingOf(key: SettingKey): Setting {
  return SETTINGS.find((setting) => setting.key === key)!;
}

// `raw` undefined: the value is a secret and is not repeated.
function badSetting(
  setting: Pick<Setting, 'env' | 'flag'>,
  problem: string,
  raw: string | undefined,
): ConfigError {
  if (raw === undefined) return new ConfigError(setting, `${setting.env} (${setting.flag}) ${problem}`);
  const shown = raw.length > 60 ? `${raw.slice(0, 60)}…` : raw;
  return new ConfigError(
    setting,
    `${setting.env} (${setting.flag}) ${problem} (got ${JSON.stringify(shown)})`,
  );
}

function translateMonitorError(error: unknown, values: Partial<Record<SettingKey, unknown>>): unknown {
  if (!(error instanceof TypeError)) return error;
  for (const [option, key] of Object.entries(MONITOR_OPTION_SETTING)) {
    const prefix = `${option} must be `;
    if (error.message.startsWith(prefix)) {
      const accepted = error.message.slice(prefix.length).replace(/ \(got .*$/, '');
      return badSetting(settingOf(key), `must be ${accepted}`, String(values[key]));
    }
  }
  return error;
}

function dropUndefined(object: Record<string, unknown>): void {
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
}
