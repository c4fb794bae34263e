// The sink guard entry point (`secmon/guard`): re-exports only.
export { BLOCKED_CODE, SecmonBlockedError } from './guard/blocked-error.js';
export { sinkGuardErrorHandler } from './guard/blocked-handler.js';
export type { GuardSinksOptions } from './guard/guard-options.js';
export { guardSinks, type SinkGuard } from './guard/guard-sinks.js';
export {
  MAX_INPUT_LENGTH,
  MAX_INPUTS,
  MAX_TOTAL_LENGTH,
  type RequestInputs,
  withRequestInputs,
} from './guard/request-context.js';
export type { SinkGuardStats, SinkMonitor } from './guard/sink-check.js';
