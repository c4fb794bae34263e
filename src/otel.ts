// `secmon/otel`: OTLP export of secmon's alert events and metrics. A separate entry point because it
// loads the OpenTelemetry SDK and exporters (~120 ms of start-up), which users of the main entry
// (monitor, middleware, Prometheus, OTel API-only helpers) do not need.
export { type OtelExport, type OtelExportOptions, startOtelExport } from './telemetry/otel-export.js';
export type { OtelEnv } from './telemetry/otel-export-config.js';
