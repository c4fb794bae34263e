// The public surface of secmon: re-exports only. Anything not exported here is internal.
export {
  ALERT_SEVERITIES,
  ALERT_SEVERITY,
  ALERT_TYPES,
  type Alert,
  type AlertHandler,
  type AlertSeverity,
  type AlertType,
} from './core/alert.js';
export { type ClientKey, clientKey, formatClientKey, UNPARSEABLE } from './core/client-address.js';
export type { SecmonConfigError, SecmonErrorCode } from './core/errors.js';
export { AnomalyMonitor } from './core/monitor.js';
export {
  type AnomalyMonitorOptions,
  type BruteForceOptions,
  DEFAULT_OPTIONS,
} from './core/options.js';
export { MAX_TEXT_LENGTH, sanitizeText } from './core/sanitize.js';
export type { MonitorStats } from './core/stats.js';
export { detectCommandInjection } from './detect/command-injection.js';
export {
  type ContainerFinding,
  type ContainerFindingType,
  inspectContainerConfig,
} from './detect/container-config.js';
export { type ContainerAlertSink, reportContainerFindings } from './detect/container-report.js';
export type { Finding, FindingKind } from './detect/finding.js';
export { detectPathTraversal } from './detect/path-traversal.js';
