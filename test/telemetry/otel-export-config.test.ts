import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnomalyMonitor } from '../../src/index.js';
import { startOtelExport } from '../../src/otel.js';
import { exportResource, planOtelExport } from '../../src/telemetry/otel-export-config.js';

const ENDPOINT = 'http://127.0.0.1:4318';

function configError(run: () => unknown): TypeError & { code?: string } {
  try {
    run();
  } catch (error) {
    return error as TypeError & { code?: string };
  }
  throw new Error('expected a configuration error');
}

describe('which signals are exported', () => {
  it('exports nothing when no OTLP endpoint is set', () => {
    expect(planOtelExport({})).toEqual({});
    expect(planOtelExport({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toEqual({});
  });

  it('exports events and metrics with the generic endpoint, over http/protobuf by default', () => {
    const plan = planOtelExport({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT });
    expect(plan.logs?.protocol).toBe('http/protobuf');
    expect(plan.metrics?.protocol).toBe('http/protobuf');
    expect(plan.metrics?.intervalMs).toBe(60_000);
    expect(plan.metrics?.timeoutMs).toBe(30_000);
  });

  it('exports only the signal whose specific endpoint is set', () => {
    const logsOnly = planOtelExport({ OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${ENDPOINT}/v1/logs` });
    expect(logsOnly.logs).toBeDefined();
    expect(logsOnly.metrics).toBeUndefined();
    const metricsOnly = planOtelExport({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${ENDPOINT}/v1/metrics` });
    expect(metricsOnly.logs).toBeUndefined();
    expect(metricsOnly.metrics).toBeDefined();
  });

  it('honours OTEL_LOGS_EXPORTER / OTEL_METRICS_EXPORTER = none and OTEL_SDK_DISABLED', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT };
    expect(planOtelExport({ ...env, OTEL_LOGS_EXPORTER: 'none' }).logs).toBeUndefined();
    expect(planOtelExport({ ...env, OTEL_LOGS_EXPORTER: 'none' }).metrics).toBeDefined();
    expect(planOtelExport({ ...env, OTEL_METRICS_EXPORTER: 'none' }).metrics).toBeUndefined();
    expect(planOtelExport({ ...env, OTEL_METRICS_EXPORTER: 'otlp' }).metrics).toBeDefined();
    expect(planOtelExport({ ...env, OTEL_SDK_DISABLED: 'TRUE' })).toEqual({});
    expect(planOtelExport({ ...env, OTEL_SDK_DISABLED: 'false' }).logs).toBeDefined();
  });

  it('takes the protocol from the signal-specific variable first', () => {
    const plan = planOtelExport({
      OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
    });
    expect(plan.logs?.protocol).toBe('http/json');
    expect(plan.metrics?.protocol).toBe('http/protobuf');
  });

  it('reads the metric export interval and keeps the timeout within it', () => {
    const plan = planOtelExport({
      OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT,
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
    });
    expect(plan.metrics?.intervalMs).toBe(5000);
    expect(plan.metrics?.timeoutMs).toBe(5000);
  });

  it('rejects settings it cannot honour with an error naming the variable', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT };
    const grpc = configError(() => planOtelExport({ ...env, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }));
    expect(grpc).toBeInstanceOf(TypeError);
    expect(grpc.code).toBe('SECMON_ERR_BAD_OPTION');
    expect(grpc.message).toMatch(
      /^OTEL_EXPORTER_OTLP_PROTOCOL must be "http\/protobuf" or "http\/json".*\(got "grpc"\)/,
    );
    expect(
      configError(() => planOtelExport({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).message,
    ).toMatch(/^OTEL_EXPORTER_OTLP_ENDPOINT must be an http:\/\/ or https:\/\/ URL/);
    expect(configError(() => planOtelExport({ ...env, OTEL_LOGS_EXPORTER: 'console' })).message).toMatch(
      /^OTEL_LOGS_EXPORTER must be "otlp" or "none" \(got "console"\)/,
    );
    expect(configError(() => planOtelExport({ ...env, OTEL_METRIC_EXPORT_INTERVAL: '10s' })).message).toMatch(
      /^OTEL_METRIC_EXPORT_INTERVAL must be an integer number of ms > 0 \(got "10s"\)/,
    );
  });
});

describe('exporter settings', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('leaves them to the exporters when reading process.env', () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', ENDPOINT);
    vi.stubEnv('OTEL_EXPORTER_OTLP_HEADERS', 'authorization=Bearer%20t');
    const plan = planOtelExport(process.env);
    expect(plan.logs?.exporter).toEqual({});
    expect(plan.metrics?.exporter).toEqual({});
  });

  it('passes them explicitly from another environment, with the OTLP precedence rules', () => {
    const plan = planOtelExport({
      OTEL_EXPORTER_OTLP_ENDPOINT: `${ENDPOINT}/base`,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:9999/custom/path',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20generic,x-tenant=a',
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-tenant=logs',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: 'gzip',
    });
    expect(plan.logs?.exporter).toEqual({
      url: `${ENDPOINT}/base/v1/logs`,
      headers: { authorization: 'Bearer generic', 'x-tenant': 'logs' },
      timeoutMillis: 2500,
      compression: 'gzip',
    });
    expect(plan.metrics?.exporter).toEqual({
      url: 'http://127.0.0.1:9999/custom/path',
      headers: { authorization: 'Bearer generic', 'x-tenant': 'a' },
      timeoutMillis: 2500,
    });
  });
});

describe('the exported resource', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is service secmon by default, with the version when given', () => {
    const attributes = exportResource({}, '1.2.3').attributes;
    expect(attributes['service.name']).toBe('secmon');
    expect(attributes['service.version']).toBe('1.2.3');
    expect(attributes['telemetry.sdk.language']).toBe('nodejs');
  });

  it('takes OTEL_RESOURCE_ATTRIBUTES and then OTEL_SERVICE_NAME over the defaults', () => {
    const env = { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,service.name=from-attrs' };
    expect(exportResource(env, undefined).attributes).toMatchObject({
      'service.name': 'from-attrs',
      'deployment.environment.name': 'prod',
    });
    expect(exportResource({ ...env, OTEL_SERVICE_NAME: 'edge-guard' }, undefined).attributes).toMatchObject({
      'service.name': 'edge-guard',
      'deployment.environment.name': 'prod',
    });
  });

  it('lets the SDK’s resource detector read process.env', () => {
    vi.stubEnv('OTEL_SERVICE_NAME', 'from-process-env');
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', 'k8s.pod.name=web-1');
    expect(exportResource(process.env, undefined).attributes).toMatchObject({
      'service.name': 'from-process-env',
      'k8s.pod.name': 'web-1',
    });
  });
});

describe('startOtelExport without an endpoint', () => {
  it('returns a disabled no-op export', async () => {
    const monitor = new AnomalyMonitor();
    const otel = startOtelExport(monitor, { env: {} });
    expect(otel.enabled).toBe(false);
    monitor.recordPathTraversal('192.0.2.1', '../x');
    expect(otel.droppedEvents()).toBe(0);
    expect(otel.exportFailures()).toBe(0);
    await otel.forceFlush();
    await otel.shutdown();
  });

  it('rejects a bad maxQueueSize with an error naming it', () => {
    const monitor = new AnomalyMonitor();
    for (const maxQueueSize of [0, 1.5, -1, 2_000_000]) {
      const error = configError(() => startOtelExport(monitor, { env: {}, maxQueueSize }));
      expect(error.message).toMatch(/^maxQueueSize must be an integer from 1 to 1000000/);
    }
  });
});
