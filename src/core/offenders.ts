import { ALERT_SEVERITIES, ALERT_SEVERITY, type AlertType } from './alert.js';
import type { Incident, OffenderKind } from './alert-lifecycle.js';
import type { SubjectActivity } from './store.js';

/** One currently active offender (see `AnomalyMonitor.offenders`). */
export interface Offender {
  /** The address (or IPv6 prefix), network or account; a pseudonym in privacy mode. */
  key: string;
  kind: OffenderKind;
  /** Its active alert types, most severe first. */
  types: AlertType[];
  /** Failed logins inside the window (distinct accounts for credential stuffing), or events of a one-shot attack; the largest of its attacks. */
  count: number;
  /** When the earliest of its active attacks started. */
  firstSeen: Date;
  /** Its latest event. */
  lastSeen: Date;
  /** The id of its most severe (then most recent) active alert. */
  alertId: string;
}

/** Options of `offenders()`. */
export interface OffendersOptions {
  /** Most entries returned. 1..1,000; default 100. */
  limit?: number;
}

export const DEFAULT_OFFENDERS_LIMIT = 100;
export const MAX_OFFENDERS_LIMIT = 1000;

/**
 * The `limit` a user gave (`--limit`, `?limit=`): plain digits from 1 to {@link MAX_OFFENDERS_LIMIT},
 * else undefined. Anything but a string (a repeated or nested query parameter) is not a limit.
 */
export function parseOffendersLimit(value: unknown): number | undefined {
  const limit = typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : 0;
  return limit < 1 || limit > MAX_OFFENDERS_LIMIT ? undefined : limit;
}

const RANK = Object.fromEntries(ALERT_SEVERITIES.map((severity, i) => [severity, i])) as Record<
  string,
  number
>;

interface Group {
  key: string;
  kind: OffenderKind;
  incidents: Incident[];
  count: number;
  firstSeen: number;
  lastSeen: number;
  rank: number;
}

/**
 * Groups active attacks by subject and orders the subjects most severe first, then most recently
 * seen. `activity` gives the current count and last event of a threshold attack.
 */
export async function listOffenders(
  incidents: Iterable<Incident>,
  activity: (incident: Incident) => SubjectActivity | Promise<SubjectActivity> | undefined,
  limit: number,
): Promise<Offender[]> {
  const groups = new Map<string, Group>();
  const pending: Array<Promise<void>> = [];
  for (const incident of incidents) {
    if (incident.kind === undefined || incident.subject === undefined) continue;
    const id = `${incident.kind}\u0000${incident.subject}`;
    let group = groups.get(id);
    if (group === undefined) {
      group = {
        key: incident.subject,
        kind: incident.kind,
        incidents: [],
        count: 0,
        firstSeen: incident.startedAt,
        lastSeen: incident.lastSeen,
        rank: -1,
      };
      groups.set(id, group);
    }
    group.incidents.push(incident);
    group.firstSeen = Math.min(group.firstSeen, incident.startedAt);
    group.lastSeen = Math.max(group.lastSeen, incident.lastSeen);
    group.count = Math.max(group.count, incident.count);
    group.rank = Math.max(group.rank, RANK[ALERT_SEVERITY[incident.type]]!);
    const seen = activity(incident);
    if (seen !== undefined) {
      const target = group;
      const apply = (answer: SubjectActivity) => {
        if (answer.count > 0) target.count = Math.max(target.count, answer.count);
        if (answer.lastSeen > target.lastSeen) target.lastSeen = answer.lastSeen;
      };
      if ('then' in seen) pending.push(seen.then(apply));
      else apply(seen);
    }
  }
  await Promise.all(pending);
  const ordered = [...groups.values()].sort((a, b) => b.rank - a.rank || b.lastSeen - a.lastSeen);
  return ordered.slice(0, limit).map((group) => {
    const incidents = group.incidents.sort(
      (a, b) => RANK[ALERT_SEVERITY[b.type]]! - RANK[ALERT_SEVERITY[a.type]]! || b.lastSeen - a.lastSeen,
    );
    return {
      key: group.key,
      kind: group.kind,
      types: [...new Set(incidents.map((incident) => incident.type))],
      count: group.count,
      firstSeen: new Date(group.firstSeen),
      lastSeen: new Date(group.lastSeen),
      alertId: incidents[0]!.id,
    };
  });
}
