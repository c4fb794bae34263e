import { context, diag, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type Alert,
  type AlertHandler,
  AnomalyMonitor,
  emitOtelAlertEvents,
  MAX_ATTRIBUTE_CHARS,
  MAX_METADATA_ENTRIES,
} from '../../src/index.js';

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

function setup(now: () => number = () => T0) {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const monitor = new AnomalyMonitor({ bruteForce: { threshold: 3 }, now });
  const stop = emitOtelAlertEvents(monitor, provider);
  return { exporter, provider, monitor, stop, records: () => exporter.getFinishedLogRecords() };
}

/** An alert source that delivers whatever alert the test hands it (as an untyped caller could). */
function fakeSource() {
  let handler: AlertHandler | undefined;
  return {
    onAlert(h: AlertHandler) {
      handler = h;
      return () => {
        handler = undefined;
      };
    },
    raise(alert: unknown) {
      return handler?.(alert as Alert);
    },
  };
}

describe('alert events', () => {
  it('emits each alert as a secmon.alert event with body, timestamp and scope', () => {
    const { monitor, records } = setup();
    monitor.recordCommandInjection('203.0.113.7:5555', '; rm -rf /');
    const [record] = records();
    expect(records()).toHaveLength(1);
    expect(record!.eventName).toBe('secmon.alert');
    expect(record!.body).toBe('Command injection attempt detected');
    expect(record!.hrTime).toEqual([Math.floor(T0 / 1000), (T0 % 1000) * 1e6]);
    expect(record!.instrumentationScope.name).toBe('secmon');
  });

  it('maps severities low→INFO, medium→WARN, high→ERROR, critical→FATAL', () => {
    const source = fakeSource();
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    emitOtelAlertEvents(source, provider.getLogger('test'));
    for (const severity of ['low', 'medium', 'high', 'critical']) {
      source.raise({ timestamp: new Date(T0), type: 'brute_force', severity, message: severity });
    }
    expect(exporter.getFinishedLogRecords().map((r) => [r.body, r.severityNumber, r.severityText])).toEqual([
      ['low', SeverityNumber.INFO, 'INFO'],
      ['medium', SeverityNumber.WARN, 'WARN'],
      ['high', SeverityNumber.ERROR, 'ERROR'],
      ['critical', SeverityNumber.FATAL, 'FATAL'],
    ]);
  });

  it('maps every alert the monitor raises to its severity', () => {
    const { monitor, records } = setup();
    for (let i = 0; i < 3; i++) monitor.recordFailedAuth('198.51.100.1', 'alice');
    monitor.recordPrivilegedContainerAttempt('bob');
    monitor.recordSuspiciousContainer('bob', ['hostPID']);
    monitor.recordPathTraversal('198.51.100.2', '/../../etc/passwd');
    monitor.recordCommandInjection('198.51.100.3', '$(id)');
    monitor.recordRateLimitExceeded('198.51.100.4');
    expect(records().map((r) => [r.attributes['secmon.alert.type'], r.severityText])).toEqual([
      ['brute_force', 'ERROR'],
      ['privilege_escalation', 'FATAL'],
      ['suspicious_container', 'ERROR'],
      ['path_traversal', 'ERROR'],
      ['command_injection', 'FATAL'],
      ['rate_limit_exceeded', 'WARN'],
    ]);
  });

  it('uses semantic-convention names for the client address and user, secmon.alert.* for the rest', () => {
    const { monitor, records } = setup();
    for (let i = 0; i < 3; i++) monitor.recordFailedAuth('[2001:db8:1:2::9]:443', 'alice');
    const [record] = records();
    expect(record!.attributes).toEqual({
      'client.address': '2001:db8:1:2::/64',
      'user.id': 'alice',
      'secmon.alert.type': 'brute_force',
      'secmon.alert.severity': 'high',
      'secmon.alert.id': expect.stringMatching(/^[0-9a-f]{12}-[0-9a-z]+$/),
      'secmon.alert.state': 'firing',
      'secmon.alert.count': 3,
      'secmon.alert.threshold': 3,
      'secmon.alert.windowSeconds': 300,
      'secmon.alert.suppressed': 0,
    });
  });

  it('gives every attack its own id, shared by all its alerts and by its resolution', () => {
    const { monitor, records } = setup();
    for (let i = 0; i < 50; i++) monitor.recordPathTraversal('192.0.2.1', '../x');
    for (let i = 0; i < 50; i++) monitor.recordPathTraversal(`192.0.2.${2 + (i % 25)}`, '../x');
    const ids = new Set(records().map((r) => r.attributes['secmon.alert.id']));
    expect(ids.size).toBe(26);
    const idOf = (ip: string) =>
      records().find((r) => r.attributes['client.address'] === ip)!.attributes['secmon.alert.id'];
    expect(idOf('192.0.2.1')).not.toBe(idOf('192.0.2.2'));
  });

  it('emits the end of an attack as a resolved event with the same id and its duration', () => {
    let now = T0;
    const { monitor, records } = setup(() => now);
    monitor.recordCommandInjection('192.0.2.1', '; id');
    now += 30_000;
    monitor.recordCommandInjection('192.0.2.1', '; id');
    now += 120_000;
    monitor.getStats(); // within the quiet period: nothing resolves yet
    expect(records()).toHaveLength(2);
    // Quiet for the default quiet period (the brute-force window, 300 s) after the last event.
    now += 300_000;
    monitor.getStats();
    const [first, second, resolved] = records();
    expect([first, second, resolved].map((r) => r!.attributes['secmon.alert.state'])).toEqual([
      'firing',
      'firing',
      'resolved',
    ]);
    expect(new Set([first, second, resolved].map((r) => r!.attributes['secmon.alert.id'])).size).toBe(1);
    expect(resolved!.attributes['secmon.alert.duration_ms']).toBe(330_000);
    expect(resolved!.hrTime[0] * 1000 + resolved!.hrTime[1] / 1e6).toBe(T0 + 330_000);
  });

  it('keeps string arrays as arrays and leaves out absent fields', () => {
    const { monitor, records } = setup();
    monitor.recordSuspiciousContainer('carol', ['hostPID', 'hostNetwork', 'CAP_SYS_ADMIN']);
    const { attributes } = records()[0]!;
    expect(attributes['secmon.alert.reasons']).toEqual(['hostPID', 'hostNetwork', 'CAP_SYS_ADMIN']);
    expect(attributes).not.toHaveProperty('client.address');
    expect(attributes['user.id']).toBe('carol');
  });

  it('carries the already-escaped hostile strings of the alert, unchanged', () => {
    const { monitor, records } = setup();
    monitor.recordPathTraversal('192.0.2.1', `../../\u001b[31m\n${'A'.repeat(1000)}`);
    const path = records()[0]!.attributes['secmon.alert.path'] as string;
    expect(path.startsWith('../../\\x1b[31m\\n')).toBe(true);
    expect(path).toMatch(/…\[\+\d+ chars\]$/);
    expect(path).not.toMatch(/[\u0000-\u001f]/);
  });

  it('bounds hostile metadata from any alert source and never throws', () => {
    const source = fakeSource();
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    emitOtelAlertEvents(source, provider);
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    let deep: Record<string, unknown> = {};
    const deepRoot = deep;
    for (let i = 0; i < 10_000; i++) {
      deep.next = {};
      deep = deep.next as Record<string, unknown>;
    }
    const metadata: Record<string, unknown> = {
      huge: 'x'.repeat(1_000_000),
      bidi: 'safe\u202Eevil',
      bigArray: Array.from({ length: 100_000 }, (_, i) => `item${i}`),
      mixedArray: [1, 'two', { three: 3 }],
      numbers: Array.from({ length: 100_000 }, (_, i) => i),
      cyclic,
      deep: deepRoot,
      big: 10n ** 30n,
      when: new Date(T0),
      nothing: null,
      fn: () => 1,
      getter: Object.defineProperty({}, 'boom', {
        enumerable: true,
        get() {
          throw new Error('boom');
        },
      }),
      [`k${'y'.repeat(500)}`]: 'long key',
      'bad key\n': 'control char in key',
      type: 'forged',
      id: 'forged',
    };
    for (let i = 0; i < 100; i++) metadata[`extra${i}`] = i;

    expect(() =>
      source.raise({
        timestamp: new Date(T0),
        type: 'path_traversal',
        severity: 'high',
        message: 'm',
        metadata,
      }),
    ).not.toThrow();
    const [record] = exporter.getFinishedLogRecords();
    const attributes = record!.attributes;
    for (const value of Object.values(attributes)) {
      if (typeof value === 'string') expect(value.length).toBeLessThanOrEqual(MAX_ATTRIBUTE_CHARS + 30);
      if (Array.isArray(value)) expect(value.length).toBeLessThanOrEqual(65);
    }
    expect(attributes['secmon.alert.type']).toBe('path_traversal');
    expect(attributes['secmon.alert.id']).not.toBe('forged');
    expect(attributes['secmon.alert.huge']).toMatch(/^x+…\[\+\d+ chars\]$/);
    expect(attributes['secmon.alert.bidi']).toBe('safe\\u202eevil');
    expect((attributes['secmon.alert.bigArray'] as string[]).at(-1)).toBe('…[+99936 more]');
    expect(attributes['secmon.alert.mixedArray']).toBe('[1,"two",{"three":3}]');
    expect(attributes['secmon.alert.numbers']).toMatch(/^\[0,1,2,.*…\[truncated\]$/);
    expect(attributes['secmon.alert.cyclic']).toBe('{"name":"loop","self":"[Circular]"}');
    expect(attributes['secmon.alert.deep']).toBe('{"next":{"next":{"next":{"next":"[Object]"}}}}');
    expect(attributes['secmon.alert.big']).toBe('1000000000000000000000000000000');
    expect(attributes['secmon.alert.when']).toBe('"2025-01-02T03:04:05.678Z"');
    expect(attributes['secmon.alert.getter']).toBe('{"boom":"[unreadable]"}');
    expect(attributes).not.toHaveProperty('secmon.alert.nothing');
    expect(attributes).not.toHaveProperty('secmon.alert.fn');
    const metadataKeys = Object.keys(attributes).filter(
      (key) =>
        key.startsWith('secmon.alert.') &&
        !['type', 'severity', 'id', 'metadata_dropped'].includes(key.slice(13)),
    );
    expect(metadataKeys.length).toBeLessThanOrEqual(MAX_METADATA_ENTRIES);
    expect(attributes['secmon.alert.metadata_dropped']).toBeGreaterThanOrEqual(
      2 + 100 - MAX_METADATA_ENTRIES,
    );
    expect(Object.keys(attributes).some((key) => key.length > 80 || /\n/.test(key))).toBe(false);
  });

  it('never throws into the monitor, even when the logger throws', () => {
    const warn = vi.spyOn(diag, 'error').mockImplementation(() => {});
    const monitor = new AnomalyMonitor();
    emitOtelAlertEvents(monitor, {
      emit() {
        throw new Error('exporter exploded');
      },
      enabled: () => true,
    });
    expect(() => monitor.recordPathTraversal('192.0.2.1', '../x')).not.toThrow();
    expect(monitor.getStats().handlerErrors).toBe(0);
    warn.mockRestore();
  });

  it('stops emitting after unsubscribe', () => {
    const { monitor, records, stop } = setup();
    monitor.recordPathTraversal('192.0.2.1', '../x');
    stop();
    monitor.recordPathTraversal('192.0.2.1', '../y');
    expect(records()).toHaveLength(1);
  });
});

describe('alert events and traces', () => {
  const contextManager = new AsyncLocalStorageContextManager();
  const tracer = new BasicTracerProvider().getTracer('test');

  beforeEach(() => {
    context.setGlobalContextManager(contextManager.enable());
  });
  afterEach(() => {
    context.disable();
  });

  it('carries the trace and span of the request that raised the alert', () => {
    const { monitor, records } = setup();
    const span = tracer.startSpan('POST /login');
    context.with(trace.setSpan(context.active(), span), () => {
      monitor.recordCommandInjection('192.0.2.1', '`id`');
    });
    span.end();
    const record = records()[0]!;
    expect(record.spanContext?.traceId).toBe(span.spanContext().traceId);
    expect(record.spanContext?.spanId).toBe(span.spanContext().spanId);
  });

  it('keeps the trace across an await inside the request', async () => {
    const { monitor, records } = setup();
    const span = tracer.startSpan('GET /files');
    await context.with(trace.setSpan(context.active(), span), async () => {
      await new Promise((resolve) => setImmediate(resolve));
      monitor.recordPathTraversal('192.0.2.1', '../../etc/shadow');
    });
    span.end();
    expect(records()[0]!.spanContext?.traceId).toBe(span.spanContext().traceId);
  });

  it('has no trace context when no span is active', () => {
    const { monitor, records } = setup();
    monitor.recordPathTraversal('192.0.2.1', '../x');
    expect(records()[0]!.spanContext).toBeUndefined();
  });
});
