import { ALERT_SEVERITY, type Alert, type AlertHandler, type AlertType } from './alert.js';
import { AlertDispatcher } from './alert-dispatcher.js';
import {
  AlertLifecycle,
  type EarlyResolution,
  type Incident,
  type IncidentFields,
  type OffenderKind,
} from './alert-lifecycle.js';
import { type ClientKey, formatClientKey, formatNetwork } from './client-address.js';
import { describeLoginAlert, describeResolution, UNPARSEABLE_CLIENT } from './login-alerts.js';
import type { ResolvedOptions } from './options.js';
import { Pseudonymizer } from './privacy.js';
import { sanitizeText } from './sanitize.js';
import { zeroPerType } from './stats.js';
import { ALERT, type DetectorDecision, type LoginDetector, type WindowStore } from './store.js';

/**
 * Turns the monitor's decisions into alerts and follows each attack to its end: it gives every
 * attack an id (through the {@link AlertLifecycle}), shows subjects as alerts may show them (keyed
 * pseudonyms in privacy mode), builds and delivers firing and resolved alerts, counts them, and keeps
 * an unreferenced timer running while attacks are active so that they resolve without new traffic.
 */
export class AlertRaiser {
  readonly lifecycle: AlertLifecycle;
  /** Firing alerts raised, per type. */
  readonly alertCounts = zeroPerType();
  /** Resolved alerts delivered, per type. */
  readonly resolvedCounts = zeroPerType();
  private readonly dispatcher = new AlertDispatcher();
  private readonly privacy: Pseudonymizer;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly options: ResolvedOptions,
    store: WindowStore,
    private readonly now: () => number,
  ) {
    this.privacy = new Pseudonymizer(options.privacy?.hmacKey);
    const { maxActiveAlerts, quietPeriodMs, keepFiringForMs } = options.lifecycle;
    this.lifecycle = new AlertLifecycle(
      {
        now,
        overUntil: (incident, at) => store.overUntil(incident.detector!, incident.query!, at),
        resolved: (incident, at, reason) => this.deliverResolved(incident, at, reason),
      },
      maxActiveAlerts,
      quietPeriodMs,
      keepFiringForMs,
    );
  }

  /** Alert handlers that threw or rejected. */
  get handlerErrors(): number {
    return this.dispatcher.errors;
  }

  subscribe(handler: AlertHandler): () => void {
    return this.dispatcher.subscribe(handler);
  }

  /** Stops the resolution timer. */
  close(): void {
    this.closed = true;
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  /** A login detector's ALERT (a new attack) or REALERT (the same attack goes on). */
  login(
    type: LoginDetector,
    decision: DetectorDecision,
    key: ClientKey,
    account: string | undefined,
    now: number,
    surgeBaseline: number,
    degraded: string | undefined,
  ): void {
    const client = this.shownClient(key);
    const shownAccount = this.shownUser(account);
    let network: string | undefined;
    if (type === 'network_brute_force') {
      const { ipv4PrefixLength, ipv6PrefixLength } = this.options.networkBruteForce;
      const text = formatNetwork(key, ipv4PrefixLength, ipv6PrefixLength);
      network = text === undefined ? undefined : this.privacy.show(text);
    }
    const subjects = { client, network, account: shownAccount };
    const { message, metadata } = describeLoginAlert(type, decision, subjects, this.options, surgeBaseline);
    let text = message;
    if (degraded !== undefined) {
      // Decided without the shared state: say so, and which outage policy decided.
      metadata.degraded = degraded;
      text += ` (decided without the shared store: ${degraded})`;
    }
    const kind = loginKind(type);
    const subject =
      kind === 'account'
        ? shownAccount
        : kind === 'network'
          ? network
          : kind === undefined
            ? undefined
            : (client ?? 'unparseable');
    // A surge is everyone's: the failure that tipped it names no attacker.
    const sourceIp = type === 'failed_login_surge' ? undefined : client;
    const userId = type === 'failed_login_surge' ? undefined : shownAccount;
    const name = incidentName(type, subject);
    let incident = decision.decision === ALERT ? undefined : this.lifecycle.find(name);
    if (incident === undefined) {
      incident = this.open(
        {
          type,
          name,
          kind,
          subject,
          detector: type,
          query: type === 'account_brute_force' ? { account } : { key },
          sourceIp,
          userId,
          count: decision.count,
        },
        now,
        decision.overUntil,
      );
    } else {
      incident.lastSeen = now;
      incident.count = decision.count;
    }
    this.emit(incident, now, text, metadata, sourceIp, userId);
  }

  /**
   * A one-shot attack (path traversal, command injection, container requests, a rate-limited client, a
   * suspected compromise). Repeated events of one client (else one account) are one attack, one id,
   * until it goes quiet for the quiet period.
   */
  oneShot(
    type: AlertType,
    now: number,
    message: string,
    key: ClientKey | undefined,
    userId: string | undefined,
    metadata: Record<string, unknown>,
  ): void {
    const sourceIp = key === undefined ? undefined : this.shownClient(key);
    const shownUser = this.shownUser(userId);
    const name = incidentName(type, sourceIp ?? shownUser);
    let incident = this.lifecycle.find(name);
    if (incident === undefined) {
      incident = this.open(
        {
          type,
          name,
          kind: sourceIp !== undefined ? 'address' : shownUser !== undefined ? 'account' : undefined,
          subject: sourceIp ?? shownUser,
          detector: undefined,
          query: undefined,
          sourceIp,
          userId: shownUser,
          count: 1,
        },
        now,
        this.lifecycle.oneShotDue(now),
      );
    } else this.lifecycle.extendOneShot(incident, now);
    this.emit(incident, now, message, metadata, sourceIp, shownUser);
  }

  /** A one-shot event that raised no alert (an interval held it back) still shows its attack goes on. */
  extendOneShot(type: AlertType, key: ClientKey | undefined, userId: string | undefined, now: number): void {
    const subject = (key === undefined ? undefined : this.shownClient(key)) ?? this.shownUser(userId);
    const incident = this.lifecycle.find(incidentName(type, subject));
    if (incident !== undefined) this.lifecycle.extendOneShot(incident, now);
  }

  /** How alerts show a client key: its text, or its pseudonym; undefined when unparseable. */
  shownClient(key: ClientKey): string | undefined {
    const text = formatClientKey(key);
    return text === undefined ? undefined : this.privacy.show(text);
  }

  /** How a message names a client key: {@link shownClient}, or words for an unparseable one. */
  describeClient(key: ClientKey): string {
    return this.shownClient(key) ?? UNPARSEABLE_CLIENT;
  }

  /** How alerts show an account: escaped, or its pseudonym. */
  shownUser(userId: string | undefined): string | undefined {
    if (typeof userId !== 'string') return undefined;
    return this.privacy.enabled ? this.privacy.show(userId) : sanitizeText(userId);
  }

  private open(fields: IncidentFields, now: number, due: number): Incident {
    const incident = this.lifecycle.open(fields, now, due);
    this.startSweepTimer();
    return incident;
  }

  private emit(
    incident: Incident,
    now: number,
    message: string,
    metadata: Record<string, unknown>,
    sourceIp: string | undefined,
    userId: string | undefined,
  ): void {
    const type = incident.type;
    const alert: Alert = {
      id: incident.id,
      state: 'firing',
      timestamp: new Date(now),
      startedAt: new Date(incident.startedAt),
      type,
      severity: ALERT_SEVERITY[type],
      message,
    };
    if (sourceIp !== undefined) alert.sourceIp = sourceIp;
    if (userId !== undefined) alert.userId = userId;
    alert.metadata = metadata;
    this.alertCounts[type]++;
    this.dispatcher.dispatch(alert);
  }

  private deliverResolved(incident: Incident, at: number, reason: EarlyResolution | undefined): void {
    const type = incident.type;
    const durationMs = Math.max(0, at - incident.startedAt);
    const metadata: Record<string, unknown> = { count: incident.count, durationSeconds: durationMs / 1000 };
    if (reason !== undefined) metadata.reason = reason;
    const alert: Alert = {
      id: incident.id,
      state: 'resolved',
      timestamp: new Date(at),
      startedAt: new Date(incident.startedAt),
      durationMs,
      type,
      severity: ALERT_SEVERITY[type],
      message: describeResolution(type, incident.subject, durationMs),
      metadata,
    };
    if (incident.sourceIp !== undefined) alert.sourceIp = incident.sourceIp;
    if (incident.userId !== undefined) alert.userId = incident.userId;
    this.resolvedCounts[type]++;
    this.dispatcher.dispatch(alert);
  }

  // An unreferenced interval while attacks are active, so they resolve without new traffic. It holds
  // this object weakly: a monitor nobody uses any more can still be collected, and its timer stops.
  private startSweepTimer(): void {
    const interval = this.options.lifecycle.sweepIntervalMs;
    if (this.sweepTimer !== undefined || interval === 0 || this.closed) return;
    const raiser = new WeakRef(this);
    const timer = setInterval(() => {
      const self = raiser.deref();
      if (self === undefined) clearInterval(timer);
      else self.sweepFromTimer();
    }, interval);
    timer.unref();
    this.sweepTimer = timer;
  }

  private sweepFromTimer(): void {
    this.lifecycle.sweep(this.now());
    if (this.lifecycle.isEmpty() && this.sweepTimer !== undefined) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = undefined;
    }
  }
}

function incidentName(type: AlertType, subject: string | undefined): string {
  return subject === undefined ? type : `${type}\u0000${subject}`;
}

// What the subject of a login detector's attack is (none for the surge: it is everyone's).
function loginKind(type: LoginDetector): OffenderKind | undefined {
  if (type === 'account_brute_force') return 'account';
  if (type === 'network_brute_force') return 'network';
  return type === 'failed_login_surge' ? undefined : 'address';
}
