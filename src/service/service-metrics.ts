import type { Registry, RegistryContentType } from 'prom-client';
import { REJECT_REASONS, type RejectReason } from '../http/event-api.js';
import { registerComputedMetric, type Sample } from '../telemetry/computed-metric.js';

/** Counters kept by the service itself (not by the monitor): what the event API accepted and refused. */
export class ServiceCounters {
  acceptedRequests = 0;
  acceptedEvents = 0;
  readonly rejected: Record<RejectReason, number> = Object.fromEntries(
    REJECT_REASONS.map((r) => [r, 0]),
  ) as Record<RejectReason, number>;
}

/**
 * Registers the service's own metrics on a registry: event API requests accepted/rejected (by a fixed
 * set of reasons), events accepted, OTel events dropped and OTLP export failures. Like the monitor's metrics they are read
 * at scrape time from plain counters, so the same counters can be served on several registries.
 */
export function registerServiceMetrics(
  registry: Registry<RegistryContentType>,
  prefix: string,
  counters: ServiceCounters,
  otel: { dropped: () => number; failures: () => number },
): void {
  const counter = (name: string, help: string, samples: () => Sample[]) =>
    registerComputedMetric(registry, `${prefix}${name}`, help, 'counter', samples);
  counter('ingest_requests_rejected_total', 'Event API requests refused, by reason.', () =>
    REJECT_REASONS.map((reason) => ({ value: counters.rejected[reason], labels: { reason } })),
  );
  counter('ingest_requests_accepted_total', 'Event API requests accepted.', () => [
    { value: counters.acceptedRequests, labels: {} },
  ]);
  counter('ingest_events_total', 'Events accepted through the event API.', () => [
    { value: counters.acceptedEvents, labels: {} },
  ]);
  counter(
    'otel_events_dropped_total',
    'Alert events not delivered over OTLP (queue full or export failed).',
    () => [{ value: otel.dropped(), labels: {} }],
  );
  counter('otel_export_failures_total', 'Failed OTLP exports (events and metrics).', () => [
    { value: otel.failures(), labels: {} },
  ]);
}
