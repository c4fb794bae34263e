import { ALERT_TYPES, type AlertType } from './alert.js';
import type { SinkKind } from './event-details.js';
import type { StoreStats } from './store.js';

/**
 * A snapshot of the monitor's counters. Every number is a count since the monitor was created
 * (monotonic), except `monitoredIps` (client addresses with activity inside the brute-force window
 * right now), `trackedIpsLimit` (the configured `maxTrackedIps`) and `store.up`. Counts are this
 * process's, also with a shared store. A fresh object each call.
 */
export interface MonitorStats {
  failedAuthAttempts: number;
  /** Successful logins recorded (`recordSuccessfulAuth`). */
  successfulAuths: number;
  privilegedContainerAttempts: number;
  suspiciousContainerAttempts: number;
  pathTraversalAttempts: number;
  commandInjectionAttempts: number;
  rateLimitExceeded: number;
  /**
   * Path traversal (`file`) and command injection (`command`) attempts that a sink guard caught where
   * the input reached a file path or a shell command (recorded with a `sink` detail).
   */
  sinkFindings: Record<SinkKind, number>;
  /**
   * Events whose client address could not be parsed (they all share one window). Should stay at 0: a
   * rising count means a reporting bug, such as a header or field that does not hold an address.
   */
  unparseableAddresses: number;
  /**
   * Client addresses (IPv6: prefixes) with activity inside the brute-force window. With a shared
   * store: across every replica using it (cluster-wide), refreshed in the background every few seconds.
   */
  monitoredIps: number;
  /** The configured `maxTrackedIps`. */
  trackedIpsLimit: number;
  /** Accounts with failed logins inside the account brute-force window (same caveat as `monitoredIps`). */
  monitoredAccounts: number;
  /** The configured `maxTrackedAccounts`. */
  trackedAccountsLimit: number;
  /** Firing alerts raised (first and repeated alerts of an attack), per type. */
  alerts: Record<AlertType, number>;
  /** Attacks in progress right now (alerts fired and not yet resolved), per type. */
  activeAlerts: Record<AlertType, number>;
  /** Attacks that ended (resolved alerts delivered), per type. */
  resolvedAlerts: Record<AlertType, number>;
  /** Attacks resolved early because `lifecycle.maxActiveAlerts` were already followed. */
  alertsResolvedEarly: number;
  /** Alerts held back by a re-alert interval, all types together. */
  suppressedAlerts: number;
  /** Alerts held back by a re-alert interval, per type. */
  suppressedByType: Record<AlertType, number>;
  /** Client windows evicted because `maxTrackedIps` was reached (a sign of IP spraying). */
  evictedIps: number;
  /** Accounts evicted because `maxTrackedAccounts` was reached (a sign of account-name spraying). */
  evictedAccounts: number;
  /** Networks evicted because `networkBruteForce.maxTracked` networks were tracked. */
  evictedNetworks: number;
  /** Alert handlers that threw or rejected. */
  handlerErrors: number;
  /** Which store holds the window state, whether it is up, and what it had to decide locally. */
  store: StoreStats;
}

/** A per-type counter with every alert type present at 0. */
export function zeroPerType(): Record<AlertType, number> {
  const counts = {} as Record<AlertType, number>;
  for (const type of ALERT_TYPES) counts[type] = 0;
  return counts;
}
