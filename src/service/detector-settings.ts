import { z } from 'zod';
import { anyInteger, bool, decimal } from './setting-schemas.js';

// The settings of the account-takeover detectors, the alert lifecycle and privacy mode: part of the
// one settings table (SETTINGS in settings.ts), kept apart so that each file stays one screenful.

/** `--help` headings. */
export const LOGIN = 'Login attack detection:';
const LIFECYCLE = 'Alert lifecycle:';
const PRIVACY = 'Privacy:';

/** Entries of the settings table (see `Setting` in settings.ts). */
export const DETECTOR_SETTINGS = [
  {
    key: 'credentialStuffingEnabled',
    env: 'SECMON_CREDENTIAL_STUFFING_ENABLED',
    flag: '--credential-stuffing-enabled',
    description: 'raise credential_stuffing alerts: one address failing logins for many distinct accounts',
    defaultText: 'true',
    schema: bool,
    option: 'credentialStuffing.enabled',
    group: LOGIN,
  },
  {
    key: 'credentialStuffingAccounts',
    env: 'SECMON_CREDENTIAL_STUFFING_ACCOUNTS',
    flag: '--credential-stuffing-accounts',
    description:
      'distinct accounts one address fails logins for inside the window that raise credential_stuffing',
    defaultText: '10',
    schema: anyInteger,
    option: 'credentialStuffing.accounts',
    group: LOGIN,
  },
  {
    key: 'credentialStuffingWindowMs',
    env: 'SECMON_CREDENTIAL_STUFFING_WINDOW_MS',
    flag: '--credential-stuffing-window-ms',
    description: 'window of credential_stuffing, ms',
    defaultText: 'the brute-force window',
    schema: anyInteger,
    option: 'credentialStuffing.windowMs',
    group: LOGIN,
  },
  {
    key: 'accountBruteForceEnabled',
    env: 'SECMON_ACCOUNT_BRUTE_FORCE_ENABLED',
    flag: '--account-brute-force-enabled',
    description: 'raise account_brute_force alerts: one account attacked from several addresses',
    defaultText: 'true',
    schema: bool,
    option: 'accountBruteForce.enabled',
    group: LOGIN,
  },
  {
    key: 'accountBruteForceThreshold',
    env: 'SECMON_ACCOUNT_BRUTE_FORCE_THRESHOLD',
    flag: '--account-brute-force-threshold',
    description: 'failed logins for one account inside the window that raise account_brute_force',
    defaultText: '20',
    schema: anyInteger,
    option: 'accountBruteForce.threshold',
    group: LOGIN,
  },
  {
    key: 'accountBruteForceMinClients',
    env: 'SECMON_ACCOUNT_BRUTE_FORCE_MIN_CLIENTS',
    flag: '--account-brute-force-min-clients',
    description: '... from at least this many distinct addresses',
    defaultText: '2',
    schema: anyInteger,
    option: 'accountBruteForce.minClients',
    group: LOGIN,
  },
  {
    key: 'networkBruteForceEnabled',
    env: 'SECMON_NETWORK_BRUTE_FORCE_ENABLED',
    flag: '--network-brute-force-enabled',
    description: 'raise network_brute_force alerts: addresses rotated inside one network',
    defaultText: 'true',
    schema: bool,
    option: 'networkBruteForce.enabled',
    group: LOGIN,
  },
  {
    key: 'networkBruteForceThreshold',
    env: 'SECMON_NETWORK_BRUTE_FORCE_THRESHOLD',
    flag: '--network-brute-force-threshold',
    description: 'failed logins from one network inside the window that raise network_brute_force',
    defaultText: '3 × the brute-force threshold',
    schema: anyInteger,
    option: 'networkBruteForce.threshold',
    group: LOGIN,
  },
  {
    key: 'networkBruteForceMinClients',
    env: 'SECMON_NETWORK_BRUTE_FORCE_MIN_CLIENTS',
    flag: '--network-brute-force-min-clients',
    description: '... from at least this many distinct addresses of it',
    defaultText: '2',
    schema: anyInteger,
    option: 'networkBruteForce.minClients',
    group: LOGIN,
  },
  {
    key: 'networkIpv4PrefixLength',
    env: 'SECMON_NETWORK_IPV4_PREFIX_LENGTH',
    flag: '--network-ipv4-prefix-length',
    description: 'size of an IPv4 network for network_brute_force (1 to 31)',
    defaultText: '24',
    schema: anyInteger,
    option: 'networkBruteForce.ipv4PrefixLength',
    group: LOGIN,
  },
  {
    key: 'networkIpv6PrefixLength',
    env: 'SECMON_NETWORK_IPV6_PREFIX_LENGTH',
    flag: '--network-ipv6-prefix-length',
    description: 'size of an IPv6 network for network_brute_force (shorter than SECMON_IPV6_PREFIX_LENGTH)',
    defaultText: '48',
    schema: anyInteger,
    option: 'networkBruteForce.ipv6PrefixLength',
    group: LOGIN,
  },
  {
    key: 'failedLoginSurgeEnabled',
    env: 'SECMON_FAILED_LOGIN_SURGE_ENABLED',
    flag: '--failed-login-surge-enabled',
    description: 'raise failed_login_surge alerts: failed logins everywhere far above their learned baseline',
    defaultText: 'true',
    schema: bool,
    option: 'failedLoginSurge.enabled',
    group: LOGIN,
  },
  {
    key: 'failedLoginSurgeMinPerMinute',
    env: 'SECMON_FAILED_LOGIN_SURGE_MIN_PER_MINUTE',
    flag: '--failed-login-surge-min-per-minute',
    description: 'a surge needs at least this many failed logins a minute, whatever the baseline',
    defaultText: '50',
    schema: anyInteger,
    option: 'failedLoginSurge.minPerMinute',
    group: LOGIN,
  },
  {
    key: 'failedLoginSurgeFactor',
    env: 'SECMON_FAILED_LOGIN_SURGE_FACTOR',
    flag: '--failed-login-surge-factor',
    description: 'a surge is this many times the learned baseline rate (1.5 to 1000)',
    defaultText: '3',
    schema: decimal,
    option: 'failedLoginSurge.factor',
    group: LOGIN,
  },
  {
    key: 'failedLoginSurgeHalfLifeMs',
    env: 'SECMON_FAILED_LOGIN_SURGE_HALF_LIFE_MS',
    flag: '--failed-login-surge-half-life-ms',
    description: 'half-life of the baseline (a moving average of whole minutes), ms',
    defaultText: '3600000',
    schema: anyInteger,
    option: 'failedLoginSurge.halfLifeMs',
    group: LOGIN,
  },
  {
    key: 'accountCompromiseEnabled',
    env: 'SECMON_ACCOUNT_COMPROMISE_ENABLED',
    flag: '--account-compromise-enabled',
    description:
      'raise account_compromise_suspected (critical) on a successful login for an account, or from an address or network, that is over a login threshold',
    defaultText: 'true',
    schema: bool,
    option: 'accountCompromise.enabled',
    group: LOGIN,
  },
  {
    key: 'maxTrackedAccounts',
    env: 'SECMON_MAX_TRACKED_ACCOUNTS',
    flag: '--max-tracked-accounts',
    description: 'most accounts tracked at once (least recently active evicted)',
    defaultText: '100000',
    schema: anyInteger,
    option: 'maxTrackedAccounts',
    group: LOGIN,
  },
  {
    key: 'quietPeriodMs',
    env: 'SECMON_QUIET_PERIOD_MS',
    flag: '--quiet-period-ms',
    description:
      'a one-shot attack (traversal, injection, containers, rate limit, compromise) is resolved after this many ms without another event from its client or account',
    defaultText: 'the brute-force window',
    schema: anyInteger,
    option: 'lifecycle.quietPeriodMs',
    group: LIFECYCLE,
  },
  {
    key: 'keepFiringForMs',
    env: 'SECMON_KEEP_FIRING_FOR_MS',
    flag: '--keep-firing-for-ms',
    description:
      'a threshold attack is resolved once it has stayed below its threshold this many ms; coming back over within it continues the same attack',
    defaultText: '60000',
    schema: anyInteger,
    option: 'lifecycle.keepFiringForMs',
    group: LIFECYCLE,
  },
  {
    key: 'maxActiveAlerts',
    env: 'SECMON_MAX_ACTIVE_ALERTS',
    flag: '--max-active-alerts',
    description: 'most attacks followed at once; past it the oldest is resolved early',
    defaultText: '10000',
    schema: anyInteger,
    option: 'lifecycle.maxActiveAlerts',
    group: LIFECYCLE,
  },
  {
    key: 'privacyHmacKey',
    env: 'SECMON_PRIVACY_HMAC_KEY',
    flag: '--privacy-hmac-key',
    description:
      'privacy mode: secret key (16+ characters) of the keyed hash that replaces every user id and client address in alerts, logs, OTel events and /v1/offenders; the same key on every replica. Prefer the variable: flags show in the process list',
    defaultText: 'none',
    schema: z.string().superRefine((key, ctx) => {
      // The error says how long the key is (a blank one is "0 characters"), never what it is.
      const length = key.trim().length;
      if (length < 16) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a secret of at least 16 characters, blanks aside (it has ${length})`,
        });
      }
    }),
    option: 'privacy.hmacKey',
    secret: true,
    group: PRIVACY,
  },
] as const;
