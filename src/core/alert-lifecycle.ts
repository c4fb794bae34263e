import { ALERT_TYPES, type AlertType } from './alert.js';
import { DueQueue } from './due-queue.js';
import type { LoginDetector, LoginSubject } from './store.js';

/** What an offender is: a client address (or IPv6 prefix), a network, or an account. */
export type OffenderKind = 'address' | 'network' | 'account';

/** Why an attack was resolved other than by ending: the table of active attacks was full. */
export type EarlyResolution = 'capacity';

/**
 * One attack in progress: every alert of it carries `id`. A threshold attack (`detector` set) lasts
 * while the store says its subject is over; a one-shot attack lasts until `quietPeriodMs` pass with no
 * event of its type from its subject.
 */
export interface Incident {
  readonly id: string;
  readonly type: AlertType;
  /** `type` and the subject's text: at most one attack per name is active. */
  readonly name: string;
  /** What the subject is (undefined for an attack on everything, the surge). */
  readonly kind: OffenderKind | undefined;
  /** The subject as alerts show it (a pseudonym in privacy mode). */
  readonly subject: string | undefined;
  /** Threshold attacks: the detector and what to ask the store about. */
  readonly detector: LoginDetector | undefined;
  readonly query: LoginSubject | undefined;
  /** As the firing alert had them. */
  readonly sourceIp: string | undefined;
  readonly userId: string | undefined;
  readonly startedAt: number;
  lastSeen: number;
  /** Events (one-shot) or failed logins since the crossing (threshold), as of the last alert. */
  count: number;
  due: number;
  /** Threshold attacks: when the store last said the subject fell below (NaN: not known to have). */
  belowSince: number;
  /** Its place in the due queue (-1: not queued). */
  queueIndex: number;
  active: boolean;
  /** A shared store is being asked whether it is over. */
  checking: boolean;
}

/** The fields of a new incident; the lifecycle adds the id, times and state. */
export type IncidentFields = Pick<
  Incident,
  'type' | 'name' | 'kind' | 'subject' | 'detector' | 'query' | 'sourceIp' | 'userId' | 'count'
>;

/** What the lifecycle needs from its owner (the monitor). */
export interface LifecycleHost {
  /** The monitor's clock. */
  now(): number;
  /** The store's answer about a threshold incident (see `WindowStore.overUntil`). */
  overUntil(incident: Incident, now: number): number | Promise<number>;
  /** Delivers the resolved alert of an incident that ended at `at`. */
  resolved(incident: Incident, at: number, reason: EarlyResolution | undefined): void;
}

/**
 * The attacks in progress, bounded by `maxActive`, and when each is due to be looked at again (a
 * min-heap of due times that may be stale-early: an attack that goes on is re-checked and re-queued,
 * so nothing has to be found in the heap when an attack is extended). Resolutions are delivered in
 * the order the attacks ended.
 */
export class AlertLifecycle {
  /** Attacks resolved early because `maxActive` attacks were already followed. */
  resolvedEarly = 0;
  private readonly active = new Map<string, Incident>();
  private readonly queue = new DueQueue<Incident>();
  private readonly perType = new Map<AlertType, number>(ALERT_TYPES.map((type) => [type, 0]));
  private readonly idPrefix: string;
  private sequence = 0;

  constructor(
    private readonly host: LifecycleHost,
    private readonly maxActive: number,
    private readonly quietPeriodMs: number,
    private readonly keepFiringForMs: number,
  ) {
    // A random prefix per process (monitor) and a counter: unique across replicas, cheap to make.
    const bytes = crypto.getRandomValues(new Uint8Array(6));
    this.idPrefix = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  /** The active attack of that name, if any. */
  find(name: string): Incident | undefined {
    return this.active.get(name);
  }

  /**
   * Starts an attack (a firing alert with a new id follows). Another active attack of the same name
   * (possible when a shared store's answer is still out) is resolved first, at `now`.
   */
  open(fields: IncidentFields, now: number, due: number): Incident {
    const previous = this.active.get(fields.name);
    if (previous !== undefined) this.close(previous, endOf(previous, now), undefined);
    if (this.active.size >= this.maxActive) {
      const oldest = this.active.values().next().value as Incident;
      this.resolvedEarly++;
      this.close(oldest, now, 'capacity');
    }
    const incident: Incident = {
      id: `${this.idPrefix}-${(++this.sequence).toString(36)}`,
      type: fields.type,
      name: fields.name,
      kind: fields.kind,
      subject: fields.subject,
      detector: fields.detector,
      query: fields.query,
      sourceIp: fields.sourceIp,
      userId: fields.userId,
      count: fields.count,
      startedAt: now,
      lastSeen: now,
      due,
      belowSince: Number.NaN,
      queueIndex: -1,
      active: true,
      checking: false,
    };
    this.active.set(fields.name, incident);
    this.perType.set(fields.type, this.perType.get(fields.type)! + 1);
    this.queue.push(due, incident);
    return incident;
  }

  /** A one-shot attack goes on: one more event, due again a quiet period after now. */
  extendOneShot(incident: Incident, now: number): void {
    incident.lastSeen = now;
    incident.due = this.oneShotDue(now);
    incident.count++;
  }

  /** The quiet period's end for a one-shot attack seen at `now`. */
  oneShotDue(now: number): number {
    return now + this.quietPeriodMs;
  }

  /** Active attacks per alert type (every type present). */
  countsByType(): Record<AlertType, number> {
    return Object.fromEntries(this.perType) as Record<AlertType, number>;
  }

  /** Whether no attack is active. */
  isEmpty(): boolean {
    return this.active.size === 0;
  }

  /** When the next attack is due to be looked at (+Infinity when none is). */
  nextDue(): number {
    return this.queue.peekTime();
  }

  /** Every active attack, oldest first. */
  incidents(): IterableIterator<Incident> {
    return this.active.values();
  }

  /**
   * Resolves every attack that has ended by `now`. Threshold attacks are checked with the store; an
   * attack the store still sees as over is queued again for when it would end. With a shared store,
   * returns a promise that resolves once the answers of the checks it started have been applied.
   */
  sweep(now: number): Promise<void> | undefined {
    const queue = this.queue;
    let checks: Array<Promise<void>> | undefined;
    while (queue.peekTime() <= now) {
      const incident = queue.pop();
      if (!incident.active || incident.checking) continue;
      if (incident.detector === undefined) {
        if (incident.due <= now) this.close(incident, incident.due, undefined);
        else queue.push(incident.due, incident);
        continue;
      }
      const answer = this.host.overUntil(incident, now);
      if (typeof answer === 'number') this.settle(incident, answer, now);
      else {
        incident.checking = true;
        const applied = answer.then((until) => {
          incident.checking = false;
          if (incident.active) this.settle(incident, until, this.host.now());
        }, ignore);
        if (checks === undefined) checks = [applied];
        else checks.push(applied);
      }
    }
    return checks === undefined ? undefined : Promise.all(checks).then(ignore);
  }

  // Applies the store's answer: still over, or fell below too recently to be over for good (queue
  // again), or ended (resolve, at the moment it fell below).
  private settle(incident: Incident, until: number, now: number): void {
    const due = until > now ? until : until + this.keepFiringForMs;
    if (due > now) {
      incident.due = due;
      // Fell below at `until`: remembered, so the end stays exact if the store forgets the subject
      // (idle expiry, eviction) before the next look, e.g. when that look comes late.
      incident.belowSince = until > now ? Number.NaN : until;
      this.queue.push(due, incident);
      return;
    }
    // Unknown (no longer tracked): it ended when it was last seen falling below, else at the latest
    // when it was last due.
    const at =
      until === Number.NEGATIVE_INFINITY
        ? endOf(incident, Math.min(incident.due, now))
        : Math.max(until, incident.startedAt);
    this.close(incident, at, undefined);
  }

  private close(incident: Incident, at: number, reason: EarlyResolution | undefined): void {
    if (!incident.active) return;
    incident.active = false;
    this.queue.remove(incident); // so that the queue holds active attacks only: bounded by maxActive
    this.active.delete(incident.name);
    this.perType.set(incident.type, this.perType.get(incident.type)! - 1);
    this.host.resolved(incident, at, reason);
  }
}

function ignore(): void {}

// When an attack that must be closed now ended: when its subject fell below, if known; else now.
function endOf(incident: Incident, now: number): number {
  return Number.isNaN(incident.belowSince) ? now : Math.max(incident.belowSince, incident.startedAt);
}
