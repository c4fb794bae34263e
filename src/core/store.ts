import type { ClientKey } from './client-address.js';
import type { ResolvedDetectors } from './detector-options.js';

/** What recording one failed login decided, per detector. Plain numbers: the in-memory hot path allocates nothing. */
export const NO_ALERT = 0;
/** A crossing: the key went over its threshold (a new attack, a new alert id). */
export const ALERT = 1;
/** Over, but alerted within the re-alert interval: held back and counted. */
export const SUPPRESSED = 2;
/** Still over and the re-alert interval has passed: another alert of the same attack. */
export const REALERT = 3;
export type FailureDecision = typeof NO_ALERT | typeof ALERT | typeof SUPPRESSED | typeof REALERT;

/**
 * The detectors that decide on failed logins, in a fixed order: the order of
 * {@link FailureOutcome.decisions}, and bit `i` of {@link WindowStore.recordSuccess}'s answer is
 * detector `i`.
 */
export const LOGIN_DETECTORS = [
  'brute_force',
  'credential_stuffing',
  'account_brute_force',
  'network_brute_force',
  'failed_login_surge',
] as const;
export type LoginDetector = (typeof LOGIN_DETECTORS)[number];

/** One detector's decision about one failed login. */
export interface DetectorDecision {
  decision: FailureDecision;
  /** Unless NO_ALERT: failed logins of the attack since its crossing (from the threshold up). */
  count: number;
  /** ALERT and REALERT: attempts held back since the key's previous alert. */
  suppressed: number;
  /** ALERT and REALERT: until when (epoch ms) the key stays over if nothing else happens. */
  overUntil: number;
}

/**
 * What one failed login decided. `decisions[i]` is the decision of `LOGIN_DETECTORS[i]`; a disabled
 * detector, or one with nothing to count (no account given, an unparseable address has no network),
 * decides NO_ALERT. The in-memory store answers with one object it reuses: read it before the next call.
 */
export interface FailureOutcome {
  decisions: DetectorDecision[];
  /** The failed-login surge's baseline, failures per minute, when it decided ALERT or REALERT. */
  surgeBaseline: number;
  /**
   * Set when the shared state could not be used and the store decided locally; names the outage
   * policy applied (e.g. `fallback`, `fail-closed`).
   */
  degraded?: string;
}

/** Which of a login's subjects a question is about. */
export interface LoginSubject {
  /** The client (its network, for `network_brute_force`). */
  key?: ClientKey;
  /** The account (for `credential_stuffing`: the client key is the subject; for `account_brute_force`: this). */
  account?: string;
}

/** A subject's recent activity, for `offenders()`. */
export interface SubjectActivity {
  /**
   * While its attack goes on, its failed logins since the crossing; otherwise failed logins inside the
   * window (distinct accounts for credential stuffing; the rate window's failures for a surge).
   */
  count: number;
  /** Its last failed login, epoch ms (-Infinity when not tracked). */
  lastSeen: number;
}

/** The settings a store is opened with: the monitor's resolved options that govern its state. */
export interface WindowSettings extends ResolvedDetectors {
  /** Failed logins that make a brute-force crossing. */
  threshold: number;
  /** Sliding window, ms; a client idle this long is forgotten. */
  windowMs: number;
  /** While over the threshold, at most one more alert per this many ms (also rate-limit alerts). */
  realertIntervalMs: number;
  /** At most one privilege-escalation alert per this many ms. */
  privilegedAlertIntervalMs: number;
  /** Most clients tracked at once; the least recently active is evicted past it. */
  maxTrackedIps: number;
  /** Most accounts tracked at once. */
  maxTrackedAccounts: number;
  /**
   * An episode over a threshold continues when its key comes back over within this many ms of
   * falling below; only later is coming back over a new crossing.
   */
  keepFiringForMs: number;
  /** The monitor's clock (epoch ms, never decreasing), for work a store does on its own (refreshes). */
  now: () => number;
  /**
   * Privacy mode's key (`privacy.hmacKey`), undefined without it. A store that keeps state outside
   * the process names clients, networks and accounts there by keyed hashes, so no address or account
   * name leaves the process.
   */
  privacyKey?: string;
}

/** How a store is doing, for `getStats().store` and the `secmon_store_*` metrics. */
export interface StoreStats {
  /** `memory` or `redis` (or a third-party store's name). */
  backend: string;
  /** True when the state is shared by every replica using the same store (cluster-wide counts). */
  shared: boolean;
  /** False while a shared store cannot be reached; always true for the in-memory store. */
  up: boolean;
  /**
   * Operations decided in this process's memory because the shared store could not take them:
   * `unavailable` (store down, timed out or answered an error), `overloaded` (the limit of operations
   * in flight was reached). Counts since the store was opened.
   */
  fallbacks: Record<FallbackReason, number>;
}

/** Why a shared store's operation was decided in this process's memory (see `StoreStats.fallbacks`). */
export const FALLBACK_REASONS = ['unavailable', 'overloaded'] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

/**
 * Where the monitor keeps the login detectors' window state and the alert intervals. The in-memory
 * store (default) answers synchronously; a shared store (Redis) answers with a promise that resolves
 * when the shared state has decided, never rejects, and applies its outage policy when it cannot
 * reach the shared state. Every store must behave identically for the same calls and clock (one
 * conformance suite runs against all of them); `now` never decreases between calls.
 */
export interface WindowStore {
  /** Clients evicted because `maxTrackedIps` was reached, by this process. */
  readonly evicted: number;
  /** Accounts evicted because `maxTrackedAccounts` was reached, by this process. */
  readonly evictedAccounts: number;
  /** Networks evicted because `networkBruteForce.maxTracked` was reached, by this process. */
  readonly evictedNetworks: number;
  /**
   * Records one failed login from `key` (for `account`, when known) and decides for every login
   * detector: ALERT when it takes a key to its threshold inside the window (a crossing), REALERT when
   * still over and the re-alert interval has passed since its last alert, SUPPRESSED when over but
   * alerted recently, NO_ALERT otherwise.
   */
  recordFailure(
    key: ClientKey,
    account: string | undefined,
    now: number,
  ): FailureOutcome | Promise<FailureOutcome>;
  /**
   * A successful login from `key` (for `account`, when known): which login detectors have the client,
   * its network or the account over their threshold right now, as a bit mask (bit i: `LOGIN_DETECTORS[i]`;
   * the surge is never part of it).
   */
  recordSuccess(key: ClientKey, account: string | undefined, now: number): number | Promise<number>;
  /**
   * Until when (epoch ms) `detector` keeps `subject` over if nothing else happens: after `now` while it
   * is over; when it is past, the time the subject fell below (its episode ends for good once it stays
   * below for `keepFiringForMs`); -Infinity when unknown (not tracked).
   */
  overUntil(detector: LoginDetector, subject: LoginSubject, now: number): number | Promise<number>;
  /** A subject's recent activity under `detector`, for `offenders()`. */
  activity(
    detector: LoginDetector,
    subject: LoginSubject,
    now: number,
  ): SubjectActivity | Promise<SubjectActivity>;
  /** Records a request from a rate-limited client; true when an alert is due (at most one per client per `realertIntervalMs`). */
  recordRateLimited(key: ClientKey, now: number): boolean | Promise<boolean>;
  /** True when a privilege-escalation alert is due (at most one per `privilegedAlertIntervalMs`), claiming it. */
  claimPrivilegedAlert(now: number): boolean | Promise<boolean>;
  /** Clients with activity inside the window. A shared store may answer from a figure it refreshes in the background. */
  activeCount(now: number): number;
  /** Accounts with failed logins inside the window (same caveat). */
  activeAccounts(now: number): number;
  /** Health and fallback counts. */
  stats(): StoreStats;
  /** Resolves once the store can take operations, or has given up waiting and applies its outage policy. */
  ready(): Promise<void>;
  /** Resolves when every operation started so far has been decided. */
  settled(): Promise<void>;
  /** Brings figures a shared store caches (`activeCount`) up to date. */
  refresh(): Promise<void>;
  /** Waits for operations in flight, then releases connections and timers. */
  close(): Promise<void>;
}

/**
 * Opens a store for one monitor. The monitor calls it once, at construction, with its resolved
 * settings, so thresholds and windows are configured in one place.
 */
export type WindowStoreFactory = (settings: WindowSettings) => WindowStore;
