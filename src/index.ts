// The public surface of secmon: re-exports only. Anything not exported here is internal.
export {
  ALERT_SEVERITIES,
  ALERT_SEVERITY,
  ALERT_TYPES,
  type Alert,
  type AlertHandler,
  type AlertSeverity,
  type AlertState,
  type AlertType,
} from './core/alert.js';
export type { OffenderKind } from './core/alert-lifecycle.js';
export {
  type ClientKey,
  clientKey,
  formatClientKey,
  formatNetwork,
  UNPARSEABLE,
} from './core/client-address.js';
export type {
  AccountBruteForceOptions,
  AccountCompromiseOptions,
  CredentialStuffingOptions,
  FailedLoginSurgeOptions,
  NetworkBruteForceOptions,
} from './core/detector-options.js';
export type { SecmonConfigError, SecmonErrorCode } from './core/errors.js';
export {
  type AttackDetails,
  type ContainerDetails,
  SINK_KINDS,
  type SinkKind,
} from './core/event-details.js';
export { memoryStore } from './core/memory-store.js';
export { AnomalyMonitor } from './core/monitor.js';
export type { Offender, OffendersOptions } from './core/offenders.js';
export {
  type AnomalyMonitorOptions,
  type BruteForceOptions,
  DEFAULT_OPTIONS,
  type LifecycleOptions,
  type PrivacyOptions,
  windowSettings,
} from './core/options.js';
export { MAX_TEXT_LENGTH, sanitizeText } from './core/sanitize.js';
export type { MonitorStats } from './core/stats.js';
export {
  ALERT,
  type DetectorDecision,
  type FailureDecision,
  type FailureOutcome,
  LOGIN_DETECTORS,
  type LoginDetector,
  type LoginSubject,
  NO_ALERT,
  REALERT,
  type StoreStats,
  SUPPRESSED,
  type SubjectActivity,
  type WindowSettings,
  type WindowStore,
  type WindowStoreFactory,
} from './core/store.js';
export { detectCommandInjection } from './detect/command-injection/index.js';
export {
  type ContainerAlertSink,
  type ContainerFinding,
  type ContainerFindingType,
  inspectContainerConfig,
  reportContainerFindings,
} from './detect/container-config/index.js';
export { detectPathTraversal } from './detect/path-traversal/index.js';
export {
  detectInjectedCommand,
  detectTraversedPath,
  type InjectedCommandOptions,
} from './detect/sink/index.js';
export type { Finding, FindingKind } from './detect/text/index.js';
export { type AuthFailureOptions, recordAuthFailures } from './http/auth-failure-recorder.js';
export { type EventApiOptions, eventApi, type RejectReason } from './http/event-api.js';
export { EVENT_TYPES, MAX_EVENTS_PER_REQUEST, type SecurityEvent } from './http/event-schema.js';
export { type MetricsHandlerOptions, metricsHandler } from './http/metrics-route.js';
export { type OffenderJson, type OffendersApiOptions, offendersApi } from './http/offenders-api.js';
export { clientIp, type RequestGuardOptions, requestGuard } from './http/request-guard.js';
export {
  ALERT_ATTRIBUTE_PREFIX,
  MAX_ATTRIBUTE_CHARS,
  MAX_METADATA_ENTRIES,
} from './telemetry/otel-alert-attributes.js';
export {
  emitOtelAlertEvents,
  OTEL_ALERT_EVENT_NAME,
  OTEL_ALERT_SEVERITY,
  OTEL_SCOPE_NAME,
} from './telemetry/otel-alert-events.js';
export {
  OTEL_METRICS,
  type OtelInstrumentKind,
  type OtelMetricDescriptor,
  registerOtelMetrics,
} from './telemetry/otel-metrics.js';
export {
  type PrometheusMetricsOptions,
  registerPrometheusMetrics,
} from './telemetry/prometheus-collector.js';
