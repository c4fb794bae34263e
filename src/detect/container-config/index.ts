// Container configuration: inspects a container spec (Docker API, Compose, Kubernetes pod) for
// privilege escalation (privileged mode, root-equivalent capabilities, the runtime socket or the
// host's root mounted) and dangerous settings short of it, and feeds the findings to a monitor.
//   container-config.ts  inspectContainerConfig: the rules
//   config-values.ts     reading untrusted configuration safely (getters, proxies, bounded keys)
//   host-paths.ts        which host paths a container must not see
//   container-report.ts  reportContainerFindings: findings to record* calls
// Independent of the other detectors: it reads objects, not text.
export {
  type ContainerFinding,
  type ContainerFindingType,
  inspectContainerConfig,
} from './container-config.js';
export { type ContainerAlertSink, reportContainerFindings } from './container-report.js';
