import {
  type Attributes,
  type BatchObservableCallback,
  type Meter,
  type Observable,
  ValueType,
} from '@opentelemetry/api';
import { ALERT_SEVERITY, ALERT_TYPES, type AlertType } from '../core/alert.js';
import { SINK_KINDS } from '../core/event-details.js';
import type { AnomalyMonitor } from '../core/monitor.js';
import type { MonitorStats } from '../core/stats.js';
import { FALLBACK_REASONS } from '../core/store.js';

/** The kind of OpenTelemetry instrument a secmon metric is reported with. */
export type OtelInstrumentKind = 'counter' | 'updowncounter' | 'gauge';

/** One secmon metric as OpenTelemetry sees it, and the name it gets on secmon's own `/metrics`. */
export interface OtelMetricDescriptor {
  /** The OpenTelemetry instrument name, e.g. `secmon.failed_auth`. */
  name: string;
  kind: OtelInstrumentKind;
  /** UCUM unit; curly-brace annotations such as `{attempt}` carry no unit into Prometheus. */
  unit: string;
  description: string;
  /** Attribute keys of its series (none, `type`, or `type` and `severity`). */
  attributes: readonly string[];
  /**
   * The name an OpenTelemetry Collector's Prometheus exporter gives it (default settings: dots become
   * underscores, monotonic counters get `_total`), which is also its name on secmon's `/metrics`.
   */
  prometheusName: string;
}

/** Every metric {@link registerOtelMetrics} reports, in a stable order. */
export const OTEL_METRICS: readonly OtelMetricDescriptor[] = Object.freeze(
  [
    metric(
      'secmon.failed_auth',
      'counter',
      '{attempt}',
      'Failed logins recorded.',
      'secmon_failed_auth_total',
    ),
    metric(
      'secmon.successful_auth',
      'counter',
      '{login}',
      'Successful logins recorded.',
      'secmon_successful_auth_total',
    ),
    metric(
      'secmon.privileged_container.attempts',
      'counter',
      '{attempt}',
      'Requests for a privileged container recorded.',
      'secmon_privileged_container_attempts_total',
    ),
    metric(
      'secmon.suspicious_container.attempts',
      'counter',
      '{attempt}',
      'Container requests with a dangerous configuration recorded.',
      'secmon_suspicious_container_attempts_total',
    ),
    metric(
      'secmon.path_traversal.attempts',
      'counter',
      '{attempt}',
      'Path traversal attempts recorded.',
      'secmon_path_traversal_attempts_total',
    ),
    metric(
      'secmon.command_injection.attempts',
      'counter',
      '{attempt}',
      'Command injection attempts recorded.',
      'secmon_command_injection_attempts_total',
    ),
    metric(
      'secmon.rate_limit.exceeded',
      'counter',
      '{request}',
      'Requests from clients that were already rate limited.',
      'secmon_rate_limit_exceeded_total',
    ),
    metric(
      'secmon.sink_findings',
      'counter',
      '{attempt}',
      'Attacks a sink guard caught where the input reached a shell command (command) or a file path (file).',
      'secmon_sink_findings_total',
      ['sink_kind'],
    ),
    metric(
      'secmon.unparseable_addresses',
      'counter',
      '{event}',
      'Events whose client address could not be parsed (they share one window): a reporting bug.',
      'secmon_unparseable_addresses_total',
    ),
    metric(
      'secmon.alerts',
      'counter',
      '{alert}',
      'Alerts raised, by type and severity.',
      'secmon_alerts_total',
      ['type', 'severity'],
    ),
    metric(
      'secmon.active_alerts',
      'updowncounter',
      '{alert}',
      'Attacks in progress right now (an alert fired and not yet resolved), by type.',
      'secmon_active_alerts',
      ['type'],
    ),
    metric(
      'secmon.alerts.resolved',
      'counter',
      '{alert}',
      'Attacks that ended (resolved alerts), by type.',
      'secmon_alerts_resolved_total',
      ['type'],
    ),
    metric(
      'secmon.alerts.resolved_early',
      'counter',
      '{alert}',
      'Attacks resolved early because lifecycle.maxActiveAlerts attacks were already followed.',
      'secmon_alerts_resolved_early_total',
    ),
    metric(
      'secmon.alerts_suppressed',
      'counter',
      '{alert}',
      'Alerts held back by a re-alert interval, by type.',
      'secmon_alerts_suppressed_total',
      ['type'],
    ),
    metric(
      'secmon.monitored_ips',
      'updowncounter',
      '{address}',
      'Client addresses (IPv6: prefixes) with activity inside the brute-force window.',
      'secmon_monitored_ips',
    ),
    metric(
      'secmon.tracked_ips.limit',
      'gauge',
      '{address}',
      'Most client addresses tracked at once (maxTrackedIps).',
      'secmon_tracked_ips_limit',
    ),
    metric(
      'secmon.tracked_ips.evicted',
      'counter',
      '{address}',
      'Client addresses evicted because maxTrackedIps was reached.',
      'secmon_tracked_ips_evicted_total',
    ),
    metric(
      'secmon.monitored_accounts',
      'updowncounter',
      '{account}',
      'Accounts with failed logins inside the account brute-force window.',
      'secmon_monitored_accounts',
    ),
    metric(
      'secmon.tracked_accounts.limit',
      'gauge',
      '{account}',
      'Most accounts tracked at once (maxTrackedAccounts).',
      'secmon_tracked_accounts_limit',
    ),
    metric(
      'secmon.tracked_accounts.evicted',
      'counter',
      '{account}',
      'Accounts evicted because maxTrackedAccounts was reached.',
      'secmon_tracked_accounts_evicted_total',
    ),
    metric(
      'secmon.tracked_networks.evicted',
      'counter',
      '{network}',
      'Networks evicted because networkBruteForce.maxTracked networks were tracked.',
      'secmon_tracked_networks_evicted_total',
    ),
    metric(
      'secmon.alert_handler.errors',
      'counter',
      '{error}',
      'Alert handlers that threw or rejected.',
      'secmon_alert_handler_errors_total',
    ),
    metric(
      'secmon.store.up',
      'gauge',
      '{store}',
      'Whether the window store can be used: 1, or 0 while a shared store (Redis) is unreachable.',
      'secmon_store_up',
    ),
    metric(
      'secmon.store.fallback',
      'counter',
      '{event}',
      'Events decided in this process because the shared store could not take them, by reason.',
      'secmon_store_fallback_total',
      ['reason'],
    ),
  ].map((descriptor) => Object.freeze(descriptor)),
);

function metric(
  name: string,
  kind: OtelInstrumentKind,
  unit: string,
  description: string,
  prometheusName: string,
  attributes: readonly string[] = [],
): OtelMetricDescriptor {
  return { name, kind, unit, description, attributes: Object.freeze([...attributes]), prometheusName };
}

// Attribute sets are built once: a collection allocates nothing per series but the stats snapshot.
const ALERT_SERIES: ReadonlyArray<{ type: AlertType; attributes: Attributes }> = ALERT_TYPES.map((type) => ({
  type,
  attributes: Object.freeze({ type, severity: ALERT_SEVERITY[type] }),
}));
// Series with a `type` attribute only: suppressed, active and resolved alerts.
const TYPE_SERIES: ReadonlyArray<{ type: AlertType; attributes: Attributes }> = ALERT_TYPES.map((type) => ({
  type,
  attributes: Object.freeze({ type }),
}));

// Plain (unlabelled) metrics and the stats field each one reads.
const PLAIN_VALUES: Readonly<Record<string, (stats: MonitorStats) => number>> = Object.freeze({
  'secmon.failed_auth': (stats) => stats.failedAuthAttempts,
  'secmon.successful_auth': (stats) => stats.successfulAuths,
  'secmon.privileged_container.attempts': (stats) => stats.privilegedContainerAttempts,
  'secmon.suspicious_container.attempts': (stats) => stats.suspiciousContainerAttempts,
  'secmon.path_traversal.attempts': (stats) => stats.pathTraversalAttempts,
  'secmon.command_injection.attempts': (stats) => stats.commandInjectionAttempts,
  'secmon.rate_limit.exceeded': (stats) => stats.rateLimitExceeded,
  'secmon.unparseable_addresses': (stats) => stats.unparseableAddresses,
  'secmon.monitored_ips': (stats) => stats.monitoredIps,
  'secmon.tracked_ips.limit': (stats) => stats.trackedIpsLimit,
  'secmon.tracked_ips.evicted': (stats) => stats.evictedIps,
  'secmon.monitored_accounts': (stats) => stats.monitoredAccounts,
  'secmon.tracked_accounts.limit': (stats) => stats.trackedAccountsLimit,
  'secmon.tracked_accounts.evicted': (stats) => stats.evictedAccounts,
  'secmon.tracked_networks.evicted': (stats) => stats.evictedNetworks,
  'secmon.alerts.resolved_early': (stats) => stats.alertsResolvedEarly,
  'secmon.alert_handler.errors': (stats) => stats.handlerErrors,
  'secmon.store.up': (stats) => (stats.store.up ? 1 : 0),
});
const FALLBACK_SERIES = FALLBACK_REASONS.map((reason) => ({ reason, attributes: Object.freeze({ reason }) }));
const SINK_SERIES = SINK_KINDS.map((kind) => ({ kind, attributes: Object.freeze({ sink_kind: kind }) }));

/**
 * Registers on `meter` an observable instrument for each of secmon's counters and gauges (see
 * {@link OTEL_METRICS} and the README's metric table). One batch callback reads a single
 * `monitor.getStats()` snapshot per collection; there is no second bookkeeping. Every alert
 * `type` x `severity` series that can occur is reported from the first collection, at 0. No
 * attribute carries an address, user, path or input, so the number of series is fixed (66).
 * Returns a function that removes the callback: collections stop reading the monitor (the instruments
 * stay registered on the meter).
 */
export function registerOtelMetrics(monitor: Pick<AnomalyMonitor, 'getStats'>, meter: Meter): () => void {
  const instruments = new Map<string, Observable>();
  for (const descriptor of OTEL_METRICS) {
    const options = { description: descriptor.description, unit: descriptor.unit, valueType: ValueType.INT };
    const instrument =
      descriptor.kind === 'counter'
        ? meter.createObservableCounter(descriptor.name, options)
        : descriptor.kind === 'updowncounter'
          ? meter.createObservableUpDownCounter(descriptor.name, options)
          : meter.createObservableGauge(descriptor.name, options);
    instruments.set(descriptor.name, instrument);
  }
  const plain = Object.entries(PLAIN_VALUES).map(([name, read]) => ({
    instrument: instruments.get(name)!,
    read,
  }));
  const alerts = instruments.get('secmon.alerts')!;
  const suppressed = instruments.get('secmon.alerts_suppressed')!;
  const active = instruments.get('secmon.active_alerts')!;
  const resolved = instruments.get('secmon.alerts.resolved')!;
  const fallback = instruments.get('secmon.store.fallback')!;
  const sinkFindings = instruments.get('secmon.sink_findings')!;

  const callback: BatchObservableCallback = (result) => {
    const stats = monitor.getStats();
    for (const { instrument, read } of plain) result.observe(instrument, read(stats));
    for (const series of ALERT_SERIES)
      result.observe(alerts, stats.alerts[series.type] ?? 0, series.attributes);
    for (const series of TYPE_SERIES) {
      result.observe(suppressed, stats.suppressedByType[series.type] ?? 0, series.attributes);
      result.observe(active, stats.activeAlerts[series.type] ?? 0, series.attributes);
      result.observe(resolved, stats.resolvedAlerts[series.type] ?? 0, series.attributes);
    }
    for (const series of FALLBACK_SERIES) {
      result.observe(fallback, stats.store.fallbacks[series.reason], series.attributes);
    }
    for (const series of SINK_SERIES) {
      result.observe(sinkFindings, stats.sinkFindings[series.kind], series.attributes);
    }
  };
  const observables = [...instruments.values()];
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}
