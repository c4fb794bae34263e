import type { AlertType } from './alert.js';
import type { ResolvedOptions } from './options.js';
import type { DetectorDecision, LoginDetector } from './store.js';

/** The subject texts of one failed login, as alerts show them (pseudonyms in privacy mode). */
export interface LoginSubjects {
  /** The client address or IPv6 prefix; undefined when unparseable. */
  client: string | undefined;
  network: string | undefined;
  account: string | undefined;
}

/** The alert text of one login detector's ALERT or REALERT. */
export interface LoginAlertText {
  message: string;
  metadata: Record<string, unknown>;
}

/** How a message names a client whose address could not be parsed. */
export const UNPARSEABLE_CLIENT = 'an unparseable address';

/**
 * The message and metadata of a login detector's alert. Every one carries `count` (failed logins
 * since the crossing, from the threshold up), `threshold`, `windowSeconds` and `suppressed` (attempts
 * held back since the subject's previous alert), like brute force always did.
 */
export function describeLoginAlert(
  type: LoginDetector,
  decision: DetectorDecision,
  subjects: LoginSubjects,
  options: ResolvedOptions,
  surgeBaseline: number,
): LoginAlertText {
  const { count, suppressed } = decision;
  const client = subjects.client ?? UNPARSEABLE_CLIENT;
  switch (type) {
    case 'brute_force': {
      const { threshold, windowMs } = options.bruteForce;
      return {
        message: `${count} failed logins within ${windowMs / 1000}s from ${client}`,
        metadata: { count, threshold, windowSeconds: windowMs / 1000, suppressed },
      };
    }
    case 'credential_stuffing': {
      const { accounts, windowMs } = options.credentialStuffing;
      return {
        message: `${client} failed logins for ${accounts} or more distinct accounts within ${windowMs / 1000}s`,
        metadata: { count, threshold: accounts, accounts, windowSeconds: windowMs / 1000, suppressed },
      };
    }
    case 'account_brute_force': {
      const { threshold, minClients, windowMs } = options.accountBruteForce;
      return {
        message: `${count} failed logins for account ${subjects.account} from ${minClients} or more clients within ${windowMs / 1000}s`,
        metadata: { count, threshold, minClients, windowSeconds: windowMs / 1000, suppressed },
      };
    }
    case 'network_brute_force': {
      const { threshold, minClients, windowMs } = options.networkBruteForce;
      return {
        message: `${count} failed logins from ${minClients} or more addresses of network ${subjects.network} within ${windowMs / 1000}s`,
        metadata: {
          count,
          threshold,
          minClients,
          network: subjects.network,
          windowSeconds: windowMs / 1000,
          suppressed,
        },
      };
    }
    case 'failed_login_surge': {
      const { windowMs, minPerMinute, factor } = options.failedLoginSurge;
      const perMinute = Math.round((count * 60_000) / windowMs);
      const baseline = Math.round(surgeBaseline * 10) / 10;
      return {
        message: `Failed logins surged to ${count} within ${windowMs / 1000}s (about ${perMinute}/min; learned baseline ${baseline}/min)`,
        metadata: {
          count,
          threshold: Math.max(minPerMinute, Math.ceil(factor * surgeBaseline)),
          baselinePerMinute: baseline,
          windowSeconds: windowMs / 1000,
          suppressed,
        },
      };
    }
  }
}

/** How a resolved alert names what ended. */
export function describeResolution(type: AlertType, subject: string | undefined, durationMs: number): string {
  const seconds = Math.round(durationMs / 1000);
  return subject === undefined
    ? `${type} ended after ${seconds}s`
    : `${type} (${subject}) ended after ${seconds}s`;
}
