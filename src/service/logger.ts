import { type Logger, pino } from 'pino';
import type { Alert } from '../core/alert.js';
import type { AnomalyMonitor } from '../core/monitor.js';

export type { Logger } from 'pino';

/** The service's structured logger: one JSON object per line on stdout (or the given destination). */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: 'secmon' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // "level":"warn" rather than pino's numeric 40: what people and log pipelines search for.
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

/**
 * Logs every alert as one line: `{"level":"warn","msg":"security alert","alert":{...}}`, at `error` for
 * critical alerts and `warn` otherwise; the end of an attack as `{"level":"info","msg":"security alert
 * resolved","alert":{...,"state":"resolved","durationMs":...}}`. Alert strings are already truncated
 * and escaped by the monitor, and pino writes JSON, so an attacker cannot forge log lines. Returns the
 * unsubscribe.
 */
export function logAlerts(monitor: AnomalyMonitor, logger: Logger): () => void {
  return monitor.onAlert((alert: Alert) => {
    const line = {
      alert: {
        id: alert.id,
        state: alert.state,
        type: alert.type,
        severity: alert.severity,
        message: alert.message,
        sourceIp: alert.sourceIp,
        userId: alert.userId,
        timestamp: alert.timestamp.toISOString(),
        startedAt: alert.startedAt.toISOString(),
        durationMs: alert.durationMs,
        metadata: alert.metadata,
      },
    };
    if (alert.state === 'resolved') logger.info(line, 'security alert resolved');
    else if (alert.severity === 'critical') logger.error(line, 'security alert');
    else logger.warn(line, 'security alert');
  });
}
