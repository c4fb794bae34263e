import type { Registry, RegistryContentType } from 'prom-client';
import { REJECT_REASONS, type RejectReason } from '../http/event-api.js';
import { registerComputedMetric, type Sample } from '../telemetry/computed-metric.js';
import type { ConnectionCounts } from './connection-tracker.js';
import { PROTOCOL_ERROR_REASONS, type ProtocolErrorReason } from './http-server.js';

/** Counters kept by the service itself (not by the monitor): what the event API accepted and refused. */
export class ServiceCounters {
  acceptedRequests = 0;
  acceptedEvents = 0;
  readonly rejected: Record<RejectReason, number> = Object.fromEntries(
    REJECT_REASONS.map((r) => [r, 0]),
  ) as Record<RejectReason, number>;
}

/** What the service's HTTP server counts (see `createHttpServer`). */
export interface HttpServerCounts {
  connections: ConnectionCounts;
  protocolErrors: Record<ProtocolErrorReason, number>;
  maxConnections: number;
}

/**
 * Registers the service's own metrics on a registry: event API requests accepted/rejected (by a fixed
 * set of reasons), events accepted, HTTP connections (open, limit, refused, evicted) and protocol
 * errors (by a fixed set of reasons), OTel events dropped and OTLP export failures. Like the
 * monitor's metrics they are read at scrape time from plain counters, so the same counters can be
 * served on several registries.
 */
export function registerServiceMetrics(
  registry: Registry<RegistryContentType>,
  prefix: string,
  counters: ServiceCounters,
  otel: { dropped: () => number; failures: () => number },
  http: HttpServerCounts,
): void {
  const metric = (type: 'counter' | 'gauge', name: string, help: string, samples: () => Sample[]) =>
    registerComputedMetric(registry, `${prefix}${name}`, help, type, samples);
  const single = (value: () => number) => () => [{ value: value(), labels: {} }];
  metric('counter', 'ingest_requests_rejected_total', 'Event API requests refused, by reason.', () =>
    REJECT_REASONS.map((reason) => ({ value: counters.rejected[reason], labels: { reason } })),
  );
  metric(
    'counter',
    'ingest_requests_accepted_total',
    'Event API requests accepted.',
    single(() => counters.acceptedRequests),
  );
  metric(
    'counter',
    'ingest_events_total',
    'Events accepted through the event API.',
    single(() => counters.acceptedEvents),
  );
  metric(
    'gauge',
    'http_connections_open',
    'HTTP connections open now.',
    single(() => http.connections.open),
  );
  metric(
    'gauge',
    'http_connections_limit',
    'Most HTTP connections open at once (SECMON_MAX_CONNECTIONS).',
    single(() => http.maxConnections),
  );
  metric(
    'counter',
    'http_connections_refused_total',
    'New HTTP connections refused (503) at the limit because every open connection was busy.',
    single(() => http.connections.refused),
  );
  metric(
    'counter',
    'http_connections_evicted_total',
    'Idle HTTP connections closed at the limit to make room for a new one.',
    single(() => http.connections.evicted),
  );
  metric(
    'counter',
    'http_protocol_errors_total',
    'Requests answered before reaching secmon: headers too large (431), not received in time (408), malformed (400).',
    () =>
      PROTOCOL_ERROR_REASONS.map((reason) => ({ value: http.protocolErrors[reason], labels: { reason } })),
  );
  metric(
    'counter',
    'otel_events_dropped_total',
    'Alert events not delivered over OTLP (queue full or export failed).',
    single(() => otel.dropped()),
  );
  metric(
    'counter',
    'otel_export_failures_total',
    'Failed OTLP exports (events and metrics).',
    single(() => otel.failures()),
  );
}
