import { ALERT_SEVERITY, type Alert, type AlertHandler, type AlertType } from './alert.js';
import { AlertDispatcher } from './alert-dispatcher.js';
import { type ClientKey, clientKey, formatClientKey, UNPARSEABLE } from './client-address.js';
import {
  type AttackDetails,
  type ContainerDetails,
  detailsOf,
  type SinkKind,
  textDetail,
} from './event-details.js';
import { type AnomalyMonitorOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { sanitizeText } from './sanitize.js';
import { type MonitorStats, zeroPerType } from './stats.js';
import { ALERT, type FailureOutcome, NO_ALERT, SUPPRESSED, type WindowStore } from './store.js';

// A container spec can list many reasons; an alert carries at most this many.
const MAX_REASONS = 16;

/**
 * Tracks security-relevant events and raises alerts: brute-force logins (per client address, in a
 * sliding window), privileged and suspicious container requests, path traversal, command injection
 * and rate-limited clients that keep coming. All state is bounded (see `maxTrackedIps`), every
 * `record*` call is O(1), returns at once and never throws for bad data: unparseable addresses share
 * one window and hostile strings are truncated and escaped before they reach an alert. With the
 * default in-memory store alerts are raised inside the `record*` call; with a shared store (Redis)
 * they are raised when the store answers, still in the caller's async context.
 * Invalid options throw a `TypeError` naming the option, at construction.
 */
export class AnomalyMonitor {
  private readonly options: ResolvedOptions;
  private readonly store: WindowStore;
  private readonly dispatcher = new AlertDispatcher();
  private readonly alertCounts = zeroPerType();
  private readonly suppressedCounts = zeroPerType();
  private lastNow = Number.NEGATIVE_INFINITY;
  private failedAuthAttempts = 0;
  private successfulAuths = 0;
  private unparseableAddresses = 0;
  private readonly sinkFindings: Record<SinkKind, number> = { command: 0, file: 0 };
  private privilegedContainerAttempts = 0;
  private suspiciousContainerAttempts = 0;
  private pathTraversalAttempts = 0;
  private commandInjectionAttempts = 0;
  private rateLimitExceeded = 0;

  constructor(options?: AnomalyMonitorOptions) {
    this.options = resolveOptions(options);
    const { threshold, windowMs, realertIntervalMs } = this.options.bruteForce;
    this.store = this.options.store({
      threshold,
      windowMs,
      realertIntervalMs,
      privilegedAlertIntervalMs: this.options.privilegedAlertIntervalMs,
      maxTrackedIps: this.options.maxTrackedIps,
      now: () => this.now(),
    });
  }

  /**
   * Subscribes a handler to every alert raised from now on; returns a function that unsubscribes it.
   * Handlers run synchronously inside the `record*` call that raised the alert (with a shared store:
   * when the store answers), in the caller's async context (e.g. the active trace), one after
   * another; errors and rejections are counted in `handlerErrors` and never reach the caller.
   */
  onAlert(handler: AlertHandler): () => void {
    return this.dispatcher.subscribe(handler);
  }

  /**
   * Records a failed login from `ip` (any common form: `1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:443`,
   * `::ffff:1.2.3.4`). Raises `brute_force` (high) when the address reaches `bruteForce.threshold`
   * failures inside `bruteForce.windowMs`: once per crossing, then at most once per
   * `bruteForce.realertIntervalMs` while it stays over; attempts in between are counted as suppressed.
   */
  recordFailedAuth(ip: string, userId?: string): void {
    this.failedAuthAttempts++;
    const now = this.now();
    const key = this.keyOf(ip);
    const decision = this.store.recordFailure(key, now);
    if (decision === NO_ALERT) return;
    if (decision === ALERT) {
      this.raiseBruteForce(key, userId, now, this.store.lastCount, this.store.lastSuppressed, undefined);
    } else if (decision === SUPPRESSED) {
      this.suppress('brute_force');
    } else {
      this.awaitFailure(decision, key, userId, now);
    }
  }

  /**
   * Records a successful login from `ip` (as the account `userId`, when known). Counted in
   * `successfulAuths`.
   */
  recordSuccessfulAuth(ip: string, _userId?: string): void {
    this.successfulAuths++;
    this.keyOf(ip);
  }

  /**
   * Records a request for a privileged container (or an equivalent escalation). Raises
   * `privilege_escalation` (critical) at most once per `privilegedAlertIntervalMs`; `totalAttempts`
   * in the alert counts every attempt. `details.ip`, the client's address, becomes the alert's `sourceIp`.
   */
  recordPrivilegedContainerAttempt(userId: string, details?: ContainerDetails): void {
    this.privilegedContainerAttempts++;
    const now = this.now();
    const totalAttempts = this.privilegedContainerAttempts;
    const key = this.optionalKeyOf(details);
    const due = this.store.claimPrivilegedAlert(now);
    if (typeof due === 'boolean') this.applyPrivileged(due, userId, key, now, totalAttempts);
    else this.awaitPrivileged(due, userId, key, now, totalAttempts);
  }

  /**
   * Records a container request with a dangerous configuration short of full privilege (host
   * namespaces, host paths, added capabilities, ...). Raises `suspicious_container` (high) with the
   * reasons (at most 16, each truncated and escaped). `details.ip`, the client's address, becomes the
   * alert's `sourceIp`.
   */
  recordSuspiciousContainer(userId: string, reasons: string[], details?: ContainerDetails): void {
    this.suspiciousContainerAttempts++;
    const now = this.now();
    const list = Array.isArray(reasons) ? reasons : [];
    const kept = list.slice(0, MAX_REASONS).map((reason) => sanitizeText(reason));
    if (list.length > MAX_REASONS) kept.push(`…[+${list.length - MAX_REASONS} more]`);
    this.raise(
      'suspicious_container',
      now,
      'Suspicious container configuration requested',
      this.optionalKeyOf(details),
      userId,
      {
        reasons: kept,
        totalAttempts: this.suspiciousContainerAttempts,
      },
    );
  }

  /**
   * Records a path traversal attempt; raises `path_traversal` (high) every time. `details.userId`
   * becomes the alert's `userId`; `details.sink` (where a sink guard caught it) its `metadata.sink`.
   */
  recordPathTraversal(ip: string, path: string, details?: AttackDetails): void {
    this.pathTraversalAttempts++;
    const now = this.now();
    const metadata: Record<string, unknown> = {
      path: sanitizeText(path),
      totalAttempts: this.pathTraversalAttempts,
    };
    const userId = this.attackDetails(details, 'file', metadata);
    this.raise('path_traversal', now, 'Path traversal attempt detected', this.keyOf(ip), userId, metadata);
  }

  /**
   * Records a command injection attempt; raises `command_injection` (critical) every time.
   * `details.userId` becomes the alert's `userId`; `details.sink` (where a sink guard caught it) its
   * `metadata.sink`.
   */
  recordCommandInjection(ip: string, input: string, details?: AttackDetails): void {
    this.commandInjectionAttempts++;
    const now = this.now();
    const metadata: Record<string, unknown> = {
      input: sanitizeText(input),
      totalAttempts: this.commandInjectionAttempts,
    };
    const userId = this.attackDetails(details, 'command', metadata);
    this.raise(
      'command_injection',
      now,
      'Command injection attempt detected',
      this.keyOf(ip),
      userId,
      metadata,
    );
  }

  /**
   * Records a request from a client that is already rate limited and keeps coming. Raises
   * `rate_limit_exceeded` (medium) at most once per client per `bruteForce.realertIntervalMs`.
   */
  recordRateLimitExceeded(ip: string, userId?: string): void {
    this.rateLimitExceeded++;
    const now = this.now();
    const key = this.keyOf(ip);
    const totalAttempts = this.rateLimitExceeded;
    const due = this.store.recordRateLimited(key, now);
    if (typeof due === 'boolean') this.applyRateLimited(due, key, userId, now, totalAttempts);
    else this.awaitRateLimited(due, key, userId, now, totalAttempts);
  }

  /**
   * Resolves once the store can take events (a shared store has connected), or has given up waiting
   * and applies its outage policy. Immediate with the in-memory store. Never rejects.
   */
  ready(): Promise<void> {
    return this.store.ready();
  }

  /**
   * Resolves when every event recorded so far has been decided and its alerts raised. Immediate with
   * the in-memory store; with a shared store, when the store has answered (or timed out and applied
   * its outage policy). Also brings the cluster-wide `monitoredIps` up to date. Never rejects.
   */
  async settled(): Promise<void> {
    await this.store.settled();
    await this.store.refresh();
  }

  /** Waits for events in flight to be decided, then releases the store (connections, timers). */
  close(): Promise<void> {
    return this.store.close();
  }

  /** A fresh snapshot of every counter (see {@link MonitorStats}). O(1) amortised. */
  getStats(): MonitorStats {
    let suppressedAlerts = 0;
    for (const type in this.suppressedCounts) suppressedAlerts += this.suppressedCounts[type as AlertType];
    return {
      failedAuthAttempts: this.failedAuthAttempts,
      successfulAuths: this.successfulAuths,
      privilegedContainerAttempts: this.privilegedContainerAttempts,
      suspiciousContainerAttempts: this.suspiciousContainerAttempts,
      pathTraversalAttempts: this.pathTraversalAttempts,
      commandInjectionAttempts: this.commandInjectionAttempts,
      rateLimitExceeded: this.rateLimitExceeded,
      sinkFindings: { ...this.sinkFindings },
      unparseableAddresses: this.unparseableAddresses,
      monitoredIps: this.store.activeCount(this.now()),
      trackedIpsLimit: this.options.maxTrackedIps,
      alerts: { ...this.alertCounts },
      suppressedAlerts,
      suppressedByType: { ...this.suppressedCounts },
      evictedIps: this.store.evicted,
      handlerErrors: this.dispatcher.errors,
      store: this.store.stats(),
    };
  }

  // A clock that goes backwards (NTP step, test clock) is treated as standing still: window order
  // depends on time never decreasing.
  private now(): number {
    const now = this.options.now();
    if (now > this.lastNow) this.lastNow = now;
    return this.lastNow;
  }

  private keyOf(ip: string): ClientKey {
    const key = clientKey(ip, this.options.ipv6PrefixLength);
    if (key === UNPARSEABLE) this.unparseableAddresses++;
    return key;
  }

  /** The key of `details.ip`, or undefined when the caller gave none. */
  private optionalKeyOf(details: ContainerDetails | undefined): ClientKey | undefined {
    const ip = detailsOf(details)?.ip;
    return ip === undefined ? undefined : this.keyOf(ip);
  }

  /** Puts a sink into the metadata (counting the finding under `kind`); returns the user id. */
  private attackDetails(
    details: AttackDetails | undefined,
    kind: SinkKind,
    metadata: Record<string, unknown>,
  ): string | undefined {
    const given = detailsOf(details);
    if (given === undefined) return undefined;
    const sink = textDetail(given.sink);
    if (sink !== undefined) {
      metadata.sink = sanitizeText(sink);
      this.sinkFindings[kind]++;
    }
    return textDetail(given.userId);
  }

  // The continuations of a shared store's answers live in their own methods: a closure inside a
  // record* method would make V8 allocate a context for its captured variables on every call, also
  // on the synchronous in-memory path. A promise continuation keeps the caller's async context.
  private awaitFailure(
    answer: Promise<FailureOutcome>,
    key: ClientKey,
    userId: string | undefined,
    now: number,
  ): void {
    answer.then((outcome) => this.applyFailure(outcome, key, userId, now), ignoreStoreRejection);
  }

  private awaitPrivileged(
    answer: Promise<boolean>,
    userId: string,
    key: ClientKey | undefined,
    now: number,
    totalAttempts: number,
  ): void {
    answer.then((due) => this.applyPrivileged(due, userId, key, now, totalAttempts), ignoreStoreRejection);
  }

  private awaitRateLimited(
    answer: Promise<boolean>,
    key: ClientKey,
    userId: string | undefined,
    now: number,
    totalAttempts: number,
  ): void {
    answer.then((due) => this.applyRateLimited(due, key, userId, now, totalAttempts), ignoreStoreRejection);
  }

  private applyFailure(
    outcome: FailureOutcome,
    key: ClientKey,
    userId: string | undefined,
    now: number,
  ): void {
    if (outcome.decision === ALERT) {
      this.raiseBruteForce(key, userId, now, outcome.count, outcome.suppressed, outcome.degraded);
    } else if (outcome.decision === SUPPRESSED) {
      this.suppress('brute_force');
    }
  }

  private applyPrivileged(
    due: boolean,
    userId: string,
    key: ClientKey | undefined,
    now: number,
    totalAttempts: number,
  ): void {
    if (!due) {
      this.suppress('privilege_escalation');
      return;
    }
    this.raise('privilege_escalation', now, 'Attempt to create a privileged container', key, userId, {
      totalAttempts,
    });
  }

  private applyRateLimited(
    due: boolean,
    key: ClientKey,
    userId: string | undefined,
    now: number,
    totalAttempts: number,
  ): void {
    if (!due) {
      this.suppress('rate_limit_exceeded');
      return;
    }
    this.raise(
      'rate_limit_exceeded',
      now,
      `Rate-limited client ${describeClient(key)} keeps sending`,
      key,
      userId,
      { totalAttempts },
    );
  }

  private raiseBruteForce(
    key: ClientKey,
    userId: string | undefined,
    now: number,
    count: number,
    suppressed: number,
    degraded: string | undefined,
  ): void {
    const { threshold, windowMs } = this.options.bruteForce;
    const metadata: Record<string, unknown> = {
      count,
      threshold,
      windowSeconds: windowMs / 1000,
      suppressed,
    };
    let message = `${count} failed logins within ${windowMs / 1000}s from ${describeClient(key)}`;
    if (degraded !== undefined) {
      // Decided without the shared state: say so, and which outage policy decided.
      metadata.degraded = degraded;
      message += ` (decided without the shared store: ${degraded})`;
    }
    this.raise('brute_force', now, message, key, userId, metadata);
  }

  private suppress(type: AlertType): void {
    this.suppressedCounts[type]++;
  }

  private raise(
    type: AlertType,
    now: number,
    message: string,
    key: ClientKey | undefined,
    userId: string | undefined,
    metadata: Record<string, unknown>,
  ): void {
    const alert: Alert = { timestamp: new Date(now), type, severity: ALERT_SEVERITY[type], message };
    const sourceIp = key === undefined ? undefined : formatClientKey(key);
    if (sourceIp !== undefined) alert.sourceIp = sourceIp;
    if (userId !== undefined && userId !== null) alert.userId = sanitizeText(userId);
    alert.metadata = metadata;
    this.alertCounts[type]++;
    this.dispatcher.dispatch(alert);
  }
}

// An asynchronous store never rejects (it applies its outage policy instead); should one break that
// contract, the event is dropped rather than crash the process with an unhandled rejection.
function ignoreStoreRejection(): void {}

function describeClient(key: ClientKey): string {
  return formatClientKey(key) ?? 'an unparseable address';
}
