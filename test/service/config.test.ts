import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/service/config.js';
import { SETTINGS } from '../../src/service/settings.js';

/** What `loadConfig(sources)` throws (undefined when it throws nothing). */
function rejection(sources: Parameters<typeof loadConfig>[0]): unknown {
  try {
    loadConfig(sources);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('service configuration', () => {
  it('has sensible defaults: loopback, port 9870, no tokens, reference thresholds', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      port: 9870,
      ingestTokens: [],
      offendersTokens: [],
      metricsTokens: [],
      metricsBasicAuth: [],
      monitor: {},
      metricPrefix: 'secmon_',
      bodyLimitBytes: 262_144,
      maxConnections: 512,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      trustProxy: false,
      logLevel: 'info',
      redis: undefined,
      sources: {
        list: [],
        customFormats: [],
        fromStart: false,
        stateDir: undefined,
        pollIntervalMs: 500,
        maxLineBytes: 65_536,
      },
    });
  });

  it('switches to Redis with SECMON_REDIS_URL, with defaults for the rest', () => {
    expect(loadConfig({ env: { SECMON_REDIS_URL: 'redis://cache:6379/2' } }).redis).toEqual({
      url: 'redis://cache:6379/2',
      keyPrefix: 'secmon:',
      outagePolicy: 'fallback',
      commandTimeoutMs: 1000,
      maxPending: 5000,
    });
    const config = loadConfig({
      env: { SECMON_REDIS_URL: 'redis://cache:6379', SECMON_REDIS_OUTAGE_POLICY: 'fail-closed' },
      flags: {
        redisUrl: 'rediss://:secret@cache.internal:6380',
        redisKeyPrefix: 'shop:',
        redisTimeoutMs: '250',
      },
    });
    expect(config.redis).toMatchObject({
      url: 'rediss://:secret@cache.internal:6380',
      keyPrefix: 'shop:',
      outagePolicy: 'fail-closed',
      commandTimeoutMs: 250,
    });
  });

  it('reads environment variables, and flags win over them', () => {
    const config = loadConfig({
      env: {
        SECMON_PORT: '9999',
        SECMON_INGEST_TOKENS: 'alpha, beta ',
        SECMON_BRUTE_FORCE_THRESHOLD: '5',
        SECMON_BRUTE_FORCE_WINDOW_MS: '60000',
        SECMON_TRUST_PROXY: 'loopback,10.0.0.0/8',
        SECMON_LOG_LEVEL: 'debug',
      },
      flags: { port: '0', bruteForceThreshold: '7' },
    });
    expect(config.port).toBe(0);
    expect(config.ingestTokens).toEqual(['alpha', 'beta']);
    expect(config.monitor).toEqual({ bruteForce: { threshold: 7, windowMs: 60_000 } });
    expect(config.trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(config.logLevel).toBe('debug');
  });

  it.each([
    [
      { SECMON_PORT: 'http' },
      'SECMON_PORT',
      /SECMON_PORT \(--port\) must be an integer from 0 to 65535 \(got "http"\)/,
    ],
    [{ SECMON_PORT: '70000' }, 'SECMON_PORT', /must be an integer from 0 to 65535 \(got "70000"\)/],
    [
      { SECMON_BRUTE_FORCE_THRESHOLD: '0' },
      'SECMON_BRUTE_FORCE_THRESHOLD',
      /SECMON_BRUTE_FORCE_THRESHOLD \(--brute-force-threshold\) must be an integer from 1 to 10000 \(got "0"\)/,
    ],
    [
      { SECMON_BRUTE_FORCE_WINDOW_MS: '5m' },
      'SECMON_BRUTE_FORCE_WINDOW_MS',
      /must be an integer \(got "5m"\)/,
    ],
    [{ SECMON_MAX_TRACKED_IPS: '0' }, 'SECMON_MAX_TRACKED_IPS', /must be an integer from 1 to 16777216/],
    [{ SECMON_IPV6_PREFIX_LENGTH: '200' }, 'SECMON_IPV6_PREFIX_LENGTH', /from 1 to 128/],
    [
      { SECMON_LOG_LEVEL: 'loud' },
      'SECMON_LOG_LEVEL',
      /must be one of trace, debug, info, warn, error, fatal, silent \(got "loud"\)/,
    ],
    [{ SECMON_METRIC_PREFIX: 'my-prefix' }, 'SECMON_METRIC_PREFIX', /must match/],
    [{ SECMON_BODY_LIMIT_BYTES: '10' }, 'SECMON_BODY_LIMIT_BYTES', /from 1024 to 16777216/],
    [{ SECMON_METRICS_BASIC_AUTH: 'nopassword' }, 'SECMON_METRICS_BASIC_AUTH', /user:password/],
    [{ SECMON_TRUST_PROXY: 'not-an-address' }, 'SECMON_TRUST_PROXY', /SECMON_TRUST_PROXY \(--trust-proxy\)/],
    [
      { SECMON_REDIS_URL: 'http://cache:6379' },
      'SECMON_REDIS_URL',
      /SECMON_REDIS_URL \(--redis-url\) must be a redis:\/\/ or rediss:\/\/ URL with a host/,
    ],
    [
      { SECMON_REDIS_URL: 'redis://', SECMON_REDIS_KEY_PREFIX: 'a' },
      'SECMON_REDIS_URL',
      /must be a redis:\/\/ or rediss:\/\/ URL/,
    ],
    [
      { SECMON_REDIS_URL: 'redis://cache', SECMON_REDIS_OUTAGE_POLICY: 'fail-open' },
      'SECMON_REDIS_OUTAGE_POLICY',
      /must be one of fallback, fail-closed \(got "fail-open"\)/,
    ],
    [
      { SECMON_REDIS_URL: 'redis://cache', SECMON_REDIS_KEY_PREFIX: 'my prefix' },
      'SECMON_REDIS_KEY_PREFIX',
      /printable ASCII characters without spaces/,
    ],
    [
      { SECMON_REDIS_URL: 'redis://cache', SECMON_REDIS_TIMEOUT_MS: '0' },
      'SECMON_REDIS_TIMEOUT_MS',
      /must be an integer from 1 to 60000/,
    ],
    [
      { SECMON_REDIS_URL: 'redis://cache', SECMON_REDIS_MAX_PENDING: 'lots' },
      'SECMON_REDIS_MAX_PENDING',
      /must be an integer from 1 to 1000000/,
    ],
    [
      { SECMON_MAX_CONNECTIONS: '0' },
      'SECMON_MAX_CONNECTIONS',
      /must be an integer from 1 to 1000000 \(got "0"\)/,
    ],
    [
      { SECMON_HEADERS_TIMEOUT_MS: '40000' },
      'SECMON_HEADERS_TIMEOUT_MS',
      /SECMON_HEADERS_TIMEOUT_MS \(--headers-timeout-ms\) must be at most SECMON_REQUEST_TIMEOUT_MS \(30000\) \(got "40000"\)/,
    ],
    [
      { SECMON_HEADERS_TIMEOUT_MS: '5000', SECMON_REQUEST_TIMEOUT_MS: '2000' },
      'SECMON_REQUEST_TIMEOUT_MS',
      /must be at least SECMON_HEADERS_TIMEOUT_MS \(5000\) \(got "2000"\)/,
    ],
    [
      { SECMON_METRICS_TOKEN: ' , ' },
      'SECMON_METRICS_TOKEN',
      /^SECMON_METRICS_TOKEN \(--metrics-token\) must be comma-separated bearer tokens, each a non-empty token of visible ASCII characters \(no spaces\), but item 1 of 2 is empty/,
    ],
    [
      { SECMON_METRICS_TOKEN: '' },
      'SECMON_METRICS_TOKEN',
      /item 1 of 1 is empty \(to turn this protection off, unset the variable\)$/,
    ],
    [{ SECMON_METRICS_TOKEN: 'good-token,' }, 'SECMON_METRICS_TOKEN', /item 2 of 2 is empty/],
    [
      { SECMON_METRICS_BASIC_AUTH: ' : ' },
      'SECMON_METRICS_BASIC_AUTH',
      /item 1 of 1 is not a usable user:password pair$/,
    ],
    [
      { SECMON_METRICS_BASIC_AUTH: 'prom:secret,admin:' },
      'SECMON_METRICS_BASIC_AUTH',
      /item 2 of 2 is not a usable/,
    ],
    [
      { SECMON_INGEST_TOKENS: 'first-token-0123456789, second token 0123456789' },
      'SECMON_INGEST_TOKENS',
      /item 2 of 2 has a space or a character other than visible ASCII$/,
    ],
    [
      { SECMON_REDIS_OUTAGE_POLICY: 'fail-closed' },
      'SECMON_REDIS_OUTAGE_POLICY',
      /SECMON_REDIS_OUTAGE_POLICY \(--redis-outage-policy\) needs SECMON_REDIS_URL \(--redis-url\) to be set/,
    ],
  ])('rejects %j naming the setting', (env, name, message) => {
    const error = rejection({ env });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting.env).toBe(name);
    expect((error as ConfigError).message).toMatch(message);
    expect((error as ConfigError).code).toBe('SECMON_ERR_BAD_SETTING');
  });

  it('maps every account-takeover, lifecycle and privacy setting onto its monitor option', () => {
    const config = loadConfig({
      env: {
        SECMON_OFFENDERS_TOKENS: 'reader-token-0123456789, second-reader-token',
        SECMON_CREDENTIAL_STUFFING_ENABLED: 'true',
        SECMON_CREDENTIAL_STUFFING_ACCOUNTS: '12',
        SECMON_CREDENTIAL_STUFFING_WINDOW_MS: '60000',
        SECMON_ACCOUNT_BRUTE_FORCE_ENABLED: 'FALSE',
        SECMON_ACCOUNT_BRUTE_FORCE_THRESHOLD: '30',
        SECMON_ACCOUNT_BRUTE_FORCE_MIN_CLIENTS: '3',
        SECMON_NETWORK_BRUTE_FORCE_ENABLED: 'true',
        SECMON_NETWORK_BRUTE_FORCE_THRESHOLD: '40',
        SECMON_NETWORK_BRUTE_FORCE_MIN_CLIENTS: '4',
        SECMON_NETWORK_IPV4_PREFIX_LENGTH: '16',
        SECMON_NETWORK_IPV6_PREFIX_LENGTH: '40',
        SECMON_NETWORK_BRUTE_FORCE_MAX_TRACKED: '9000',
        SECMON_FAILED_LOGIN_SURGE_ENABLED: 'true',
        SECMON_FAILED_LOGIN_SURGE_MIN_PER_MINUTE: '80',
        SECMON_FAILED_LOGIN_SURGE_FACTOR: '2.5',
        SECMON_FAILED_LOGIN_SURGE_HALF_LIFE_MS: '600000',
        SECMON_ACCOUNT_COMPROMISE_ENABLED: ' false ',
        SECMON_MAX_TRACKED_ACCOUNTS: '5000',
        SECMON_QUIET_PERIOD_MS: '30000',
        SECMON_KEEP_FIRING_FOR_MS: '0',
        SECMON_MAX_ACTIVE_ALERTS: '50',
        SECMON_PRIVACY_HMAC_KEY: 'a secret of more than sixteen characters',
      },
      flags: { credentialStuffingAccounts: '15' },
    });
    expect(config.offendersTokens).toEqual(['reader-token-0123456789', 'second-reader-token']);
    expect(config.monitor).toEqual({
      credentialStuffing: { enabled: true, accounts: 15, windowMs: 60_000 },
      accountBruteForce: { enabled: false, threshold: 30, minClients: 3 },
      networkBruteForce: {
        enabled: true,
        threshold: 40,
        minClients: 4,
        ipv4PrefixLength: 16,
        ipv6PrefixLength: 40,
        maxTracked: 9000,
      },
      failedLoginSurge: { enabled: true, minPerMinute: 80, factor: 2.5, halfLifeMs: 600_000 },
      accountCompromise: { enabled: false },
      maxTrackedAccounts: 5000,
      lifecycle: { quietPeriodMs: 30_000, keepFiringForMs: 0, maxActiveAlerts: 50 },
      privacy: { hmacKey: 'a secret of more than sixteen characters' },
    });
  });

  it.each([
    [
      { SECMON_CREDENTIAL_STUFFING_ENABLED: 'yes' },
      'SECMON_CREDENTIAL_STUFFING_ENABLED',
      /must be true or false \(got "yes"\)/,
    ],
    [
      { SECMON_CREDENTIAL_STUFFING_ACCOUNTS: '1' },
      'SECMON_CREDENTIAL_STUFFING_ACCOUNTS',
      /SECMON_CREDENTIAL_STUFFING_ACCOUNTS \(--credential-stuffing-accounts\) must be an integer from 2 to 1000 \(got "1"\)/,
    ],
    [
      { SECMON_ACCOUNT_BRUTE_FORCE_MIN_CLIENTS: '1' },
      'SECMON_ACCOUNT_BRUTE_FORCE_MIN_CLIENTS',
      /from 2 to 100/,
    ],
    [{ SECMON_NETWORK_IPV4_PREFIX_LENGTH: '32' }, 'SECMON_NETWORK_IPV4_PREFIX_LENGTH', /from 1 to 31/],
    [
      // The network must be larger than the client key (SECMON_IPV6_PREFIX_LENGTH, 56 here).
      { SECMON_IPV6_PREFIX_LENGTH: '56', SECMON_NETWORK_IPV6_PREFIX_LENGTH: '56' },
      'SECMON_NETWORK_IPV6_PREFIX_LENGTH',
      /must be an integer from 0 to 55 \(got "56"\)/,
    ],
    [{ SECMON_FAILED_LOGIN_SURGE_FACTOR: 'lots' }, 'SECMON_FAILED_LOGIN_SURGE_FACTOR', /must be a number/],
    [
      { SECMON_FAILED_LOGIN_SURGE_FACTOR: '1.2' },
      'SECMON_FAILED_LOGIN_SURGE_FACTOR',
      /must be a number from 1.5 to 1000 \(got "1.2"\)/,
    ],
    [
      { SECMON_FAILED_LOGIN_SURGE_HALF_LIFE_MS: '1000' },
      'SECMON_FAILED_LOGIN_SURGE_HALF_LIFE_MS',
      /from 60000/,
    ],
    [{ SECMON_MAX_TRACKED_ACCOUNTS: '0' }, 'SECMON_MAX_TRACKED_ACCOUNTS', /from 1 to 16777216/],
    [
      { SECMON_NETWORK_BRUTE_FORCE_MAX_TRACKED: '0' },
      'SECMON_NETWORK_BRUTE_FORCE_MAX_TRACKED',
      /SECMON_NETWORK_BRUTE_FORCE_MAX_TRACKED \(--network-brute-force-max-tracked\) must be an integer from 1 to 16777216/,
    ],
    [
      { SECMON_QUIET_PERIOD_MS: '0' },
      'SECMON_QUIET_PERIOD_MS',
      /SECMON_QUIET_PERIOD_MS \(--quiet-period-ms\) must be an integer from 1/,
    ],
    [{ SECMON_KEEP_FIRING_FOR_MS: '-1' }, 'SECMON_KEEP_FIRING_FOR_MS', /from 0/],
    [{ SECMON_MAX_ACTIVE_ALERTS: '2000000' }, 'SECMON_MAX_ACTIVE_ALERTS', /from 1 to 1000000/],
  ])('rejects the new setting %j naming it', (env, name, message) => {
    const error = rejection({ env });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting.env).toBe(name);
    expect((error as ConfigError).message).toMatch(message);
  });

  it.each([
    ['short', 'tooshort'],
    ['empty', ''],
    ['blank', '                    '],
  ])('refuses a %s privacy key by its length only, never repeating it', (_, key) => {
    for (const sources of [{ env: { SECMON_PRIVACY_HMAC_KEY: key } }, { flags: { privacyHmacKey: key } }]) {
      const error = rejection(sources);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).setting.env).toBe('SECMON_PRIVACY_HMAC_KEY');
      expect((error as ConfigError).message).toBe(
        `SECMON_PRIVACY_HMAC_KEY (--privacy-hmac-key) must be a secret of at least 16 characters, blanks aside (it has ${key.trim().length})`,
      );
    }
  });

  it('never repeats a token or password in an error', () => {
    for (const env of [
      { SECMON_INGEST_TOKENS: 'hunter2 with-a-space' },
      { SECMON_METRICS_TOKEN: 'hunter2,,' },
      { SECMON_METRICS_BASIC_AUTH: 'admin:hunter2,:' },
      { SECMON_OFFENDERS_TOKENS: 'hunter2,' },
      { SECMON_PRIVACY_HMAC_KEY: 'hunter2' },
    ]) {
      expect(() => loadConfig({ env })).toThrow(ConfigError);
      expect(() => loadConfig({ env })).not.toThrow(/hunter2/);
    }
  });

  it('never repeats the password of a bad Redis URL', () => {
    expect(() => loadConfig({ env: { SECMON_REDIS_URL: 'http://user:hunter2@cache:6379' } })).toThrow(
      /got "http:\/\/user:\*\*\*@cache:6379\/"/,
    );
  });

  it('maps every setting to a SECMON_ variable and a long flag, without duplicates', () => {
    const envs = SETTINGS.map((s) => s.env);
    const flags = SETTINGS.map((s) => s.flag);
    expect(new Set(envs).size).toBe(envs.length);
    expect(new Set(flags).size).toBe(flags.length);
    for (const setting of SETTINGS) {
      expect(setting.env).toMatch(/^SECMON_[A-Z0-9_]+$/);
      expect(setting.flag).toMatch(/^--[a-z0-9-]+$/);
    }
  });
});
