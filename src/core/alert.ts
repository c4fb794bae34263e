/** The kinds of alert secmon raises (the Go reference's vocabulary, plus the account-takeover detectors). */
export type AlertType =
  | 'brute_force'
  | 'credential_stuffing'
  | 'account_brute_force'
  | 'network_brute_force'
  | 'failed_login_surge'
  | 'account_compromise_suspected'
  | 'privilege_escalation'
  | 'path_traversal'
  | 'command_injection'
  | 'suspicious_container'
  | 'rate_limit_exceeded';

/** Alert severities, lowest first. */
export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';

/**
 * Whether an alert reports an attack that is going on (`firing`) or its end (`resolved`): the key
 * fell back below its threshold for the window, or a one-shot attack went quiet. A resolved alert has
 * the `id` of the alert it closes.
 */
export type AlertState = 'firing' | 'resolved';

/** Every alert type, in a stable order (useful to pre-create metric series). */
export const ALERT_TYPES: readonly AlertType[] = Object.freeze([
  'brute_force',
  'credential_stuffing',
  'account_brute_force',
  'network_brute_force',
  'failed_login_surge',
  'account_compromise_suspected',
  'privilege_escalation',
  'path_traversal',
  'command_injection',
  'suspicious_container',
  'rate_limit_exceeded',
]);

/** Every severity, lowest first. */
export const ALERT_SEVERITIES: readonly AlertSeverity[] = Object.freeze([
  'low',
  'medium',
  'high',
  'critical',
]);

/**
 * The severity each alert type is raised with. One table, so metrics can pre-create exactly the
 * `type` x `severity` series that can occur.
 */
export const ALERT_SEVERITY: Readonly<Record<AlertType, AlertSeverity>> = Object.freeze({
  brute_force: 'high',
  credential_stuffing: 'high',
  account_brute_force: 'high',
  network_brute_force: 'high',
  failed_login_surge: 'high',
  account_compromise_suspected: 'critical',
  privilege_escalation: 'critical',
  path_traversal: 'high',
  command_injection: 'critical',
  suspicious_container: 'high',
  rate_limit_exceeded: 'medium',
});

/**
 * A security alert. Every string in it that came from a request (`userId`, metadata such as `path`,
 * `input`, `reasons`) has already been truncated and had its control characters escaped.
 * `sourceIp` is the normalised client address: an IPv4 address, or an IPv6 prefix such as
 * `2001:db8:1:2::/64`; it is absent when the caller gave no parseable address. In privacy mode
 * `sourceIp` and `userId` (and the message) carry keyed pseudonyms instead.
 *
 * Alerts have a lifecycle: the first alert of an attack is `firing` with a new `id`; while it goes
 * on, further alerts (re-alerts, repeated one-shot attacks) are `firing` with the same `id`; when it
 * ends, one `resolved` alert with that `id` follows, with `durationMs`.
 */
export interface Alert {
  /** Identifies the attack (the incident): every alert of it, firing or resolved, has this id. */
  id: string;
  state: AlertState;
  /** When the alert was raised; for a resolved alert, when the attack ended. */
  timestamp: Date;
  /** When the attack this alert belongs to started (its first firing alert). */
  startedAt: Date;
  /** Resolved alerts: how long the attack lasted, in milliseconds (`timestamp - startedAt`). */
  durationMs?: number;
  type: AlertType;
  severity: AlertSeverity;
  message: string;
  sourceIp?: string;
  userId?: string;
  metadata?: Record<string, unknown>;
}

/**
 * Receives alerts. It may return a promise; a handler that throws or rejects is counted in
 * `handlerErrors` and never affects the code that recorded the event.
 */
export type AlertHandler = (alert: Alert) => void | Promise<void>;
