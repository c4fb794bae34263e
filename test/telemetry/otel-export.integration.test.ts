// startOtelExport against a real OTLP/HTTP receiver on 127.0.0.1, configured only through the
// standard OTEL_* variables, in both OTLP/HTTP encodings.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALERT_SEVERITY, ALERT_TYPES, AnomalyMonitor, OTEL_METRICS } from '../../src/index.js';
import { type OtelExport, startOtelExport } from '../../src/otel.js';
import { type OtlpReceiver, type ReceivedMetric, startOtlpReceiver } from '../support/otlp-receiver.js';
import { waitFor } from '../support/processes.js';

let receiver: OtlpReceiver;
let otel: OtelExport | undefined;
const tracer = new BasicTracerProvider().getTracer('test');

beforeEach(async () => {
  receiver = await startOtlpReceiver();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});

afterEach(async () => {
  await otel?.shutdown(1000);
  otel = undefined;
  context.disable();
  vi.unstubAllEnvs();
  await receiver.close();
});

function point(metrics: ReceivedMetric[], name: string, attributes: Record<string, string> = {}) {
  const metric = metrics.find((m) => m.name === name);
  return metric?.points.find((p) => JSON.stringify(p.attributes) === JSON.stringify(attributes))?.value;
}

/** Raises one alert of each kind; the command injection happens inside a traced request. */
function attack(monitor: AnomalyMonitor) {
  for (let i = 0; i < 3; i++) monitor.recordFailedAuth('203.0.113.5:40000', 'admin');
  monitor.recordSuspiciousContainer('mallory', ['hostPID', 'privileged-mount']);
  const span = tracer.startSpan('POST /api/run');
  context.with(trace.setSpan(context.active(), span), () => {
    monitor.recordCommandInjection('[2001:db8:5:6::1]:443', '; cat /etc/shadow');
  });
  span.end();
  return span.spanContext();
}

async function checkExport(protocol: 'http/protobuf' | 'http/json', expectedService: string) {
  const monitor = new AnomalyMonitor({ bruteForce: { threshold: 3 } });
  const errors: Error[] = [];
  otel = startOtelExport(monitor, { serviceVersion: '9.9.9', onError: (error) => errors.push(error) });
  expect(otel.enabled).toBe(true);
  const traced = attack(monitor);
  await otel.shutdown(5000);

  expect(receiver.errors).toEqual([]);
  expect(errors).toEqual([]);
  const logRequests = receiver.requests.filter((r) => r.path === '/v1/logs');
  expect(logRequests.length).toBeGreaterThan(0);
  const expectedContentType = protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
  for (const request of receiver.requests) {
    expect(request.contentType).toBe(expectedContentType);
    expect(request.headers.authorization).toBe('Bearer s3cret');
    expect(request.resource['service.name']).toBe(expectedService);
    expect(request.resource['service.version']).toBe('9.9.9');
  }

  const logs = receiver.logs();
  expect(logs.map((log) => log.attributes['secmon.alert.type'])).toEqual([
    'brute_force',
    'suspicious_container',
    'command_injection',
  ]);
  for (const log of logs) {
    expect(log.eventName).toBe('secmon.alert');
    expect(log.scope).toBe('secmon');
    expect(log.attributes['secmon.alert.id']).toMatch(/^[0-9a-f]{12}-[0-9a-z]+$/);
    expect(log.attributes['secmon.alert.state']).toBe('firing');
    expect(log.timeUnixNano).toBeGreaterThan(0n);
  }
  const [bruteForce, container, injection] = logs;
  expect(bruteForce).toMatchObject({
    severityNumber: 17,
    severityText: 'ERROR',
    body: '3 failed logins within 300s from 203.0.113.5',
    traceId: '',
  });
  expect(bruteForce!.attributes).toMatchObject({
    'client.address': '203.0.113.5',
    'user.id': 'admin',
    'secmon.alert.severity': 'high',
    'secmon.alert.count': 3,
    'secmon.alert.threshold': 3,
  });
  expect(container!.attributes['secmon.alert.reasons']).toEqual(['hostPID', 'privileged-mount']);
  expect(container!.attributes['user.id']).toBe('mallory');
  expect(injection).toMatchObject({
    severityNumber: 21,
    severityText: 'FATAL',
    body: 'Command injection attempt detected',
    traceId: traced.traceId,
    spanId: traced.spanId,
  });
  expect(injection!.attributes).toMatchObject({
    'client.address': '2001:db8:5:6::/64',
    'secmon.alert.input': '; cat /etc/shadow',
    'secmon.alert.severity': 'critical',
  });

  // The final collection at shutdown carries the numbers as they are now.
  const metrics = receiver.latestMetrics()!;
  expect(metrics.map((m) => m.name).sort()).toEqual(OTEL_METRICS.map((m) => m.name).sort());
  expect(point(metrics, 'secmon.failed_auth')).toBe(3);
  expect(point(metrics, 'secmon.command_injection.attempts')).toBe(1);
  expect(point(metrics, 'secmon.monitored_ips')).toBe(1);
  expect(point(metrics, 'secmon.tracked_ips.limit')).toBe(100_000);
  for (const type of ALERT_TYPES) {
    const expected = ['brute_force', 'suspicious_container', 'command_injection'].includes(type) ? 1 : 0;
    expect(point(metrics, 'secmon.alerts', { type, severity: ALERT_SEVERITY[type] })).toBe(expected);
    expect(point(metrics, 'secmon.alerts_suppressed', { type })).toBe(0);
  }
  const alerts = metrics.find((m) => m.name === 'secmon.alerts')!;
  expect(alerts).toMatchObject({ kind: 'sum', monotonic: true, unit: '{alert}' });
  expect(metrics.find((m) => m.name === 'secmon.tracked_ips.limit')).toMatchObject({ kind: 'gauge' });
  expect(otel.droppedEvents()).toBe(0);
  expect(otel.exportFailures()).toBe(0);
}

describe('OTLP export to a real receiver', () => {
  it('sends events and metrics over http/protobuf (the default), configured through process.env', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', receiver.url);
    vi.stubEnv('OTEL_EXPORTER_OTLP_HEADERS', 'authorization=Bearer%20s3cret');
    vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', '');
    vi.stubEnv('OTEL_SERVICE_NAME', '');
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', '');
    await checkExport('http/protobuf', 'secmon');
  });

  it('sends the same over http/json, with OTEL_SERVICE_NAME', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', receiver.url);
    vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'http/json');
    vi.stubEnv('OTEL_EXPORTER_OTLP_HEADERS', 'authorization=Bearer%20s3cret');
    vi.stubEnv('OTEL_SERVICE_NAME', 'edge-guard');
    await checkExport('http/json', 'edge-guard');
  });

  it('reads a given environment object instead of process.env', async () => {
    const monitor = new AnomalyMonitor();
    otel = startOtelExport(monitor, {
      env: {
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${receiver.url}/v1/logs`,
        OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=blue',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging',
      },
    });
    monitor.recordPathTraversal('192.0.2.10', '/static/../../etc/passwd');
    await otel.shutdown(5000);
    expect(receiver.errors).toEqual([]);
    expect(receiver.requests.map((r) => r.path)).toEqual(['/v1/logs']); // no metrics endpoint, no metrics
    const [request] = receiver.requests;
    expect(request!.headers['x-tenant']).toBe('blue');
    expect(request!.resource).toMatchObject({
      'service.name': 'secmon',
      'deployment.environment.name': 'staging',
    });
    expect(request!.logs[0]!.attributes['secmon.alert.path']).toBe('/static/../../etc/passwd');
  });

  it('exports metrics every OTEL_METRIC_EXPORT_INTERVAL and no events with OTEL_LOGS_EXPORTER=none', async () => {
    const monitor = new AnomalyMonitor();
    otel = startOtelExport(monitor, {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_LOGS_EXPORTER: 'none',
        OTEL_METRIC_EXPORT_INTERVAL: '100',
      },
    });
    monitor.recordPathTraversal('192.0.2.10', '../x');
    await waitFor('two periodic metric exports', () =>
      receiver.requests.filter((r) => r.path === '/v1/metrics').length >= 2 ? true : undefined,
    );
    monitor.recordPathTraversal('192.0.2.10', '../y');
    await waitFor('a metric export with the second attempt', () =>
      point(receiver.latestMetrics() ?? [], 'secmon.path_traversal.attempts') === 2 ? true : undefined,
    );
    expect(receiver.requests.some((r) => r.path === '/v1/logs')).toBe(false);
    expect(receiver.errors).toEqual([]);
  });
});
