import type { AlertHandler, AlertType } from './alert.js';
import { AlertRaiser } from './alert-raiser.js';
import { type ClientKey, clientKey, UNPARSEABLE } from './client-address.js';
import { badOptionError, integerIn } from './errors.js';
import {
  type AttackDetails,
  type ContainerDetails,
  detailsOf,
  type SinkKind,
  textDetail,
} from './event-details.js';
import {
  DEFAULT_OFFENDERS_LIMIT,
  listOffenders,
  MAX_OFFENDERS_LIMIT,
  type Offender,
  type OffendersOptions,
} from './offenders.js';
import { type AnomalyMonitorOptions, type ResolvedOptions, resolveOptions, settingsOf } from './options.js';
import { sanitizeText } from './sanitize.js';
import { type MonitorStats, zeroPerType } from './stats.js';
import { type FailureOutcome, LOGIN_DETECTORS, NO_ALERT, SUPPRESSED, type WindowStore } from './store.js';

// A container spec can list many reasons; an alert carries at most this many.
const MAX_REASONS = 16;
// Account names longer than this are cut before they are counted (two accounts that differ only
// past it share a window): a name is a key, and a key must stay small.
const MAX_ACCOUNT_LENGTH = 256;

/**
 * Tracks security-relevant events and raises alerts: login attacks (brute force per client address,
 * credential stuffing, distributed attacks on one account or from one network, a failed-login surge,
 * and a successful login in the middle of one), privileged and suspicious container requests, path
 * traversal, command injection and rate-limited clients that keep coming. Every alert belongs to an
 * attack with an id; when the attack ends a `resolved` alert with that id follows. All state is
 * bounded, every `record*` call is O(1) amortised, returns at once and never throws for bad data:
 * unparseable addresses share one window and hostile strings are truncated and escaped before they
 * reach an alert. With the default in-memory store alerts are raised inside the `record*` call; with
 * a shared store (Redis) they are raised when the store answers, still in the caller's async context.
 * Invalid options throw a `TypeError` naming the option, at construction.
 */
export class AnomalyMonitor {
  private readonly options: ResolvedOptions;
  private readonly store: WindowStore;
  private readonly raiser: AlertRaiser;
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
    const o = this.options;
    this.store = o.store(settingsOf(o, () => this.now()));
    this.raiser = new AlertRaiser(o, this.store, () => this.now());
  }

  /**
   * Subscribes a handler to every alert from now on, firing and resolved (see `alert.state`);
   * returns a function that unsubscribes it. Handlers run synchronously inside the call that raised
   * the alert (with a shared store: when the store answers), in the caller's async context (e.g. the
   * active trace), one after another; errors and rejections are counted in `handlerErrors` and never
   * reach the caller. Resolutions arrive from an unreferenced timer (every
   * `lifecycle.sweepIntervalMs`) or, at the latest, with the next `record*`, `getStats()` or
   * `offenders()` call.
   */
  onAlert(handler: AlertHandler): () => void {
    return this.raiser.subscribe(handler);
  }

  /**
   * Records a failed login from `ip` (any common form: `1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:443`,
   * `::ffff:1.2.3.4`), for the account `userId` when known. Feeds every login detector: `brute_force`
   * (the address reaches `bruteForce.threshold` failures inside the window), `credential_stuffing`,
   * `account_brute_force` (these two need `userId`), `network_brute_force` and `failed_login_surge`.
   * Each alerts once per crossing, then at most once per its re-alert interval while it stays over;
   * attempts in between are counted as suppressed.
   */
  recordFailedAuth(ip: string, userId?: string): void {
    this.failedAuthAttempts++;
    const now = this.now();
    this.sweepIfDue(now);
    const key = this.keyOf(ip);
    const account = accountOf(userId);
    const answer = this.store.recordFailure(key, account, now);
    if (answer instanceof Promise) this.awaitFailure(answer, key, account, now);
    else this.applyFailure(answer, key, account, now);
  }

  /**
   * Records a successful login from `ip`, for the account `userId` when known. Counted in
   * `successfulAuths`. When the account, the client or its network is over a login detector's
   * threshold right now (brute force, credential stuffing, account or network brute force), raises
   * `account_compromise_suspected` (critical): the attack probably worked.
   */
  recordSuccessfulAuth(ip: string, userId?: string): void {
    this.successfulAuths++;
    const now = this.now();
    this.sweepIfDue(now);
    const key = this.keyOf(ip);
    if (!this.options.accountCompromise.enabled) return;
    const account = accountOf(userId);
    const answer = this.store.recordSuccess(key, account, now);
    if (typeof answer === 'number') this.applySuccess(answer, key, account, now);
    else answer.then((over) => this.applySuccess(over, key, account, now), ignoreStoreRejection);
  }

  /**
   * Records a request for a privileged container (or an equivalent escalation). Raises
   * `privilege_escalation` (critical) at most once per `privilegedAlertIntervalMs`; `totalAttempts`
   * in the alert counts every attempt. `details.ip`, the client's address, becomes the alert's `sourceIp`.
   */
  recordPrivilegedContainerAttempt(userId: string, details?: ContainerDetails): void {
    this.privilegedContainerAttempts++;
    const now = this.now();
    this.sweepIfDue(now);
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
    this.sweepIfDue(now);
    const list = Array.isArray(reasons) ? reasons : [];
    const kept = list.slice(0, MAX_REASONS).map((reason) => sanitizeText(reason));
    if (list.length > MAX_REASONS) kept.push(`…[+${list.length - MAX_REASONS} more]`);
    this.raiser.oneShot(
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
    this.sweepIfDue(now);
    const metadata: Record<string, unknown> = {
      path: sanitizeText(path),
      totalAttempts: this.pathTraversalAttempts,
    };
    const userId = this.attackDetails(details, 'file', metadata);
    this.raiser.oneShot(
      'path_traversal',
      now,
      'Path traversal attempt detected',
      this.keyOf(ip),
      userId,
      metadata,
    );
  }

  /**
   * Records a command injection attempt; raises `command_injection` (critical) every time.
   * `details.userId` becomes the alert's `userId`; `details.sink` (where a sink guard caught it) its
   * `metadata.sink`.
   */
  recordCommandInjection(ip: string, input: string, details?: AttackDetails): void {
    this.commandInjectionAttempts++;
    const now = this.now();
    this.sweepIfDue(now);
    const metadata: Record<string, unknown> = {
      input: sanitizeText(input),
      totalAttempts: this.commandInjectionAttempts,
    };
    const userId = this.attackDetails(details, 'command', metadata);
    this.raiser.oneShot(
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
    this.sweepIfDue(now);
    const key = this.keyOf(ip);
    const totalAttempts = this.rateLimitExceeded;
    const due = this.store.recordRateLimited(key, now);
    if (typeof due === 'boolean') this.applyRateLimited(due, key, userId, now, totalAttempts);
    else this.awaitRateLimited(due, key, userId, now, totalAttempts);
  }

  /**
   * The attackers active right now: one entry per address (or IPv6 prefix), network or account with
   * an active alert, most severe first, then most recently seen; at most `limit` (default 100, at most
   * 1,000). Delivers due resolutions first. Resolves with fresh objects (dates as `Date`). Throws a
   * `TypeError` for a bad `limit`.
   */
  offenders(options: OffendersOptions = {}): Promise<Offender[]> {
    if (typeof options !== 'object' || options === null)
      throw badOptionError('offenders(options)', 'an object', options);
    const limit = integerIn('limit', options.limit, DEFAULT_OFFENDERS_LIMIT, 1, MAX_OFFENDERS_LIMIT);
    const now = this.now();
    const checks = this.raiser.lifecycle.sweep(now);
    if (checks !== undefined) return checks.then(() => this.listOffenders(limit, now));
    return this.listOffenders(limit, now);
  }

  private listOffenders(limit: number, now: number): Promise<Offender[]> {
    return listOffenders(
      this.raiser.lifecycle.incidents(),
      (incident) =>
        incident.detector === undefined
          ? undefined
          : this.store.activity(incident.detector, incident.query!, now),
      limit,
    );
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

  /** Stops the resolution timer, waits for events in flight to be decided, then releases the store. */
  close(): Promise<void> {
    this.raiser.close();
    return this.store.close();
  }

  /** A fresh snapshot of every counter (see {@link MonitorStats}). Delivers due resolutions first. */
  getStats(): MonitorStats {
    const now = this.now();
    this.raiser.lifecycle.sweep(now);
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
      monitoredIps: this.store.activeCount(now),
      trackedIpsLimit: this.options.maxTrackedIps,
      monitoredAccounts: this.store.activeAccounts(now),
      trackedAccountsLimit: this.options.maxTrackedAccounts,
      alerts: { ...this.raiser.alertCounts },
      activeAlerts: this.raiser.lifecycle.countsByType(),
      resolvedAlerts: { ...this.raiser.resolvedCounts },
      alertsResolvedEarly: this.raiser.lifecycle.resolvedEarly,
      suppressedAlerts,
      suppressedByType: { ...this.suppressedCounts },
      evictedIps: this.store.evicted,
      evictedAccounts: this.store.evictedAccounts,
      evictedNetworks: this.store.evictedNetworks,
      handlerErrors: this.raiser.handlerErrors,
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

  // On every event: one comparison unless an attack is due to be looked at.
  private sweepIfDue(now: number): void {
    if (this.raiser.lifecycle.nextDue() <= now) this.raiser.lifecycle.sweep(now);
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
    account: string | undefined,
    now: number,
  ): void {
    answer.then((outcome) => this.applyFailure(outcome, key, account, now), ignoreStoreRejection);
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
    account: string | undefined,
    now: number,
  ): void {
    const decisions = outcome.decisions;
    for (let i = 0; i < decisions.length; i++) {
      const decision = decisions[i]!;
      if (decision.decision === NO_ALERT) continue;
      const type = LOGIN_DETECTORS[i]!;
      if (decision.decision === SUPPRESSED) this.suppressedCounts[type]++;
      else this.raiser.login(type, decision, key, account, now, outcome.surgeBaseline, outcome.degraded);
    }
  }

  private applySuccess(over: number, key: ClientKey, account: string | undefined, now: number): void {
    if (over === 0) return;
    const detectors = LOGIN_DETECTORS.filter((_, i) => (over & (1 << i)) !== 0);
    const raiser = this.raiser;
    const who = account === undefined ? '' : ` for account ${raiser.shownUser(account)}`;
    const client = raiser.describeClient(key);
    const verb = detectors.length === 1 ? 'was' : 'were';
    raiser.oneShot(
      'account_compromise_suspected',
      now,
      `Successful login${who} from ${client} while ${detectors.join(', ')} ${verb} over threshold`,
      key,
      account,
      { detectors },
    );
  }

  // A one-shot event an interval held back: counted as suppressed, and its attack goes on.
  private suppressOneShot(
    type: 'privilege_escalation' | 'rate_limit_exceeded',
    key: ClientKey | undefined,
    userId: string | undefined,
    now: number,
  ): void {
    this.suppressedCounts[type]++;
    this.raiser.extendOneShot(type, key, userId, now);
  }

  private applyPrivileged(
    due: boolean,
    userId: string,
    key: ClientKey | undefined,
    now: number,
    totalAttempts: number,
  ): void {
    if (!due) {
      this.suppressOneShot('privilege_escalation', key, userId, now);
      return;
    }
    this.raiser.oneShot(
      'privilege_escalation',
      now,
      'Attempt to create a privileged container',
      key,
      userId,
      {
        totalAttempts,
      },
    );
  }

  private applyRateLimited(
    due: boolean,
    key: ClientKey,
    userId: string | undefined,
    now: number,
    totalAttempts: number,
  ): void {
    if (!due) {
      this.suppressOneShot('rate_limit_exceeded', key, userId, now);
      return;
    }
    const client = this.raiser.describeClient(key);
    this.raiser.oneShot(
      'rate_limit_exceeded',
      now,
      `Rate-limited client ${client} keeps sending`,
      key,
      userId,
      {
        totalAttempts,
      },
    );
  }
}

// An asynchronous store never rejects (it applies its outage policy instead); should one break that
// contract, the event is dropped rather than crash the process with an unhandled rejection.
function ignoreStoreRejection(): void {}

function accountOf(userId: string | undefined): string | undefined {
  if (typeof userId !== 'string' || userId.length === 0) return undefined;
  if (userId.length <= MAX_ACCOUNT_LENGTH) return userId;
  // A copy, not a slice: a slice would keep the whole (attacker-sized) string alive.
  return Array.from(userId.slice(0, MAX_ACCOUNT_LENGTH)).join('');
}
