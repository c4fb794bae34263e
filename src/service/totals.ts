import type { AlertType } from '../core/alert.js';
import type { MonitorStats } from '../core/stats.js';
import type { RejectReason } from '../http/event-api.js';
import type { ConnectionCounts } from './connection-tracker.js';
import type { ProtocolErrorReason } from './http-server.js';
import type { ServiceCounters } from './service-metrics.js';

/** What one `secmon serve` process did, written in its last log line. */
export interface ProcessTotals {
  eventsAccepted: number;
  requestsAccepted: number;
  requestsRejected: Record<RejectReason, number>;
  /** Firing alerts raised, per type. */
  alerts: Record<AlertType, number>;
  alertsSuppressed: number;
  /** Attacks that ended, per type (resolved alerts). */
  attacksEnded: Record<AlertType, number>;
  /** Attacks still in progress when the process stopped, per type. */
  attacksInProgress: Record<AlertType, number>;
  failedAuthAttempts: number;
  successfulAuths: number;
  connectionsRefused: number;
  connectionsEvicted: number;
  protocolErrors: Record<ProtocolErrorReason, number>;
  otelEventsDropped: number;
}

/** The process totals from the monitor's stats and the service's own counters (fresh objects). */
export function processTotals(
  stats: MonitorStats,
  counters: ServiceCounters,
  connections: ConnectionCounts,
  protocolErrors: Record<ProtocolErrorReason, number>,
  otel: { droppedEvents(): number } | undefined,
): ProcessTotals {
  return {
    eventsAccepted: counters.acceptedEvents,
    requestsAccepted: counters.acceptedRequests,
    requestsRejected: { ...counters.rejected },
    alerts: { ...stats.alerts },
    alertsSuppressed: stats.suppressedAlerts,
    attacksEnded: { ...stats.resolvedAlerts },
    attacksInProgress: { ...stats.activeAlerts },
    failedAuthAttempts: stats.failedAuthAttempts,
    successfulAuths: stats.successfulAuths,
    connectionsRefused: connections.refused,
    connectionsEvicted: connections.evicted,
    protocolErrors: { ...protocolErrors },
    otelEventsDropped: otel?.droppedEvents() ?? 0,
  };
}
