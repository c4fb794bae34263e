import type { ClientKey } from './client-address.js';

/** What recording one failed login decided. Plain numbers: the in-memory hot path allocates nothing. */
export const NO_ALERT = 0;
export const ALERT = 1;
export const SUPPRESSED = 2;
export type FailureDecision = typeof NO_ALERT | typeof ALERT | typeof SUPPRESSED;

/**
 * The decision of an asynchronous store about one failed login. `count` (failures in this crossing
 * episode) and `suppressed` (attempts held back since the client's previous alert) are meaningful
 * when `decision` is ALERT. `degraded` is set when the shared state could not be used and the store
 * decided locally; it names the outage policy applied (e.g. `fallback`, `fail-closed`).
 */
export interface FailureOutcome {
  decision: FailureDecision;
  count: number;
  suppressed: number;
  degraded?: string;
}

/** The settings a store is opened with: the monitor's resolved options that govern its state. */
export interface WindowSettings {
  /** Failed logins that make a crossing. */
  threshold: number;
  /** Sliding window, ms; a client idle this long is forgotten. */
  windowMs: number;
  /** While over the threshold, at most one more alert per this many ms (also rate-limit alerts). */
  realertIntervalMs: number;
  /** At most one privilege-escalation alert per this many ms. */
  privilegedAlertIntervalMs: number;
  /** Most clients tracked at once; the least recently active is evicted past it. */
  maxTrackedIps: number;
  /** The monitor's clock (epoch ms, never decreasing), for work a store does on its own (refreshes). */
  now: () => number;
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
 * Where the monitor keeps per-client window state and the alert intervals. The in-memory store
 * (default) answers synchronously; a shared store (Redis) answers with a promise that resolves when
 * the shared state has decided, never rejects, and applies its outage policy when it cannot reach
 * the shared state. Every store must behave identically for the same calls and clock (one
 * conformance suite runs against all of them); `now` never decreases between calls.
 */
export interface WindowStore {
  /** Failures of the crossing episode, after a synchronous `recordFailure` returned ALERT. */
  readonly lastCount: number;
  /** Attempts suppressed since the client's previous alert, after a synchronous ALERT. */
  readonly lastSuppressed: number;
  /** Clients evicted because `maxTrackedIps` was reached, by this process. */
  readonly evicted: number;
  /**
   * Records one failed login and decides: ALERT when it takes the client to the threshold inside the
   * window (a crossing) or it is still over and `realertIntervalMs` has passed since its last alert;
   * SUPPRESSED when over but alerted recently; NO_ALERT otherwise.
   */
  recordFailure(key: ClientKey, now: number): FailureDecision | Promise<FailureOutcome>;
  /** Records a request from a rate-limited client; true when an alert is due (at most one per client per `realertIntervalMs`). */
  recordRateLimited(key: ClientKey, now: number): boolean | Promise<boolean>;
  /** True when a privilege-escalation alert is due (at most one per `privilegedAlertIntervalMs`), claiming it. */
  claimPrivilegedAlert(now: number): boolean | Promise<boolean>;
  /** Clients with activity inside the window. A shared store may answer from a figure it refreshes in the background. */
  activeCount(now: number): number;
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
