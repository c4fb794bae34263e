/** The kinds of alert secmon raises (the Go reference's vocabulary). */
export type AlertType =
  | 'brute_force'
  | 'privilege_escalation'
  | 'path_traversal'
  | 'command_injection'
  | 'suspicious_container'
  | 'rate_limit_exceeded';

/** Alert severities, lowest first. */
export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';

/** Every alert type, in a stable order (useful to pre-create metric series). */
export const ALERT_TYPES: readonly AlertType[] = Object.freeze([
  'brute_force',
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
 * `2001:db8:1:2::/64`; it is absent when the caller gave no parseable address.
 */
export interface Alert {
  timestamp: Date;
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
