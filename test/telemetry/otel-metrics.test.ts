import { DataPointType, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ALERT_SEVERITY,
  ALERT_TYPES,
  AnomalyMonitor,
  OTEL_METRICS,
  registerOtelMetrics,
} from '../../src/index.js';

/** A pull reader: the test decides when a collection happens. */
class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

interface Series {
  name: string;
  kind: 'sum' | 'gauge';
  monotonic: boolean;
  unit: string;
  attributes: Record<string, unknown>;
  value: number;
}

function flatten(resourceMetrics: ResourceMetrics): Series[] {
  const series: Series[] = [];
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const kind = metric.dataPointType === DataPointType.SUM ? 'sum' : 'gauge';
      const monotonic = metric.dataPointType === DataPointType.SUM && metric.isMonotonic;
      for (const point of metric.dataPoints) {
        series.push({
          name: metric.descriptor.name,
          kind,
          monotonic,
          unit: metric.descriptor.unit,
          attributes: { ...point.attributes },
          value: point.value as number,
        });
      }
    }
  }
  return series;
}

const providers: MeterProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown()));
});

function setup(monitor = new AnomalyMonitor({ bruteForce: { threshold: 2 }, maxTrackedIps: 1000 })) {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  providers.push(provider);
  const stop = registerOtelMetrics(monitor, provider.getMeter('secmon'));
  const collect = async () => {
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    return flatten(resourceMetrics);
  };
  const value = (series: Series[], name: string, attributes: Record<string, unknown> = {}) =>
    series.find((s) => s.name === name && JSON.stringify(s.attributes) === JSON.stringify(attributes))?.value;
  return { monitor, collect, value, stop };
}

// The Collector's Prometheus exporter (default settings) turns an OTLP metric name into a Prometheus
// name by replacing every character outside [a-zA-Z0-9_:] with '_', appending the unit (curly-brace
// annotations carry none) and '_total' for monotonic sums. secmon only uses annotation units, so the
// unit part must stay empty: that is asserted, not assumed.
function prometheusName(series: Pick<Series, 'name' | 'kind' | 'monotonic' | 'unit'>): string {
  expect(series.unit).toMatch(/^\{[a-z_]+\}$/);
  const base = series.name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return series.kind === 'sum' && series.monotonic ? `${base}_total` : base;
}

describe('OpenTelemetry metrics', () => {
  it('become the same names as secmon’s own /metrics after the Collector’s Prometheus translation', async () => {
    const { collect } = setup();
    const names = new Map<string, string>();
    for (const series of await collect()) names.set(series.name, prometheusName(series));
    // The names issue 3 fixes for /metrics (secmon_build_info is the resource's service.version here).
    expect([...names.values()].sort()).toEqual(
      [
        'secmon_failed_auth_total',
        'secmon_successful_auth_total',
        'secmon_sink_findings_total',
        'secmon_unparseable_addresses_total',
        'secmon_privileged_container_attempts_total',
        'secmon_suspicious_container_attempts_total',
        'secmon_path_traversal_attempts_total',
        'secmon_command_injection_attempts_total',
        'secmon_rate_limit_exceeded_total',
        'secmon_alerts_total',
        'secmon_active_alerts',
        'secmon_alerts_resolved_total',
        'secmon_alerts_resolved_early_total',
        'secmon_alerts_suppressed_total',
        'secmon_monitored_accounts',
        'secmon_tracked_accounts_limit',
        'secmon_tracked_accounts_evicted_total',
        'secmon_tracked_networks_evicted_total',
        'secmon_monitored_ips',
        'secmon_tracked_ips_limit',
        'secmon_tracked_ips_evicted_total',
        'secmon_alert_handler_errors_total',
        'secmon_store_up',
        'secmon_store_fallback_total',
      ].sort(),
    );
    for (const descriptor of OTEL_METRICS) expect(names.get(descriptor.name)).toBe(descriptor.prometheusName);
    expect(names.get('secmon.alerts')).toBe('secmon_alerts_total');
  });

  it('reports counters as monotonic sums, monitored IPs as a non-monotonic sum and the limit as a gauge', async () => {
    const { collect } = setup();
    const series = await collect();
    const kinds = new Map(series.map((s) => [s.name, `${s.kind}${s.monotonic ? '+' : ''}`]));
    expect(kinds.get('secmon.failed_auth')).toBe('sum+');
    expect(kinds.get('secmon.alerts')).toBe('sum+');
    expect(kinds.get('secmon.monitored_ips')).toBe('sum');
    expect(kinds.get('secmon.tracked_ips.limit')).toBe('gauge');
  });

  it('reports every type × severity series that can occur from the start, at 0', async () => {
    const { collect, value } = setup();
    const series = await collect();
    const alerts = series.filter((s) => s.name === 'secmon.alerts');
    expect(alerts.map((s) => s.attributes)).toEqual(
      ALERT_TYPES.map((type) => ({ type, severity: ALERT_SEVERITY[type] })),
    );
    expect(alerts.every((s) => s.value === 0)).toBe(true);
    const suppressed = series.filter((s) => s.name === 'secmon.alerts_suppressed');
    expect(suppressed.map((s) => s.attributes)).toEqual(ALERT_TYPES.map((type) => ({ type })));
    expect(suppressed.every((s) => s.value === 0)).toBe(true);
    const fallback = series.filter((s) => s.name === 'secmon.store.fallback');
    expect(fallback.map((s) => [s.attributes, s.value])).toEqual([
      [{ reason: 'unavailable' }, 0],
      [{ reason: 'overloaded' }, 0],
    ]);
    const sinks = series.filter((s) => s.name === 'secmon.sink_findings');
    expect(sinks.map((s) => [s.attributes, s.value])).toEqual([
      [{ sink_kind: 'command' }, 0],
      [{ sink_kind: 'file' }, 0],
    ]);
    expect(value(series, 'secmon.store.up')).toBe(1);
    for (const name of ['secmon.active_alerts', 'secmon.alerts.resolved']) {
      const perType = series.filter((s) => s.name === name);
      expect(perType.map((s) => [s.attributes, s.value])).toEqual(ALERT_TYPES.map((type) => [{ type }, 0]));
    }
    // 18 plain, 4 x 11 per type (alerts, suppressed, active, resolved), 2 store fallbacks, 2 sink kinds.
    expect(series).toHaveLength(66);
  });

  it('reads exactly one stats snapshot per collection', async () => {
    const { monitor, collect } = setup();
    const getStats = vi.spyOn(monitor, 'getStats');
    await collect();
    expect(getStats).toHaveBeenCalledTimes(1);
    await collect();
    await collect();
    expect(getStats).toHaveBeenCalledTimes(3);
  });

  it('follows the monitor', async () => {
    let now = 1_000_000;
    const monitor = new AnomalyMonitor({
      bruteForce: { threshold: 2, windowMs: 60_000 },
      maxTrackedIps: 2,
      privilegedAlertIntervalMs: 60_000,
      now: () => now,
    });
    const { collect, value } = setup(monitor);
    monitor.recordFailedAuth('192.0.2.1');
    monitor.recordFailedAuth('192.0.2.1'); // brute force alert
    monitor.recordFailedAuth('192.0.2.1'); // suppressed
    monitor.recordFailedAuth('192.0.2.2');
    monitor.recordFailedAuth('192.0.2.3'); // evicts one address
    monitor.recordPrivilegedContainerAttempt('eve');
    monitor.recordPrivilegedContainerAttempt('eve'); // suppressed
    monitor.recordSuspiciousContainer('eve', ['hostPID']);
    monitor.recordPathTraversal('192.0.2.9', '../x');
    monitor.recordCommandInjection('192.0.2.9', '$(id)');
    monitor.recordRateLimitExceeded('192.0.2.9');
    monitor.recordSuccessfulAuth('192.0.2.1', 'alice');
    monitor.recordCommandInjection('not-an-address', '`id`', { sink: 'child_process.exec' });
    monitor.onAlert(() => {
      throw new Error('handler bug');
    });
    monitor.recordPathTraversal('192.0.2.9', '../y');

    let series = await collect();
    expect(value(series, 'secmon.successful_auth')).toBe(1);
    expect(value(series, 'secmon.unparseable_addresses')).toBe(1);
    expect(value(series, 'secmon.sink_findings', { sink_kind: 'command' })).toBe(1);
    expect(value(series, 'secmon.sink_findings', { sink_kind: 'file' })).toBe(0);
    expect(value(series, 'secmon.failed_auth')).toBe(5);
    expect(value(series, 'secmon.privileged_container.attempts')).toBe(2);
    expect(value(series, 'secmon.suspicious_container.attempts')).toBe(1);
    expect(value(series, 'secmon.path_traversal.attempts')).toBe(2);
    expect(value(series, 'secmon.command_injection.attempts')).toBe(2);
    expect(value(series, 'secmon.rate_limit.exceeded')).toBe(1);
    expect(value(series, 'secmon.alerts', { type: 'brute_force', severity: 'high' })).toBe(1);
    expect(value(series, 'secmon.alerts', { type: 'privilege_escalation', severity: 'critical' })).toBe(1);
    expect(value(series, 'secmon.alerts', { type: 'path_traversal', severity: 'high' })).toBe(2);
    expect(value(series, 'secmon.alerts_suppressed', { type: 'brute_force' })).toBe(1);
    expect(value(series, 'secmon.alerts_suppressed', { type: 'privilege_escalation' })).toBe(1);
    expect(value(series, 'secmon.monitored_ips')).toBe(2);
    expect(value(series, 'secmon.tracked_ips.limit')).toBe(2);
    // 192.0.2.2 and then 192.0.2.9 (rate limiting keeps a slot too) were pushed out of the 2 slots.
    expect(value(series, 'secmon.tracked_ips.evicted')).toBe(2);
    expect(value(series, 'secmon.alert_handler.errors')).toBe(1);
    const stats = monitor.getStats();
    expect(value(series, 'secmon.failed_auth')).toBe(stats.failedAuthAttempts);
    expect(value(series, 'secmon.tracked_ips.evicted')).toBe(stats.evictedIps);
    for (const type of ALERT_TYPES) {
      expect(value(series, 'secmon.alerts', { type, severity: ALERT_SEVERITY[type] })).toBe(
        stats.alerts[type],
      );
      expect(value(series, 'secmon.alerts_suppressed', { type })).toBe(stats.suppressedByType[type]);
    }

    now += 120_000; // every window expires
    series = await collect();
    expect(value(series, 'secmon.monitored_ips')).toBe(0);
    expect(value(series, 'secmon.failed_auth')).toBe(5);
  });

  it('keeps a fixed number of series whatever the traffic', async () => {
    const { monitor, collect } = setup();
    const before = await collect();
    for (let i = 0; i < 5000; i++) {
      const ip = `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
      monitor.recordFailedAuth(ip, `user-${i}`);
      monitor.recordPathTraversal(ip, `/../${i}`);
      monitor.recordCommandInjection(ip, `;echo ${i}`);
      monitor.recordSuspiciousContainer(`user-${i}`, [`reason-${i}`]);
    }
    const after = await collect();
    expect(after.map((s) => [s.name, s.attributes])).toEqual(before.map((s) => [s.name, s.attributes]));
    const labelValues = after.flatMap((s) => Object.values(s.attributes).map(String));
    expect(labelValues.some((label) => /\d+\.\d+|user-|reason-/.test(label))).toBe(false);
  });

  it('stops reading the monitor after the returned function is called', async () => {
    const { monitor, collect, value, stop } = setup();
    const getStats = vi.spyOn(monitor, 'getStats');
    await collect();
    stop();
    monitor.recordPathTraversal('192.0.2.1', '../x');
    const series = await collect();
    expect(getStats).toHaveBeenCalledTimes(1);
    expect(value(series, 'secmon.path_traversal.attempts') ?? 0).toBe(0);
  });
});
