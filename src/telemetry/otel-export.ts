import { diag } from '@opentelemetry/api';
import { OTLPLogExporter as OTLPJsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OTLPProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as OTLPJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OTLPProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { badOptionError, integerIn } from '../core/errors.js';
import type { AnomalyMonitor } from '../core/monitor.js';
import { settleWithin } from '../core/settle-within.js';
import { emitOtelAlertEvents, OTEL_SCOPE_NAME } from './otel-alert-events.js';
import {
  BoundedEventProcessor,
  CountingLogExporter,
  CountingMetricExporter,
  EventLedger,
  FailureReporter,
} from './otel-export-accounting.js';
import {
  exportResource,
  type OtelEnv,
  type OtlpExporterConfig,
  type OtlpProtocol,
  planOtelExport,
} from './otel-export-config.js';
import { registerOtelMetrics } from './otel-metrics.js';

/** Options of {@link startOtelExport}. Every field is optional. */
export interface OtelExportOptions {
  /** Where the `OTEL_*` variables are read (`process.env` or an object like it). Default `process.env`. */
  env?: OtelEnv;
  /** Reported as the resource attribute `service.version`. */
  serviceVersion?: string;
  /** Most alert events waiting for export; past it events are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /**
   * Called when an export fails, at most once a minute however many exports fail (the count is in
   * `exportFailures()`). Default: OpenTelemetry's `diag.warn`.
   */
  onError?: (error: Error) => void;
}

/** A running OTLP export (or the no-op one, when the environment does not ask for export). */
export interface OtelExport {
  /** True when at least one signal (alert events, metrics) is exported. */
  readonly enabled: boolean;
  /**
   * Alert events that did not reach the collector: turned away because `maxQueueSize` events were
   * already waiting or export was shut down, or lost in a batch whose export failed. After
   * `shutdown()` resolves, every event not confirmed delivered by then.
   */
  droppedEvents(): number;
  /** Exports (event batches and metric collections) that failed, after the exporter's retries. */
  exportFailures(): number;
  /** Exports what is waiting now (events and a metrics collection); resolves after at most 5 s. */
  forceFlush(): Promise<void>;
  /**
   * Stops taking alerts, flushes what it can and shuts the exporters down. Always resolves within
   * `timeoutMs` (default 3000), also when the collector hangs; calling it again returns the same promise.
   */
  shutdown(timeoutMs?: number): Promise<void>;
}

const DEFAULT_MAX_QUEUE_SIZE = 2048;
const MAX_QUEUE_SIZE_LIMIT = 1_000_000;
const MAX_EXPORT_BATCH_SIZE = 512;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 3000;
const FORCE_FLUSH_TIMEOUT_MS = 5000;
const ERROR_REPORT_INTERVAL_MS = 60_000;

const DISABLED: OtelExport = Object.freeze({
  enabled: false,
  droppedEvents: () => 0,
  exportFailures: () => 0,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
});

/**
 * Exports the monitor's alerts (as `secmon.alert` events) and metrics over OTLP/HTTP when the standard
 * OpenTelemetry environment variables ask for it (see the README's "OpenTelemetry" section):
 * `OTEL_EXPORTER_OTLP_ENDPOINT` or a signal-specific endpoint, `OTEL_EXPORTER_OTLP_PROTOCOL`
 * (`http/protobuf` by default, or `http/json`), `OTEL_LOGS_EXPORTER` / `OTEL_METRICS_EXPORTER`
 * (`none` turns a signal off), `OTEL_METRIC_EXPORT_INTERVAL`, `OTEL_SERVICE_NAME` (default `secmon`),
 * `OTEL_RESOURCE_ATTRIBUTES`, and the exporters' own headers/timeout/compression/certificate
 * variables. Otherwise returns a no-op export with `enabled: false`.
 *
 * Alert events go through a queue of at most `maxQueueSize` events; when it is full, events are
 * dropped and counted, never waited for. A dead or hanging collector never blocks the monitor: each
 * export is bounded by the exporter timeout (`OTEL_EXPORTER_OTLP_TIMEOUT`, default 10 s), failures
 * are counted and reported through `onError` at most once a minute. Global OpenTelemetry providers are
 * left alone. Throws a `TypeError` (code `SECMON_ERR_BAD_OPTION`) naming the variable or option when
 * a setting cannot be honoured (e.g. `OTEL_EXPORTER_OTLP_PROTOCOL=grpc`).
 */
export function startOtelExport(monitor: AnomalyMonitor, options: OtelExportOptions = {}): OtelExport {
  const env = options.env ?? process.env;
  const maxQueueSize = integerIn(
    'maxQueueSize',
    options.maxQueueSize,
    DEFAULT_MAX_QUEUE_SIZE,
    1,
    MAX_QUEUE_SIZE_LIMIT,
  );
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw badOptionError('onError', 'a function', options.onError);
  }
  const plan = planOtelExport(env);
  if (plan.logs === undefined && plan.metrics === undefined) return DISABLED;

  const resource = exportResource(env, options.serviceVersion);
  const reporter = new FailureReporter(
    options.onError ?? ((error) => diag.warn(error.message)),
    ERROR_REPORT_INTERVAL_MS,
  );
  const ledger = new EventLedger();

  let loggerProvider: LoggerProvider | undefined;
  let stopEvents: (() => void) | undefined;
  if (plan.logs !== undefined) {
    const exporter = new CountingLogExporter(
      logExporter(plan.logs.protocol, plan.logs.exporter),
      ledger,
      reporter,
    );
    const batch = new BatchLogRecordProcessor({
      exporter,
      maxQueueSize,
      maxExportBatchSize: Math.min(MAX_EXPORT_BATCH_SIZE, maxQueueSize),
    });
    loggerProvider = new LoggerProvider({
      resource,
      processors: [new BoundedEventProcessor(batch, ledger, maxQueueSize)],
    });
    stopEvents = emitOtelAlertEvents(monitor, loggerProvider.getLogger(OTEL_SCOPE_NAME));
  }

  let meterProvider: MeterProvider | undefined;
  if (plan.metrics !== undefined) {
    const exporter = new CountingMetricExporter(
      metricExporter(plan.metrics.protocol, plan.metrics.exporter),
      reporter,
    );
    meterProvider = new MeterProvider({
      resource,
      readers: [
        new PeriodicExportingMetricReader({
          exporter,
          exportIntervalMillis: plan.metrics.intervalMs,
          exportTimeoutMillis: plan.metrics.timeoutMs,
        }),
      ],
    });
    registerOtelMetrics(monitor, meterProvider.getMeter(OTEL_SCOPE_NAME));
  }

  let stopping: Promise<void> | undefined;
  return {
    enabled: true,
    droppedEvents: () => ledger.dropped(),
    exportFailures: () => reporter.failures,
    forceFlush: () =>
      settleWithin(
        [loggerProvider?.forceFlush(), stopping === undefined ? meterProvider?.forceFlush() : undefined],
        FORCE_FLUSH_TIMEOUT_MS,
      ),
    shutdown(timeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS) {
      if (stopping === undefined) {
        const limit = Number.isFinite(timeoutMs) && timeoutMs >= 0 ? timeoutMs : DEFAULT_SHUTDOWN_TIMEOUT_MS;
        stopEvents?.();
        // The meter provider's shutdown exports one last collection, so the final counts get out too.
        stopping = settleWithin([loggerProvider?.shutdown(), meterProvider?.shutdown()], limit).then(() =>
          ledger.close(),
        );
      }
      return stopping;
    },
  };
}

function logExporter(protocol: OtlpProtocol, config: OtlpExporterConfig) {
  return protocol === 'http/json' ? new OTLPJsonLogExporter(config) : new OTLPProtoLogExporter(config);
}

function metricExporter(protocol: OtlpProtocol, config: OtlpExporterConfig) {
  return protocol === 'http/json' ? new OTLPJsonMetricExporter(config) : new OTLPProtoMetricExporter(config);
}
