// Reads the standard OpenTelemetry environment variables that decide whether and how secmon exports
// over OTLP. The OTLP exporters and the resource detector read their own variables (endpoint, headers,
// timeout, compression, certificates, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) from process.env;
// secmon only reads what none of the SDK pieces it uses reads, and validates what would otherwise fail
// silently. When the caller passes an environment other than process.env, the exporter settings are
// taken from it and handed to the exporters explicitly, so that both agree on where data goes.
import { parseKeyPairsIntoRecord } from '@opentelemetry/core';
import type { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import {
  defaultResource,
  detectResources,
  envDetector,
  type Resource,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { badOptionError } from '../core/errors.js';

/**
 * An environment to read variables from: `process.env` or any object of the same shape. (Not
 * `OtelEnv`, so that the published types do not require `@types/node`.)
 */
export type OtelEnv = Readonly<Record<string, string | undefined>>;

/** OTLP transports secmon can export with. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

type OtlpSignal = 'LOGS' | 'METRICS';

/** Settings handed to an OTLP/HTTP exporter (the same shape for logs and metrics, either protocol). */
export type OtlpExporterConfig = NonNullable<ConstructorParameters<typeof OTLPLogExporter>[0]>;

/** What to export, derived from the environment. A signal that is absent is not exported. */
export interface OtelExportPlan {
  logs?: { protocol: OtlpProtocol; exporter: OtlpExporterConfig };
  metrics?: {
    protocol: OtlpProtocol;
    exporter: OtlpExporterConfig;
    /** OTEL_METRIC_EXPORT_INTERVAL, ms (default 60,000). */
    intervalMs: number;
    /** OTEL_METRIC_EXPORT_TIMEOUT, ms (default 30,000, at most the interval). */
    timeoutMs: number;
  };
}

const DEFAULT_SERVICE_NAME = 'secmon';
const DEFAULT_METRIC_INTERVAL_MS = 60_000;
const DEFAULT_METRIC_TIMEOUT_MS = 30_000;
const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json'];
const RESOURCE_PATH: Record<OtlpSignal, string> = { LOGS: 'v1/logs', METRICS: 'v1/metrics' };

/**
 * Decides from `env` which signals to export. A signal is exported when its endpoint is set
 * (`OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT`), its
 * `OTEL_<SIGNAL>_EXPORTER` is not `none`, and `OTEL_SDK_DISABLED` is not `true`. Throws a `TypeError`
 * (code `SECMON_ERR_BAD_OPTION`) naming the variable for a value secmon cannot honour: an unparseable
 * endpoint, a protocol other than http/protobuf or http/json, an exporter other than otlp or none, a
 * non-positive metric interval or timeout. An empty variable counts as unset.
 */
export function planOtelExport(env: OtelEnv): OtelExportPlan {
  const plan: OtelExportPlan = {};
  if (read(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return plan;
  if (wantsOtlp(env, 'OTEL_LOGS_EXPORTER') && endpointOf(env, 'LOGS') !== undefined) {
    plan.logs = { protocol: protocolOf(env, 'LOGS'), exporter: exporterConfig(env, 'LOGS') };
  }
  if (wantsOtlp(env, 'OTEL_METRICS_EXPORTER') && endpointOf(env, 'METRICS') !== undefined) {
    const intervalMs = positiveInteger(env, 'OTEL_METRIC_EXPORT_INTERVAL') ?? DEFAULT_METRIC_INTERVAL_MS;
    const timeoutMs = positiveInteger(env, 'OTEL_METRIC_EXPORT_TIMEOUT') ?? DEFAULT_METRIC_TIMEOUT_MS;
    plan.metrics = {
      protocol: protocolOf(env, 'METRICS'),
      exporter: exporterConfig(env, 'METRICS'),
      intervalMs,
      timeoutMs: Math.min(timeoutMs, intervalMs),
    };
  }
  return plan;
}

/**
 * The resource secmon's telemetry is reported under: the SDK defaults, `service.name` = `secmon`
 * and `service.version` (when given), overridden by `OTEL_RESOURCE_ATTRIBUTES` and then
 * `OTEL_SERVICE_NAME`.
 */
export function exportResource(env: OtelEnv, serviceVersion: string | undefined): Resource {
  const own: Record<string, string> = { [ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME };
  if (serviceVersion) own[ATTR_SERVICE_VERSION] = serviceVersion;
  const base = defaultResource().merge(resourceFromAttributes(own));
  if (env === process.env) return base.merge(detectResources({ detectors: [envDetector] }));
  const fromEnv: Record<string, string> = parseKeyPairsIntoRecord(read(env, 'OTEL_RESOURCE_ATTRIBUTES'));
  const serviceName = read(env, 'OTEL_SERVICE_NAME');
  if (serviceName !== undefined) fromEnv[ATTR_SERVICE_NAME] = serviceName;
  return base.merge(resourceFromAttributes(fromEnv));
}

function read(env: OtelEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function wantsOtlp(env: OtelEnv, name: string): boolean {
  const raw = read(env, name);
  if (raw === undefined) return true;
  const values = raw
    .split(',')
    .map((value) => value.trim().toLowerCase())
    .filter((value) => value !== '');
  for (const value of values) {
    if (value !== 'otlp' && value !== 'none') throw badOptionError(name, '"otlp" or "none"', raw);
  }
  return !values.includes('none') && values.includes('otlp');
}

/** The endpoint that decides whether a signal is exported (validated), or undefined. */
function endpointOf(env: OtelEnv, signal: OtlpSignal): string | undefined {
  for (const name of [`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`, 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
    const value = read(env, name);
    if (value === undefined) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw badOptionError(name, 'an http:// or https:// URL', value);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw badOptionError(name, 'an http:// or https:// URL', value);
    }
    return value;
  }
  return undefined;
}

function protocolOf(env: OtelEnv, signal: OtlpSignal): OtlpProtocol {
  for (const name of [`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`, 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const value = read(env, name);
    if (value === undefined) continue;
    if (!(PROTOCOLS as readonly string[]).includes(value)) {
      throw badOptionError(name, `"http/protobuf" or "http/json" (gRPC is not supported)`, value);
    }
    return value as OtlpProtocol;
  }
  return 'http/protobuf';
}

function positiveInteger(env: OtelEnv, name: string): number | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw badOptionError(name, 'an integer number of ms > 0', raw);
  return value;
}

// From process.env the exporter reads its settings itself; from any other environment they are passed
// explicitly, with the same precedence rules (signal-specific first; the generic endpoint gets the
// signal's path appended; headers are merged with the SDK's own key=value parser).
function exporterConfig(env: OtelEnv, signal: OtlpSignal): OtlpExporterConfig {
  if (env === process.env) return {};
  const config: OtlpExporterConfig = {};
  const specific = read(env, `OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`);
  const generic = read(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (specific !== undefined) config.url = specific;
  else if (generic !== undefined)
    config.url = `${generic}${generic.endsWith('/') ? '' : '/'}${RESOURCE_PATH[signal]}`;
  const headers = {
    ...parseKeyPairsIntoRecord(read(env, 'OTEL_EXPORTER_OTLP_HEADERS')),
    ...parseKeyPairsIntoRecord(read(env, `OTEL_EXPORTER_OTLP_${signal}_HEADERS`)),
  };
  if (Object.keys(headers).length > 0) config.headers = headers;
  const timeout =
    read(env, `OTEL_EXPORTER_OTLP_${signal}_TIMEOUT`) ?? read(env, 'OTEL_EXPORTER_OTLP_TIMEOUT');
  if (timeout !== undefined && Number(timeout) > 0) config.timeoutMillis = Number(timeout);
  const compression =
    read(env, `OTEL_EXPORTER_OTLP_${signal}_COMPRESSION`) ?? read(env, 'OTEL_EXPORTER_OTLP_COMPRESSION');
  if (compression === 'gzip' || compression === 'none') {
    config.compression = compression as OtlpExporterConfig['compression'];
  }
  return config;
}
