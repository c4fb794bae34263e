import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AnomalyMonitor, registerPrometheusMetrics } from '../../src/index.js';
import { parseMetrics } from '../support/secmon.js';

describe('Prometheus metrics', () => {
  it('expose every counter and gauge with HELP and TYPE, reading the monitor', async () => {
    const monitor = new AnomalyMonitor({ bruteForce: { threshold: 2 }, maxTrackedIps: 500 });
    const registry = registerPrometheusMetrics(monitor, { version: '9.9.9' });
    monitor.recordFailedAuth('192.0.2.1');
    monitor.recordFailedAuth('192.0.2.1');
    monitor.recordFailedAuth('192.0.2.1');
    monitor.recordPathTraversal('192.0.2.2', '../x');
    monitor.recordCommandInjection('192.0.2.2', ';id');
    monitor.recordPrivilegedContainerAttempt('u');
    monitor.recordPrivilegedContainerAttempt('u');
    monitor.recordSuspiciousContainer('u', ['hostPID']);
    monitor.recordRateLimitExceeded('192.0.2.3');
    const text = await registry.metrics();
    const values = parseMetrics(text);
    expect(Object.fromEntries(values)).toMatchObject({
      secmon_failed_auth_total: 3,
      secmon_privileged_container_attempts_total: 2,
      secmon_suspicious_container_attempts_total: 1,
      secmon_path_traversal_attempts_total: 1,
      secmon_command_injection_attempts_total: 1,
      secmon_rate_limit_exceeded_total: 1,
      'secmon_alerts_total{type="brute_force",severity="high"}': 1,
      'secmon_alerts_total{type="privilege_escalation",severity="critical"}': 1,
      'secmon_alerts_total{type="path_traversal",severity="high"}': 1,
      'secmon_alerts_total{type="command_injection",severity="critical"}': 1,
      'secmon_alerts_total{type="suspicious_container",severity="high"}': 1,
      'secmon_alerts_total{type="rate_limit_exceeded",severity="medium"}': 1,
      'secmon_alerts_suppressed_total{type="brute_force"}': 1,
      'secmon_alerts_suppressed_total{type="privilege_escalation"}': 1,
      secmon_monitored_ips: 2, // failed-login and rate-limited addresses have windows
      secmon_tracked_ips_limit: 500,
      secmon_tracked_ips_evicted_total: 0,
      secmon_alert_handler_errors_total: 0,
      secmon_store_up: 1,
      'secmon_store_fallback_total{reason="unavailable"}': 0,
      'secmon_store_fallback_total{reason="overloaded"}': 0,
      'secmon_build_info{version="9.9.9"}': 1,
    });
    expect(text).toMatch(
      /^# HELP secmon_monitored_ips Client addresses \(IPv6: prefixes\) with activity inside the brute-force window\.$/m,
    );
    for (const name of new Set([...values.keys()].map((key) => key.replace(/\{.*$/, '')))) {
      expect(text).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
      expect(text).toMatch(new RegExp(`^# TYPE ${name} (counter|gauge)$`, 'm'));
    }
  });

  it('create every type x severity series at 0 on a fresh monitor', async () => {
    const values = parseMetrics(await registerPrometheusMetrics(new AnomalyMonitor()).metrics());
    const alertSeries = [...values].filter(([key]) => key.startsWith('secmon_alerts_total{'));
    expect(alertSeries).toHaveLength(11);
    expect(alertSeries.every(([, value]) => value === 0)).toBe(true);
  });

  it('keep a fixed set of series whatever the traffic (no address, user, path or input in a label)', async () => {
    const monitor = new AnomalyMonitor({ bruteForce: { threshold: 3 } });
    const registry = registerPrometheusMetrics(monitor);
    const before = parseMetrics(await registry.metrics());
    for (let i = 0; i < 5000; i++) {
      const ip = `10.0.${i >> 8}.${i & 255}`;
      for (let j = 0; j < 4; j++) monitor.recordFailedAuth(ip, `user-${i}`);
      monitor.recordPathTraversal(ip, `../${i}`);
      monitor.recordCommandInjection(ip, `;echo ${i}`);
      monitor.recordRateLimitExceeded(ip, `user-${i}`);
      monitor.recordSuspiciousContainer(`user-${i}`, [`reason-${i}`]);
    }
    const text = await registry.metrics();
    const after = parseMetrics(text);
    expect([...after.keys()]).toEqual([...before.keys()]);
    expect(text).not.toMatch(/user-|10\.0\.|reason-/);
  });

  it('read one stats snapshot per scrape', async () => {
    const monitor = new AnomalyMonitor();
    const registry = registerPrometheusMetrics(monitor);
    const spy = vi.spyOn(monitor, 'getStats');
    await registry.metrics();
    expect(spy).toHaveBeenCalledTimes(1);
    await registry.metrics();
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('are monotonic counters: a later scrape never reports less', async () => {
    let t = 0;
    const monitor = new AnomalyMonitor({ bruteForce: { threshold: 2, windowMs: 1000 }, now: () => t });
    const registry = registerPrometheusMetrics(monitor);
    let previous = parseMetrics(await registry.metrics());
    for (let round = 0; round < 20; round++) {
      t += 700;
      monitor.recordFailedAuth(`192.0.2.${round % 3}`);
      const current = parseMetrics(await registry.metrics());
      for (const [key, value] of current) {
        if (key.includes('_total')) expect(value, key).toBeGreaterThanOrEqual(previous.get(key) ?? 0);
      }
      previous = current;
    }
  });

  it('honour a custom prefix and registry, and reject an invalid prefix', async () => {
    const registry = new Registry();
    registerPrometheusMetrics(new AnomalyMonitor(), { registry, prefix: 'acme_sec_' });
    expect(await registry.metrics()).toMatch(/^acme_sec_failed_auth_total 0$/m);
    expect(() => registerPrometheusMetrics(new AnomalyMonitor(), { prefix: 'bad-prefix' })).toThrow(
      /prefix must match/,
    );
  });
});

describe('OpenMetrics output', () => {
  const contextManager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable());
  });
  afterAll(() => {
    context.disable();
  });

  it('carries an exemplar with the trace of the span active when the alert was raised', async () => {
    const monitor = new AnomalyMonitor();
    const registry = new Registry();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as never);
    registerPrometheusMetrics(monitor, { registry });
    const tracer = new BasicTracerProvider().getTracer('test');
    const span = tracer.startSpan('POST /upload');
    context.with(trace.setSpan(context.active(), span), () =>
      monitor.recordCommandInjection('192.0.2.1', '$(id)'),
    );
    span.end();
    monitor.recordPathTraversal('192.0.2.1', '../x'); // outside any span: no exemplar
    const text = await registry.metrics();
    const { traceId, spanId } = span.spanContext();
    expect(text).toMatch(
      new RegExp(
        `^secmon_alerts_total\\{type="command_injection",severity="critical"\\} 1 # \\{trace_id="${traceId}",span_id="${spanId}"\\} 1 \\d+(\\.\\d+)?$`,
        'm',
      ),
    );
    expect(text).toMatch(/^secmon_alerts_total\{type="path_traversal",severity="high"\} 1$/m);
    expect(text).toMatch(/^# TYPE secmon_alerts counter$/m);
    expect(text.endsWith('# EOF\n')).toBe(true);
  });
});
