import express from 'express';
import type { AnomalyMonitorOptions } from '../core/options.js';
import { resolveOptions } from '../core/options.js';
import { loadCustomFormats } from '../sources/custom-format-file.js';
import type { SourceSpec } from '../sources/live-sources.js';
import type { LogFormat } from '../sources/log-format.js';
import { type OutagePolicy, REDIS_DEFAULTS, type RedisStoreOptions } from '../store/redis-options.js';
import { MONITOR_SETTINGS, SETTINGS, type Setting, type SettingKey } from './settings.js';
import { type SourceOption, unknownSourceFormat, withSourceOptions } from './source-settings.js';

/** Shared state in Redis (`SECMON_REDIS_URL`); absent when state stays in the process. */
export type RedisConfig = Required<
  Pick<RedisStoreOptions, 'url' | 'keyPrefix' | 'outagePolicy' | 'commandTimeoutMs' | 'maxPending'>
>;

/** Live log sources (`SECMON_SOURCES`); `list` is empty when none is configured. */
export interface SourcesConfig {
  list: SourceSpec[];
  /** Formats of SECMON_FORMATS_FILE, beside the built-in ones. */
  customFormats: LogFormat[];
  fromStart: boolean;
  stateDir: string | undefined;
  pollIntervalMs: number;
  maxLineBytes: number;
}

/** The validated configuration of `secmon serve`. */
export interface ServiceConfig {
  host: string;
  port: number;
  ingestTokens: string[];
  offendersTokens: string[];
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
  sources: SourcesConfig;
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

/**
 * Builds the service configuration from environment variables and CLI flag values (flags win),
 * falling back to defaults. Throws a {@link ConfigError} for the first bad setting, e.g.
 * `SECMON_PORT (--port) must be an integer from 0 to 65535 (got "http")`. An empty value means
 * "not set", except for a secret (tokens, the privacy key), where it is refused: a protection the
 * user asked for must not silently vanish. A secret is never repeated in an error.
 */
export function loadConfig(inputs: SettingSources): ServiceConfig {
  const { values, raws } = parseSettings(SETTINGS, inputs);
  const monitor = monitorOptionsOf(values, raws);

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
      raws.trustProxy ?? '',
    );
  }

  const redisUrl = values.redisUrl as string | undefined;
  if (redisUrl === undefined) {
    // Every other Redis setting only means something with a URL.
    for (const { key } of SETTINGS) {
      if (key.startsWith('redis') && key !== 'redisUrl' && values[key] !== undefined) {
        throw badSetting(settingOf(key), 'needs SECMON_REDIS_URL (--redis-url) to be set', raws[key] ?? '');
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

  const sourceList = (values.sources as SourceSpec[] | undefined) ?? [];
  if (sourceList.length === 0) {
    // Every other source setting only means something with a source to read.
    for (const key of [
      'sourceOptions',
      'formatsFile',
      'fromStart',
      'stateDir',
      'sourcePollMs',
      'sourceMaxLineBytes',
    ] as const) {
      if (values[key] !== undefined) {
        throw badSetting(settingOf(key), 'needs SECMON_SOURCES (--source) to be set', raws[key] ?? '');
      }
    }
  }
  let customFormats: LogFormat[] = [];
  if (values.formatsFile !== undefined) {
    try {
      customFormats = loadCustomFormats(values.formatsFile as string);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      // The loader's message names the file, the format and the pattern.
      throw new ConfigError(
        settingOf('formatsFile'),
        `SECMON_FORMATS_FILE (--formats-file): ${error.message}`,
      );
    }
  }
  const unknownFormat = unknownSourceFormat(sourceList, customFormats);
  if (unknownFormat !== undefined) throw badSetting(settingOf('sources'), unknownFormat, raws.sources ?? '');
  const withOptions = withSourceOptions(
    sourceList,
    (values.sourceOptions as SourceOption[] | undefined) ?? [],
    trustProxy,
    customFormats,
  );
  if (!withOptions.ok)
    throw badSetting(settingOf('sourceOptions'), withOptions.error, raws.sourceOptions ?? '');
  const sources: SourcesConfig = {
    list: withOptions.sources,
    customFormats,
    fromStart: (values.fromStart as boolean | undefined) ?? false,
    stateDir: values.stateDir as string | undefined,
    pollIntervalMs: (values.sourcePollMs as number | undefined) ?? 500,
    maxLineBytes: (values.sourceMaxLineBytes as number | undefined) ?? 65_536,
  };

  return {
    host: (values.host as string | undefined) ?? '127.0.0.1',
    port: (values.port as number | undefined) ?? 9870,
    ingestTokens: (values.ingestTokens as string[] | undefined) ?? [],
    offendersTokens: (values.offendersTokens as string[] | undefined) ?? [],
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
    sources,
  };
}

/** Where settings come from: environment variables and CLI flag values (flags win). */
export interface SettingSources {
  env?: Record<string, string | undefined>;
  /** Flag values; a repeatable flag's (`--source`) may be an array, one item per use. */
  flags?: Partial<Record<SettingKey, string | readonly string[] | undefined>>;
}

/**
 * The monitor options of every setting that sets one (thresholds, windows, detectors, lifecycle,
 * privacy), from environment variables and flags (flags win), validated the way `secmon serve`
 * validates them: throws a {@link ConfigError} naming the first bad setting. What `secmon replay`
 * runs its monitor with, so both accept the same settings under the same names.
 */
export function loadMonitorOptions(sources: SettingSources): AnomalyMonitorOptions {
  const { values, raws } = parseSettings(MONITOR_SETTINGS, sources);
  return monitorOptionsOf(values, raws);
}

/** Parses the given settings' text (flags win over the environment); throws for the first bad one. */
function parseSettings(settings: readonly Setting[], sources: SettingSources) {
  const env = sources.env ?? {};
  const flags = sources.flags ?? {};
  const values: Partial<Record<SettingKey, unknown>> = {};
  const raws: Partial<Record<SettingKey, string>> = {};
  for (const setting of settings) {
    const given = flags[setting.key] ?? env[setting.env];
    // An empty variable means "unset", except for secrets: there it is a mistake (fail closed).
    if (given === undefined || (given === '' && !setting.secret)) continue;
    if (typeof given !== 'string' && given.length === 0) continue;
    const raw = typeof given === 'string' ? given : given.join(',');
    const parsed = setting.schema.safeParse(given);
    if (!parsed.success) throw badSetting(setting, parsed.error.issues[0]?.message ?? 'is invalid', raw);
    values[setting.key] = parsed.data;
    raws[setting.key] = raw;
  }
  return { values, raws };
}

/** Monitor options by their path (`bruteForce.threshold`), range-checked by the monitor itself. */
function monitorOptionsOf(
  values: Partial<Record<SettingKey, unknown>>,
  raws: Partial<Record<SettingKey, string>>,
): AnomalyMonitorOptions {
  const monitor: Record<string, unknown> = {};
  for (const setting of SETTINGS as readonly Setting[]) {
    const value = values[setting.key];
    if (setting.option === undefined || value === undefined) continue;
    const [block, field] = setting.option.split('.') as [string, string | undefined];
    if (field === undefined) {
      monitor[block] = value;
    } else {
      monitor[block] ??= {};
      (monitor[block] as Record<string, unknown>)[field] = value;
    }
  }
  try {
    resolveOptions(monitor as AnomalyMonitorOptions);
  } catch (error) {
    throw translateMonitorError(error, raws);
  }
  return monitor as AnomalyMonitorOptions;
}

function settingOf(key: SettingKey): Setting {
  return SETTINGS.find((setting) => setting.key === key)!;
}

/** The error of a bad setting; the value is shown after the problem unless it is a secret. */
function badSetting(setting: Setting, problem: string, raw: string): ConfigError {
  const message = `${setting.env} (${setting.flag}) ${problem}`;
  return new ConfigError(setting, setting.secret ? message : `${message} (got ${shown(setting, raw)})`);
}

/** How a bad value appears in an error: cut, and a URL without its password. */
function shown(setting: Setting, raw: string): string {
  const text = setting.redact ? setting.redact(raw) : raw;
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

function translateMonitorError(error: unknown, raws: Partial<Record<SettingKey, string>>): unknown {
  if (!(error instanceof TypeError)) return error;
  for (const setting of SETTINGS as readonly Setting[]) {
    const prefix = `${setting.option} must be `;
    if (setting.option !== undefined && error.message.startsWith(prefix)) {
      const accepted = error.message.slice(prefix.length).replace(/ \(got .*$/, '');
      return badSetting(setting, `must be ${accepted}`, raws[setting.key] ?? '');
    }
  }
  return error;
}
