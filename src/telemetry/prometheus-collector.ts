import { isSpanContextValid, trace } from '@opentelemetry/api';
import { Registry, type RegistryContentType } from 'prom-client';
import { ALERT_SEVERITY, ALERT_TYPES, type AlertType } from '../core/alert.js';
import { SINK_KINDS } from '../core/event-details.js';
import type { AnomalyMonitor } from '../core/monitor.js';
import type { MonitorStats } from '../core/stats.js';
import { FALLBACK_REASONS } from '../core/store.js';
import { VERSION } from '../version.js';
import { registerComputedMetric, type Sample } from './computed-metric.js';
import { StatsSnapshot } from './stats-snapshot.js';

/** Options of {@link registerPrometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /** Registry to register on. Default: a new one (returned). */
  registry?: Registry<RegistryContentType>;
  /** Prefix of every metric name. Default `secmon_`. Must match `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
  prefix?: string;
  /** Version reported by `secmon_build_info{version}`. Default: this package's version. */
  version?: string;
}

const PREFIX_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Registers secmon's metrics on a prom-client registry (a new one by default, which is returned):
 * attempt counters per attack type, `alerts_total{type,severity}` (every series that can occur exists
 * from the start at 0), `alerts_suppressed_total{type}`, the monitored-IP gauge (cluster-wide with a
 * shared store) and its limit, evictions, handler errors, `store_up`,
 * `store_fallback_total{reason}` and `build_info{version}`. Values are read from one `getStats()`
 * snapshot per scrape. In OpenMetrics output, alert counters carry an exemplar with the `trace_id`
 * and `span_id` of the span that was active when the latest alert of that type was raised.
 * No label ever carries an address, user, path or input, so the series count is fixed.
 * Throws a `TypeError` for an invalid `prefix`.
 */
export function registerPrometheusMetrics(
  monitor: AnomalyMonitor,
  options: PrometheusMetricsOptions = {},
): Registry<RegistryContentType> {
  const prefix = options.prefix ?? 'secmon_';
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
    throw new TypeError(`prefix must match ${PREFIX_PATTERN} (got ${JSON.stringify(prefix)})`);
  }
  const registry = options.registry ?? new Registry();
  const version = options.version ?? VERSION;
  const snapshot = new StatsSnapshot(monitor);
  const exemplars = trackAlertExemplars(monitor);

  const metric = (name: string, help: string, type: 'counter' | 'gauge', samples: () => Sample[]) =>
    registerComputedMetric(registry, `${prefix}${name}`, help, type, samples);
  const counter = (name: string, help: string, read: (stats: MonitorStats) => number) =>
    metric(name, help, 'counter', () => [{ value: read(snapshot.get()), labels: {} }]);
  const gauge = (name: string, help: string, read: (stats: MonitorStats) => number) =>
    metric(name, help, 'gauge', () => [{ value: read(snapshot.get()), labels: {} }]);
  // One series per alert type (a constant label set).
  const perType = (
    name: string,
    help: string,
    type: 'counter' | 'gauge',
    read: (stats: MonitorStats) => Record<AlertType, number>,
  ) =>
    metric(name, help, type, () => {
      const values = read(snapshot.get());
      return ALERT_TYPES.map((alertType) => ({ value: values[alertType], labels: { type: alertType } }));
    });

  counter('failed_auth_total', 'Failed logins recorded.', (s) => s.failedAuthAttempts);
  counter('successful_auth_total', 'Successful logins recorded.', (s) => s.successfulAuths);
  counter(
    'privileged_container_attempts_total',
    'Requests for privileged containers (privilege escalation attempts) recorded.',
    (s) => s.privilegedContainerAttempts,
  );
  counter(
    'suspicious_container_attempts_total',
    'Container requests with a dangerous configuration recorded.',
    (s) => s.suspiciousContainerAttempts,
  );
  counter(
    'path_traversal_attempts_total',
    'Path traversal attempts recorded.',
    (s) => s.pathTraversalAttempts,
  );
  counter(
    'command_injection_attempts_total',
    'Command injection attempts recorded.',
    (s) => s.commandInjectionAttempts,
  );
  counter(
    'rate_limit_exceeded_total',
    'Requests from already rate-limited clients recorded.',
    (s) => s.rateLimitExceeded,
  );
  metric(
    'sink_findings_total',
    'Attacks a sink guard caught where the input reached a shell command (command) or a file path (file), by sink kind.',
    'counter',
    () => {
      const { sinkFindings } = snapshot.get();
      return SINK_KINDS.map((kind) => ({ value: sinkFindings[kind], labels: { sink_kind: kind } }));
    },
  );
  counter(
    'unparseable_addresses_total',
    'Events whose client address could not be parsed (they share one window); a rising count means a reporting bug.',
    (s) => s.unparseableAddresses,
  );
  metric('alerts_total', 'Security alerts raised, by type and severity.', 'counter', () => {
    const stats = snapshot.get();
    return ALERT_TYPES.map((type) => {
      const sample: Sample = { value: stats.alerts[type], labels: { type, severity: ALERT_SEVERITY[type] } };
      const exemplar = exemplars.get(type);
      if (exemplar) sample.exemplar = exemplar;
      return sample;
    });
  });
  perType(
    'active_alerts',
    'Attacks in progress right now (an alert fired and not yet resolved), by type: follows the real duration of an attack.',
    'gauge',
    (s) => s.activeAlerts,
  );
  perType(
    'alerts_resolved_total',
    'Attacks that ended (resolved alerts), by type.',
    'counter',
    (s) => s.resolvedAlerts,
  );
  counter(
    'alerts_resolved_early_total',
    'Attacks resolved early because lifecycle.maxActiveAlerts attacks were already followed.',
    (s) => s.alertsResolvedEarly,
  );
  perType(
    'alerts_suppressed_total',
    'Alerts held back by a re-alert interval (the attack went on), by type.',
    'counter',
    (s) => s.suppressedByType,
  );
  // With a shared store the gauge is the cluster's figure (every replica reports the same value:
  // use max(), not sum(), across replicas). The HELP text says which one a scrape gets.
  const shared = monitor.getStats().store.shared;
  gauge(
    'monitored_ips',
    shared
      ? 'Client addresses (IPv6: prefixes) with activity inside the brute-force window, cluster-wide: counted across every replica sharing the store (refreshed every few seconds), not per replica.'
      : 'Client addresses (IPv6: prefixes) with activity inside the brute-force window.',
    (s) => s.monitoredIps,
  );
  gauge(
    'tracked_ips_limit',
    'Most client addresses tracked at once (maxTrackedIps).',
    (s) => s.trackedIpsLimit,
  );
  counter(
    'tracked_ips_evicted_total',
    'Client addresses evicted because the tracking limit was reached (a sign of IP spraying).',
    (s) => s.evictedIps,
  );
  gauge(
    'monitored_accounts',
    shared
      ? 'Accounts with failed logins inside the account brute-force window, cluster-wide: counted across every replica sharing the store (refreshed every few seconds), not per replica.'
      : 'Accounts with failed logins inside the account brute-force window.',
    (s) => s.monitoredAccounts,
  );
  gauge(
    'tracked_accounts_limit',
    'Most accounts tracked at once (maxTrackedAccounts).',
    (s) => s.trackedAccountsLimit,
  );
  counter(
    'tracked_accounts_evicted_total',
    'Accounts evicted because the tracking limit was reached (a sign of account-name spraying).',
    (s) => s.evictedAccounts,
  );
  counter(
    'tracked_networks_evicted_total',
    'Networks evicted because the tracking limit (networkBruteForce.maxTracked) was reached.',
    (s) => s.evictedNetworks,
  );
  counter('alert_handler_errors_total', 'Alert handlers that threw or rejected.', (s) => s.handlerErrors);
  gauge(
    'store_up',
    'Whether the window store can be used: 1, or 0 while a shared store (Redis) is unreachable and its outage policy applies.',
    (s) => (s.store.up ? 1 : 0),
  );
  metric(
    'store_fallback_total',
    'Events this replica decided in its own memory because the shared store could not take them, by reason (unavailable: down, timed out or failed; overloaded: too many operations in flight).',
    'counter',
    () => {
      const { fallbacks } = snapshot.get().store;
      return FALLBACK_REASONS.map((reason) => ({ value: fallbacks[reason], labels: { reason } }));
    },
  );
  metric('build_info', 'secmon build information; always 1.', 'gauge', () => [
    { value: 1, labels: { version } },
  ]);
  return registry;
}

/**
 * Remembers, per alert type, the trace of the latest alert raised inside an active span, for
 * OpenMetrics exemplars. Bounded: one entry per alert type.
 */
function trackAlertExemplars(monitor: AnomalyMonitor): Map<AlertType, NonNullable<Sample['exemplar']>> {
  const latest = new Map<AlertType, NonNullable<Sample['exemplar']>>();
  monitor.onAlert((alert) => {
    if (alert.state !== 'firing') return;
    const spanContext = trace.getActiveSpan()?.spanContext();
    if (!spanContext || !isSpanContextValid(spanContext)) return;
    latest.set(alert.type, {
      labelSet: { trace_id: spanContext.traceId, span_id: spanContext.spanId },
      value: 1,
      timestamp: alert.timestamp.getTime() / 1000,
    });
  });
  return latest;
}
