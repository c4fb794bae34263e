import { randomUUID } from 'node:crypto';
import { context, diag } from '@opentelemetry/api';
import { type Logger, type LoggerProvider, SeverityNumber } from '@opentelemetry/api-logs';
import type { Alert, AlertSeverity } from '../core/alert.js';
import type { AnomalyMonitor } from '../core/monitor.js';
import { sanitizeText } from '../core/sanitize.js';
import { alertAttributes, MAX_ATTRIBUTE_CHARS } from './otel-alert-attributes.js';

/** The OpenTelemetry event name of a secmon alert. */
export const OTEL_ALERT_EVENT_NAME = 'secmon.alert';

/** Instrumentation scope of the logger secmon asks a `LoggerProvider` for. */
export const OTEL_SCOPE_NAME = 'secmon';

/** How each alert severity maps onto OpenTelemetry log severity (number and text). */
export const OTEL_ALERT_SEVERITY: Readonly<
  Record<AlertSeverity, { severityNumber: SeverityNumber; severityText: string }>
> = Object.freeze({
  low: Object.freeze({ severityNumber: SeverityNumber.INFO, severityText: 'INFO' }),
  medium: Object.freeze({ severityNumber: SeverityNumber.WARN, severityText: 'WARN' }),
  high: Object.freeze({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR' }),
  critical: Object.freeze({ severityNumber: SeverityNumber.FATAL, severityText: 'FATAL' }),
});

// An unknown severity (only possible from an untyped alert source) is still exported, as a warning.
const FALLBACK_SEVERITY = OTEL_ALERT_SEVERITY.medium;

/**
 * Emits every alert the monitor raises from now on as an OpenTelemetry event through `target` (a
 * `Logger`, or a `LoggerProvider` from which the `secmon` logger is taken): a LogRecord with event
 * name `secmon.alert`, severity low→INFO, medium→WARN, high→ERROR, critical→FATAL, body = the alert
 * message, timestamp = the alert's timestamp, and the attributes described in the README
 * (`client.address`, `user.id`, `secmon.alert.type|severity|id|state` and `secmon.alert.<metadata key>`):
 * a resolved alert is an event too, with the id of the alert it closes.
 * The record is emitted within the active context (`context.active()`), so it carries the trace of
 * the request that raised the alert. Returns a function that stops the emission. The handler never
 * throws into the monitor: a failure is reported to OpenTelemetry's `diag` logger.
 */
export function emitOtelAlertEvents(
  monitor: Pick<AnomalyMonitor, 'onAlert'>,
  target: Logger | LoggerProvider,
): () => void {
  const logger = isLogger(target) ? target : target.getLogger(OTEL_SCOPE_NAME);
  return monitor.onAlert((alert: Alert) => {
    try {
      const severity = Object.hasOwn(OTEL_ALERT_SEVERITY, alert.severity)
        ? OTEL_ALERT_SEVERITY[alert.severity]
        : FALLBACK_SEVERITY;
      logger.emit({
        eventName: OTEL_ALERT_EVENT_NAME,
        severityNumber: severity.severityNumber,
        severityText: severity.severityText,
        body: sanitizeText(String(alert.message), MAX_ATTRIBUTE_CHARS),
        timestamp: alert.timestamp,
        attributes: alertAttributes(alert, typeof alert.id === 'string' ? alert.id : randomUUID()),
        context: context.active(),
      });
    } catch (error) {
      diag.error('secmon: could not emit an alert event', error);
    }
  });
}

function isLogger(target: Logger | LoggerProvider): target is Logger {
  return typeof (target as Logger).emit === 'function';
}
