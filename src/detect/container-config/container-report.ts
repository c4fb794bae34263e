import type { ContainerDetails } from '../../core/event-details.js';
import type { ContainerFinding } from './container-config.js';

/** The part of `AnomalyMonitor` that container findings feed (any object with these methods works). */
export interface ContainerAlertSink {
  recordPrivilegedContainerAttempt(userId: string, details?: ContainerDetails): void;
  recordSuspiciousContainer(userId: string, reasons: string[], details?: ContainerDetails): void;
}

/**
 * Feeds the findings of `inspectContainerConfig` for one request by `userId` to a monitor: one
 * `recordPrivilegedContainerAttempt` if any finding is `privilege_escalation` (privileged mode,
 * root-equivalent capabilities, the runtime socket or the host's root mounted), and one
 * `recordSuspiciousContainer` with the reasons of the `suspicious_container` findings, if there are
 * any. Nothing is recorded for an empty list. `details.ip` (the client's address) reaches both
 * alerts. Returns the number of monitor calls made (0, 1 or 2).
 */
export function reportContainerFindings(
  monitor: ContainerAlertSink,
  userId: string,
  findings: readonly ContainerFinding[],
  details?: ContainerDetails,
): number {
  let calls = 0;
  const reasons: string[] = [];
  let privileged = false;
  for (const finding of findings) {
    if (finding.type === 'privilege_escalation') privileged = true;
    else reasons.push(finding.reason);
  }
  if (privileged) {
    monitor.recordPrivilegedContainerAttempt(userId, details);
    calls++;
  }
  if (reasons.length > 0) {
    monitor.recordSuspiciousContainer(userId, reasons, details);
    calls++;
  }
  return calls;
}
