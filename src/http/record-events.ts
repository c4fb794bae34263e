import type { AnomalyMonitor } from '../core/monitor.js';
import type { SecurityEvent } from './event-schema.js';

/**
 * Turns one validated event (the event API's schema, also what log sources produce) into the
 * monitor's `record*` call. The one place an event type maps to a call: the event API, the log
 * sources and replay all go through it, so they cannot disagree.
 */
export function recordEvent(monitor: AnomalyMonitor, event: SecurityEvent): void {
  switch (event.type) {
    case 'failed_auth':
      monitor.recordFailedAuth(event.ip, event.userId);
      break;
    case 'successful_auth':
      monitor.recordSuccessfulAuth(event.ip, event.userId);
      break;
    case 'privileged_container':
      monitor.recordPrivilegedContainerAttempt(event.userId, { ip: event.ip });
      break;
    case 'suspicious_container':
      monitor.recordSuspiciousContainer(event.userId, event.reasons, { ip: event.ip });
      break;
    case 'path_traversal':
      monitor.recordPathTraversal(event.ip, event.path, { userId: event.userId });
      break;
    case 'command_injection':
      monitor.recordCommandInjection(event.ip, event.input, { userId: event.userId });
      break;
    case 'rate_limit_exceeded':
      monitor.recordRateLimitExceeded(event.ip, event.userId);
      break;
  }
}
