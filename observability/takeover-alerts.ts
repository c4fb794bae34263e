// The account-takeover attacks' alerts: part of the one definition in alerts.ts (its `attacks`
// group), kept apart so that each file stays one idea. They follow secmon's own view of each attack.
import type { AlertType } from '../src/core/alert.js';
import type { AlertDefinition } from './alerts.js';

/** `inner` summed per (job, instance): one series per secmon process. */
export const byInstance = (inner: string): string => `sum by (job, instance) (${inner})`;

/**
 * Attacks of `type` in progress right now, per (job, instance): secmon's own `secmon_active_alerts`
 * gauge. A rule on it fires while the attack lasts and resolves when secmon resolves the attack (a
 * threshold attack once it stayed below its threshold for `SECMON_KEEP_FIRING_FOR_MS`, a one-shot
 * one after `SECMON_QUIET_PERIOD_MS`), however long that is: no look-back window to outlast or to
 * end too soon. Every attack stays active at least the keep-firing time (60 s by default), longer
 * than a scrape interval, so none falls between two scrapes. The value is a whole count.
 */
export const activeAttacks = (type: AlertType): string => byInstance(`secmon_active_alerts{type="${type}"}`);
/** Where the details of an active attack are: the offenders list and the alert log. */
export const WHO =
  'Who: `secmon offenders` (GET /v1/offenders), and the alert log and secmon.alert OpenTelemetry events.';

/** The alerts of the account-takeover attacks, most severe first. */
export const TAKEOVER_ALERTS: AlertDefinition[] = [
  {
    name: 'SecmonAccountCompromiseSuspected',
    uid: 'secmon-account-compromise-suspected',
    severity: 'critical',
    query: () => activeAttacks('account_compromise_suspected'),
    threshold: { op: '>', value: 0 },
    for: '0s',
    summary:
      'Successful login in the middle of a login attack on {{ $labels.instance }}: an account is probably taken',
    description: (ctx) =>
      `${ctx.count} account(s) logged in successfully while their account, address or network was over a ` +
      'login-attack threshold (brute force, credential stuffing, account or network brute force). ' +
      `Treat each as compromised until shown otherwise. ${WHO}`,
  },
  {
    name: 'SecmonCredentialStuffing',
    uid: 'secmon-credential-stuffing',
    severity: 'high',
    query: () => activeAttacks('credential_stuffing'),
    threshold: { op: '>', value: 0 },
    for: '0s',
    summary: 'Credential stuffing against {{ $labels.instance }}',
    description: (ctx) =>
      `${ctx.count} credential-stuffing attack(s) in progress: a client address is failing logins for ` +
      `many distinct accounts, one or two tries each (a leaked list). ${WHO}`,
  },
  {
    name: 'SecmonAccountBruteForce',
    uid: 'secmon-account-brute-force',
    severity: 'high',
    query: () => activeAttacks('account_brute_force'),
    threshold: { op: '>', value: 0 },
    for: '0s',
    summary: 'Distributed brute force on an account on {{ $labels.instance }}',
    description: (ctx) =>
      `${ctx.count} account(s) under a distributed attack: many failed logins from several client ` +
      `addresses, each of which may stay under the per-address threshold. ${WHO}`,
  },
  {
    name: 'SecmonNetworkBruteForce',
    uid: 'secmon-network-brute-force',
    severity: 'high',
    query: () => activeAttacks('network_brute_force'),
    threshold: { op: '>', value: 0 },
    for: '0s',
    summary: 'Brute force rotating addresses inside one network on {{ $labels.instance }}',
    description: (ctx) =>
      `${ctx.count} network(s) (IPv4 /24, IPv6 /48 by default) producing failed logins from several of ` +
      `their addresses: an attacker rotating addresses to stay under the per-address threshold. ${WHO}`,
  },
  {
    name: 'SecmonFailedLoginSurge',
    uid: 'secmon-failed-login-surge',
    severity: 'high',
    query: () => activeAttacks('failed_login_surge'),
    threshold: { op: '>', value: 0 },
    for: '0s',
    summary: 'Failed logins far above their usual rate on {{ $labels.instance }}',
    description: () =>
      'Failed logins across all clients are far above the baseline secmon learned (at least ' +
      'SECMON_FAILED_LOGIN_SURGE_FACTOR times it, and at least SECMON_FAILED_LOGIN_SURGE_MIN_PER_MINUTE a ' +
      'minute): a botnet spraying or stuffing credentials from addresses no single threshold sees, or a ' +
      'broken client. The "Failed logins" dashboard panel shows the rate.',
  },
];
